"""The PDF read back with pdfplumber and checked against DOMAIN.md §5 (NĐ 30/2020 Appendix I)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pdfplumber
import pytest

from desktop.documents.model import Paragraph, Signer
from desktop.documents.pdf import render_pdf
from tests.desktop.documents import pdf_lines

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)


def _open(doc):
    return pdfplumber.open(io.BytesIO(render_pdf(doc)))


_lines, _line, _style = pdf_lines.lines, pdf_lines.line, pdf_lines.style


@pytest.fixture
def page(notice):
    with _open(notice) as pdf:
        assert len(pdf.pages) == 1
        yield pdf.pages[0]


def test_a4_portrait(page):
    assert (page.width, page.height) == pytest.approx(A4, abs=0.5)


def test_margins_within_the_decree(page):
    chars = [c for c in page.chars if c["text"].strip()]
    left = min(c["x0"] for c in chars) / MM
    right = (page.width - max(c["x1"] for c in chars)) / MM
    top = min(c["top"] for c in chars) / MM
    assert 30 - 0.01 <= left <= 35 + 0.5
    assert 15 - 0.5 <= right <= 20
    assert 20 <= top <= 25 + 5   # first line's cap height sits a little under the margin
    bottom_text = max(c["bottom"] for c in chars) / MM
    assert page.height / MM - bottom_text >= 20


def test_header_elements_fonts_sizes_and_places(page):
    half = page.width / 2
    left_col, right_col = (0, 0, 85 * MM, 60 * MM), (85 * MM, 0, page.width, 60 * MM)
    line, chars = _line(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", region=right_col)
    assert _style(chars) == ("LiberationSerif-Bold", 12.0)
    assert len({round(c["top"]) for c in chars}) == 1, "the national title fits on one line"
    assert line["x0"] > half - 20 * MM
    motto_line, chars = _line(page, "Độc lập - Tự do - Hạnh phúc", region=right_col)
    assert _style(chars) == ("LiberationSerif-Bold", 13.0)
    title_mid = (line["x0"] + line["x1"]) / 2
    assert (motto_line["x0"] + motto_line["x1"]) / 2 == pytest.approx(title_mid, abs=2)
    for text in ("ỦY BAN NHÂN DÂN", "XÃ THỤY HÙNG"):
        issuer, chars = _line(page, text, region=left_col)
        assert _style(chars) == ("LiberationSerif-Bold", 12.0)
        assert issuer["x1"] < half
    number, chars = _line(page, "Số: 05/TB-UBND", region=left_col)
    assert _style(chars) == ("LiberationSerif", 13.0)
    date_, chars = _line(page, "Thụy Hùng, ngày 05 tháng 02 năm 2026", region=right_col)
    assert _style(chars) == ("LiberationSerif-Italic", 14.0)
    assert date_["top"] > motto_line["bottom"], "the date line is under the motto"
    assert abs(date_["top"] - number["top"]) < 6, "number and date share a row"


def test_rules_under_motto_issuing_body_and_summary(page):
    rules = sorted(page.lines, key=lambda r: (r["top"], r["x0"]))
    assert len(rules) == 3
    motto, _ = _line(page, "Độc lập - Tự do - Hạnh phúc")
    under_motto = min(rules, key=lambda r: abs(r["top"] - motto["bottom"]) + (0 if r["x0"] > page.width / 2 else 999))
    assert under_motto["top"] >= motto["bottom"] - 1
    assert under_motto["x1"] - under_motto["x0"] == pytest.approx(motto["x1"] - motto["x0"], abs=3)
    issuer, _ = _line(page, "ỦY BAN NHÂN DÂN", region=(0, 0, 85 * MM, 60 * MM))
    under_issuer = next(r for r in rules if r["x1"] < page.width / 2)
    ratio = (under_issuer["x1"] - under_issuer["x0"]) / (issuer["x1"] - issuer["x0"])
    assert 1 / 3 <= ratio <= 1 / 2
    summary, _ = _line(page, "Về việc thụ lý yêu cầu giải trình")
    under_summary = next(r for r in rules if r["top"] > summary["bottom"] - 1)
    ratio = (under_summary["x1"] - under_summary["x0"]) / (summary["x1"] - summary["x0"])
    assert 1 / 3 <= ratio <= 1 / 2
    assert (under_summary["x0"] + under_summary["x1"]) / 2 == pytest.approx((summary["x0"] + summary["x1"]) / 2, abs=2)


def test_type_name_summary_and_body(page, notice):
    type_line, chars = _line(page, "THÔNG BÁO")
    assert _style(chars) == ("LiberationSerif-Bold", 14.0)
    text_mid = (30 * MM + page.width - 15 * MM) / 2
    assert (type_line["x0"] + type_line["x1"]) / 2 == pytest.approx(text_mid, abs=2)
    _, chars = _line(page, "Về việc thụ lý yêu cầu giải trình")
    assert _style(chars) == ("LiberationSerif-Bold", 14.0)
    first, chars = _line(page, "Căn cứ Nghị định số 59/2019/NĐ-CP")
    assert _style(chars) == ("LiberationSerif", 14.0)
    indent = (first["x0"] - 30 * MM) / MM
    assert 10 <= indent <= 12.7 + 0.1, "first-line indent 1–1.27 cm"


def test_signer_block_right_and_recipients_left_level_with_it(page):
    half = page.width / 2
    tm, chars = _line(page, "TM. ỦY BAN NHÂN DÂN", region=(half, 150, page.width, page.height))
    assert _style(chars) == ("LiberationSerif-Bold", 14.0)
    title, chars = _line(page, "CHỦ TỊCH", region=(half, tm["bottom"], page.width, page.height))
    assert _style(chars) == ("LiberationSerif-Bold", 14.0)
    name, chars = _line(page, "Trần Thị Bích Hằng")
    assert _style(chars) == ("LiberationSerif-Bold", 14.0)
    assert name["x0"] > half and name["top"] - title["bottom"] > 15 * MM, "room for signature and seal"
    label, chars = _line(page, "Nơi nhận:")
    assert _style(chars) == ("LiberationSerif-BoldItalic", 12.0)
    assert label["x1"] < half and label["x0"] == pytest.approx(30 * MM, abs=1)
    assert abs(label["top"] - tm["top"]) < 4, "Nơi nhận is level with the signer's title"
    item, chars = _line(page, "- Lưu: VT, VP.")
    assert _style(chars) == ("LiberationSerif", 11.0)
    _, chars = _line(page, "- Ông Nguyễn Văn Ất;")
    assert _style(chars) == ("LiberationSerif", 11.0)


def test_every_vietnamese_string_extracts_intact(page, notice):
    text = re.sub(r"\s+", "", page.extract_text())
    strings = [notice.type_name, notice.summary, notice.number_line, notice.date_line,
               "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
               *notice.issuing_body, *notice.signer.title_lines(), notice.signer.name,
               *notice.recipient_lines(), *(p.text for p in notice.body)]
    for s in strings:
        assert re.sub(r"\s+", "", s) in text, s


def test_fonts_are_embedded(notice):
    data = render_pdf(notice)
    assert b"/FontFile2" in data
    assert b"LiberationSerif-Bold" in data


def test_output_is_deterministic(notice):
    assert render_pdf(notice) == render_pdf(notice)


def test_page_numbers_from_page_two_centred_in_top_margin(notice):
    long = replace(notice, body=notice.body * 12)
    with _open(long) as pdf:
        assert len(pdf.pages) >= 2
        first_top = [c for c in pdf.pages[0].chars if c["bottom"] < 20 * MM]
        assert not first_top, "no page number on page 1"
        for index, page in enumerate(pdf.pages[1:], start=2):
            marks = [c for c in page.chars if c["bottom"] < 20 * MM]
            assert "".join(c["text"] for c in marks) == str(index)
            assert {round(c["size"]) for c in marks} == {13}
            mid = (marks[0]["x0"] + marks[-1]["x1"]) / 2
            assert mid == pytest.approx((30 * MM + page.width - 15 * MM) / 2, abs=3)
        last = pdf.pages[-1].extract_text()
        assert "Trần Thị Bích Hằng" in last and "Nơi nhận:" in last


def test_cong_van_has_vv_under_the_number_and_kinh_gui(notice):
    doc = replace(notice, type_code="", type_name="", summary="giải trình yêu cầu của ông Nguyễn Văn Ất",
                  drafting_unit="", addressees=("Ông Nguyễn Văn Ất",), number=12)
    with _open(doc) as pdf:
        page = pdf.pages[0]
        number, _ = _line(page, "Số: 12/UBND", region=(0, 0, 85 * MM, 80 * MM))
        vv, chars = _line(page, "V/v giải trình", region=(0, 0, 85 * MM, 100 * MM))
        assert _style(chars) == ("LiberationSerif", 12.0)
        assert vv["top"] > number["bottom"] - 1
        kg, chars = _line(page, "Kính gửi:")
        assert _style(chars) == ("LiberationSerif", 14.0)
        assert "THÔNG BÁO" not in page.extract_text()


def test_minutes_have_two_signers_and_no_recipients(notice):
    doc = replace(notice, type_code="BB", type_name="BIÊN BẢN", summary="Làm việc trực tiếp",
                  counter_signer=Signer("NGƯỜI YÊU CẦU GIẢI TRÌNH", "Nguyễn Văn Ất"),
                  signer=Signer("ĐẠI DIỆN CƠ QUAN GIẢI TRÌNH", "Lê Văn Đức"))
    with _open(doc) as pdf:
        page = pdf.pages[0]
        left, _ = _line(page, "NGƯỜI YÊU CẦU GIẢI TRÌNH")
        right, _ = _line(page, "ĐẠI DIỆN CƠ QUAN GIẢI TRÌNH")
        middle = (30 * MM + page.width - 15 * MM) / 2
        assert left["x1"] < middle < right["x0"] and abs(left["top"] - right["top"]) < 2
        assert "Nơi nhận" not in page.extract_text()


def test_body_alignment_options(notice):
    doc = replace(notice, body=(Paragraph("Đoạn giữa", align="center", bold=True),) + notice.body)
    with _open(doc) as pdf:
        _, chars = _line(pdf.pages[0], "Đoạn giữa")
        assert _style(chars) == ("LiberationSerif-Bold", 14.0)
