"""One case: header, the deadline and why it is that date, the steps the law allows now, the
timeline, the requesters, commitments and documents."""

from __future__ import annotations

import importlib
from datetime import date
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTabWidget,
    QVBoxLayout, QWidget,
)

from desktop.domain.records import Case, CasePerson, Commitment, Event
from desktop.errors import UserError
from desktop.storage.cases import case_people, get_case, list_commitments, list_events
from desktop.storage.units import list_officers, log_access
from desktop.workflow.engine import (SATISFACTION, allowed_actions, complaint_is_late, is_owned,
                                     late_complaint_note, rules_of)
from ui.dialogs.guarded import OnWriter
from ui.errors import report
from ui.labels import CHANNEL_LABELS, FIELD_LABELS, kind_label, vn_date
from ui.models.rows import Column, RowsModel
from ui.session import Session
from ui.widgets.attachments_panel import AttachmentsPanel
from ui.widgets.register_table import RegisterTable

log = logging.getLogger(__name__)

ROLE = {"requester": "Người yêu cầu", "representative": "Người đại diện"}
# Timeline entries beside the procedure's steps (the rule book labels the steps).
EVENT_LABELS = {"receive": "Tiếp nhận", "assign": "Giao cán bộ thụ lý", "correct": "Đính chính", "undo": "Hoàn tác",
                "document_issued": "Ban hành văn bản", "document_voided": "Hủy số văn bản",
                "deadline_recomputed": "Tính lại thời hạn (lịch thay đổi)", "note": "Ghi chú",
                "attach": "Đính kèm tài liệu", "identity_revealed": "Xem danh tính người tố cáo"}
DOC_STATUS = {"draft": "Dự thảo", "issued": "Đã ban hành", "void": "Đã hủy số"}
STATUS = {"open": "Đang theo dõi", "done": "Đã thực hiện", "dropped": "Không theo dõi nữa"}


def refused(db, permission: str, case: Case | None = None) -> str | None:
    """Why the logged-in role may not do ``permission`` (on ``case``), in the core's words; None if it may."""
    from desktop.security.principal import require

    try:
        require(db, permission, case=case)
    except UserError as exc:
        return exc.message
    return None


def _offer(button: QPushButton, refusal: str | None, tip: str) -> None:
    """A button the role may use, or greyed with the reason as its tooltip."""
    button.setEnabled(refusal is None)
    button.setToolTip(refusal or tip)


