"""Printing PDFs on a QPrinter: mixed orientations in one job, a bounded rendering resolution, cancel."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from ui.dialogs.document_dialog import PRINT_DPI, print_pdf
from ui.tasks import Cancelled, TaskState

MARK = 120  # points: a black square in the top left corner of each source page


def _pdf(size) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=size)
    c.setFillGray(0)
    c.rect(0, size[1] - MARK, MARK, MARK, stroke=0, fill=1)   # reportlab's origin is the bottom left
    c.drawString(200, size[1] / 2, "trang")
    c.showPage()
    c.save()
    return out.getvalue()


def _printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)   # 1,200 dpi for a PDF file
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _is_ink(color) -> bool:
    return color.alpha() > 128 and color.lightness() < 60   # rendered pages are transparent where blank


def _dark_corners(path, page: int) -> set[str]:
    """Which corners of a printed page are black (rendered small with Qt's own PDF reader)."""
    doc, buffer = QPdfDocument(), QBuffer()
    buffer.setData(QByteArray(path.read_bytes()))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    size = doc.pagePointSize(page)
    image = doc.render(page, QSize(round(size.width() / 4), round(size.height() / 4)))
    w, h = image.width(), image.height()
    probes = {"top left": (5, 5), "top right": (w - 6, 5), "bottom left": (5, h - 6), "bottom right": (w - 6, h - 6)}
    return {name for name, (x, y) in probes.items() if _is_ink(image.pixelColor(x, y))}


def test_a_landscape_page_in_a_portrait_job_is_turned_onto_the_paper(qapp, tmp_path):
    out = tmp_path / "job.pdf"
    assert print_pdf(_printer(out), _pdf(A4), _pdf(landscape(A4))) == 2
    with pdfplumber.open(out) as printed:
        assert [p.width < p.height for p in printed.pages] == [True, True]   # one orientation: the job's
        # each page is one image, rendered no finer than PRINT_DPI (not the printer's 1,200 dpi)
        widths = [p.images[0]["srcsize"][0] for p in printed.pages]
    assert widths[0] == round(A4[0] * PRINT_DPI / 72)
    assert widths[1] == round(A4[0] * PRINT_DPI / 72)    # the turned page: its height across the paper
    assert _dark_corners(out, 0) == {"top left"}
    assert _dark_corners(out, 1) == {"bottom left"}   # turned a quarter left: its top runs up the left edge


def test_a_landscape_job_keeps_its_own_pages_upright(qapp, tmp_path):
    out = tmp_path / "sheets.pdf"
    assert print_pdf(_printer(out), _pdf(landscape(A4)), _pdf(A4)) == 2
    with pdfplumber.open(out) as printed:
        assert [p.width > p.height for p in printed.pages] == [True, True]
    assert _dark_corners(out, 0) == {"top left"}
    assert _dark_corners(out, 1) == {"bottom left"}


def test_cancel_stops_the_job_before_the_next_page(qapp, tmp_path):
    seen: list[int] = []
    state = TaskState(lambda done, total, text: seen.append(done) or (done == 1 and state.cancel()))
    with pytest.raises(Cancelled):
        print_pdf(_printer(tmp_path / "cancelled.pdf"), _pdf(A4), _pdf(A4), _pdf(A4), state=state)
    assert seen == [0, 1]   # the third page was never painted


# -- A4 (NĐ 30/2020/NĐ-CP, Phụ lục I): the printer is told A4; a paper without A4 gets the page evenly scaled

def _letter_printer(path) -> QPrinter:
    printer = _printer(path)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))   # a Windows printer's usual default
    return printer


class LetterOnlyPrinter(QPrinter):
    """A printer whose driver offers Letter only: asked for A4, it keeps Letter (as a native
    printer does with a size it lacks)."""

    def setPageSize(self, size) -> bool:  # noqa: N802 - Qt's name
        if size.id() != QPageSize.PageSizeId.Letter:
            return False
        return super().setPageSize(size)


