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
        self.session = session
        self.users = None
        self._users_tab()
        session.actor_changed.connect(lambda _name: self._users_tab())   # Ctrl+Shift+L, unlock
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)

    def _users_tab(self) -> None:
        """"Người dùng" for the administrator only (the core refuses it to anyone else anyway),
        following a switch of user: the administrator who took the PC from a leader had no tab."""
        from desktop.security.principal import may

        allowed = may(self.session.db, "users.manage")
        if allowed and self.users is None:
            from ui.views.settings_users import UsersSettings

            self.users = UsersSettings(self.session)
            self.tabs.addTab(self.users, "Người dùng")
        if self.users is not None:
            self.tabs.setTabVisible(self.tabs.indexOf(self.users), allowed)
            if allowed:
                self.users.reload()
