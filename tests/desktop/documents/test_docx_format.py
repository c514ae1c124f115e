"""The DOCX read back with python-docx: editable paragraphs, A4, margins, Times New Roman everywhere."""

from __future__ import annotations

import io
from dataclasses import replace

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from desktop.documents.word import render_docx


@pytest.fixture
def word(notice):
    return docx.Document(io.BytesIO(render_docx(notice)))


def _all_paragraphs(document):
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    yield from document.paragraphs


def _para(document, text):
    for p in _all_paragraphs(document):
        if p.text == text:
            return p
    raise AssertionError(f"{text!r} not in {[p.text for p in _all_paragraphs(document)]}")


def _run_style(p):
    runs = [r for r in p.runs if r.text.strip()]
    assert runs
    sizes = {r.font.size for r in runs}
    bold = {bool(r.font.bold) for r in runs}
    italic = {bool(r.font.italic) for r in runs}
    assert len(sizes) == len(bold) == len(italic) == 1
    return sizes.pop().pt, bold.pop(), italic.pop()


def test_a4_and_margins(word):
    s = word.sections[0]
    assert s.page_width.mm == pytest.approx(210, abs=0.1) and s.page_height.mm == pytest.approx(297, abs=0.1)
    assert Mm(20) <= s.top_margin <= Mm(25) and Mm(20) <= s.bottom_margin <= Mm(25)
    assert Mm(30) <= s.left_margin <= Mm(35) and Mm(15) <= s.right_margin <= Mm(20)


def test_times_new_roman_on_every_run_and_slot(word):
    runs = [r for p in _all_paragraphs(word) for r in p.runs if r.text.strip()]
    assert len(runs) > 15
    for r in runs:
        fonts = r._r.rPr.find(qn("w:rFonts"))
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert fonts.get(qn(slot)) == "Times New Roman", (r.text, slot)
    normal = word.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "Times New Roman"


def test_header_table_holds_issuer_left_and_national_title_right(word):
    head = word.tables[0]
    left = [p.text for p in head.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in head.cell(0, 1).paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN", "XÃ THỤY HÙNG"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert head.cell(1, 0).paragraphs[0].text == "Số: 05/TB-UBND"
    assert head.cell(1, 1).paragraphs[0].text == "Thụy Hùng, ngày 05 tháng 02 năm 2026"
    # borderless: no table style with a grid
    assert head.style is None or "Grid" not in (head.style.name or "")


@pytest.mark.parametrize("text, size, bold, italic", [
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True, False),
    ("Độc lập - Tự do - Hạnh phúc", 13, True, False),
    ("ỦY BAN NHÂN DÂN", 12, True, False),
    ("Số: 05/TB-UBND", 13, False, False),
    ("Thụy Hùng, ngày 05 tháng 02 năm 2026", 14, False, True),
    ("THÔNG BÁO", 14, True, False),
    ("Về việc thụ lý yêu cầu giải trình", 14, True, False),
    ("TM. ỦY BAN NHÂN DÂN", 14, True, False),
    ("CHỦ TỊCH", 14, True, False),
    ("Trần Thị Bích Hằng", 14, True, False),
    ("Nơi nhận:", 12, True, True),
    ("- Lưu: VT, VP.", 11, False, False),
])
def test_sizes_and_weights(word, text, size, bold, italic):
    assert _run_style(_para(word, text)) == (size, bold, italic)


def test_rules_are_paragraph_borders(word):
    head = word.tables[0]
    for cell in (head.cell(0, 0), head.cell(0, 1)):
        borders = [p for p in cell.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]
        assert len(borders) == 1


def test_body_paragraphs_justified_with_first_line_indent(word, notice):
    for block in notice.body:
        p = _para(word, block.text)
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert 1.0 <= p.paragraph_format.first_line_indent.cm <= 1.27 + 0.01
        assert p.paragraph_format.space_after >= Pt(6)
        assert _run_style(p) == (14, False, False)


def test_signer_right_and_recipients_left_in_one_row(word):
    closing = word.tables[-1]
    assert closing.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert [p.text for p in closing.cell(0, 1).paragraphs if p.text] == [
        "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Thị Bích Hằng"]


def test_page_numbers_from_page_two(word):
    s = word.sections[0]
    assert s.different_first_page_header_footer
    xml = s.header._element.xml
    assert "PAGE" in xml and "fldChar" in xml
    assert not s.first_page_header.paragraphs[0].text


def test_cong_van_and_tables(notice):
    from desktop.documents.model import Table

    doc = replace(notice, type_code="", type_name="", summary="giải trình yêu cầu", number=12,
                  addressees=("Ông Nguyễn Văn Ất",),
                  body=notice.body + (Table(("STT", "Nội dung"), (("1", "Đất đai"),)),))
    word = docx.Document(io.BytesIO(render_docx(doc)))
    assert _para(word, "V/v giải trình yêu cầu")
    assert _run_style(_para(word, "Kính gửi: Ông Nguyễn Văn Ất.")) == (14, False, False)
    grid = [t for t in word.tables if t.style is not None and t.style.name == "Table Grid"]
    assert grid and grid[0].cell(1, 1).text == "Đất đai"


def test_table_grid_agrees_with_the_cells_and_layout_is_fixed(word):
    """LibreOffice follows w:tblGrid: a grid of equal columns split the header 50/50."""
    for table in word.tables:
        tbl = table._tbl
        grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
        for row in table.rows:
            assert [int(c._tc.tcPr.tcW.get(qn("w:w"))) for c in row.cells] == grid
        assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        width = tbl.tblPr.find(qn("w:tblW"))
        assert width.get(qn("w:type")) == "dxa" and int(width.get(qn("w:w"))) == sum(grid)
    head = word.tables[0]
    left = int(head._tbl.tblGrid.findall(qn("w:gridCol"))[0].get(qn("w:w")))
    assert left / 1440 * 25.4 == pytest.approx(68, abs=0.1)


def test_closing_row_never_splits_and_the_last_paragraph_keeps_with_it(word, notice):
    closing = word.tables[-1]
    assert closing.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    last = _para(word, notice.body[-1].text)
    assert last.paragraph_format.keep_with_next


def test_pbdr_sits_where_the_schema_puts_it(word):
    """Word reports 'unreadable content' for a w:pPr child out of order."""
    order = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "spacing", "ind", "jc", "rPr"]
    for p in _all_paragraphs(word):
        if p._p.pPr is None:
            continue
        tags = [el.tag.split("}")[1] for el in p._p.pPr]
        known = [t for t in tags if t in order]
        assert known == sorted(known, key=order.index), tags
