"""The "Hồ sơ" menu: old registers, public notices — the case file's windows, mounted by the main window."""

from __future__ import annotations

from PySide6.QtGui import QAction


def install_menu(bar, session, window) -> None:
    menu = bar.addMenu("&Hồ sơ")

    def old_register() -> None:
        from ui.dialogs.old_register_dialog import open_wizard

        window._old_register_wizard = open_wizard(session, window)

    def publish() -> None:
        from ui.dialogs.publish_dialog import PublishDialog

        dialog = PublishDialog(session, window)
        window._publish_dialog = dialog
        dialog.show()

    menu.addAction(QAction("Nhập sổ cũ từ Excel / CSV…", window, triggered=old_register))
    menu.addAction(QAction("Công khai kết quả giải quyết…", window, triggered=publish))
