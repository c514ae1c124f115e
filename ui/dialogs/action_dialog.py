"""One step of a case (accept, refuse with a ground, extend, reply, close …) as a small dialog.

The fields follow the rule book's action: a ground list when it needs one, the requester's
satisfaction when closing, a note when the law asks for one. The core decides; a refusal comes
back as a Vietnamese message and the dialog stays open.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QLabel, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget,
)

from desktop.domain.records import Case
from desktop.errors import UserError
from desktop.rules.book import Action
from desktop.storage.cases import list_commitments
from desktop.workflow.engine import SATISFACTION, act, rules_of
from ui.dialogs.guarded import GuardedDialog
from ui.errors import report
from ui.labels import vn_date
from ui.session import Session
from ui.widgets.form import FormErrors, date_edit, pydate, save_cancel_buttons
from ui.widgets.screen import fit_to_screen

log = logging.getLogger(__name__)


# Steps with consequences a slip of the hand must not cause: confirmed, with the new deadline shown.
CONFIRMED = frozenset({"extend", "close", "terminate", "withdraw", "refuse", "guide", "forward", "suspend"})


class ActionDialog(GuardedDialog):
    HELP_PAGE = "vu-viec"

    def __init__(self, session: Session, case: Case, action: Action, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.case, self.action = session, case, action
        self.result_case: Case | None = None
        self.draft_kind: str | None = None      # the document to draft after saving (the clerk's choice)
        self.confirm_box: QMessageBox | None = None
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
        if action.code == "add_commitment":
            label = "Nội dung cam kết:"
        elif action.extends_step:
            label = "Lý do gia hạn (bắt buộc):"
            self.note.setPlaceholderText("ví dụ: vụ việc phức tạp, cần xác minh tại nhiều nơi")
        else:
            label = "Ghi chú (bắt buộc):" if action.requires_note else "Ghi chú:"
        self.errors.add(form, label, "note", self.note)
        self.offer: QCheckBox | None = None
        from desktop.workflow.documents_flow import document_for_step

        kind = document_for_step(session.db, case.uuid, action.code)
        if kind:
            from desktop.documents.templates import get_template

            self.offer = QCheckBox(f"Soạn “{get_template(kind).label}” ngay sau khi ghi")
            self.offer.setProperty("kind", kind)
            self.offer.setChecked(action.code == "reply")
            form.addRow("", self.offer)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("color: #0d47a1;")
        buttons, ok = save_cancel_buttons(self, "Ghi vào sổ", self.save)
        self.ok = ok
        ok.setToolTip("Enter hoặc Ctrl+Enter")
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.preview)
        lay.addWidget(self.errors.general)
        lay.addWidget(self.saving_label())   # "Đang lưu…" when a save outlasts 150 ms
        lay.addWidget(buttons)
        ok.setDefault(True)  # after it joined the dialog: Enter saves
        if case.due_on:
            lay.insertWidget(1, QLabel(f"Hạn hiện tại: {vn_date(case.due_on)}"))
        self.effective_on.dateChanged.connect(lambda *_: self.update_preview())
        self.update_preview()
        fit_to_screen(self, max(560, self.sizeHint().width()), self.sizeHint().height())

    def _slip_toggled(self, has_slip: bool) -> None:
        """Without a slip the answer is not the clerk's to guess: "Không có ý kiến"."""
        self.satisfaction.setEnabled(has_slip)
        if not has_slip:
            self.satisfaction.setCurrentIndex(self.satisfaction.findData("unknown"))

    # -- what the step will do -------------------------------------------------------------------
    def _kwargs(self) -> dict:
        data = {}
        if self.satisfaction is not None:
            data["satisfaction_source"] = "slip" if self.has_slip.isChecked() else "no_slip"
        if self.commitment is not None:
            data["commitment_uuid"] = self.commitment.currentData()
        if self.commitment_due is not None:
            data["commitment_due"] = pydate(self.commitment_due.date()).isoformat()
        return dict(effective_on=pydate(self.effective_on.date()),
                    note=self.note.toPlainText() or ("(xem trước)" if self.action.requires_note else ""),
                    ground=self.ground.currentData() if self.ground else None,
                    satisfaction=self.satisfaction.currentData() if self.satisfaction else None,
                    today=self.session.today(), data=data or None)

    def outcome_text(self, case: Case) -> str:
        rs = rules_of(case)
        parts = [f"Sau bước này: “{rs.state_label(case.state)}”"]
        if case.due_on:
            step = rs.steps[case.due_step].label if case.due_step in rs.steps else ""
            parts.append(f"hạn mới {vn_date(case.due_on)}" + (f" ({step})" if step else ""))
        elif self.case.due_on:
            parts.append("không còn thời hạn đang tính")
        return "; ".join(parts) + "."

    previewing = None      # the preview in flight on the writer (a ``ui.writer.Save``), else None
    _preview_again = False  # the form changed while it ran: preview once more when it is back

    def update_preview(self) -> None:
        """Show the new state and deadline for the step as now filled (nothing is written): the
        step is carried out on the session's writer in a transaction rolled back (issue #20), and
        the line follows the form as it is when the answer comes back."""
        from desktop.workflow.preview import preview_act

        if self.previewing is not None:
            self._preview_again = True
            return
        kwargs = self._kwargs()
        if self.ground is not None and kwargs["ground"] is None:
            kwargs["ground"] = next((self.ground.itemData(i) for i in range(1, self.ground.count())
                                     if self.ground.itemData(i) != "other"), None)
        if self.satisfaction is not None and kwargs["satisfaction"] is None:
            kwargs["satisfaction"] = "unknown"
        if kwargs["note"] == "" and (self.action.extends_step or self.action.code == "add_commitment"):
            kwargs["note"] = "(xem trước)"
        case_uuid, code = self.case.uuid, self.action.code

        def back(text: str) -> None:
            self.previewing = None
            if self._preview_again:
                self._preview_again = False
                self.update_preview()
            else:
                self.preview.setText(text)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, UserError):   # a preview never stops the form
                log.error("preview of %s", code, exc_info=exc)
            back("")

        self.previewing = self.session.writer.save(lambda db: preview_act(db, case_uuid, code, **kwargs),
                                                   on_done=lambda shown: back(self.outcome_text(shown)),
                                                   on_error=failed, changes=False)

    def confirm(self, shown: Case) -> bool:
        """Ask before a consequential step, naming what it changes."""
        box = self.confirm_box = QMessageBox(
            QMessageBox.Icon.Question, self.action.label,
            f"Vụ việc số {self.case.number}: {self.action.label}.\n{self.outcome_text(shown)}\n\nGhi bước này vào sổ?",
            parent=self)
        yes = box.addButton("Ghi vào sổ", QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton("Xem lại", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes)
        box.setEscapeButton(no)
        box.exec()
        self.confirm_box = None
        return box.clickedButton() is yes

    def save(self) -> None:
        """The step is written on the session's writer (issue #20); a consequential one is first
        shown as it would be (a transaction rolled back) and confirmed."""
        from desktop.workflow.preview import preview_act

        if self.pending is not None:
            return   # already saving (Enter pressed twice)
        kwargs = self._kwargs()
        kwargs["note"] = self.note.toPlainText()
        if self.action.extends_step and not kwargs["note"].strip():
            self.errors.show({"note": "Hãy ghi lý do gia hạn (Nghị định 59/2019, Điều 13: vụ việc phức tạp)."})
            return
        case_uuid, code = self.case.uuid, self.action.code
        draft = self.offer.property("kind") if self.offer is not None and self.offer.isChecked() else None
        if code in CONFIRMED:   # shown as it would be, from the writer (rolled back), then asked
            self.save_on_writer(lambda db: preview_act(db, case_uuid, code, **kwargs),
                                done=lambda shown: self._confirmed(shown, kwargs, draft), refused=self._refused,
                                button=self.ok, changes=False)
            return
        self._write(kwargs, draft)

    def _confirmed(self, shown: Case, kwargs: dict, draft: str | None) -> None:
        if self.confirm(shown):
            self._write(kwargs, draft)

    def _write(self, kwargs: dict, draft: str | None) -> None:
        case_uuid, code = self.case.uuid, self.action.code
        self.save_on_writer(lambda db: act(db, case_uuid, code, **kwargs),
                            done=lambda case: self._saved(case, draft), refused=self._refused, button=self.ok)

    def _saved(self, case: Case, draft: str | None) -> None:
        log.info("case %s: %s", self.case.number, self.action.code)
        self.result_case = case
        self.draft_kind = draft
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.errors.show_error(exc)   # the law's reason, under its field; the dialog stays
        else:
            report(self, exc)
