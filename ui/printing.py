"""Printing stored PDFs: their pages as they are wherever the print path takes a PDF, images only
where it must (issue #20, item 5).

``print_documents`` picks one of three paths (``route``):

* **file** — Qt's "print to a PDF file" (``QPrinter.OutputFormat.PdfFormat``), or Windows'
  "Microsoft Print to PDF" with the file name the window asked for (``PDF_PRINTERS``): the stored
  PDFs' pages are merged as they are (text, lines and the emblem stay vectors; a font every
  document embeds is kept once); nothing is rendered. Pages of both orientations stay as
  they are: a PDF holds each page's own size.
* **cups** — Linux and macOS, a printer of the system (``NativeFormat``) and CUPS' ``lp``: the PDFs
  go to the queue in one job (``lp -d NAME -n COPIES -o media=A4 …``); CUPS's own filters turn the
  vector pages into what the printer speaks, and turn a landscape page onto portrait paper.
* **raster** — everywhere else, above all a Windows printer driven through GDI (Qt gives no way
  to hand a PDF to a Windows driver): each page is painted as an image at no more than the
  printer's resolution and ``PRINT_DPI`` (``ui.dialogs.document_dialog.print_pdf``).

Each path reports progress and stops on cancel through a ``ui.tasks.TaskState`` before it sends
anything, so all three run in the window's background helper.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter

from desktop.errors import UserError

log = logging.getLogger(__name__)

PDF_PRINTERS = frozenset({"microsoft print to pdf"})  # Windows' own PDF printer: it takes a file name
LP_TIMEOUT = 60  # seconds for ``lp`` to take the job into the queue


def route(printer: QPrinter, *, pdf_file: Path | str | None = None, lp: str | None = None) -> str:
    """'file', 'cups' or 'raster': how ``print_documents`` sends the pages to ``printer``."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        return "file"
    if pdf_file is not None and wants_file_name(printer):
        return "file"
    if (printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and printer.printerName()
            and sys.platform != "win32" and (lp or shutil.which("lp"))):
        return "cups"
    return "raster"


def wants_file_name(printer: QPrinter) -> bool:
    """A printer that writes a PDF file: the window asks where before printing (the driver's own
    question would come from a background thread)."""
    return printer.printerName().strip().lower() in PDF_PRINTERS


def ask_file_name(printer: QPrinter, parent=None) -> dict | None:
    """What ``print_documents`` needs beyond the printer, asked on the GUI thread before the job
    starts: for "Microsoft Print to PDF", where to write (``{"pdf_file": path}``); ``{}`` for any
    other printer; None when the clerk gave up."""
    if not wants_file_name(printer):
        return {}
    from ui import file_dialogs

    name = printer.docName() or "van-ban"
    path = file_dialogs.save_file(parent, "In ra tệp PDF", "documents",
                                  name if name.lower().endswith(".pdf") else f"{name}.pdf", "Tệp PDF (*.pdf)")
    return {"pdf_file": Path(path)} if path else None


def ask_and_print(parent, print_to) -> None:
    """What every "In…" button does: Qt's print dialog, then the file name where the target takes
    one (``ask_file_name``), then ``print_to(printer, **where)``; a failure is shown to the clerk
    in Vietnamese (``ui.errors.report``)."""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    from ui.errors import report

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if QPrintDialog(printer, parent).exec() != QDialog.DialogCode.Accepted:
        return
    where = ask_file_name(printer, parent)
    try:
        if where is not None:
            print_to(printer, **where)
    except Exception as exc:  # noqa: BLE001 - any failure reaches the clerk as a message
        report(parent, exc)


