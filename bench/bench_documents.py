"""Documents benchmark: our PDF renderer against a bare reportlab script, batch, memory, DOCX.

    python -m bench.bench_documents [--runs R] [--batch N]

In the same run, with the same fonts (bundled Liberation Serif) already registered:
- one one-page notice through ``render_pdf`` vs a bare platypus script drawing the same content
  (target: ≤ 1.5 ×);
- a batch of N documents (default 500), each with its own requester, vs the bare script's batch
  (target: ≤ 1.5 ×), with the Python heap measured after 50 and after N documents (target: flat);
- the same notice to DOCX (target: ≤ 60 ms);
- importing the document core must not import reportlab or python-docx.
Not a timed test: run it by hand on the office's hardware. Prints the figures.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date

os.environ.setdefault("GIAITRINH_DOCUMENT_FONT", "bundled")

from desktop.documents.model import Document, Paragraph, Signer  # noqa: E402

NAMES = ["Nguyễn Văn Ất", "Trần Thị Bích", "Lê Đức Thọ", "Phạm Thị Ữa", "Hoàng Quốc Việt", "Đặng Thùy Trâm"]


def notice(i: int = 0) -> Document:
    name = NAMES[i % len(NAMES)]
    return Document(
        kind="explanation_accept", issuing_body=("ỦY BAN NHÂN DÂN", "XÃ THỤY HÙNG"), issuer_abbr="UBND",
        place="Thụy Hùng", type_code="TB", type_name="THÔNG BÁO", summary="Về việc thụ lý yêu cầu giải trình",
        number=i % 999 + 1, issued_on=date(2026, 2, 5),
        body=(
            Paragraph("Căn cứ Luật Phòng, chống tham nhũng ngày 20 tháng 11 năm 2018;"),
            Paragraph("Căn cứ Nghị định số 59/2019/NĐ-CP ngày 01 tháng 7 năm 2019 của Chính phủ quy định chi tiết "
                      "một số điều và biện pháp thi hành Luật Phòng, chống tham nhũng;"),
            Paragraph(f"Ngày 02/02/2026, Ủy ban nhân dân xã Thụy Hùng nhận được yêu cầu giải trình của ông (bà) "
                      f"{name}, địa chỉ: thôn Đông, xã Thụy Hùng, về nội dung: việc cấp giấy chứng nhận quyền sử "
                      "dụng đất."),
            Paragraph("Xét thấy yêu cầu giải trình đủ điều kiện theo quy định tại Điều 4 và Điều 10 Nghị định số "
                      "59/2019/NĐ-CP, Ủy ban nhân dân xã Thụy Hùng thông báo tiếp nhận và thụ lý yêu cầu giải trình."),
            Paragraph("Thời hạn giải trình không quá 15 ngày kể từ ngày ra thông báo này; trường hợp nội dung phức "
                      "tạp, thời hạn có thể được gia hạn một lần, không quá 15 ngày."),
            Paragraph(f"Ủy ban nhân dân xã Thụy Hùng thông báo để ông (bà) {name} được biết./."),
        ),
        signer=Signer("Chủ tịch", "Trần Thị Bích Hằng"),
        recipients=(f"Ông (bà) {name}", "Chủ tịch, các Phó Chủ tịch UBND"),
    )


def bare_script(doc: Document) -> bytes:
    """What a developer would write with reportlab alone for the same page (fonts registered)."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table

    R, B, I, BI = (f"LiberationSerif-{s}" for s in ("regular", "bold", "italic", "bolditalic"))
    c12b = ParagraphStyle("a", fontName=B, fontSize=12, leading=14, alignment=TA_CENTER)
    c13b = ParagraphStyle("b", fontName=B, fontSize=13, leading=15, alignment=TA_CENTER)
    c13 = ParagraphStyle("c", fontName=R, fontSize=13, leading=15, alignment=TA_CENTER)
    c14i = ParagraphStyle("d", fontName=I, fontSize=14, leading=17, alignment=TA_CENTER)
    c14b = ParagraphStyle("e", fontName=B, fontSize=14, leading=17, alignment=TA_CENTER)
    body = ParagraphStyle("f", fontName=R, fontSize=14, leading=17, alignment=TA_JUSTIFY, firstLineIndent=36,
                          spaceAfter=6)
    lab = ParagraphStyle("g", fontName=BI, fontSize=12, leading=14, alignment=TA_LEFT)
    item = ParagraphStyle("h", fontName=R, fontSize=11, leading=13, alignment=TA_LEFT)
    buf = io.BytesIO()
    template = SimpleDocTemplate(buf, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                                 bottomMargin=20 * mm)
    head = Table([[[P(x, c12b) for x in doc.issuing_body],
                   [P("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", c12b), P("Độc lập - Tự do - Hạnh phúc", c13b)]],
                  [P(doc.number_line, c13), P(doc.date_line, c14i)]], colWidths=[68 * mm, 97 * mm])
    closing = Table([[[P("Nơi nhận:", lab)] + [P(x, item) for x in doc.recipient_lines()],
                      [P(x, c14b) for x in doc.signer.title_lines()] + [Spacer(1, 24 * mm), P(doc.signer.name, c14b)]]],
                    colWidths=[80 * mm, 85 * mm])
    story = [head, P(doc.type_name, c14b), P(doc.summary, c14b), Spacer(1, 10)]
    story += [P(p.text, body) for p in doc.body] + [closing]
    template.build(story)
    return buf.getvalue()


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def heap_growth(render, n: int) -> tuple[float, float]:
    """Python heap (KiB) after 50 documents and after ``n``: flat means no growth per document."""
    gc.collect()
    tracemalloc.start()
    at50 = 0.0
    for i in range(n):
        render(notice(i))
        if i == 49:
            gc.collect()
            at50 = tracemalloc.get_traced_memory()[0] / 1024
    gc.collect()
    end = tracemalloc.get_traced_memory()[0] / 1024
    tracemalloc.stop()
    return at50, end