def _table(model) -> RegisterTable:
    t = RegisterTable()
    t.setModel(model)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class CaseView(QWidget, OnWriter):
    back = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: Case | None = None
        self.revealed = False
        back = QPushButton("← Quay lại")
        back.setToolTip("Alt+←")
        back.clicked.connect(self.back)
        QShortcut(QKeySequence("Alt+Left"), self, self.back.emit, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Back), self, self.back.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.assign_button = QPushButton("Giao cán bộ…")
        self.assign_button.clicked.connect(self.assign_dialog_exec)
        self.assign_button.setToolTip("Ctrl+G")
        QShortcut(QKeySequence("Ctrl+G"), self, self.assign_dialog_exec,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.correct_button = QPushButton("Đính chính…")
        self.correct_button.clicked.connect(self.correct_dialog_exec)
        self.undo_button = QPushButton("Hoàn tác bước cuối…")
        self.undo_button.clicked.connect(self.undo_dialog_exec)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.state = QLabel()
        self.state.setStyleSheet("background: #e3f2fd; color: #0d47a1; padding: 3px 10px; border-radius: 10px;")
        head = QHBoxLayout()
        head.addWidget(back)
        head.addWidget(self.title, 1)
        head.addWidget(self.state)
        for b in (self.assign_button, self.correct_button, self.undo_button):
            head.addWidget(b)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 11pt;")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.deadline = QLabel()
        self.deadline.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.trace = QLabel()
        self.trace.setWordWrap(True)
        self.trace.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        due_box = QGroupBox("Thời hạn")
        dl = QVBoxLayout(due_box)
        dl.addWidget(self.deadline)
        dl.addWidget(self.trace)

        self.actions_box = QGroupBox("Bước tiếp theo theo quy định")
        self.actions_grid = QGridLayout(self.actions_box)
        self.no_action = QLabel()

        self.events = RowsModel(self._event_columns(), parent=self)
        self.people = RowsModel(self._people_columns(), parent=self)
        self.commitments = RowsModel(self._commitment_columns(), parent=self)
        self.tabs = QTabWidget()
        self.tabs.addTab(_table(self.events), "Diễn biến")
        people_tab = QWidget()
        pl = QVBoxLayout(people_tab)
        self.reveal = QPushButton("Xem danh tính người tố cáo (được ghi nhật ký)")
        self.reveal.clicked.connect(self._reveal)
        pl.addWidget(self.reveal)
        pl.addWidget(self.saving_label())   # "Đang lưu…" while a reveal outlasts 150 ms
        self.people_table = _table(self.people)
        pl.addWidget(self.people_table)
        self.seen = QLabel()  # who saw a sealed identity of this case, when and why
        self.seen.setWordWrap(True)
        pl.addWidget(self.seen)
        self.correct_person_button = QPushButton("Đính chính thông tin người đã chọn…")
        self.correct_person_button.clicked.connect(self.correct_person_exec)
        pl.addWidget(self.correct_person_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(people_tab, "Người yêu cầu")
        self.tabs.addTab(_table(self.commitments), "Cam kết")
        docs = QWidget()
        dl2 = QVBoxLayout(docs)
        self.compose = QPushButton("Soạn văn bản…")
        self.compose.clicked.connect(self._compose)
        self.open_doc = QPushButton("Mở")
        self.open_doc.clicked.connect(self.open_selected_document)
        self.print_doc = QPushButton("In…")
        self.print_doc.clicked.connect(self.print_selected_document)
        self.documents = RowsModel(self._document_columns(), parent=self)
        self.documents_table = _table(self.documents)
        self.documents_table.activated_row.connect(lambda _r: self.open_selected_document())
        doc_buttons = QHBoxLayout()
        doc_buttons.addWidget(QLabel("Thông báo thụ lý, văn bản giải trình, biên bản làm việc… theo Nghị định 30/2020."), 1)
        for b in (self.compose, self.open_doc, self.print_doc):
            doc_buttons.addWidget(b)
        dl2.addLayout(doc_buttons)
        dl2.addWidget(self.documents_table, 1)
        self.tabs.addTab(docs, "Văn bản")
        self.attachments = AttachmentsPanel(session, self)  # scans, photos, PDFs; case file, slip (issue #18)
        self.tabs.addTab(self.attachments, "Tài liệu đính kèm")

        top = QGridLayout()
        info = QVBoxLayout()
        info.addWidget(self.summary)
        info.addWidget(self.facts)
        info.addStretch(1)
        top.addLayout(info, 0, 0)
        top.addWidget(due_box, 0, 1)
        top.setColumnStretch(0, 3)
        top.setColumnStretch(1, 2)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(line)
        lay.addLayout(top)
        lay.addWidget(self.actions_box)
        lay.addWidget(self.tabs, 1)
        session.follow_changes(self, self.reload)

    # -- columns ---------------------------------------------------------------------------------
    def _event_columns(self) -> list[Column[Event]]:
        def label(e: Event) -> str:
            rs = rules_of(self.case) if self.case else None
            if rs and e.action in rs.actions:
                return rs.actions[e.action].label
            return EVENT_LABELS.get(e.action, "Ghi nhận khác")

        def details(e: Event) -> str:
            parts = [e.note] if e.note else []
            if e.data.get("ground_label"):
                parts.append(f"Lý do: {e.data['ground_label']}")
            if e.data.get("satisfaction"):
                parts.append(f"Hài lòng: {SATISFACTION.get(e.data['satisfaction'], '')}")
            if e.data.get("due_on"):
                from datetime import date

                parts.append(f"Hạn mới: {vn_date(date.fromisoformat(e.data['due_on']))}")
            return "; ".join(parts)

        return [
            Column("Ngày", lambda e: vn_date(e.effective_on)),
            Column("Bước", label),
            Column("Trạng thái sau", lambda e: rules_of(self.case).state_label(e.to_state) if self.case else e.to_state),
            Column("Người ghi", lambda e: e.actor),
            Column("Ghi chú", details, tooltip=lambda e: e.data.get("trace", "") or ""),
        ]

    def _document_columns(self):
        return [
            Column("Số, ký hiệu", lambda d: d.symbol or "(chưa cấp số)"),
            Column("Văn bản", lambda d: d.label),
            Column("Tình trạng", lambda d: DOC_STATUS.get(d.status, d.status)),
            Column("Ngày ban hành", lambda d: vn_date(d.issued_on)),
            Column("Trích yếu", lambda d: d.summary),
        ]

    def _people_columns(self) -> list[Column[CasePerson]]:
        return [
            Column("Họ và tên", lambda p: p.person.full_name),
            Column("Vai trò", lambda p: ROLE.get(p.role, p.role)),
            Column("Giấy tờ", lambda p: p.person.id_number),
            Column("Điện thoại", lambda p: p.person.phone),
            Column("Địa chỉ", lambda p: p.person.address),
        ]

    def _commitment_columns(self) -> list[Column[Commitment]]:
        return [
            Column("Nội dung cam kết", lambda c: c.content),
            Column("Hạn", lambda c: vn_date(c.due_on)),
            Column("Tình trạng", lambda c: STATUS.get(c.status, c.status)),
            Column("Ngày thực hiện", lambda c: vn_date(c.done_on)),
            Column("Ghi chú", lambda c: c.note),
        ]

    # -- content ---------------------------------------------------------------------------------
    def show_case(self, uuid: str) -> None:
        if self.case is None or self.case.uuid != uuid:
            self.revealed = False
        self.case = get_case(self.session.db, uuid)
        self.reload()
        if not self.case.confidential:  # who saw whose data (Luật 91/2025/QH15): one line per person shown
            from desktop.security.privacy import note_view

            people, number = [cp.person.uuid for cp in case_people(self.session.db, uuid)], self.case.number

            def note(db) -> None:   # a line of the access log: on the writer, the views need not reload
                with db.write():
                    note_view(db, people, target=number)

            self.session.writer.save(note, changes=False, parent=self)

    def reload(self) -> None:
        if self.case is None:
            return
        db, today = self.session.db, self.session.today()
        case = self.case = get_case(db, self.case.uuid)
        rs = rules_of(case)
        self.title.setText(f"Vụ việc số {case.number} — {kind_label(case.kind)}")
        self.state.setText(rs.state_label(case.state))
        self.summary.setText(f"<b>{case.summary}</b>")
        officers = {o.uuid: o.full_name for o in list_officers(db, active_only=False)}
        facts = [
            f"Ngày nhận: {vn_date(case.received_on)} — {CHANNEL_LABELS.get(case.channel, case.channel)}",
            f"Lĩnh vực: {FIELD_LABELS.get(case.field, case.field)}",
            f"Cán bộ thụ lý: {officers.get(case.assignee_uuid or '', '(chưa giao)')}",
            f"Quy định áp dụng: {rs.label} ({rs.basis})",
        ]
        if case.extensions:
            facts.append(f"Đã gia hạn {case.extensions} lần")
        if case.satisfaction:
            facts.append(f"Mức độ hài lòng: {SATISFACTION.get(case.satisfaction, case.satisfaction)}")
        if complaint_is_late(case):  # 90 days (Art. 9) or, for a second complaint, 30/45 (Art. 33(1))
            facts.append(f"<span style='color:#b00020'>{late_complaint_note(case)}</span>")
        self.facts.setText("<br>".join(facts))
        self._show_deadline(case, today)
        self._show_actions(case)
        self.events.set_rows(list_events(db, case.uuid))
        from desktop.security import sealing
        from desktop.security.principal import may

        people = case_people(db, case.uuid)
        hidden = case.confidential and not self.revealed
        self.reveal.setVisible(hidden and may(db, "identity.reveal"))
        self.people.set_rows([] if hidden else self._opened_people(people))
        seen = sealing.reveals_of_case(db, case.uuid)
        self.seen.setVisible(bool(seen))
        self.seen.setText("Đã xem danh tính: " + "; ".join(
            f"{r.officer_name} lúc {r.at[11:16]} {vn_date(date.fromisoformat(r.at[:10]))} ({r.reason})" for r in seen[-5:]))
        self.commitments.set_rows(list_commitments(db, case.uuid))
        from desktop.storage.documents_repo import list_documents

        self.documents.set_rows(list_documents(db, case_uuid=case.uuid))
        for b in (self.open_doc, self.print_doc):  # nothing to open or print before a document exists
            b.setEnabled(self.documents.rowCount() > 0)
        owned = is_owned(db, case)
        self.attachments.show_case(case, owned=owned)
        for b in (self.assign_button, self.correct_button, self.undo_button, self.correct_person_button):
            b.setVisible(owned)
        if owned:
            from desktop.workflow.undo import undo_refusal

            # greyed, with the reason, for a role that may not (the core refuses it anyway)
            _offer(self.assign_button, refused(db, "case.assign", case), "Giao hoặc đổi cán bộ thụ lý (Ctrl+G)")
            _offer(self.correct_button, refused(db, "case.correct", case), "Đính chính thông tin đã ghi, có lý do")
            _offer(self.correct_person_button, refused(db, "case.correct", case),
                   "Đính chính họ tên, giấy tờ, địa chỉ của người đã chọn")
            refusal = refused(db, "case.correct", case) or undo_refusal(db, case)
            _offer(self.undo_button, refusal, "Hoàn tác bước cuối bằng một bước ngược có lý do (không xóa gì)")
        self.tabs.setTabText(3, f"Văn bản ({self.documents.rowCount()})" if self.documents.rowCount() else "Văn bản")

    def _show_deadline(self, case: Case, today) -> None:
        rs = rules_of(case)
        if case.due_on is None:
            if case.paused_on:
                self.deadline.setText(f"Tạm đình chỉ từ {vn_date(case.paused_on)}")
            elif case.closed_on:
                self.deadline.setText(f"Đã kết thúc ngày {vn_date(case.closed_on)}")
            else:
                self.deadline.setText("Không có thời hạn đang tính")
            self.deadline.setStyleSheet("font-size: 13pt; font-weight: bold; color: #455a64;")
            self.trace.setText(case.due_trace or "")
            return
        step = rs.steps[case.due_step].label if case.due_step in rs.steps else ""
        days = (case.due_on - today).days
        if days < 0:
            when, colour = f"quá hạn {-days} ngày", "#b00020"
        elif days == 0:
            when, colour = "hết hạn hôm nay", "#c56000"
        else:
            when, colour = f"còn {days} ngày", "#2e7d32" if days > 2 else "#c56000"
        self.deadline.setText(f"{vn_date(case.due_on)} — {when}")
        self.deadline.setStyleSheet(f"font-size: 13pt; font-weight: bold; color: {colour};")
        trace = case.due_trace or ""
        self.trace.setText(trace if trace.startswith(step) else f"{step}\n{trace}".strip())

    def _show_actions(self, case: Case) -> None:
        while self.actions_grid.count():
            item = self.actions_grid.takeAt(0)
            if item.widget() and item.widget() is not self.no_action:
                item.widget().deleteLater()
        owned = is_owned(self.session.db, case)
        # The province reads a commune's cases and never changes them (issue #5).
        actions = allowed_actions(case) if owned else []
        self.action_buttons: dict[str, QPushButton] = {}
        acting = refused(self.session.db, "case.act", case) if actions else None
        for i, action in enumerate(actions):
            button = QPushButton(action.label)
            _offer(button, acting, action.citation)
            button.clicked.connect(lambda _c=False, a=action: self.run_action(a.code))
            self.actions_grid.addWidget(button, i // 3, i % 3)
            self.action_buttons[action.code] = button
        if not owned:
            self.no_action.setText(f"Hồ sơ của đơn vị khác (mã {case.unit_code}): chỉ xem, không sửa.")
            self.actions_grid.addWidget(self.no_action, 0, 0)
        elif not actions:
            self.no_action.setText("Vụ việc đã kết thúc: không còn bước nào theo quy định.")
            self.actions_grid.addWidget(self.no_action, 0, 0)
        elif acting:   # greyed buttons take no focus: their tooltip never shows to the keyboard
            self.no_action.setText(acting)
            self.actions_grid.addWidget(self.no_action, (len(actions) + 2) // 3, 0, 1, 3)
        self.no_action.setWordWrap(True)
        self.no_action.setVisible(not actions or bool(acting))
        self.compose.setEnabled(owned)

    # -- behaviour -------------------------------------------------------------------------------
    def action_dialog(self, code: str):
        from ui.dialogs.action_dialog import ActionDialog

        action = next(a for a in allowed_actions(self.case) if a.code == code)
        return ActionDialog(self.session, self.case, action, self)

    def run_action(self, code: str) -> None:
        try:
            dialog = self.action_dialog(code)
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return
        if dialog.exec() and dialog.draft_kind:
            self._compose(draft_kind=dialog.draft_kind)

    def _reveal(self) -> None:
        """The core opens each sealed identity of the case for a leader, with the reason typed
        here; each reveal is logged and is an event of the case (``desktop.security.sealing``)."""
        from PySide6.QtWidgets import QInputDialog

        from desktop.security import sealing

        reason, ok = QInputDialog.getText(
            self, "Danh tính người tố cáo",
            "Danh tính người tố cáo phải được giữ bí mật (Luật Tố cáo 2018, Điều 9).\n"
            f"Chỉ xem khi cần cho việc giải quyết; việc xem được ghi nhật ký và hiện trong {sealing.REVEAL_MINUTES} phút.\n"
            "Lý do xem:")
        if not ok:
            return
        case_uuid = self.case.uuid

        def reveal(db) -> None:   # on the writer: each sealed person of the case, and the log, at once
            with db.write():
                for cp in case_people(db, case_uuid):
                    if db.scalar("SELECT sealed FROM persons WHERE uuid = ?", (cp.person.uuid,)):
                        sealing.reveal(db, cp.person.uuid, reason, case_uuid=case_uuid)
                log_access(db, "reveal_denouncer", target=case_uuid, detail=reason)

        def revealed(_result) -> None:
            if self.case is not None and self.case.uuid == case_uuid:
                self.revealed = True
                self.reload()

        self.save_on_writer(reveal, done=revealed, refused=lambda exc: report(self, exc), button=self.reveal)

    def _opened_people(self, people: list[CasePerson]) -> list[CasePerson]:
        """Sealed people shown with the identity the logged-in leader revealed, while it lasts."""
        from dataclasses import replace

        from desktop.security import sealing

        out = []
        for cp in people:
            opened = sealing.revealed(self.session.db, cp.person.uuid)
            if opened:
                cp = replace(cp, person=replace(cp.person, full_name=opened.full_name, id_number=opened.id_number,
                                                phone=opened.phone, address=opened.address))
            out.append(cp)
        return out

    # -- assign, correct, undo ------------------------------------------------------------------
    def assign_dialog(self):
        from ui.dialogs.case_edits import AssignDialog

        return AssignDialog(self.session, [self.case.uuid], self, current=self.case.assignee_uuid,
                            numbers=[self.case.number])

    def correct_dialog(self):
        from ui.dialogs.case_edits import CorrectCaseDialog

        return CorrectCaseDialog(self.session, self.case, self)

    def undo_dialog(self):
        from ui.dialogs.case_edits import UndoDialog

        return UndoDialog(self.session, self.case, self)

    def correct_person_dialog(self):
        from ui.dialogs.case_edits import CorrectPersonDialog

        rows = self.people_table.selectionModel().selectedRows() if self.people_table.selectionModel() else []
        row = self.people.row_at(rows[0].row() if rows else 0)
        if row is None:
            return None
        return CorrectPersonDialog(self.session, row.person, self)

    def assign_dialog_exec(self) -> None:
        if not self.assign_button.isEnabled():   # Ctrl+G by a role that does not assign: say why at once
            QMessageBox.information(self, "Giao cán bộ", self.assign_button.toolTip())
            return
        self._exec(self.assign_dialog)

    def correct_dialog_exec(self) -> None:
        self._exec(self.correct_dialog)

    def undo_dialog_exec(self) -> None:
        self._exec(self.undo_dialog)

    def correct_person_exec(self) -> None:
        self._exec(self.correct_person_dialog)

    def _exec(self, make) -> None:
        try:
            dialog = make()
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return
        if dialog is not None:
            dialog.exec()

    # -- documents -------------------------------------------------------------------------------
    def document_dialog(self, *, select: str | None = None, draft_kind: str | None = None):
        module = importlib.import_module("ui.dialogs.document_dialog")
        return module.DocumentDialog(self.session, self.case.uuid, self,
                                     today=self.session.today(), select=select, draft_kind=draft_kind)

    def _selected_document(self):
        model = self.documents_table.selectionModel()
        rows = model.selectedRows() if model else []
        return self.documents.row_at(rows[0].row()) if rows else self.documents.row_at(self.documents.rowCount() - 1)

    def open_selected_document(self) -> None:
        record = self._selected_document()
        if record is not None:
            self._compose(select=record.uuid)

    def print_selected_document(self) -> None:
        record = self._selected_document()
        if record is None:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        from desktop.documents import outgoing
        from ui.dialogs.document_dialog import print_pdf

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec():
            try:
                print_pdf(printer, outgoing.render(self.session.db, record.uuid, "pdf"))
            except Exception as exc:  # noqa: BLE001
                report(self, exc)

    def _compose(self, *, select: str | None = None, draft_kind: str | None = None) -> None:
        try:
            dialog = self.document_dialog(select=select, draft_kind=draft_kind)
        except ImportError:
            QMessageBox.information(self, "Soạn văn bản", "Bản này chưa có chức năng soạn văn bản.")
            return
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return
        dialog.exec()
        self.session.notify_changed()
