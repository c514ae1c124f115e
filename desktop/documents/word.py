"""Write a ``Document`` to DOCX with python-docx, editable in Word.

Real paragraphs and a borderless header table; Times New Roman set on every run including the
East-Asian and complex-script slots (Word otherwise falls back per slot); A4 with the decree's
margins; page numbers centred in the header from page 2. python-docx is imported lazily.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from desktop.documents.fonts import DOCX_FONT
from desktop.documents.model import LAYOUT, Document, Paragraph, Signer, Table, nfc

log = logging.getLogger(__name__)

RULE_GAP = 3.5  # points between a line of text and the rule under it (as pdf.Rule)


def _set_font(run_or_style, size: float | None = None, bold=None, italic=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = DOCX_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), DOCX_FONT)


def _para(container, text: str, size: float, *, bold=False, italic=False, align="center",
          before: float = 0, after: float = 0, indent_cm: float = 0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.0
    if indent_cm:
        fmt.first_line_indent = Cm(indent_cm)
    if text:
        _set_font(p.add_run(nfc(text)), size, bold, italic)
    return p


_PPR_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                   "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                   "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                   "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                   "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _rule(container, length_pt: float, avail_pt: float, gap_pt: float = RULE_GAP) -> None:
    """A solid rule of ``length_pt`` centred in ``avail_pt``, ``gap_pt`` under the line above.

    An empty paragraph whose top border is the rule: its indents give the length (Word and
    LibreOffice draw a paragraph border from indent to indent), its space before the gap, and its
    mark is 1 pt with an exact 1 pt line so it adds no height of its own. The border lives in the
    schema's place in ``w:pPr`` (Word rejects a misplaced element as unreadable content).
    """
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = None
    side = max((avail_pt - length_pt) / 2, 0)
    fmt.left_indent, fmt.right_indent = Pt(side), Pt(side)
    fmt.first_line_indent = Pt(0)
    fmt.space_before, fmt.space_after = Pt(gap_pt), Pt(0)
    fmt.line_spacing = Pt(1)
    ppr = p._p.get_or_add_pPr()
    borders = ppr.makeelement(qn("w:pBdr"), {})
    borders.append(borders.makeelement(qn("w:top"), {qn("w:val"): "single", qn("w:sz"): "6",
                                                     qn("w:space"): "0", qn("w:color"): "000000"}))
    ppr.insert_element_before(borders, *_PPR_AFTER_PBDR)
    _mark_size(p, 1)


def _mark_size(p, size_pt: float) -> None:
    """The paragraph mark's size (``w:pPr/w:rPr``): an empty paragraph is as tall as its mark."""
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    mark = ppr.makeelement(qn("w:rPr"), {})
    for tag in ("w:sz", "w:szCs"):
        mark.append(mark.makeelement(qn(tag), {qn("w:val"): str(max(2, round(size_pt * 2)))}))
    ppr.insert_element_before(mark, "w:sectPr", "w:pPrChange")


def _spacer(container, height_pt: float):
    """An empty paragraph exactly ``height_pt`` high (its mark would otherwise take the body's 14 pt)."""
    from docx.shared import Pt

    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = Pt(height_pt)  # a Length: lineRule "exact"
    _mark_size(p, min(height_pt, 14))
    return p


