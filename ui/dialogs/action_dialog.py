"""One step of a case (accept, refuse with a ground, extend, reply, close …) as a small dialog.

The fields follow the rule book's action: a ground list when it needs one, the requester's
satisfaction when closing, a note when the law asks for one. The core decides; a refusal comes
back as a Vietnamese message and the dialog stays open.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget,
)

from desktop.domain.records import Case
from desktop.errors import UserError
from desktop.rules.book import Action
from desktop.storage.cases import list_commitments
from desktop.workflow.engine import SATISFACTION, act, rules_of
from ui.errors import report
from ui.labels import vn_date
from ui.session import Session
from ui.widgets.form import FormErrors, date_edit, pydate, save_cancel_buttons

log = logging.getLogger(__name__)


class ActionDialog(QDialog):
    def __init__(self, session: Session, case: Case, action: Action, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.case, self.action = session, case, action
        self.result_case: Case | None = None
        self.setWindowTitle(action.label)
        self.setMinimumWidth(560)
        self.errors = FormErrors()
        intro = QLabel(f"Vụ việc số {case.number}: {case.summary}\nCăn cứ: {action.citation}")
        intro.setWordWrap(True)
        form = QFormLayout()
        self.effective_on = date_edit(session.today())
        self.errors.add(form, "Ngày thực hiện:", "effective_on", self.effective_on)
        self.ground: QComboBox | None = None
        if action.requires_ground:
            self.ground = QComboBox()
            self.ground.addItem("— Chọn lý do theo quy định —", None)
            for g in rules_of(case).grounds.get(action.requires_ground, ()):
                self.ground.addItem(g.label, g.code)
                self.ground.setItemData(self.ground.count() - 1, g.citation, 3)  # tooltip
            self.errors.add(form, "Lý do:", "ground", self.ground)
        self.satisfaction: QComboBox | None = None
        if action.requires_satisfaction:
            self.satisfaction = QComboBox()
            self.satisfaction.addItem("— Chọn —", None)
            for code, label in SATISFACTION.items():
                self.satisfaction.addItem(label, code)
            self.errors.add(form, "Mức độ hài lòng:", "satisfaction", self.satisfaction)
            # The answer comes from the satisfaction slip printed with the reply (issue #18).
            self.has_slip = QCheckBox("Người yêu cầu đã gửi lại phiếu lấy ý kiến (ghi theo phiếu)", checked=True)
            self.has_slip.toggled.connect(self._slip_toggled)
            form.addRow("", self.has_slip)
        self.commitment: QComboBox | None = None
        self.commitment_due = None
        if action.code == "complete_commitment":
            self.commitment = QComboBox()
            for c in list_commitments(session.db, case.uuid):
                if c.status == "open":
                    self.commitment.addItem(c.content, c.uuid)
            form.addRow("Cam kết:", self.commitment)
        if action.code == "add_commitment":
            self.commitment_due = date_edit(session.today())
            form.addRow("Hạn thực hiện:", self.commitment_due)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)
        label = "Nội dung cam kết:" if action.code == "add_commitment" else (
            "Ghi chú (bắt buộc):" if action.requires_note else "Ghi chú:")
        self.errors.add(form, label, "note", self.note)
        buttons, ok = save_cancel_buttons(self, "Ghi vào sổ", self.save)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.errors.general)
        lay.addWidget(buttons)
        ok.setDefault(True)  # after it joined the dialog: Enter saves
        if case.due_on:
            lay.insertWidget(1, QLabel(f"Hạn hiện tại: {vn_date(case.due_on)}"))

    def _slip_toggled(self, has_slip: bool) -> None:
        """Without a slip the answer is not the clerk's to guess: "Không có ý kiến"."""
        self.satisfaction.setEnabled(has_slip)
        if not has_slip:
            self.satisfaction.setCurrentIndex(self.satisfaction.findData("unknown"))

    def save(self) -> None:
        data = {}
        if self.satisfaction is not None:
            data["satisfaction_source"] = "slip" if self.has_slip.isChecked() else "no_slip"
        if self.commitment is not None:
            data["commitment_uuid"] = self.commitment.currentData()
        if self.commitment_due is not None:
            data["commitment_due"] = pydate(self.commitment_due.date()).isoformat()
        try:
            self.result_case = act(
                self.session.db, self.case.uuid, self.action.code,
                effective_on=pydate(self.effective_on.date()), note=self.note.toPlainText(),
                ground=self.ground.currentData() if self.ground else None,
                satisfaction=self.satisfaction.currentData() if self.satisfaction else None,
                today=self.session.today(), data=data or None)
        except UserError as exc:
            self.errors.show_error(exc)
            return
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return
        log.info("case %s: %s", self.case.number, self.action.code)
        self.session.notify_changed()
        self.accept()
