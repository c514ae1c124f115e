"""Settings: the working calendar of a year — holidays, extra days off, make-up working days.

Public holidays come from the law (the ``holidays`` library); the administrator adds the Prime
Minister's days off and the make-up Saturdays. In December a banner asks to check next year.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFormLayout, QFrame, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget,
)

from desktop.calendar.deadlines import format_date, weekday_vi
from desktop.calendar.workdays import SOURCE_LAW, CalendarEntry
from desktop.errors import UserError
from desktop.security.principal import may
from desktop.storage.calendar_repo import confirm_year_checked, load_calendar, needs_yearly_check
from ui.dialogs.guarded import GuardedDialog, OnWriter
from ui.labels import vn_date
from ui.errors import report
from ui.models.rows import Column, RowsModel
from ui.session import Session
from ui.widgets.calendar_confirm import UncertainDayBanner
from ui.widgets.form import FormErrors, date_edit, pydate, save_cancel_buttons

log = logging.getLogger(__name__)

SOURCE_LABELS = {SOURCE_LAW: "Theo luật", "official": "Chính phủ công bố", "off": "Đơn vị khai báo",
                 "work": "Đơn vị khai báo"}


def calendar_columns() -> list[Column[CalendarEntry]]:
    return [
        Column("Ngày", lambda e: format_date(e.day), sort_key=lambda e: e.day),
        Column("Thứ", lambda e: weekday_vi(e.day)),
        Column("Loại", lambda e: "Nghỉ" if e.kind == "off" else "Làm việc bù",
               foreground=lambda e: "#b00020" if e.kind == "off" else "#1565c0"),
        Column("Tên ngày", lambda e: e.name),
        Column("Nguồn", lambda e: SOURCE_LABELS.get(e.source, e.source)),
    ]


class AddDayDialog(GuardedDialog):
    HELP_PAGE = "cai-dat"

    def __init__(self, session: Session, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Thêm ngày nghỉ hoặc ngày làm việc bù")
        self.moved: list = []
        start = session.today()
        if start.year != year:
            start = start.replace(year=year, month=1, day=2)
        self.day = date_edit(start)
        self.kind = QComboBox()
        self.kind.addItem("Ngày nghỉ (theo quyết định, thông báo)", "off")
        self.kind.addItem("Ngày làm việc bù", "work")
        self.name = QLineEdit(placeholderText="ví dụ: Nghỉ bù Quốc khánh theo Thông báo số …")
        self.errors = FormErrors()
        form = QFormLayout(self)
        self.errors.add(form, "Ngày:", "day", self.day)
        form.addRow("Loại:", self.kind)
        self.errors.add(form, "Tên, căn cứ:", "name", self.name)
        buttons, self.ok = save_cancel_buttons(self, "Thêm", self.save)
        form.addRow(self.saving_label())   # "Đang lưu…" while the day and its recount outlast 150 ms
        form.addRow(buttons)

    def save(self) -> None:
        """The day and the deadlines it moves, on the session's writer (issue #20)."""
        from desktop.workflow.calendar_change import declare_day

        day, kind, name, today = pydate(self.day.date()), self.kind.currentData(), self.name.text(), self.session.today()
        self.save_on_writer(lambda db: declare_day(db, day, kind, name, today=today),
                            done=self._saved, refused=self._refused, button=self.ok)

    def _saved(self, moved) -> None:
        self.moved = moved
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.errors.show({"day": exc.message})   # the dialog grows to hold it (FormErrors)
        else:
            report(self, exc)


