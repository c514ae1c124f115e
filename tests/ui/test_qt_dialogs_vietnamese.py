"""Qt's own dialogs (print, page setup, print preview, files) speak Vietnamese."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QPushButton, QWidget

ENGLISH = {"Print", "&Print", "&Options >>", "Options >>", "Look in:", "&Look in:", "Printer", "Copies", "Page size:",
           "Orientation", "Portrait", "Landscape", "File &name:", "Files of &type:", "&Save", "Cancel", "Print range",
           "Margins", "Paper"}


def _texts(w: QWidget) -> set[str]:
    out = {w.windowTitle()}
    for c in w.findChildren(QWidget):
        if isinstance(c, (QLabel, QPushButton)) and c.text():
            out.add(c.text())
        if isinstance(c, QComboBox):
            out.update(c.itemText(i) for i in range(c.count()))
        title = getattr(c, "title", None)
        if callable(title) and isinstance(title(), str):
            out.add(title())
    return out


def test_print_and_file_dialogs_show_vietnamese(qtbot, session):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    seen: set[str] = set()
    dialogs = [QPrintDialog(printer)]
    files = QFileDialog(None, "Lưu văn bản")
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialogs.append(files)
    for d in dialogs:
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        for b in d.findChildren(QPushButton):
            if "chọn" in b.text().lower() and ">>" in b.text():
                b.click()   # "Tùy chọn >>" opens the options
        seen |= _texts(d)
    left = sorted(ENGLISH & seen)
    assert not left, f"still English: {left}"
    assert {"In", "Máy in", "&Tên tệp:", "&Lưu", "Hủy"} <= seen
    assert any(t.startswith("Tù&y chọn") for t in seen) and "Số bản:" in seen and "Tìm tr&ong:" in seen
