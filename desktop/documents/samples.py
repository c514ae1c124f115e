"""Sample documents of every kind, filled with plain data: for docs/documents/ and for checking by eye.

    python -m desktop.documents.samples OUT_DIR [--dpi 100] [--docx]

Writes one PDF per template and per printed register, and a PNG of each first page when
``pdftoppm`` (poppler-utils) is installed. ``--docx`` also writes each template's DOCX, lays it
out with LibreOffice (``soffice --headless``) and writes ``KIND.docx.png`` beside the PDF's PNG,
to look at both. No register file is needed.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from desktop.documents import templates
from desktop.documents.model import Document

log = logging.getLogger(__name__)

UNIT = {"code": "12345", "name": "Ủy ban nhân dân xã Thụy Hùng", "place_name": "Thụy Hùng",
        "abbreviation": "UBND", "governing_body": ""}
HEAD = {"uuid": "", "full_name": "Trần Thị Bích Hằng", "title": "Chủ tịch", "role": "head"}
HANDLER = {"uuid": "", "full_name": "Lê Văn Đức", "title": "Công chức Tư pháp - Hộ tịch", "role": "officer"}
CONTEXT = {
    "requester_name": "Nguyễn Văn Ất", "requester": "ông Nguyễn Văn Ất", "requester_cap": "Ông Nguyễn Văn Ất",
    "requester_title": "ông", "explain_days": "15", "dialogue_on": "27/02/2026", "dialogue_time": "08 giờ 00",
    "dialogue_place": "trụ sở Ủy ban nhân dân xã Thụy Hùng",
    "reception_content": "đề nghị xem xét lại việc thu hồi đất đã được giải quyết bằng quyết định có hiệu lực pháp luật.", "extended_on": "20/02/2026", "extended_to": "13/03/2026",
    "requester_address": "thôn Đông, xã Thụy Hùng",
    "requester_phone": "0912 345 678", "requester_id": "034090001234", "received_on": "02/02/2026",
    "accepted_on": "05/02/2026", "case_number": "15/2026",
    "case_summary": "việc chậm cấp giấy chứng nhận quyền sử dụng đất tại thửa số 125, tờ bản đồ số 7",
    "case_content": "Ông đề nghị Ủy ban nhân dân xã giải trình lý do hồ sơ đề nghị cấp giấy chứng nhận nộp từ "
                    "tháng 9 năm 2025 đến nay chưa được giải quyết.",
    "due_on": "26/02/2026", "handler_name": "Lê Văn Đức", "handler_title": "Công chức Tư pháp - Hộ tịch",
    "ground": "nội dung yêu cầu đã được giải trình cho người khác trước đó",
    "reason": "cần xác minh nguồn gốc đất tại nhiều cơ quan", "guided_to": "Ủy ban nhân dân tỉnh Hưng Yên",
    "forwarded_to": "Thanh tra tỉnh Hưng Yên", "extension_days": "15", "paused_on": "10/02/2026",
    "resumed_on": "20/02/2026", "closed_on": "24/02/2026", "meeting_on": "12/02/2026", "meeting_time": "08 giờ 30",
    "meeting_place": "trụ sở Ủy ban nhân dân xã Thụy Hùng", "end_time": "10 giờ 00",
    "requester_opinion": "Ông đề nghị được biết hồ sơ đang vướng ở khâu nào và thời gian dự kiến hoàn thành.",
    "officer_opinion": "Hồ sơ còn thiếu xác nhận ranh giới của hộ liền kề; xã đã mời các hộ liên quan đến làm việc.",
    "meeting_result": "Hai bên thống nhất bổ sung biên bản xác định ranh giới trước ngày 20/02/2026.",
    "legal_grounds": "Luật Đất đai năm 2024; Nghị định số 101/2024/NĐ-CP của Chính phủ.",
    "explanation": "Hồ sơ của ông đã được tiếp nhận ngày 15/9/2025; việc chậm giải quyết do chưa có biên bản xác "
                   "định ranh giới với hộ liền kề. Sau khi bổ sung, xã đã chuyển hồ sơ đến cơ quan đăng ký đất đai.",
    "answer": "Tuyến đường thôn Đông đã được đưa vào kế hoạch sửa chữa năm 2026, dự kiến thi công trong quý II.",
    "papers": "01 đơn đề nghị (bản chính); 01 bản sao giấy tờ về quyền sử dụng đất.",
    "reception_time": "09 giờ 15", "reception_place": "trụ sở tiếp công dân xã Thụy Hùng",
}


# What the event a document notifies would say, where the shared sample reason would read oddly.
REASONS = {
    "explanation_suspend": "ông Nguyễn Văn Ất đang điều trị dài ngày tại bệnh viện, chưa thể làm việc",
    "explanation_resume": "ông Nguyễn Văn Ất đã ra viện ngày 19/02/2026",
    "explanation_terminate": "ông Nguyễn Văn Ất rút toàn bộ yêu cầu giải trình (đơn ngày 23/02/2026)",
    "explanation_refuse": "",
    "complaint_suspend": "cần chờ kết quả giám định chữ ký trên hồ sơ",
    "complaint_resume": "đã có kết quả giám định chữ ký",
    "complaint_terminate": "ông Nguyễn Văn Ất rút toàn bộ khiếu nại (đơn ngày 23/02/2026)",
    "denunciation_suspend": "cần chờ kết quả giám định tài liệu",
    "denunciation_resume": "đã có kết quả giám định tài liệu",
    "denunciation_terminate": "người tố cáo rút toàn bộ tố cáo",
}


def sample_document(kind: str, number: int = 5, issued_on: date = date(2026, 2, 5)) -> Document:
    t = templates.get_template(kind)
    signer = HANDLER if t.sign == "officer" else HEAD
    context = {**CONTEXT, "reason": REASONS.get(kind, CONTEXT["reason"])}
    if kind == "reception_refusal":
        context["ground"] = ("vụ việc đã được giải quyết đúng chính sách, pháp luật, đã được tiếp, giải thích, "
                             "hướng dẫn nhưng vẫn cố tình khiếu nại kéo dài (Nghị định 154/2026/NĐ-CP, Điều 4 "
                             "khoản 1 điểm h)")
    return templates.build_document(kind, context, UNIT, signer).with_number(number, issued_on)


def sample_sheets():
    from desktop.documents.registers import (
        FOLLOWUP_HEADER, FOLLOWUP_WIDTHS, OUTGOING_HEADER, OUTGOING_WIDTHS, RECEPTION_HEADER, RECEPTION_WIDTHS, Sheet,
    )

    outgoing = Sheet(
        unit_name=UNIT["name"], title="SỔ ĐĂNG KÝ VĂN BẢN ĐI", period="Năm 2026",
        header=OUTGOING_HEADER, widths=OUTGOING_WIDTHS,
        rows=(("01/TB-UBND", "05/02/2026", "Thông báo về việc thụ lý yêu cầu giải trình", "Trần Thị Bích Hằng",
               "Ông (bà) Nguyễn Văn Ất", "VT", "2", "05/02/2026", "", ""),
              ("02/TB-UBND", "06/02/2026", "Thông báo về việc từ chối yêu cầu giải trình", "Trần Thị Bích Hằng",
               "Bà Hoàng Thị Ếch", "VT", "2", "", "", "Đã hủy số ngày 06/02/2026: ghi sai nơi nhận"),
              ("03/UBND", "24/02/2026", "Công văn V/v giải trình yêu cầu của ông (bà) Nguyễn Văn Ất",
               "Trần Thị Bích Hằng", "Ông (bà) Nguyễn Văn Ất", "VT", "2", "24/02/2026", "", "")),
        numbering=tuple(f"({i})" for i in range(1, 11)))
    reception = Sheet(
        unit_name=UNIT["name"], title="SỔ TIẾP CÔNG DÂN", period="Từ ngày 01/02/2026 đến ngày 28/02/2026",
        header=RECEPTION_HEADER, widths=RECEPTION_WIDTHS,
        rows=(("1", "02/02/2026", "Nguyễn Văn Ất\nthôn Đông, xã Thụy Hùng", "034090001234",
               "Đề nghị giải trình việc chậm cấp giấy chứng nhận", "Yêu cầu giải trình", "1", "", "x", "", "",
               "Đã thụ lý", "Thường xuyên"),
              ("2", "04/02/2026", "(bảo mật)", "(bảo mật)", "Tố cáo cán bộ thu tiền sai quy định", "Tố cáo", "1",
               "", "", "", "Thanh tra tỉnh (01/PC-UBND)", "", "Định kỳ")),
        numbering=tuple(f"({i})" for i in range(1, 14)))
    followup = Sheet(
        unit_name=UNIT["name"], title="SỔ THEO DÕI GIẢI QUYẾT ĐƠN, YÊU CẦU",
        period="Từ ngày 01/02/2026 đến ngày 28/02/2026", header=FOLLOWUP_HEADER, widths=FOLLOWUP_WIDTHS,
        rows=(("05/2026", "02/02/2026", "Yêu cầu giải trình: Đề nghị giải trình việc chậm cấp giấy chứng nhận "
               "(Nguyễn Văn Ất)", "Lê Minh Đông", "24/02/2026", "Đã trả lời / giải quyết", "01/TB-UBND; 03/UBND", ""),
              ("06/2026", "04/02/2026", "Tố cáo: Tố cáo cán bộ thu tiền sai quy định (giữ bí mật)", "Đỗ Minh Ngọc",
               "", "Đã chuyển đơn", "", "Chuyển Thanh tra tỉnh"),
              ("07/2026", "09/02/2026", "Kiến nghị: Đề nghị sửa chữa đường liên thôn Đông – Tây (Hoàng Thị Ếch)",
               "Lê Minh Đông", "27/02/2026", "Đã tiếp nhận", "", "")),
        numbering=tuple(f"({i})" for i in range(1, 9)))
    return {"so-dang-ky-van-ban-di": outgoing, "so-tiep-cong-dan": reception, "so-theo-doi-giai-quyet": followup}


def _shrink(png: Path) -> None:
    """16 grey levels keep text and rules legible at a fifth of the size (Pillow, if present)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with pdfplumber in the test extras
        return
    with Image.open(png) as image:
        small = image.convert("L").quantize(16)
    small.save(png, optimize=True)


