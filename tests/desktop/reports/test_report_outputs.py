"""The report's files as a person opens them: the PDF as drawn, the XLSX and DOCX through LibreOffice
(``soffice --headless --convert-to pdf``), read back as text; and the CLI end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pdfplumber
import pytest

from desktop.reports import exports, written, xlsx
from desktop.reports.engine import make_reports
from desktop.reports.periods import period
from desktop.storage.cases import CaseFilter
from desktop.storage.units import signers
from desktop.workflow.demo import build_demo

ROOT = Path(__file__).resolve().parents[3]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from desktop.storage.db import open_database

    path = tmp_path_factory.mktemp("demo") / "mau.sqlite"
    db = open_database(path)
    build_demo(db, today=date(2026, 12, 4))
    yield db
    db.close()


def _pdf_text(data_or_path) -> list[str]:
    source = data_or_path if isinstance(data_or_path, Path) else __import__("io").BytesIO(data_or_path)
    with pdfplumber.open(source) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _through_office(path: Path) -> Path:
    out = path.parent / "office"
    out.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(path.parent))   # a private LibreOffice profile
    subprocess.run([SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(path)], check=True,
                   capture_output=True, timeout=180, env=env)
    return out / (path.stem + ".pdf")


def test_written_report_pdf_has_the_outline_appendices_and_charts(demo):
    p = period("2026-H1")
    b = written.bundle(demo, p)
    pages = _pdf_text(written.render_pdf(written.compose(b, signers(demo)[0]), b))
    first = pages[0]
    assert "BÁO CÁO" in first and "/BC-UBND" in first and "6 tháng đầu năm 2026" in first
    assert "I. TÌNH HÌNH KHIẾU NẠI, TỐ CÁO" in first
    text = "\n".join(pages)
    gt = next(r for r in b.reports if r.form.code == "GT-01").main_row().values
    assert f"Tổng số {gt[1]} yêu cầu giải trình" in text.replace("\n", " ")
    assert "VI. KIẾN NGHỊ, ĐỀ XUẤT" in text and "TM. ỦY BAN NHÂN DÂN" in text
    assert any("Phụ lục 1 — Biểu 01/TCD" in page for page in pages)
    assert "BIỂU ĐỒ" in pages[-1] and "theo cán bộ" in pages[-1]


def test_every_page_after_the_first_is_numbered_at_its_top_landscape_too(demo):
    """NĐ 30/2020: page numbers centred in the top margin from page 2; the landscape appendices'
    numbers used to be drawn at the portrait page's place, off the page."""
    import io

    p = period("2026-H1")
    b = written.bundle(demo, p)
    data = written.render_pdf(written.compose(b, signers(demo)[0]), b)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) > 3 and any(pg.width > pg.height for pg in pdf.pages)
        for n, page in enumerate(pdf.pages, start=1):
            top = page.crop((0, 0, page.width, 15 * 72 / 25.4)).extract_text() or ""
            assert top.strip() == ("" if n == 1 else str(n)), (n, top)
            word = next(w for w in page.extract_words() if w["text"] == str(n)) if n > 1 else None
            if word:
                assert abs((word["x0"] + word["x1"]) / 2 - page.width / 2) < 30 * 72 / 25.4


@needs_office
def test_xlsx_of_the_forms_reads_back_through_libreoffice(demo, tmp_path):
    reports = make_reports(demo, period("2026-H1"), ["01/TCD", "GT-01"])
    path = tmp_path / "bieu.xlsx"
    xlsx.write_forms(reports, path)
    text = "\n".join(_pdf_text(_through_office(path)))
    assert "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN" in text
    assert "1=5+11+17" in text and "Thủ trưởng tiếp" in text and "Ủy quyền tiếp" in text
    row = reports[0].main_row().values
    assert f"{row[1]} {row[2]}" in text.replace("\n", " ")


@needs_office
def test_register_export_shows_real_dates_through_libreoffice(demo, tmp_path):
    path = tmp_path / "so.xlsx"
    n = exports.export_cases(demo, path, CaseFilter(kind="complaint_1"), sort="received", descending=False)
    assert n > 0
    text = "\n".join(_pdf_text(_through_office(path)))
    assert "SỔ THEO DÕI VỤ VIỆC" in text and "Khiếu nại" in text and "Ngày tiếp nhận" in text
    first = demo.one("SELECT received_on, number FROM cases WHERE kind = 'complaint_1' ORDER BY received_on, id")
    day = date.fromisoformat(first[0])
    assert f"{day:%d/%m/%Y}" in text and first[1] in text


@needs_office
def test_docx_report_has_the_landscape_appendices_through_libreoffice(demo, tmp_path):
    p = period("2026-H1")
    b = written.bundle(demo, p)
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(written.render_docx(written.compose(b, signers(demo)[0]), b))
    pdf = _through_office(path)
    with pdfplumber.open(pdf) as doc:
        sizes = {(round(page.width), round(page.height)) for page in doc.pages}
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    assert (595, 842) in sizes and (842, 595) in sizes   # portrait body, landscape appendices
    flat = " ".join(text.split())
    assert "BÁO CÁO" in flat and "TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN" in flat and "Phụ lục 2 — Biểu 02/XLD" in flat
    # the widest form (GT-01, 37 columns): every figure and header syllable reads back whole, none broken over two lines
    # (Word's default 5.4 pt cell margins left a column room for two digits), and its notes follow it
    gt = next(r for r in b.reports if r.form.code == "GT-01")
    with pdfplumber.open(pdf) as doc:
        page = next(pg for pg in doc.pages if "— Biểu GT-01" in (pg.extract_text() or ""))
        words = [w["text"] for w in page.extract_words()]
        page_text = page.extract_text()
    figures = [str(v) for v in gt.main_row().values.values() if v is not None and v >= 10]
    assert figures and all(f in words for f in figures)
    assert {"Tổng", "Đúng", "Quá", "hạn"} <= set(words)      # header syllables whole, not a letter a line
    assert "Ghi chú:" in page_text


def _cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    from desktop.workflow.demo import DEMO_PASSWORD

    # The demo register's head logs in, as a script would (issue #17).
    env = dict(os.environ, PYTHONPATH=str(ROOT), GIAITRINH_USER="chutich", GIAITRINH_PASSWORD=DEMO_PASSWORD)
    proc = subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_cli_periods_make_cells(demo, tmp_path):
    db = str(demo.path)
    periods = json.loads(_cli("report", "periods", "--db", db, "--year", "2026", "--json").stdout)
    h1 = next(p for p in periods if p["code"] == "2026-H1")
    assert h1["label"] == "6 tháng đầu năm 2026 (15/12/2025–14/6/2026)" and h1["due_on"] == "2026-06-17"
    out = tmp_path / "b.xlsx"
    made = json.loads(_cli("report", "make", "--db", db, "--period", "2026-H1", "--form", "GT-01", "--xlsx",
                           str(out), "--json").stdout)
    assert out.exists() and made[0]["form"] == "GT-01"
    total = made[0]["rows"][0]["values"]["1"]
    cell = json.loads(_cli("report", "cells", "--db", db, "--period", "2026-H1", "--form", "GT-01", "--col", "1",
                           "--json").stdout)
    assert cell["value"] == total == len(cell["items"]) + sum(o["count"] for o in cell["openings"])
    bad = _cli("report", "make", "--db", db, "--period", "2026-H3", ok=False)
    assert bad.returncode == 1 and "Không hiểu kỳ báo cáo" in bad.stderr
