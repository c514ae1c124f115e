"""A banner on the calendar settings page: announced days whose status is uncertain (24/11 "Ngày
Văn hóa Việt Nam", Tết of a year not yet announced) wait for the administrator's answer, one at a
time, so a doubtful day never silently decides a deadline (``calendar_repo.confirm_day``)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.calendar.deadlines import format_date, weekday_vi
from desktop.storage.calendar_repo import pending_confirmations
from desktop.workflow.rules_recheck import confirm_and_recount
from ui.dialogs.guarded import OnWriter, at_once
from ui.errors import report
from ui.session import Session


class UncertainDayBanner(QFrame, OnWriter):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.day = None
        self.setObjectName("uncertainDayBanner")  # the style must not reach the label (a QFrame too)
        self.setStyleSheet("#uncertainDayBanner { background: #fff4e5; border: 1px solid #f0a020; border-radius: 4px; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.off = QPushButton("Là ngày nghỉ")
        self.work = QPushButton("Là ngày làm việc")
        self.off.clicked.connect(lambda: self.answer("off"))
        self.work.clicked.connect(lambda: self.answer("work"))
        lay = QHBoxLayout(self)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.saving_label())   # "Đang lưu…" while the answer and its recount outlast 150 ms
        lay.addWidget(self.off)
        lay.addWidget(self.work)
        session.follow_changes(self, self.reload)
        self.reload()

    def reload(self) -> None:
        pending = pending_confirmations(self.session.db, self.session.today())
        self.setVisible(bool(pending))
        if not pending:
            self.day = None
            return
        d = pending[0]
        self.day = d.day
        from desktop.security.principal import may

        allowed = may(self.session.db, "calendar.edit")   # the administrator confirms; others are told
        for button in (self.off, self.work):
            button.setEnabled(allowed)
            button.setToolTip("" if allowed else "Người quản trị hệ thống xác nhận ngày này.")
        more = f" (còn {len(pending) - 1} ngày khác cần xác nhận)" if len(pending) > 1 else ""
        now = "ngày nghỉ" if d.kind == "off" else "ngày làm việc"
        self.text.setText(f"Cần xác nhận: {weekday_vi(d.day)} {format_date(d.day)} — {d.name}. Nguồn: {d.source}. "
                          f"Đang tạm tính là {now}{more}.")

    def answer(self, kind: str) -> bool:
        """Confirm the day and recount the deadlines it moves, in one transaction on the writer;
        the banner reloads after it (the session's ``changed``). False when nothing was sent."""
        if self.day is None:
            return False
        day, today = self.day, self.session.today()
        return self.save_on_writer(at_once(lambda db: confirm_and_recount(db, day, kind, today=today)),
                                   done=lambda _moved: None, refused=lambda exc: report(self, exc),
                                   button=(self.off, self.work))
