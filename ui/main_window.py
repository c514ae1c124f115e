"""The main window: navigation on the left (Hôm nay, the two registers, Cài đặt), pages on the right,
and the case view as a page of its own. Pages other than the first are built when first shown,
so start-up costs one page."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QStackedWidget,
    QToolBar, QWidget,
)

from desktop.errors import UserError
from desktop.storage.units import local_unit
from ui.errors import report
from ui.labels import vn_date
from ui.session import Session
from ui.settings import WindowState

log = logging.getLogger(__name__)

PAGES = ("Hôm nay", "Sổ tiếp công dân", "Sổ vụ việc", "Cài đặt")


class MainWindow(QMainWindow):
    def __init__(self, session: Session, state: WindowState | None = None) -> None:
        super().__init__()
        self.session = session
        self.state = state or WindowState()
        self.setWindowTitle("Sổ Giải trình")
        self.setMinimumSize(QSize(1000, 600))
        self.nav = QListWidget()
        self.nav.setFixedWidth(190)
        self.nav.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px 6px; }")
        for title in PAGES:
            self.nav.addItem(QListWidgetItem(title))
        self.stack = QStackedWidget()
        self.pages: dict[int, QWidget] = {}
        self.factories: list[Callable[[], QWidget]] = [
            self._make_dashboard, self._make_receptions, self._make_cases, self._make_settings]
        for i in range(len(PAGES)):
            self.stack.addWidget(QWidget())  # placeholders until first shown
        self.case_page: QWidget | None = None
        self.menus_ready = False  # becomes True at the first paint (see ``event``)
        self._closing = False  # the backup on close is running (see ``closeEvent``)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_actions()
        self._build_status()
        self.nav.currentRowChanged.connect(self.show_page)
        session.today_changed.connect(lambda _d: self._update_status())
        session.changed.connect(self._update_status)
        geometry = self.state[WindowState.geometry]
        self.restored = not geometry.isEmpty() and self.restoreGeometry(geometry)
        # The window paints first (navigation, menus, status); the dashboard is built and filled
        # right after the first paint (``_after_first_paint``), so opening never waits for it.
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(0)
        self.nav.blockSignals(False)

    def show_as_last_left(self) -> None:
        """As the clerk left it (size, place, maximized); the first time maximized: an office PC's
        1366×768 screen has no pixel to spare."""
        if self.restored:
            self.show()
        else:
            # the whole screen even where no window manager maximizes (a kiosk, a bare X server)
            self.setGeometry(self.screen().availableGeometry())
            self.showMaximized()

    # -- pages ----------------------------------------------------------------------------------
    def page_count(self) -> int:
        return len(PAGES)

    def page(self, i: int) -> QWidget:
        if i not in self.pages:
            widget = self.factories[i]()
            old = self.stack.widget(i)
            shown = self.stack.currentWidget() is old
            self.stack.removeWidget(old)
            old.deleteLater()
            self.stack.insertWidget(i, widget)
            if shown:   # removing the shown placeholder moved the stack on to the next page's (blank)
                self.stack.setCurrentWidget(widget)
            self.pages[i] = widget
        return self.pages[i]

    def show_page(self, i: int) -> None:
        if not 0 <= i < len(PAGES):
            return
        widget = self.page(i)
        self.stack.setCurrentWidget(widget)
        if self.nav.currentRow() != i:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(i)
            self.nav.blockSignals(False)

    def _make_dashboard(self) -> QWidget:
        from ui.views.dashboard import DashboardView

        view = DashboardView(self.session, defer=not self.menus_ready)
        view.open_case.connect(self.open_case)
        view.report_due.open_reports.connect(lambda: getattr(self, "show_reports", lambda: None)())
        return view

    def _make_receptions(self) -> QWidget:
        from ui.views.receptions import ReceptionsView

        view = ReceptionsView(self.session)
        view.open_case.connect(self.open_case)
        view.new_reception.connect(self.new_reception)
        return view

    def _make_cases(self) -> QWidget:
        from ui.views.cases import CasesView

        view = CasesView(self.session)
        view.open_case.connect(self.open_case)
        view.new_case.connect(self.new_case)
        return view

    def _make_settings(self) -> QWidget:
        from ui.views.settings import SettingsView

        return SettingsView(self.session)

    def open_case(self, case_uuid: str) -> None:
        from ui.views.case_view import CaseView

        try:
            if self.case_page is None:
                self.case_page = CaseView(self.session)
                self.case_page.back.connect(self._back_from_case)
                self.stack.addWidget(self.case_page)
            self.case_page.show_case(case_uuid)
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return
        self._return_to = self.stack.currentIndex() if self.stack.currentWidget() is not self.case_page else 0
        self.stack.setCurrentWidget(self.case_page)

    def help_page(self) -> str:
        """The guide's page for the screen in view."""
        current = self.stack.currentWidget()
        if current is not None and current is self.case_page:
            return "vu-viec"
        index = self.stack.currentIndex()
        return {0: "hom-nay", 1: "so-tiep-cong-dan", 2: "so-vu-viec", 3: "cai-dat"}.get(index, "index")

    def help(self) -> None:
        from ui.dialogs.help import open_help

        self.help_window = open_help(self.help_page(), self)

    def find(self) -> None:
        """Ctrl+F: the search box of the register in view (the case register from anywhere else)."""
        current = self.stack.currentWidget()
        page = current if hasattr(current, "search") else self.page(2)
        if page is not current:
            self.show_page(2)
        page.search.setFocus()
        page.search.selectAll()

    def _back_from_case(self) -> None:
        self.show_page(min(getattr(self, "_return_to", 0), len(PAGES) - 1))

    # -- entry ------------------------------------------------------------------------------------
    def new_reception(self) -> None:
        from ui.dialogs.reception_dialog import ReceptionDialog

        dialog = ReceptionDialog(self.session, self)
        if dialog.exec() and dialog.case is not None:
            self.open_case(dialog.case.uuid)

    def new_case(self) -> None:
        from ui.dialogs.case_dialog import CaseDialog

        dialog = CaseDialog(self.session, self)
        if dialog.exec() and dialog.case is not None:
            self.open_case(dialog.case.uuid)

    # -- chrome -----------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&Sổ")
        self.act_reception = QAction("Tiếp công dân…", self, shortcut=QKeySequence("Ctrl+N"), triggered=self.new_reception)
        self.act_case = QAction("Vụ việc mới (đơn gửi đến)…", self, shortcut=QKeySequence("Ctrl+Shift+N"),
                                triggered=self.new_case)
        file_menu.addAction(self.act_reception)
        file_menu.addAction(self.act_case)
        file_menu.addSeparator()
        self.act_find = QAction("Tìm…", self, shortcut=QKeySequence.StandardKey.Find, triggered=self.find)
        file_menu.addAction(self.act_find)
        self.act_print_day = QAction("In các văn bản ban hành hôm nay…", self, shortcut=QKeySequence("Ctrl+P"),
                                     triggered=self._print_today)
        file_menu.addAction(self.act_print_day)
        self.act_print_register = QAction("In sổ (tiếp công dân, theo dõi giải quyết, văn bản đi)…", self,
                                          shortcut=QKeySequence("Ctrl+Shift+P"), triggered=self.print_register)
        file_menu.addAction(self.act_print_register)
        file_menu.addSeparator()
        backup = QAction("Sao lưu ngay", self, triggered=self._backup_now)
        file_menu.addAction(backup)
        file_menu.addSeparator()
        file_menu.addAction(QAction("Thoát", self, shortcut=QKeySequence("Ctrl+Q"), triggered=self.close))
        go = bar.addMenu("&Xem")
        for i, title in enumerate(PAGES):
            go.addAction(QAction(title, self, shortcut=QKeySequence(f"Ctrl+{i + 1}"),
                                 triggered=lambda _c=False, i=i: self.show_page(i)))
        self.act_help = QAction("Hướng dẫn sử dụng", self, shortcut=QKeySequence(Qt.Key.Key_F1), triggered=self.help)
        self.addAction(self.act_help)   # F1 works before the menus are mounted
        # Menus of other modules (sync, province) import heavy code: mounted right after the
        # first paint (see ``event``) so start-up does not wait for them; "Trợ giúp" stays last.
        tools = QToolBar("Công việc")
        tools.setObjectName("work")
        tools.setMovable(False)
        tools.addAction(self.act_reception)
        tools.addAction(self.act_case)
        tools.addSeparator()
        # Who works at the desk is who logged in: switching user and locking ask a password.
        self.user_label = QLabel()
        tools.addWidget(self.user_label)
        self.act_switch = QAction("Đổi người dùng", self, shortcut=QKeySequence("Ctrl+Shift+L"),
                                  triggered=self.switch_user)
        self.act_lock = QAction("Khóa màn hình", self, shortcut=QKeySequence("Ctrl+L"), triggered=self.lock_screen)
        tools.addAction(self.act_switch)
        tools.addAction(self.act_lock)
        self.addToolBar(tools)
        self._show_user()
        from ui.idle import IdleLock

        self.idle = IdleLock(self.session, self.lock_screen, self)

    def _after_first_paint(self) -> None:
        from ui.views.settings_backup import schedule_daily

        if getattr(self, "daily_backup", None) is None:
            self.daily_backup = schedule_daily(self.session)  # the day's backup, off the UI thread
        if self.stack.currentIndex() == 0 and 0 not in self.pages and self.case_page is None:
            self.show_page(self.nav.currentRow())
        dashboard = self.pages.get(0)
        if dashboard is not None and dashboard.data is None:
            dashboard.reload()
        self._finish_menus(self.menuBar())

    def _finish_menus(self, bar) -> None:
        self._mount_optional(bar)
        help_menu = bar.addMenu("&Trợ giúp")
        help_menu.addAction(self.act_help)
        help_menu.addAction(QAction("Thư mục nhật ký lỗi", self, triggered=self._show_log_location))
        help_menu.addAction(QAction("Giới thiệu", self, triggered=self._about))

    def _mount_optional(self, bar) -> None:
        """Menus from modules other engineers own; absent modules simply add nothing."""
        for module, attr in (("ui.dialogs.sync_dialogs", "install_menu"), ("ui.views.province", "install_menu"),
                             ("ui.views.reports", "install_menu"), ("ui.dialogs.casefile_menu", "install_menu")):
            try:
                mod = importlib.import_module(module)
            except ImportError:
                continue
            hook = getattr(mod, attr, None)
            if hook is None:
                log.info("%s has no %s()", module, attr)
                continue
            try:
                hook(bar, self.session, self)
            except Exception:  # noqa: BLE001 - never let an optional menu stop the window
                log.exception("mounting %s", module)

    def _show_user(self) -> None:
        who = self.session.db.principal
        self.user_label.setText(f" Người dùng: {who.officer_name} ({who.role_label}) " if who else " Chưa đăng nhập ")
        from desktop.security.principal import may

        receives = may(self.session.db, "case.receive")   # not the administrator's nor a viewer's
        why = "Vai trò của tài khoản này không tiếp nhận vụ việc."
        if who is not None and who.role == "admin":   # the first run's only account: say the way on
            why = ("Tài khoản quản trị hệ thống không tiếp nhận vụ việc: tạo tài khoản cho cán bộ ở "
                   "Cài đặt › Người dùng, rồi Đổi người dùng (Ctrl+Shift+L).")
        for action in (self.act_reception, self.act_case):
            action.setEnabled(receives)
            action.setToolTip(action.text() if receives else why)

    def switch_user(self) -> bool:
        """Another officer takes the shared PC: a login; the previous one stays until it succeeds."""
        from ui.dialogs.login import LoginDialog

        if LoginDialog(self.session.db, self).exec() != LoginDialog.DialogCode.Accepted:
            return False
        self._signed_in()
        return True

    def lock_screen(self) -> None:
        """Lock (on request or when idle): nobody is logged in until a password is typed again."""
        from ui.dialogs.login import LoginDialog

        db = self.session.db
        previous = db.principal
        if previous is None:
            return
        db.principal = None
        self.centralWidget().setEnabled(False)
        dialog = LoginDialog(db, self, login=previous.login,
                             hint=f"Màn hình đã khóa (người dùng {previous.officer_name}). Nhập mật khẩu để tiếp tục, "
                                  "hoặc đăng nhập bằng tài khoản khác.")
        dialog.setWindowTitle("Sổ Giải trình — Đã khóa")
        while dialog.exec() != LoginDialog.DialogCode.Accepted:
            if self._closing_locked():
                return
        self.centralWidget().setEnabled(True)
        self._signed_in()

    def _closing_locked(self) -> bool:
        """Cancel on the lock screen closes the window (the register stays locked)."""
        self.close()
        return True

    def _signed_in(self) -> None:
        self.session.signed_in()
        self._show_user()
        self.session.notify_changed()

    def _build_status(self) -> None:
        self.status_unit = QLabel()
        self.status_today = QLabel()
        self.statusBar().addWidget(self.status_unit, 1)
        self.statusBar().addPermanentWidget(self.status_today)
        self._update_status()

    def _update_status(self) -> None:
        try:
            unit = local_unit(self.session.db)
            self.status_unit.setText(f"{unit.name} — sổ: {self.session.path.name}")
        except UserError:
            self.status_unit.setText(self.session.path.name)
        self.status_unit.setToolTip(str(self.session.path))
        self.status_today.setText(f"Hôm nay: {vn_date(self.session.today())}")

    def _print_today(self) -> None:
        try:
            from ui.dialogs.document_dialog import print_day_in_background
        except ImportError:  # a build without documents
            return
        try:
            print_day_in_background(self, self.session, self.session.today())
        except Exception as exc:  # noqa: BLE001 - shown, logged; the window stays usable
            report(self, exc)

    def register_print_dialog(self, book: str = "reception"):
        from ui.dialogs.register_print import RegisterPrintDialog

        return RegisterPrintDialog(self.session, self, book=book)

    def print_register(self) -> None:
        try:
            dialog = self.register_print_dialog()
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return
        dialog.exec()

    def _backup_now(self) -> None:
        self.show_page(3)
        settings = self.page(3)
        settings.tabs.setCurrentWidget(settings.backup)
        settings.backup.backup_now()

    def _show_log_location(self) -> None:
        from ui.locations import log_path

        QMessageBox.information(self, "Nhật ký lỗi", f"Tệp nhật ký của chương trình:\n{log_path()}")

    def _about(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("giaitrinh")
        except PackageNotFoundError:
            v = "?"
        QMessageBox.about(self, "Sổ Giải trình", f"Sổ Giải trình {v}\nSổ theo dõi tiếp công dân, kiến nghị, phản ánh, "
                          "khiếu nại, tố cáo và yêu cầu giải trình cho UBND cấp xã.")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.menus_ready:
            self.menus_ready = True
            QTimer.singleShot(0, self._after_first_paint)
        return super().event(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        from ui.views.settings_backup import backup_on_close

        self.state[WindowState.geometry] = self.saveGeometry()
        if self._closing:  # closed again while the backup on close runs
            event.ignore()
            return
        self._closing = True
        self.session.tasks.wait(10000)
        try:
            backup_on_close(self.session, self)  # checked and rotated (issue #17), off the UI thread (#20)
        finally:
            self._closing = False
        super().closeEvent(event)
