"""What UI tests share to act as a clerk: answering a confirmation box, waiting for a save."""

from __future__ import annotations


def answer_box(text: str, *, tries: int = 200) -> None:
    """Press the button labelled ``text`` of the next modal dialog box (a confirmation), as the
    clerk would, as soon as it opens; its own event loop runs the timer."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def press(left: int = tries) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            for button in box.buttons():
                if button.text() == text:
                    button.click()
                    return
            raise AssertionError(f"no button {text!r} in {[b.text() for b in box.buttons()]}")
        if left:
            QTimer.singleShot(10, lambda: press(left - 1))

    QTimer.singleShot(0, press)


def saved(qtbot, dialog, timeout: int = 10000) -> None:
    """Wait until ``dialog``'s save on the session's writer has come back (ui/writer.py): the
    form was accepted, or shows why not. Returns at once when nothing was sent (a refusal the
    form found itself)."""
    qtbot.waitUntil(lambda: dialog.pending is None, timeout=timeout)