def lazy_imports() -> bool:
    code = ("import sys, desktop.documents.outgoing, desktop.documents.templates, desktop.storage.documents_repo; "
            "print(any(m in sys.modules for m in ('reportlab', 'docx')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "False"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args(argv)

    from desktop.documents.fonts import register_pdf_fonts
    from desktop.documents.pdf import render_pdf
    from desktop.documents.word import render_docx

    register_pdf_fonts()
    doc = notice()
    for _ in range(3):   # warm both paths: imports, styles, glyph caches
        render_pdf(doc), bare_script(doc), render_docx(doc)

    # Interleaved, so that load from other programs weighs on both sides alike.
    ours_runs, bare_runs = [], []
    for _ in range(args.runs):
        ours_runs += timed(lambda: render_pdf(doc), 1)
        bare_runs += timed(lambda: bare_script(doc), 1)
    ours, bare = statistics.median(ours_runs), statistics.median(bare_runs)
    print(f"one notice PDF    : ours {ours:6.1f} ms   bare reportlab {bare:6.1f} ms   ratio {ours / bare:4.2f} (≤ 1.50)")

    ours_batch = bare_batch = 0.0
    for start in range(0, args.batch, 50):   # alternate blocks of 50 for the same reason
        block = [notice(i) for i in range(start, min(start + 50, args.batch))]
        t = time.perf_counter()
        for d in block:
            render_pdf(d)
        ours_batch += time.perf_counter() - t
        t = time.perf_counter()
        for d in block:
            bare_script(d)
        bare_batch += time.perf_counter() - t
    print(f"batch of {args.batch} PDF  : ours {ours_batch:6.2f} s    bare reportlab {bare_batch:6.2f} s    "
          f"ratio {ours_batch / bare_batch:4.2f} (≤ 1.50)")

    n = min(args.batch, 300)
    at50, end = heap_growth(render_pdf, n)
    per_doc = (end - at50) * 1024 / max(n - 50, 1)
    print(f"heap (PDF)        : {at50:8.0f} KiB after 50, {end:8.0f} KiB after {n}: "
          f"{per_doc:+.0f} bytes per document (flat ≈ 0)")

    docx_ms = statistics.median(timed(lambda: render_docx(doc), args.runs))
    print(f"one notice DOCX   : {docx_ms:6.1f} ms (≤ 60)")
    print(f"lazy imports      : {'reportlab and python-docx not imported by the core' if lazy_imports() else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
