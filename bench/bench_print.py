"""Printing the day's documents: time and job size against the stored PDFs (issue #20, item 5).

    python -m bench.bench_print [--documents 10]

Renders ``--documents`` one-page notices with the documents engine (the stored PDFs of a day's
issued documents) and prints them as one job by each path of ``ui.printing.print_documents``:

* file — a QPrinter writing a PDF file (Qt's print-to-file; Windows' "Microsoft Print to PDF"
  takes the same path with the file name the window asks): the stored pages merged as they are;
* cups — a system printer through ``lp`` (here an ``lp`` that only keeps the file it is given,
  so the figure is what goes into the queue, not the printer's own time);
* raster — what a printer without a PDF path gets (a Windows GDI printer): each page painted as an
  image at min(printer's resolution, PRINT_DPI), measured on a PDF-file QPrinter.

For each it prints CPU and wall time and the job's size beside the stored PDFs' total (targets:
≤ 1 s, ≤ 1.5 ×). Not a test.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GIAITRINH_DOCUMENT_FONT", "bundled")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10)
    args = parser.parse_args()

    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from bench.bench_documents import notice
    from desktop.documents.pdf import render_pdf
    from ui import printing
    from ui.dialogs.document_dialog import PRINT_DPI, print_pdf

    app = QApplication.instance() or QApplication([])  # noqa: F841 - Qt needs it alive
    files = [render_pdf(notice(i)) for i in range(args.documents)]
    stored = sum(map(len, files))
    work = Path(tempfile.mkdtemp())

    class SystemPrinter(QPrinter):
        def outputFormat(self):  # noqa: N802 - Qt's name
            return QPrinter.OutputFormat.NativeFormat

        def printerName(self) -> str:  # noqa: N802 - Qt's name
            return "bench"

    lp = work / "lp"
    lp.write_text(f"#!{sys.executable}\nimport shutil, sys\nshutil.copy(sys.argv[-1], {str(work / 'queued.pdf')!r})\n")
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)

    def file_printer(name: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(work / name))
        return printer

    runs = [
        ("file (vectors)", lambda: printing.print_documents(file_printer("file.pdf"), *files), work / "file.pdf"),
        ("cups via lp (vectors)", lambda: printing.print_documents(SystemPrinter(), *files, lp=str(lp)),
         work / "queued.pdf"),
        (f"raster at {PRINT_DPI} dpi", lambda: print_pdf(file_printer("raster.pdf"), *files), work / "raster.pdf"),
    ]
    print(f"{args.documents} one-page documents, {stored / 1024:,.0f} KiB of stored PDF")
    for label, job, out in runs:
        c0, t0 = time.process_time(), time.perf_counter()
        pages = job()
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        size = out.stat().st_size
        print(f"  {label:<24} {pages} pages: CPU {cpu:5.2f} s, wall {wall:5.2f} s (target <= 1 s); job "
              f"{size / 1024:7,.0f} KiB = x{size / stored:.2f} the stored PDFs (target <= 1.5)")


if __name__ == "__main__":
    main()