def test_a_printer_set_to_letter_is_told_a4(qapp, tmp_path):
    out = tmp_path / "a4.pdf"
    assert print_pdf(_letter_printer(out), _pdf(A4), _pdf(landscape(A4))) == 2
    with pdfplumber.open(out) as printed:
        sizes = [(round(p.width), round(p.height)) for p in printed.pages]
    assert sizes == [(round(A4[0]), round(A4[1]))] * 2


def test_a_letter_only_printer_gets_the_a4_page_scaled_evenly_and_centred(qapp, tmp_path):
    out = tmp_path / "letter.pdf"
    printer = LetterOnlyPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    assert print_pdf(printer, _pdf(A4)) == 1
    with pdfplumber.open(out) as printed:
        page = printed.pages[0]
        assert (round(page.width), round(page.height)) == (612, 792)   # the paper stayed Letter
        image = page.images[0]
        width, height = image["x1"] - image["x0"], image["bottom"] - image["top"]
        left, right = image["x0"], page.width - image["x1"]
        top, bottom = image["top"], page.height - image["bottom"]
    assert abs(width / height - A4[0] / A4[1]) < 0.002          # the page kept its shape
    assert abs(height - 792) < 1 and abs(left - right) < 1       # as large as fits, centred across
    assert abs(top) < 1 and abs(bottom) < 1
    assert _dark_corners(out, 0) == set()   # the A4 page's top-left mark sits inside the side margin


def test_fit_evenly_centres_either_way():
    from PySide6.QtCore import QRect

    from ui.dialogs.document_dialog import fit_evenly

    assert fit_evenly(QSize(100, 200), QRect(0, 0, 300, 300)) == QRect(75, 0, 150, 300)
    assert fit_evenly(QSize(200, 100), QRect(10, 10, 300, 300)) == QRect(10, 85, 300, 150)


# -- pages as they are where the print path takes a PDF (issue #20, item 5: ui/printing.py) ----------

import os  # noqa: E402
import stat  # noqa: E402
import sys  # noqa: E402

from desktop.errors import UserError  # noqa: E402
from ui import printing  # noqa: E402


class SystemPrinter(QPrinter):
    """A printer of the system as the print dialog returns it (this machine has no CUPS printer)."""

    def __init__(self, name: str) -> None:
        super().__init__(QPrinter.PrinterMode.HighResolution)
        self._name = name

    def outputFormat(self):  # noqa: N802 - Qt's name
        return QPrinter.OutputFormat.NativeFormat

    def printerName(self) -> str:  # noqa: N802 - Qt's name
        return self._name


def _fake_lp(folder, code: int = 0):
    """An ``lp`` that keeps what it was given (arguments, the PDF) in ``folder``."""
    script = folder / "lp"
    script.write_text(f"""#!{sys.executable}
import shutil, sys, json, pathlib
out = pathlib.Path({str(folder)!r})
json.dump(sys.argv[1:], open(out / "args.json", "w"))
shutil.copy(sys.argv[-1], out / "job.pdf")
if {code}:
    print("lp: The printer or class does not exist.", file=sys.stderr)
sys.exit({code})
""")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def _vector_pages(path) -> list[tuple[bool, int]]:
    """(portrait, images) of each page of a PDF."""
    with pdfplumber.open(path) as pdf:
        return [(p.width < p.height, len(p.images)) for p in pdf.pages]


def test_a_pdf_file_gets_the_stored_pages_as_they_are(qapp, tmp_path):
    out = tmp_path / "job.pdf"
    files = [_pdf(A4), _pdf(landscape(A4)), _pdf(A4)]
    assert printing.route(_printer(out)) == "file"
    assert printing.print_documents(_printer(out), *files) == 3
    assert _vector_pages(out) == [(True, 0), (False, 0), (True, 0)]   # no page became an image
    with pdfplumber.open(out) as pdf:
        assert all("trang" in p.extract_text() for p in pdf.pages)   # text stays text
    assert out.stat().st_size <= 1.5 * sum(map(len, files))


