"""Printing the day's documents: time and job size against the stored PDFs (issue #20, item 5).

    python -m bench.bench_print [--documents 10]

Renders ``--documents`` one-page notices with the documents engine (the stored PDFs of a day's
issued documents), prints them as one job through ``print_pdf`` onto a QPrinter writing a PDF
file (the path a print-to-PDF or a PDF-accepting printer takes) and prints the CPU and wall time
and the job's size beside the stored PDFs' total (targets: ≤ 1 s, ≤ 1.5 ×). Not a test.
"""

from __future__ import annotations

import argparse
import os
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
    from ui.dialogs.document_dialog import PRINT_DPI, print_pdf

    app = QApplication.instance() or QApplication([])  # noqa: F841 - Qt needs it alive
    files = [render_pdf(notice(i)) for i in range(args.documents)]
    stored = sum(map(len, files))
    out = Path(tempfile.mkdtemp()) / "job.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    c0, t0 = time.process_time(), time.perf_counter()
    pages = print_pdf(printer, *files)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    size = out.stat().st_size
    print(f"{pages} pages at {PRINT_DPI} dpi: CPU {cpu:.2f} s, wall {wall:.2f} s (target <= 1 s); job "
          f"{size / 1024:,.0f} KiB from {stored / 1024:,.0f} KiB of stored PDF: x{size / stored:.1f} "
          "(target <= 1.5)")


if __name__ == "__main__":
    main()
