"""A citizen at the desk: one line of the Sổ tiếp công dân; an accepted matter opens its case.

Keyboard-first: fields in reading order, Enter in a one-line field saves, Ctrl+Enter anywhere.
Everything is written in one transaction; when saving fails the dialog stays open with every
field as typed and the messages next to the fields.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox, QApplication, QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget,
)

from desktop.domain.records import Case, Reception
from desktop.errors import UserError, ValidationError
from desktop.rules.book import KIND_LABELS
from desktop.storage.units import own_officers
from desktop.workflow.receive import OUTCOMES, ReceptionInput, record_reception
from ui.dialogs.guarded import GuardedDialog
from ui.errors import report
from ui.labels import FIELD_LABELS, RECEPTION_KIND_LABELS
from ui.session import Session
from ui.widgets.form import FormErrors, date_edit, pydate, save_cancel_buttons
from ui.widgets.person_entry import PersonEntry
from ui.widgets.screen import fit_to_screen

log = logging.getLogger(__name__)


def combo(items: dict[str, str], first: tuple[str, str] | None = None) -> QComboBox:
    box = QComboBox()
    if first:
        box.addItem(first[1], first[0])
    for code, label in items.items():
        box.addItem(label, code)
    return box


class GroupMember(QWidget):
    """One more person of a group visit (đoàn đông người), maybe a representative."""

    def __init__(self, db, index: int) -> None:
        super().__init__()
        self.entry = PersonEntry(db)
        self.representative = QCheckBox("Người đại diện")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.addWidget(QLabel(f"<b>Người thứ {index + 2}</b>"))
        lay.addWidget(self.entry)
        lay.addWidget(self.representative)   # after the fields: typed in reading order, then ticked


class ReceptionDialog(GuardedDialog):
    HELP_PAGE = "tiep-cong-dan"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.reception: Reception | None = None
        self.case: Case | None = None
        self.setWindowTitle("Tiếp công dân")
        fit_to_screen(self, 860, 720)  # 1366×768 with a taskbar
        db = session.db
        self.errors = FormErrors()

        self.received_on = date_edit(session.today())
        self.kind = combo(RECEPTION_KIND_LABELS)
        self.host = QComboBox()
        for o in own_officers(db):
            self.host.addItem(f"{o.full_name} ({o.title})" if o.title else o.full_name, o.uuid)
        self.host.setCurrentIndex(max(0, self.host.findData(session.actor_uuid)))
        self.by_deputy = QCheckBox("Người đứng đầu ủy quyền cấp phó tiếp")
        visit = QGroupBox("Lượt tiếp")
        vf = QFormLayout(visit)
        self.errors.add(vf, "Ngày tiếp:", "received_on", self.received_on)
        self.errors.add(vf, "Hình thức:", "kind", self.kind)
        vf.addRow("Người tiếp:", self.host)
        vf.addRow("", self.by_deputy)

        self.person = PersonEntry(db)
        self.people_count = QSpinBox()
        self.people_count.setRange(1, 999)
        self.first_rep = QCheckBox("Là người đại diện của đoàn")
        self.group_hint = QLabel()
        self.group_hint.setWordWrap(True)
        self.group_hint.setStyleSheet("color: #8a4b00;")
        self.members_box = QWidget()
        self.members_lay = QVBoxLayout(self.members_box)
        self.members_lay.setContentsMargins(0, 0, 0, 0)
        self.members: list[GroupMember] = []
        self.add_member = QPushButton("Thêm người trong đoàn")
        self.add_member.clicked.connect(self._add_member)
        self.add_member.setAutoDefault(False)
        citizen = QGroupBox("Công dân")
        cl = QVBoxLayout(citizen)
        cl.addWidget(self.person)
        count_form = QFormLayout()
        self.errors.add(count_form, "Số người cùng nội dung:", "people_count", self.people_count)
        cl.addLayout(count_form)
        cl.addWidget(self.group_hint)
        cl.addWidget(self.first_rep)
        cl.addWidget(self.members_box)
        cl.addWidget(self.add_member)
        people_msg = self.errors.general  # "people" errors land here too
        cl.addWidget(people_msg)

        self.case_kind = combo(KIND_LABELS, ("", "— Chọn loại —"))
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)
        self.content.setFixedHeight(80)
        self.request = QLineEdit()
        self.previous = QLineEdit(placeholderText="cơ quan đã giải quyết trước đây, nếu có")
        matter = QGroupBox("Nội dung")
        mf = QFormLayout(matter)
        self.errors.add(mf, "Phân loại:", "case_kind", self.case_kind)
        self.errors.add(mf, "Nội dung:", "content", self.content)
        mf.addRow("Yêu cầu của công dân:", self.request)
        mf.addRow("Đã được giải quyết:", self.previous)

        self.outcome = combo(OUTCOMES)
        self.guided_to = QLineEdit()
        self.forwarded_to = QLineEdit()
        self.doc_ref = QLineEdit(placeholderText="số văn bản hướng dẫn / chuyển đơn")
        self.summary = QLineEdit(placeholderText="tóm tắt một dòng cho sổ vụ việc")
        self.field = combo(FIELD_LABELS)
        self.field.setCurrentIndex(self.field.findData("other"))
        self.assignee = QComboBox()
        self.assignee.addItem("(chưa giao)", None)
        for o in own_officers(db):
            self.assignee.addItem(o.full_name, o.uuid)
        self.notes = QLineEdit()
        result = QGroupBox("Kết quả tiếp")
        rf = QFormLayout(result)
        self.errors.add(rf, "Kết quả:", "outcome", self.outcome)
        self.guided_row = self.errors.add(rf, "Hướng dẫn đến:", "guided_to", self.guided_to)
        self.forward_row = self.errors.add(rf, "Chuyển đơn đến:", "forwarded_to", self.forwarded_to)
        rf.addRow("Số văn bản:", self.doc_ref)
        self.errors.add(rf, "Tóm tắt vụ việc:", "summary", self.summary)
        rf.addRow("Lĩnh vực:", self.field)
        rf.addRow("Cán bộ thụ lý:", self.assignee)
        rf.addRow("Ghi chú:", self.notes)
        self.result_form = rf

        body = QWidget()
        bl = QVBoxLayout(body)
        for box in (visit, citizen, matter, result):
            bl.addWidget(box)
        scroll = self.scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # not a Tab stop of its own
        scroll.setWidget(body)
        buttons, self.save_button = save_cancel_buttons(self, "Lưu vào sổ", self.save)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.saving_label())   # "Đang lưu…" when a save outlasts 150 ms
        lay.addWidget(buttons)
        self.save_button.setDefault(True)  # after it joined the dialog: Enter saves
        self.people_count.valueChanged.connect(self._group_changed)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self._group_changed()
        self._outcome_changed()
        self._calm_wheel(body)
        self.person.name.setFocus()

    def _calm_wheel(self, root: QWidget) -> None:
        """The wheel scrolls the form, and changes a choice only once the clerk is in it: over
        "Kết quả" while scrolling, it turned the outcome to "Hướng dẫn" unnoticed."""
        for w in root.findChildren(QComboBox) + root.findChildren(QAbstractSpinBox):
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)   # no focus by the wheel either
            w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt
        if event.type() == QEvent.Type.Wheel and isinstance(obj, (QComboBox, QAbstractSpinBox)) \
                and not obj.hasFocus():
            QApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return super().eventFilter(obj, event)

    # -- behaviour -------------------------------------------------------------------------------
    def _group_changed(self) -> None:
        n = self.people_count.value()
        group = n >= 5
        self.first_rep.setVisible(group)
        self.members_box.setVisible(group)
        self.add_member.setVisible(group)
        if group:
            reps = "01 hoặc 02" if n <= 10 else "không quá 05"
            self.group_hint.setText(f"Đoàn đông người ({n} người): cử {reps} người đại diện "
                                    "(Luật Tiếp công dân 2013, Điều 29). Ghi tên người đại diện.")
            if not self.first_rep.isChecked() and not self.members:
                self.first_rep.setChecked(True)
        self.group_hint.setVisible(group)

    def _add_member(self) -> None:
        member = GroupMember(self.session.db, len(self.members))
        self.members.append(member)
        self.members_lay.addWidget(member)
        member.show()   # at once, not at the next turn of the event loop: the keys typed next go into it
        self._calm_wheel(member)
        self._chain_members()
        member.entry.name.setFocus()

    def _chain_members(self) -> None:
        """Tab follows the page: the first citizen, each member in turn (name, paper, phone,
        address, "người đại diện"), then "Thêm người trong đoàn" and the matter. A widget made
        later joins the end of Qt's focus chain: without this, Tab from a new member jumped to
        the top of the form and the next keys changed the visit type."""
        chain: list[QWidget] = [self.first_rep]
        for m in self.members:
            e = m.entry
            chain += [e.name, e.identity.kind, e.identity.number, e.phone, e.address, m.representative]
        chain += [self.add_member, self.case_kind]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _outcome_changed(self) -> None:
        outcome = self.outcome.currentData()
        rf = self.result_form
        rf.setRowVisible(self.guided_row.parentWidget(), outcome == "guided")
        rf.setRowVisible(self.forward_row.parentWidget(), outcome == "forwarded")
        for w in (self.summary, self.field, self.assignee):
            parent = w.parentWidget() if w is self.summary else w
            rf.setRowVisible(parent, outcome == "accepted")

    def _input(self, person_uuid: str, people: list[tuple[str, bool]]) -> ReceptionInput:
        return ReceptionInput(
            received_on=pydate(self.received_on.date()), person_uuid=person_uuid, content=self.content.toPlainText(),
            kind=self.kind.currentData(), host_uuid=self.host.currentData(), by_deputy=self.by_deputy.isChecked(),
            people=people, people_count=self.people_count.value(), case_kind=self.case_kind.currentData() or "",
            previous_handling=self.previous.text(), request=self.request.text(), outcome=self.outcome.currentData(),
            within_competence=self.outcome.currentData() not in ("guided",), guided_to=self.guided_to.text(),
            forwarded_to=self.forwarded_to.text(), doc_ref=self.doc_ref.text(), notes=self.notes.text(),
            summary=self.summary.text(), field=self.field.currentData() or "other",
            assignee_uuid=self.assignee.currentData())

    def _same_number_twice(self) -> bool:
        """Two people of one group typed with one ID number: said under the later one (the register
        refused the second as a duplicate of a person not yet saved: "Không tìm thấy người này")."""
        seen: dict[str, str] = {}
        for entry in [self.person, *(m.entry for m in self.members if not m.entry.is_empty())]:
            number = entry.identity.id_number() if entry.picked is None else entry.picked.id_number
            if number and number in seen:
                entry.errors.show({"id_number": f"Số giấy tờ này đã nhập cho {seen[number]} ở trên: "
                                                "mỗi người trong đoàn một số giấy tờ."})
                entry.identity.number.setFocus()
                self.scroll.ensureWidgetVisible(entry.identity.number)
                return True
            if number:
                seen[number] = " ".join(entry.name.text().split()) or "người khác"
        return False

    def save(self) -> None:
        """Save on the session's writer (issue #20): everything typed is read here, on the GUI
        thread; the citizen, the group and the reception are written there in one transaction."""
        if self.pending is not None:
            return   # already saving (Enter pressed twice)
        today = self.session.today()
        self.errors.clear()
        self.person.errors.clear()
        if self.person.is_empty():
            self.person.errors.show({"full_name": "Chưa nhập họ tên công dân."})
            return
        for m in self.members:
            m.entry.errors.clear()
        if self._same_number_twice():
            return
        main = self.person.requester(today)
        group = self.people_count.value() >= 5 or bool(self.members)
        first_rep = self.first_rep.isChecked()
        members = [(m.entry, m.entry.requester(today), m.representative.isChecked())
                   for m in self.members if not m.entry.is_empty()]
        typed = self._input("", [])
        saving = [self.person]   # whose fields a refusal is about: a member's ID is that member's

        def write(db):  # the writer's thread, its own connection
            with db.write():
                main_uuid = main(db)
                people: list[tuple[str, bool]] = []
                if group:
                    people.append((main_uuid, first_rep))
                    for entry, uuid_of, rep in members:
                        saving[0] = entry
                        people.append((uuid_of(db), rep))
                saving[0] = self.person
                return record_reception(db, replace(typed, person_uuid=main_uuid, people=people), today=today)

        self.save_on_writer(write, done=self._saved, refused=lambda exc: self._refused(exc, saving[0]),
                            button=self.save_button)

    def _saved(self, result: tuple[Reception, Case | None]) -> None:
        self.reception, self.case = result
        log.info("reception saved%s", f", case {self.case.number}" if self.case else "")
        self.accept()

    def _refused(self, exc: BaseException, saving: PersonEntry) -> None:
        """The form as typed, the message where it belongs; nothing was written."""
        if isinstance(exc, ValidationError):
            rest = saving.show_errors(exc.fields)
            focused = QApplication.focusWidget()
            if focused is not None and self.scroll.widget().isAncestorOf(focused):
                self.scroll.ensureWidgetVisible(focused)
            if "people" in rest:
                rest["_people"] = rest.pop("people")
            self.errors.show(rest)
            log.info("reception not saved: %s", exc.fields)
        elif isinstance(exc, UserError) and saving.offer_existing(exc):
            # the member whose number is in the register, not the first citizen
            self.scroll.ensureWidgetVisible(saving)
        else:
            report(self, exc)   # a UserError's message, or a bug: logged, shown, the form stays filled
