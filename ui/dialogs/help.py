"""F1: the Vietnamese guide, offline and bundled (``resources/help``: a page per screen, with its
screenshot), opened at the page of the screen in use. A plain ``QTextBrowser``."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QListWidgetItem, QTextBrowser, QWidget

from desktop.resources import resource_path
from ui.widgets.screen import fit_to_screen

PAGES = {"index": "Mục lục, phím tắt", "hom-nay": "Hôm nay", "so-tiep-cong-dan": "Sổ tiếp công dân",
         "tiep-cong-dan": "Tiếp công dân", "so-vu-viec": "Sổ vụ việc", "vu-viec": "Một vụ việc",
         "van-ban": "Soạn văn bản", "cai-dat": "Cài đặt"}


def help_url(page: str) -> QUrl:
    path = resource_path("help", f"{page}.html")
    if not path.exists():
        path = resource_path("help", "index.html")
    return QUrl.fromLocalFile(str(path))


class HelpDialog(QDialog):
    def __init__(self, page: str = "index", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hướng dẫn sử dụng — Sổ Giải trình")
        self.contents = QListWidget()
        self.contents.setFixedWidth(190)
        for code, title in PAGES.items():
            item = QListWidgetItem(title)
            item.setData(256, code)
            self.contents.addItem(item)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setSearchPaths([str(resource_path("help"))])
        lay = QHBoxLayout(self)
        lay.addWidget(self.contents)
        lay.addWidget(self.browser, 1)
        self.contents.currentItemChanged.connect(lambda item, _p: item and self.show_page(item.data(256)))
        fit_to_screen(self, 980, 700)
        self.show_page(page)

    def show_page(self, page: str) -> None:
        self.page = page if page in PAGES else "index"
        self.browser.setSource(help_url(self.page))
        for i in range(self.contents.count()):
            if self.contents.item(i).data(256) == self.page:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(i)
                self.contents.blockSignals(False)


def open_help(page: str, parent: QWidget | None = None) -> HelpDialog:
    """Show the guide at ``page`` (one window, reused, not modal: the clerk reads while working)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    dialog = getattr(app, "_giaitrinh_help", None)
    try:
        alive = dialog is not None and dialog.isVisible() is not None
    except RuntimeError:   # deleted with its parent
        alive = False
    if not alive:
        dialog = HelpDialog(page, None)
        app._giaitrinh_help = dialog
    dialog.show_page(page)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