def print_documents(printer: QPrinter, *files: bytes, state=None, pdf_file: Path | str | None = None,
                    lp: str | None = None) -> int:
    """Print ``files`` (PDFs) as one job on ``printer`` by the best path (see the module); returns
    the pages sent. ``pdf_file``: where "Microsoft Print to PDF" writes; ``lp``: the ``lp`` program
    (found on the PATH by default)."""
    how = route(printer, pdf_file=pdf_file, lp=lp)
    if how == "raster":
        from ui.dialogs.document_dialog import print_pdf

        return print_pdf(printer, *files, state=state)
    merged, pages = merge(files, _page_range(printer))
    if state is not None:
        state.check()
        state.progress(0, pages, f"Đang gửi {pages} trang tới máy in")
    if how == "file":
        target = Path(pdf_file) if pdf_file is not None and wants_file_name(printer) else Path(printer.outputFileName())
        _write(target, merged)
    else:
        send_to_cups(printer, merged, lp=lp or shutil.which("lp"))
    if state is not None:
        state.progress(pages, pages, "")
    return pages


def _page_range(printer: QPrinter) -> tuple[int, int] | None:
    """The pages (1-based, inclusive) the print dialog chose, or None for all."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        return printer.fromPage(), max(printer.toPage(), printer.fromPage())
    return None


def merge(files: Sequence[bytes], pages: tuple[int, int] | None = None) -> tuple[bytes, int]:
    """One PDF holding the pages of ``files`` in order, as they are (within ``pages`` when given);
    returns it and its page count."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    number = 0
    try:
        for data in files:
            reader = PdfReader(io.BytesIO(data))
            for page in reader.pages:
                number += 1
                if pages is None or pages[0] <= number <= pages[1]:
                    writer.add_page(page)
    except Exception as exc:  # noqa: BLE001 - pypdf raises its own kinds for a damaged file
        raise UserError("print_failed", "Tệp văn bản không đọc được để in.") from exc
    # The documents engine embeds the same fonts in each document: kept once in the job.
    try:
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    except TypeError:  # pypdf before 6.1 names them remove_identicals, remove_orphans
        writer.compress_identical_objects(remove_identicals=True, remove_orphans=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _write(target: Path, data: bytes) -> None:
    """Write the job whole or not at all (a printed register is a record: never half a file)."""
    partial = target.with_name(target.name + ".part")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError("print_failed", f"Không ghi được tệp {target.name}: {exc.strerror or exc}.") from exc


def lp_arguments(printer: QPrinter) -> list[str]:
    """``lp`` options from what the print dialog chose: the printer, copies, two-sided, A4."""
    args = ["-d", printer.printerName(), "-n", str(max(printer.copyCount(), 1)), "-o", "media=A4"]
    sides = {QPrinter.DuplexMode.DuplexLongSide: "two-sided-long-edge",
             QPrinter.DuplexMode.DuplexShortSide: "two-sided-short-edge",
             QPrinter.DuplexMode.DuplexAuto: "two-sided-long-edge"}.get(printer.duplex())
    if sides:
        args += ["-o", f"sides={sides}"]
    if printer.collateCopies():
        args += ["-o", "collate=true"]
    args += ["-t", printer.docName() or "Sổ Giải trình"]
    return args


def send_to_cups(printer: QPrinter, pdf: bytes, *, lp: str | None) -> None:
    """Hand one PDF to the CUPS queue of ``printer`` with ``lp``."""
    if not lp:
        raise UserError("print_failed", "Không tìm thấy lệnh lp của hệ thống in (CUPS).")
    with tempfile.TemporaryDirectory(prefix="giaitrinh-in-") as folder:
        job = Path(folder) / "van-ban.pdf"
        job.write_bytes(pdf)
        try:
            done = subprocess.run([lp, *lp_arguments(printer), str(job)], capture_output=True, text=True,
                                  timeout=LP_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UserError("print_failed", f"Hệ thống in (CUPS) không nhận lệnh in: {exc}.") from exc
    if done.returncode != 0:
        log.warning("lp refused the job: %s", done.stderr.strip())
        raise UserError("print_failed", f"Máy in {printer.printerName()} không nhận lệnh in: "
                                        f"{done.stderr.strip() or 'lỗi không rõ'}.")