def _text_width(text: str, size: float, bold: bool) -> float:
    """Measured with the PDF font metrics (Liberation Serif is metric-compatible with Times)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from desktop.documents.fonts import register_pdf_fonts

    fam = register_pdf_fonts()
    return stringWidth(nfc(text), fam.face(bold=bold), size)


def _clean_cell(cell) -> None:
    """A new cell holds one empty paragraph: remove it so the cell holds only ours."""
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)


def _fix_grid(table, widths_pt: list[float], *, cell_margin_pt: float | None = 0) -> None:
    """Make the grid agree with the cells, so LibreOffice and Word lay the table out the same.

    python-docx writes ``w:tblGrid`` with equal columns and ``w:tblW`` "auto": Word follows the
    cells' ``w:tcW`` but LibreOffice follows the grid and split the header 50/50. Here the grid
    columns, the table width and every cell carry the same widths, the layout is fixed (no
    autofit to content), the table starts at the text margin and, for the layout tables, the
    cells have no inner margin (as in the PDF).
    """
    from docx.oxml.ns import qn

    twips = [round(w * 20) for w in widths_pt]
    tbl = table._tbl
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips):
        col.set(qn("w:w"), str(w))
    tblpr = tbl.tblPr
    for tag in ("w:tblW", "w:tblInd", "w:tblLayout", "w:tblCellMar"):
        for old in tblpr.findall(qn(tag)):
            tblpr.remove(old)

    def add(tag: str, successors: tuple[str, ...], **attrs):
        el = tblpr.makeelement(qn(tag), {qn(f"w:{k}"): str(v) for k, v in attrs.items()})
        tblpr.insert_element_before(el, *successors)
        return el

    tail = ("w:tblCaption", "w:tblDescription", "w:tblPrChange")
    add("w:tblW", ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                   "w:tblCellMar", "w:tblLook", *tail), w=sum(twips), type="dxa")
    add("w:tblInd", ("w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", *tail), w=0, type="dxa")
    add("w:tblLayout", ("w:tblCellMar", "w:tblLook", *tail), type="fixed")
    if cell_margin_pt is not None:
        mar = add("w:tblCellMar", ("w:tblLook", *tail))
        for side in ("top", "left", "bottom", "right"):
            mar.append(mar.makeelement(qn(f"w:{side}"), {qn("w:w"): str(round(cell_margin_pt * 20)),
                                                          qn("w:type"): "dxa"}))
    for row in table.rows:
        for cell, w in zip(row.cells, twips):
            tcw = cell._tc.get_or_add_tcPr().get_or_add_tcW()
            tcw.set(qn("w:w"), str(w))
            tcw.set(qn("w:type"), "dxa")


def _keep_row_whole(row) -> None:
    """``w:cantSplit``: the row (a signature block with its "Nơi nhận") never breaks across pages."""
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert_element_before(trpr.makeelement(qn("w:cantSplit"), {}),
                                   "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
                                   "w:ins", "w:del", "w:trPrChange")


def _borderless_table(document, rows: int, widths_pt: list[float]):
    table = document.add_table(rows=rows, cols=len(widths_pt))
    table.autofit = False
    for row in table.rows:
        for cell in row.cells:
            _clean_cell(cell)
    _fix_grid(table, widths_pt)
    return table


def _page_number_header(section) -> None:
    from docx.oxml.ns import qn

    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    _para_format_center(p)
    run = p.add_run()
    _set_font(run, LAYOUT.page_number)
    for tag, attrs in (("w:fldChar", {qn("w:fldCharType"): "begin"}),
                       ("w:instrText", {}), ("w:fldChar", {qn("w:fldCharType"): "end"})):
        el = run._r.makeelement(qn(tag), attrs)
        if tag == "w:instrText":
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        run._r.append(el)


def _void_header(section, note: str) -> None:
    """A voided document's DOCX says so at the top of every page (first and later headers)."""
    from docx.shared import RGBColor

    for header in (section.first_page_header, section.header):
        p = header.paragraphs[0].insert_paragraph_before()
        _para_format_center(p)
        run = p.add_run(nfc(f"ĐÃ HỦY — {note}"))
        _set_font(run, 12, bold=True)
        run.font.color.rgb = RGBColor(0xCC, 0, 0)


def _para_format_center(p) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _signer(cell, signer: Signer) -> None:
    from docx.shared import Mm

    lines = signer.title_lines()
    for line in lines:
        _para(cell, line, LAYOUT.signer, bold=True)
    room = _para(cell, "", LAYOUT.signer)
    room.paragraph_format.space_after = Mm(LAYOUT.signature_room_mm - 6)
    _para(cell, signer.name, LAYOUT.signer, bold=True)


def _twips_up(mm: float):
    import math

    from docx.shared import Twips

    return Twips(math.ceil(mm * 1440 / 25.4))