def test_the_print_dialogs_page_range_is_kept(qapp, tmp_path):
    out = tmp_path / "range.pdf"
    printer = _printer(out)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 2)
    assert printing.print_documents(printer, _pdf(A4), _pdf(landscape(A4)), _pdf(A4)) == 1
    assert _vector_pages(out) == [(False, 0)]


def test_microsoft_print_to_pdf_writes_the_file_the_window_asked_for(qapp, tmp_path):
    printer = SystemPrinter("Microsoft Print to PDF")
    assert printing.wants_file_name(printer)
    out = tmp_path / "da-in.pdf"
    assert printing.route(printer, pdf_file=out) == "file"
    assert printing.print_documents(printer, _pdf(A4), _pdf(A4), pdf_file=out) == 2
    assert _vector_pages(out) == [(True, 0), (True, 0)]


def test_a_cups_printer_gets_the_pdf_in_one_job(qapp, tmp_path):
    lp = _fake_lp(tmp_path)
    printer = SystemPrinter("VanThu_HP")
    printer.setCopyCount(2)
    assert printing.route(printer, lp=str(lp)) == "cups"
    assert printing.print_documents(printer, _pdf(A4), _pdf(landscape(A4)), lp=str(lp)) == 2
    import json

    args = json.loads((tmp_path / "args.json").read_text())
    assert args[:6] == ["-d", "VanThu_HP", "-n", "2", "-o", "media=A4"]
    assert args[-1].endswith(".pdf") and len(args) < 12   # one file: one job
    assert _vector_pages(tmp_path / "job.pdf") == [(True, 0), (False, 0)]


def test_a_refused_cups_job_is_said_in_vietnamese(qapp, tmp_path):
    lp = _fake_lp(tmp_path, code=1)
    with pytest.raises(UserError) as caught:
        printing.print_documents(SystemPrinter("KhongCo"), _pdf(A4), lp=str(lp))
    assert "Máy in KhongCo không nhận lệnh in" in caught.value.message


def test_a_printer_without_a_pdf_path_is_painted_at_no_more_than_its_resolution(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))   # no lp: a Windows GDI printer's case
    printer = SystemPrinter("HP LaserJet")
    assert printing.route(printer) == "raster"
    out = tmp_path / "raster.pdf"
    low = _printer(out)
    low.setResolution(150)   # a printer coarser than PRINT_DPI: painted at its own resolution
    assert printing.route(low) == "file"   # (a PDF file takes the vectors; the raster path itself:)
    assert print_pdf(low, _pdf(A4)) == 1
    with pdfplumber.open(out) as printed:
        assert printed.pages[0].images[0]["srcsize"][0] == round(A4[0] * 150 / 72)


def test_cancel_sends_nothing(qapp, tmp_path):
    out = tmp_path / "cancelled.pdf"
    state = TaskState()
    state.cancel()
    with pytest.raises(Cancelled):
        printing.print_documents(_printer(out), _pdf(A4), state=state)
    assert not out.exists()


def test_the_print_button_prints_to_what_the_dialog_chose_and_reports_a_failure(qapp, tmp_path, monkeypatch):
    """``ask_and_print``, behind every "In…" button: nothing when the dialog is cancelled, the job
    to the printer chosen, and a failure shown to the clerk rather than raised."""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    from ui import errors, printing

    out = tmp_path / "in.pdf"
    answer = {"code": QDialog.DialogCode.Rejected}

    def exec_(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return answer["code"]

    monkeypatch.setattr(QPrintDialog, "exec", exec_)
    shown: list = []
    monkeypatch.setattr(errors, "report", lambda parent, exc: shown.append(exc))
    jobs: list = []
    printing.ask_and_print(None, lambda printer, **where: jobs.append((printer.outputFileName(), where)) or 1)
    assert jobs == []                                       # cancelled: nothing printed
    answer["code"] = QDialog.DialogCode.Accepted
    printing.ask_and_print(None, lambda printer, **where: jobs.append((printer.outputFileName(), where)) or 1)
    assert jobs == [(str(out), {})]

    def fails(printer, **where):
        raise OSError(28, "No space left on device")

    printing.ask_and_print(None, fails)
    assert len(shown) == 1 and isinstance(shown[0], OSError)
