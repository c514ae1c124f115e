"""Qt's own dialogs speak Vietnamese: the file dialog the reports' and exports' "Save as" opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QTreeView


def test_file_dialog_labels_are_vietnamese(qtbot, qapp):
    from ui.app import create_application

    create_application()
    dialog = QFileDialog(None, "Xuất báo cáo")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # what the clerk meets without a desktop's own
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    labels = {w.text() for w in dialog.findChildren(QLabel)}
    assert labels == {"Tìm tr&ong:", "&Tên tệp:", "&Loại tệp:"}, labels
    tree = dialog.findChild(QTreeView, "treeView")
    header = [tree.model().headerData(i, Qt.Orientation.Horizontal) for i in range(tree.model().columnCount())]
    assert header[:2] == ["Tên", "Cỡ"] and "Ngày sửa" in header, header


def test_print_dialog_labels_are_vietnamese(qtbot, qapp):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QAbstractButton

    from ui.app import create_application

    create_application()
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = {w.text() for w in dialog.findChildren(QLabel)} | {w.text() for w in dialog.findChildren(QAbstractButton)}
    assert {"&Tên:", "Vị trí:", "Tệp &ghi ra:", "&In"} <= texts, texts
    assert not texts & {"&Name:", "Location:", "Output &file:", "&Print", "&Options >>"}
    dialog.reject()


def test_a_folder_is_called_thu_muc_in_the_file_dialog(qapp, tmp_path):
    from PySide6.QtCore import QFileInfo
    from PySide6.QtWidgets import QFileIconProvider

    from ui.app import create_application

    create_application()
    assert QFileIconProvider().type(QFileInfo(str(tmp_path))) == "Thư mục"
