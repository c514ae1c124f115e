"""The "Cài đặt" page: tabs for the unit and officers, the calendar, the backup."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.session import Session
from ui.views.settings_backup import BackupSettings
from ui.views.settings_calendar import CalendarSettings
from ui.views.settings_rules import RulesSettings
from ui.views.settings_unit import UnitSettings


class SettingsView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.unit = UnitSettings(session)
        self.calendar = CalendarSettings(session)
        self.backup = BackupSettings(session)
        self.tabs.addTab(self.unit, "Đơn vị và cán bộ")
        self.tabs.addTab(self.calendar, "Lịch làm việc")
        self.rules = RulesSettings(session)
        self.tabs.addTab(self.rules, "Quy định áp dụng")
        self.tabs.addTab(self.backup, "Sao lưu")
        from desktop.security.principal import may

        self.users = None
        if may(session.db, "users.manage"):  # the core refuses it to anyone else anyway
            from ui.views.settings_users import UsersSettings

            self.users = UsersSettings(session)
            self.tabs.addTab(self.users, "Người dùng")
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
