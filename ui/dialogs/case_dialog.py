"""A case received by mail, online or forwarded (no visit at the desk): the requester and the matter."""

from __future__ import annotations

import logging

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout,
    QWidget,
)

from desktop.domain.records import Case
from desktop.errors import UserError, ValidationError
from desktop.rules.book import KIND_LABELS
from desktop.storage.units import own_officers
from desktop.workflow.receive import CaseInput, receive_case
from ui.dialogs.reception_dialog import combo
from ui.dialogs.guarded import GuardedDialog
from ui.widgets.screen import fit_to_screen
from ui.errors import report
from ui.labels import CHANNEL_LABELS, FIELD_LABELS
from ui.session import Session
from ui.widgets.form import FormErrors, date_edit, pydate, save_cancel_buttons
from ui.widgets.person_entry import PersonEntry

log = logging.getLogger(__name__)


class CaseDialog(GuardedDialog):
    HELP_PAGE = "tiep-cong-dan"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: Case | None = None
        self.setWindowTitle("Vụ việc mới")
        fit_to_screen(self, 760, 640)
        db = session.db
        self.errors = FormErrors()
        self.kind = combo(KIND_LABELS, ("", "— Chọn loại —"))
        self.received_on = date_edit(session.today())
        self.channel = combo(CHANNEL_LABELS)
        self.channel.setCurrentIndex(self.channel.findData("mail"))
        self.field = combo(FIELD_LABELS)
        self.field.setCurrentIndex(self.field.findData("other"))
        self.summary = QLineEdit()
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)
        self.content.setFixedHeight(90)
        self.learned_on = date_edit(session.today())
        self.learned_known = QCheckBox("Ghi ngày người khiếu nại biết được quyết định (Luật Khiếu nại, Điều 9)")
        self.is_complex = QCheckBox("Vụ việc phức tạp")
        self.assignee = QComboBox()
        self.assignee.addItem("(chưa giao)", None)
        for o in own_officers(db):
            self.assignee.addItem(o.full_name, o.uuid)
        matter = QGroupBox("Vụ việc")
        f = QFormLayout(matter)
        self.errors.add(f, "Loại:", "kind", self.kind)
        self.errors.add(f, "Ngày nhận:", "received_on", self.received_on)
        self.errors.add(f, "Hình thức nhận:", "channel", self.channel)
        self.errors.add(f, "Lĩnh vực:", "field", self.field)
        self.errors.add(f, "Tóm tắt:", "summary", self.summary)
        f.addRow("Nội dung:", self.content)
        f.addRow("", self.learned_known)
        self.errors.add(f, "Ngày biết quyết định:", "learned_on", self.learned_on)
        f.addRow("", self.is_complex)
        f.addRow("Cán bộ thụ lý:", self.assignee)
        self.person = PersonEntry(db)
        who = QGroupBox("Người gửi đơn / người yêu cầu")
        QVBoxLayout(who).addWidget(self.person)
        buttons, save = save_cancel_buttons(self, "Lưu vào sổ", self.save)
        self.save_button = save
        lay = QVBoxLayout(self)
        lay.addWidget(matter)
        lay.addWidget(who)
        lay.addWidget(self.errors.general)
        lay.addWidget(self.saving_label())  # "Đang lưu…" when a save outlasts 150 ms
        lay.addWidget(buttons)
        save.setDefault(True)  # after it joined the dialog: Enter saves
        self.kind.setFocus()

    def save(self) -> None:
        """Save on the session's writer: the window keeps working meanwhile, "Đang lưu…" shows
        after 150 ms, and a refusal comes back onto the form as it was typed (issue #20)."""
        today = self.session.today()
        if self.pending is not None:
            return  # already saving (Enter pressed twice)
        self.errors.clear()
        if self.person.is_empty():
            self.person.errors.show({"full_name": "Chưa nhập họ tên người gửi đơn."})
            return
        requester = self.person.requester(today)
        fields = dict(
            kind=self.kind.currentData() or "", received_on=pydate(self.received_on.date()),
            summary=self.summary.text(), content=self.content.toPlainText(),
            channel=self.channel.currentData(), field=self.field.currentData(),
            assignee_uuid=self.assignee.currentData(),
            learned_on=pydate(self.learned_on.date()) if self.learned_known.isChecked() else None,
            is_complex=self.is_complex.isChecked())

        def write(db):  # the writer's thread, its own connection
            with db.write():
                return receive_case(db, CaseInput(requesters=[requester(db)], **fields), today=today)

        self.save_on_writer(write, done=self._saved, refused=self._refused, button=self.save_button)

    def _saved(self, case: Case) -> None:
        self.case = case
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(self.person.show_errors(exc.fields))
        elif isinstance(exc, UserError) and self.person.offer_existing(exc):
            return
        else:
            report(self, exc)
