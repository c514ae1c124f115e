"""Start of the desktop app: QApplication, Vietnamese locale, logging, excepthook, the register.

``giaitrinh`` (no arguments) → ``main([])``: open the default register in the user's data
folder (first run: the wizard), show the main window. Options:

- ``--db PATH``      open another register;
- ``--self-test``    open a temporary register, render the main window offscreen, exit 0;
- ``--today DATE``   pretend today is DATE (dd/mm/yyyy; demonstrations and screenshots).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

LOG_BYTES = 1_000_000
LOG_COUNT = 5


def configure_logging(log_file: Path, *, level: int = logging.INFO) -> Path:
    """A rotating log in the data folder, configured once for the whole app."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_giaitrinh", False)]:
        root.removeHandler(old)  # configured once per run; a second call moves the log
        old.close()
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=LOG_BYTES, backupCount=LOG_COUNT, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"))
    handler._giaitrinh = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return log_file


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="giaitrinh", description="Sổ Giải trình")
    parser.add_argument("--db", type=Path, default=None, help="tệp sổ cần mở")
    parser.add_argument("--self-test", action="store_true", help="tự kiểm tra rồi thoát")
    parser.add_argument("--today", default=None, help=argparse.SUPPRESS)
    args, _qt_args = parser.parse_known_args(argv)
    return args


def create_application(argv: list[str] | None = None):
    """The QApplication with the Vietnamese locale and the app's names (idempotent)."""
    from PySide6.QtCore import QCoreApplication, QLocale
    from PySide6.QtWidgets import QApplication

    from ui.settings import APPLICATION, ORGANIZATION
    from ui.translator import load_qt_translations

    app = QApplication.instance()
    if app is None:
        app = QApplication(["giaitrinh", *(argv or [])])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationDisplayName("Sổ Giải trình")
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    if app.windowIcon().isNull() or not getattr(app, "_giaitrinh_icon", False):
        from PySide6.QtGui import QIcon

        from desktop.resources import resource_path

        app.setWindowIcon(QIcon(str(resource_path("icons", "giaitrinh.png"))))   # installer/make_icon.py
        app._giaitrinh_icon = True
    if not getattr(app, "_giaitrinh_translator", None):
        app._giaitrinh_translator = load_qt_translations(app)  # keep them alive
    return app


def self_test() -> int:
    """Open a temporary register, render the main window offscreen, exit 0 when all went well.

    Leaves no temporary folder behind: every window, setting and connection is closed and
    dropped before the folder is removed (a QSettings flushed after the removal made the folder
    again; on Windows an open file keeps it), and the removal is retried while an antivirus
    still holds a file in it."""
    import gc
    import shutil
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="giaitrinh-selftest-"))
    try:
        ok = _self_test_in(tmp)
    finally:
        for handler in [h for h in logging.getLogger().handlers if getattr(h, "_giaitrinh", False)]:
            logging.getLogger().removeHandler(handler)
            handler.close()
        gc.collect()   # the window's QSettings write on destruction: before the folder goes
        from desktop.storage.disks import retry_while_held

        try:
            retry_while_held(lambda: shutil.rmtree(tmp) if tmp.exists() else None, retries=5)
        except OSError as exc:  # never fail the self-test for a folder Windows keeps a moment longer
            log.warning("self-test folder %s not removed: %s", tmp, exc)
    print(f"giaitrinh self-test: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def _self_test_in(tmp: Path) -> bool:
    configure_logging(tmp / "self-test.log")
    app = create_application()
    from desktop.storage.db import open_database
    from desktop.storage.units import save_officer, save_unit
    from ui.main_window import MainWindow
    from ui.session import Session

    db = open_database(tmp / "self-test.sqlite")
    save_unit(db, code="00000", name="Ủy ban nhân dân xã Tự Kiểm", abbreviation="UBND", place_name="Tự Kiểm")
    head = save_officer(db, full_name="Nguyễn Văn Thử", title="Chủ tịch", role="head")
    from desktop.security import accounts

    accounts.assume_role(db, "leader", officer_uuid=head.uuid)  # the self-test acts as the head
    # A bulk import through its helper process: proves the frozen app can start one.
    from datetime import date

    from desktop.workflow.bulk import BulkCase, BulkPerson, bulk_import_cases

    item = BulkCase(kind="petition", received_on=date.today(), summary="Kiểm tra nhập hàng loạt",
                    requesters=[BulkPerson("Trần Thị Thử")])
    imported = bulk_import_cases(db, [item, item], batch_size=1, helper=True)
    from PySide6.QtCore import QSettings

    from ui.settings import WindowState

    session = Session(db)
    state = WindowState(QSettings(str(tmp / "window.ini"), QSettings.Format.IniFormat))
    window = MainWindow(session, state)  # never touches the user's own window settings
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    image = window.grab().toImage()
    ok = not image.isNull() and image.width() > 0 and imported == 2
    for page in range(window.page_count()):
        window.show_page(page)
        app.processEvents()
    window.close()
    session.close()
    state.sync()
    window.deleteLater()
    app.processEvents()
    return ok


def _quit_after_first_paint(window, *, dashboard: bool = False) -> None:
    """bench/bench_ui.py: print "first-paint" at the window's first paint and quit; with
    ``dashboard``, go on until the dashboard shows its figures, print "dashboard-filled", quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    def filled() -> None:
        board = window.pages.get(0)
        if board is None or getattr(board, "data", None) is None:
            QTimer.singleShot(5, filled)
            return
        board.repaint()  # painted with its figures, not only filled
        print("dashboard-filled", flush=True)
        QApplication.quit()

    class FirstPaint(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                print("first-paint", flush=True)
                QTimer.singleShot(0, filled if dashboard else QApplication.quit)
            return False

    window._first_paint = FirstPaint(window)
    window.installEventFilter(window._first_paint)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.self_test:
        return self_test()

    from ui.locations import log_path

    log_file = configure_logging(log_path())
    log.info("starting giaitrinh (argv=%s)", argv)
    app = create_application()
    from ui.errors import install_excepthook

    install_excepthook(log_file)

    from desktop.domain.validation import parse_date
    from ui.opening import open_register_interactive

    today: date | None = parse_date(args.today) if args.today else None
    session = open_register_interactive(args.db, today=today)
    if session is None:
        log.info("no register opened; quitting")
        return 0
    from ui.main_window import MainWindow

    window = MainWindow(session)
    if os.environ.get("GIAITRINH_FIRST_PAINT") in ("1", "dashboard"):  # bench/bench_ui.py: report, then quit
        _quit_after_first_paint(window, dashboard=os.environ["GIAITRINH_FIRST_PAINT"] == "dashboard")
    window.show_as_last_left()
    try:
        return app.exec()
    finally:
        session.close()
        logging.shutdown()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