class CalendarSettings(QWidget, OnWriter):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(session.today().year)
        self.summary = QLabel()
        self.banner = QFrame()
        self.banner.setObjectName("yearlyCheckBanner")  # the style must not reach the label (a QFrame too)
        self.banner.setStyleSheet("#yearlyCheckBanner { background: #fff4e5; border: 1px solid #f0a020; "
                                  "border-radius: 4px; }")
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.confirm = QPushButton()
        self.confirm.clicked.connect(self.confirm_year)
        bl = QHBoxLayout(self.banner)
        bl.addWidget(self.banner_text, 1)
        bl.addWidget(self.confirm)
        self.model = RowsModel(calendar_columns(), parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        add = self.add_button = QPushButton("Thêm ngày nghỉ / làm bù…")
        add.clicked.connect(self.add)
        remove = self.remove_button = QPushButton("Xóa ngày đã khai báo")
        remove.clicked.connect(self.remove)
        top = QHBoxLayout()
        top.addWidget(QLabel("Năm:"))
        top.addWidget(self.year)
        top.addWidget(self.summary, 1)
        top.addWidget(self.saving_label())   # "Đang lưu…" while a change and its recount outlast 150 ms
        top.addWidget(add)
        top.addWidget(remove)
        lay = QVBoxLayout(self)
        lay.addWidget(UncertainDayBanner(session, self))
        lay.addWidget(self.banner)
        lay.addLayout(top)
        self.moved_label = QLabel()   # which open deadlines the last change moved
        self.moved_label.setWordWrap(True)
        self.moved_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.moved_label.setStyleSheet("background: #e3f2fd; color: #0d47a1; padding: 6px; border-radius: 4px;")
        self.moved_label.hide()
        lay.addWidget(self.moved_label)
        lay.addWidget(self.table, 1)
        note = QLabel("Ngày lễ, Tết lấy theo Bộ luật Lao động 2019 (Điều 112). Hằng năm Thủ tướng quyết định "
                      "ngày nghỉ Tết và Quốc khánh, có thể hoán đổi ngày làm việc: hãy khai báo ở đây để "
                      "thời hạn được tính đúng.")
        note.setWordWrap(True)
        lay.addWidget(note)
        self.year.valueChanged.connect(self.reload)
        session.follow_changes(self, self.reload)
        self.reload()

    def reload(self) -> None:
        db = self.session.db
        cal = load_calendar(db)
        entries = cal.year_days(self.year.value())
        self.model.set_rows(entries)
        off = sum(1 for e in entries if e.kind == "off")
        work = sum(1 for e in entries if e.kind == "work")
        self.summary.setText(f"  {off} ngày nghỉ trong tuần làm việc, {work} ngày làm việc bù")
        pending = needs_yearly_check(db, self.session.today())
        self.banner.setVisible(pending is not None)
        if pending is not None:
            self.banner_text.setText(
                f"Tháng 12: hãy kiểm tra lịch nghỉ năm {pending} (Tết Nguyên đán, Quốc khánh, ngày làm bù) "
                "theo quyết định của Thủ tướng, rồi xác nhận.")
            self.confirm.setText(f"Đã kiểm tra lịch năm {pending}")
            self.confirm.setProperty("year", pending)
            allowed = may(db, "calendar.edit")   # the administrator's; others read the reminder
            self.confirm.setEnabled(allowed)
            self.confirm.setToolTip("" if allowed else "Người quản trị hệ thống xác nhận lịch nghỉ của năm.")
        for button in (self.add_button, self.remove_button):
            button.setEnabled(may(db, "calendar.edit"))

    def confirm_year(self) -> bool:
        """The year's calendar checked, on the session's writer; the page reloads after it."""
        year = self.confirm.property("year")
        if not year:
            return False
        return self.save_on_writer(lambda db: confirm_year_checked(db, int(year)), done=lambda _r: self.reload(),
                                   refused=lambda exc: report(self, exc), button=self.confirm)

    def add_dialog(self) -> "AddDayDialog":
        return AddDayDialog(self.session, self.year.value(), self)

    def add(self) -> None:
        dialog = self.add_dialog()
        if dialog.exec():
            self.show_moved(dialog.moved)

    def show_moved(self, moved) -> None:
        """Tell the clerk which open deadlines the calendar change moved (each has its event)."""
        self.last_moved = list(moved)
        if not moved:
            text = "Không có thời hạn đang tính nào thay đổi."
        else:
            lines = [f"• Vụ việc số {m.number}: hạn {vn_date(m.stored)} → {vn_date(m.counted)}" for m in moved[:20]]
            more = f"\n… và {len(moved) - 20} vụ việc khác" if len(moved) > 20 else ""
            text = f"Đã tính lại thời hạn của {len(moved)} vụ việc:\n" + "\n".join(lines) + more
        self.moved_label.setText(text)
        self.moved_label.show()

    def remove(self) -> None:
        idx = self.table.currentIndex()
        entry = self.model.row_at(idx.row()) if idx.isValid() else None
        if entry is None:
            return
        if entry.source in (SOURCE_LAW, "official"):
            QMessageBox.information(self, "Lịch làm việc", "Ngày lễ theo luật không xóa được; "
                                    "có thể khai báo ngày làm việc bù nếu có quyết định.")
            return
        from desktop.workflow import calendar_change
        from desktop.workflow.preview import dry_run

        today = self.session.today()

        def would(db):   # what the removal would move: computed on the writer and rolled back, then asked
            return dry_run(db, lambda: calendar_change.remove_day(db, entry.day, today=today))

        self.save_on_writer(would, done=lambda would_move: self._ask_remove(entry, would_move),
                            refused=lambda exc: report(self, exc), button=self.remove_button, changes=False)

    def _ask_remove(self, entry: CalendarEntry, would_move) -> None:
        from desktop.workflow import calendar_change

        what = "ngày nghỉ" if entry.kind == "off" else "ngày làm việc bù"
        effect = (f"Thời hạn của {len(would_move)} vụ việc sẽ được tính lại: "
                  + ", ".join(f"{m.number} ({vn_date(m.stored)} → {vn_date(m.counted)})" for m in would_move[:8])
                  + (" …" if len(would_move) > 8 else "")) if would_move else "Không thời hạn đang tính nào thay đổi."
        box = self.confirm_box = QMessageBox(QMessageBox.Icon.Question, "Xóa ngày đã khai báo",
                                             f"Xóa {what} {vn_date(entry.day)} “{entry.name}”?\n{effect}", parent=self)
        yes = box.addButton("Xóa", QMessageBox.ButtonRole.DestructiveRole)
        no = box.addButton("Không xóa", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.exec()
        if box.clickedButton() is not yes:
            return
        today = self.session.today()
        self.save_on_writer(lambda db: calendar_change.remove_day(db, entry.day, today=today), done=self.show_moved,
                            refused=lambda exc: report(self, exc), button=self.remove_button)
