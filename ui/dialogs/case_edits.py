"""Changing a saved record from the window: assign the officer, correct a case, a person or a
reception, undo the last step. Each writes one event in the case's chain (the core decides);
the reason is asked where the law or the audit needs one; a refusal stays in the dialog."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget,
)

from desktop.domain.records import Case, Person, Reception
from desktop.errors import UserError
from desktop.storage.units import own_officers
from desktop.workflow.assign import assign
from desktop.workflow.correct import correct_case, correct_person, correct_reception
from desktop.workflow.undo import last_step, undo_last_step, undo_refusal
from desktop.workflow.engine import rules_of
from ui.dialogs.guarded import GuardedDialog
from ui.widgets.screen import fit_to_screen
from ui.dialogs.reception_dialog import combo
from ui.errors import report
from ui.labels import CHANNEL_LABELS, FIELD_LABELS, vn_date
from ui.session import Session
from ui.widgets.form import FormErrors, IdentityEdit, date_edit, pydate, qdate, save_cancel_buttons

log = logging.getLogger(__name__)


def _reason_edit() -> QLineEdit:
    return QLineEdit(placeholderText="ví dụ: ghi nhầm khi tiếp nhận")


class _Form(GuardedDialog):
    """Title, an intro line, a form, the general error line and "<save>" / "Hủy"."""

    HELP_PAGE = "vu-viec"

    def __init__(self, session: Session, title: str, intro: str, save_label: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.errors = FormErrors()
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        buttons, self.ok = save_cancel_buttons(self, save_label, self.save)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(self.form)
        lay.addWidget(self.errors.general)
        lay.addWidget(self.saving_label())   # "Đang lưu…" when a save outlasts 150 ms
        lay.addWidget(buttons)
        self.ok.setDefault(True)

    def finish(self) -> None:
        fit_to_screen(self, max(560, self.sizeHint().width()), self.sizeHint().height())

    def run(self, write, done=None) -> bool:
        """``write(db)`` on the session's writer (issue #20): the values it uses are read before,
        on the GUI thread. ``done(result)`` keeps the result; then the dialog closes. A refusal
        stays in the dialog, the form as typed. False when a save is already in flight."""
        def saved(result) -> None:
            if done is not None:
                done(result)
            self.accept()

        return self.save_on_writer(write, done=saved, refused=self._refused, button=self.ok)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.errors.show_error(exc)
        else:
            report(self, exc)   # a bug: logged and shown, the form stays


class AssignDialog(_Form):
    """Give one case, or every selected case of the register, to an officer."""

    def __init__(self, session: Session, case_uuids: list[str], parent: QWidget | None = None, *,
                 current: str | None = None, numbers: list[str] | None = None) -> None:
        what = (f"{len(case_uuids)} vụ việc đã chọn" + (f": {', '.join(numbers[:8])}{' …' if len(numbers) > 8 else ''}"
                                                        if numbers else "")) if len(case_uuids) > 1 else \
            f"Vụ việc số {numbers[0]}" if numbers else "Vụ việc"
        super().__init__(session, "Giao cán bộ thụ lý", f"{what}. Mỗi lần giao được ghi vào diễn biến của vụ việc.",
                         "Giao", parent)
        self.case_uuids = case_uuids
        self.changed: list[Case] = []
        self.officer = QComboBox()
        self.officer.addItem("(chưa giao — thu hồi)", None)
        for o in own_officers(session.db):
            self.officer.addItem(f"{o.full_name} — {o.title}" if o.title else o.full_name, o.uuid)
        # the case's officer, else the officer at this desk, else the first one listed
        index = self.officer.findData(current or session.actor_uuid)
        self.officer.setCurrentIndex(index if index >= 0 else min(1, self.officer.count() - 1))
        self.note = QLineEdit(placeholderText="không bắt buộc")
        self.errors.add(self.form, "Cán bộ thụ lý:", "officer", self.officer)
        self.errors.add(self.form, "Ghi chú:", "note", self.note)
        self.finish()

    def save(self) -> None:
        uuids, officer, today, note = list(self.case_uuids), self.officer.currentData(), self.session.today(), \
            self.note.text()
        self.run(lambda db: assign(db, uuids, officer, effective_on=today, note=note),
                 lambda changed: setattr(self, "changed", changed))


class CorrectCaseDialog(_Form):
    """Đính chính: summary, content, field, channel and — while no step was taken — the day of receipt."""

    def __init__(self, session: Session, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(session, "Đính chính vụ việc",
                         f"Vụ việc số {case.number}. Giá trị cũ, giá trị mới và lý do được ghi vào diễn biến "
                         "(không xóa gì).", "Ghi đính chính", parent)
        self.case = case
        self.summary = QLineEdit(case.summary)
        self.content = QPlainTextEdit(case.content)
        self.content.setTabChangesFocus(True)
        self.content.setFixedHeight(90)
        self.field = combo(FIELD_LABELS)
        self.field.setCurrentIndex(max(0, self.field.findData(case.field)))
        self.channel = combo(CHANNEL_LABELS)
        self.channel.setCurrentIndex(max(0, self.channel.findData(case.channel)))
        self.received_on = date_edit(case.received_on)
        self.learned_known = QCheckBox("Có ngày biết quyết định")
        self.learned_known.setChecked(case.learned_on is not None)
        self.learned_on = date_edit(case.learned_on or case.received_on)
        self.reason = _reason_edit()
        self.errors.add(self.form, "Tóm tắt:", "summary", self.summary)
        self.errors.add(self.form, "Nội dung:", "content", self.content)
        self.errors.add(self.form, "Lĩnh vực:", "field", self.field)
        self.errors.add(self.form, "Hình thức nhận:", "channel", self.channel)
        self.errors.add(self.form, "Ngày tiếp nhận:", "received_on", self.received_on)
        if case.kind.startswith("complaint"):
            self.form.addRow("", self.learned_known)
            self.errors.add(self.form, "Ngày biết quyết định:", "learned_on", self.learned_on)
        self.errors.add(self.form, "Lý do đính chính:", "reason", self.reason)
        self.finish()

    def values(self) -> dict:
        values = {"summary": self.summary.text(), "content": self.content.toPlainText(),
                  "field": self.field.currentData(), "channel": self.channel.currentData()}
        received = pydate(self.received_on.date())
        if received != self.case.received_on:
            values["received_on"] = received
        if self.case.kind.startswith("complaint"):
            values["learned_on"] = pydate(self.learned_on.date()) if self.learned_known.isChecked() else None
        return values

    def save(self) -> None:
        uuid, values, reason, today = self.case.uuid, self.values(), self.reason.text(), self.session.today()
        self.run(lambda db: correct_case(db, uuid, values, reason=reason, today=today))


class CorrectPersonDialog(_Form):
    def __init__(self, session: Session, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(session, "Đính chính thông tin người",
                         f"{person.full_name}. Việc đính chính được ghi vào diễn biến của mọi vụ việc của người này.",
                         "Ghi đính chính", parent)
        self.person = person
        self.full_name = QLineEdit(person.full_name)
        self.identity = IdentityEdit()
        index = self.identity.kind.findData(person.id_kind)
        if index >= 0:
            self.identity.kind.setCurrentIndex(index)
        self.identity.number.setText(person.id_number)
        self.phone = QLineEdit(person.phone)
        self.address = QLineEdit(person.address)
        self.reason = _reason_edit()
        self.errors.add(self.form, "Họ và tên:", "full_name", self.full_name)
        self.errors.add(self.form, "Giấy tờ tùy thân:", "id_number", self.identity)
        self.errors.add(self.form, "Điện thoại:", "phone", self.phone)
        self.errors.add(self.form, "Địa chỉ:", "address", self.address)
        self.errors.add(self.form, "Lý do đính chính:", "reason", self.reason)
        self.finish()

    def save(self) -> None:
        values = {"full_name": self.full_name.text(), "id_kind": self.identity.id_kind(),
                  "id_number": self.identity.id_number(), "phone": self.phone.text(), "address": self.address.text()}
        uuid, reason, today = self.person.uuid, self.reason.text(), self.session.today()
        self.run(lambda db: correct_person(db, uuid, values, reason=reason, today=today))


class CorrectReceptionDialog(_Form):
    def __init__(self, session: Session, reception: Reception, parent: QWidget | None = None) -> None:
        super().__init__(session, "Đính chính lượt tiếp công dân",
                         f"Lượt tiếp ngày {vn_date(reception.received_on)}. Giá trị cũ, mới và lý do được ghi lại.",
                         "Ghi đính chính", parent)
        self.reception = reception
        self.content = QPlainTextEdit(reception.content)
        self.content.setTabChangesFocus(True)
        self.content.setFixedHeight(90)
        self.request = QLineEdit(reception.request)
        self.previous = QLineEdit(reception.previous_handling)
        self.people_count = QSpinBox()
        self.people_count.setRange(1, 999)
        self.people_count.setValue(reception.people_count)
        self.notes = QLineEdit(reception.notes)
        self.reason = _reason_edit()
        self.errors.add(self.form, "Nội dung:", "content", self.content)
        self.errors.add(self.form, "Yêu cầu:", "request", self.request)
        self.errors.add(self.form, "Đã được giải quyết:", "previous_handling", self.previous)
        self.errors.add(self.form, "Số người:", "people_count", self.people_count)
        self.errors.add(self.form, "Ghi chú:", "notes", self.notes)
        self.errors.add(self.form, "Lý do đính chính:", "reason", self.reason)
        self.finish()

    def save(self) -> None:
        values = {"content": self.content.toPlainText(), "request": self.request.text(),
                  "previous_handling": self.previous.text(), "people_count": self.people_count.value(),
                  "notes": self.notes.text()}
        uuid, reason, today = self.reception.uuid, self.reason.text(), self.session.today()
        self.run(lambda db: correct_reception(db, uuid, values, reason=reason, today=today))


class UndoDialog(_Form):
    """Hoàn tác bước cuối: names the step, asks the reason; refused steps say why."""

    def __init__(self, session: Session, case: Case, parent: QWidget | None = None) -> None:
        step = last_step(session.db, case)
        refusal = undo_refusal(session.db, case)
        if step is not None:
            rs = rules_of(case)
            label = rs.actions[step.action].label if step.action in rs.actions else step.action
            intro = (f"Hoàn tác bước “{label}” ngày {vn_date(step.effective_on)} của vụ việc số {case.number}. "
                     "Bước đó vẫn còn trong diễn biến; một bước “Hoàn tác” được ghi kèm lý do, "
                     "trạng thái và thời hạn trở lại như trước.")
        else:
            intro = f"Vụ việc số {case.number}."
        super().__init__(session, "Hoàn tác bước cuối", intro, "Hoàn tác", parent)
        self.case = case
        self.result_case: Case | None = None
        self.reason = QLineEdit(placeholderText="ví dụ: ghi nhầm bước")
        self.errors.add(self.form, "Lý do hoàn tác:", "reason", self.reason)
        if refusal:
            self.errors.show({"_": refusal})
            self.ok.setEnabled(False)
        self.finish()

    def save(self) -> None:
        uuid, reason, today = self.case.uuid, self.reason.text(), self.session.today()
        self.run(lambda db: undo_last_step(db, uuid, reason=reason, today=today),
                 lambda case: setattr(self, "result_case", case))