def write_samples(out: Path, dpi: int = 100) -> list[Path]:
    from desktop.documents.pdf import render_pdf
    from desktop.documents.registers import render_sheet

    out.mkdir(parents=True, exist_ok=True)
    pdfs = []
    for i, kind in enumerate(templates.load_templates(), start=1):
        path = out / f"{kind}.pdf"
        path.write_bytes(render_pdf(sample_document(kind, number=i)))
        pdfs.append(path)
    for name, sheet in sample_sheets().items():
        path = out / f"{name}.pdf"
        path.write_bytes(render_sheet(sheet))
        pdfs.append(path)
    written = list(pdfs)
    if shutil.which("pdftoppm"):
        for pdf in pdfs:
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", "-f", "1", "-l", "1",
                            str(pdf), str(pdf.with_suffix(""))], check=True)
            png = pdf.with_suffix(".png")
            _shrink(png)
            written.append(png)
    else:
        log.warning("pdftoppm not found: PDFs only")
    return written


def write_docx_samples(out: Path, dpi: int = 60) -> list[Path]:
    """Every template's DOCX, converted by LibreOffice (own profile folder) and drawn to PNG."""
    import tempfile

    from desktop.documents.word import render_docx

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("LibreOffice (soffice) không có trên máy: không chuyển được DOCX.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        sources = []
        for i, kind in enumerate(templates.load_templates(), start=1):
            path = tmp_dir / f"{kind}.docx"
            path.write_bytes(render_docx(sample_document(kind, number=i)))
            sources.append(str(path))
        subprocess.run([soffice, f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_dir / "pdf"), *sources],
                       check=True, capture_output=True, timeout=600)
        for pdf in sorted((tmp_dir / "pdf").glob("*.pdf")):
            target = out / f"{pdf.stem}.docx"
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", "-f", "1", "-l", "1",
                            str(pdf), str(target)], check=True)
            written.append(target.with_suffix(".docx.png"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mẫu văn bản minh họa (PDF, PNG)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--png-only", action="store_true", help="xóa PDF sau khi tạo PNG")
    parser.add_argument("--docx", action="store_true", help="thêm ảnh DOCX do LibreOffice dàn trang (KIND.docx.png)")
    args = parser.parse_args(argv)
    written = write_samples(args.out, args.dpi)
    if args.docx:
        written += write_docx_samples(args.out, args.dpi)
    if args.png_only:
        for path in written:
            if path.suffix == ".pdf":
                path.unlink()
    for path in written:
        if path.exists():
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