def render_docx(doc: Document, *, void_note: str = "") -> bytes:
    """The document as DOCX bytes; with ``void_note``, a red "ĐÃ HỦY" line opens every page's header."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    L = LAYOUT
    document = docx.Document()
    normal = document.styles["Normal"]
    _set_font(normal, L.body)
    section = document.sections[0]
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    # Word stores twips: round margins up so that 15 mm never becomes 14.99 mm.
    section.top_margin, section.bottom_margin = _twips_up(L.margin_top), _twips_up(L.margin_bottom)
    section.left_margin, section.right_margin = _twips_up(L.margin_left), _twips_up(L.margin_right)
    section.header_distance = Mm(L.margin_top / 2)
    _page_number_header(section)
    if void_note:
        _void_header(section, void_note)
    text_w = (section.page_width - section.left_margin - section.right_margin) / 12700
    left_w = L.header_left_mm * 72 / 25.4
    right_w = text_w - left_w

    rows = 3 if doc.is_cong_van and doc.summary else 2
    head = _borderless_table(document, rows, [left_w, right_w])
    left, right = head.cell(0, 0), head.cell(0, 1)
    for line in doc.governing_body:
        _para(left, line.upper(), L.governing_body)
    for line in doc.issuing_body:
        _para(left, line.upper(), L.issuing_body, bold=True)
    widest = max((_text_width(x.upper(), L.issuing_body, True) for x in doc.issuing_body), default=0)
    _rule(left, widest * L.issuer_rule_ratio, left_w)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", L.national_title, bold=True)
    motto = "Độc lập - Tự do - Hạnh phúc"
    _para(right, motto, L.motto, bold=True)
    _rule(right, _text_width(motto, L.motto, True), right_w)
    _para(head.cell(1, 0), doc.number_line, L.number, before=6)  # empty for a paper without a number
    _para(head.cell(1, 1), doc.date_line, L.date_line, italic=True, before=6)
    if rows == 3:
        _para(head.cell(2, 0), doc.subject_line, L.subject)
        _para(head.cell(2, 1), "", L.subject)

    if doc.type_name:
        _para(document, doc.type_name.upper(), L.type_name, bold=True, before=18)
        lines = nfc(doc.summary).split("\n") if doc.summary else []
        for line in lines:
            _para(document, line, L.summary, bold=True)
        if lines:
            widest = max(_text_width(x, L.summary, True) for x in lines)
            _rule(document, widest * L.summary_rule_ratio, text_w)
    if doc.addressees:
        if len(doc.addressees) == 1:
            _para(document, f"Kính gửi: {doc.addressees[0]}.", L.addressee, before=12, after=6)
        else:
            _para(document, "Kính gửi:", L.addressee, before=12)
            for a in doc.addressees:
                _para(document, f"- {a};", L.addressee)
    _spacer(document, 10)

    last = None
    for block in doc.body:
        if isinstance(block, Paragraph):
            last = _para(document, block.text, L.body, bold=block.bold, italic=block.italic, align=block.align,
                         after=L.paragraph_space,
                         indent_cm=L.first_line_indent_cm if block.indent and block.align == "justify" else 0)
        elif isinstance(block, Table):
            _table(document, block, text_w)
            last = None
    # The signature never stands alone on a page (as the PDF's KeepTogether): the last body
    # paragraph keeps with the spacer, the spacer with the closing table, whose one row never
    # splits and whose paragraphs keep together.
    if last is not None:
        last.paragraph_format.keep_with_next = True
        last.paragraph_format.keep_together = True
    _spacer(document, 6).paragraph_format.keep_with_next = True

    half = text_w * (0.5 if doc.counter_signer else 0.48)
    closing = _borderless_table(document, 1, [half, text_w - half])
    _keep_row_whole(closing.rows[0])
    cleft, cright = closing.cell(0, 0), closing.cell(0, 1)
    if doc.counter_signer:
        _signer(cleft, doc.counter_signer)
    else:
        _para(cleft, "Nơi nhận:", L.recipients_label, bold=True, italic=True, align="left")
        for item in doc.recipient_lines():
            _para(cleft, item, L.recipients, align="left")
    if doc.signer:
        _signer(cright, doc.signer)
    else:
        _para(cright, "", L.signer)
    for cell in (cleft, cright):
        for p in cell.paragraphs[:-1]:
            p.paragraph_format.keep_with_next = True
    # A document ends with a paragraph after its last table (Word adds one otherwise): keep it
    # 1 pt high, so that a closing block that fills the page does not push an empty page.
    _spacer(document, 1)
    document.core_properties.title = nfc(f"{doc.type_name or 'Công văn'} {doc.summary}".strip())
    document.core_properties.author = "Sổ Giải trình"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, block: Table, text_w: float) -> None:
    from docx.shared import Pt

    cols = len(block.header)
    widths = [w * text_w for w in block.widths] if block.widths else [text_w / cols] * cols
    table = document.add_table(rows=1 + len(block.rows), cols=cols)
    table.style = document.styles["Table Grid"]
    table.autofit = False
    _fix_grid(table, widths, cell_margin_pt=None)
    for r, values in enumerate([block.header, *block.rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Pt(widths[c])
            _clean_cell(cell)
            _para(cell, str(value), block.font_size, bold=(r == 0), align="center" if r == 0 else "left")


def write_docx(doc: Document, path: Path) -> Path:
    path = Path(path)
    path.write_bytes(render_docx(doc))
    return path
