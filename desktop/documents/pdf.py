"""Draw a ``Document`` to PDF with reportlab platypus: A4, the decree's margins, fonts embedded.

reportlab is imported inside the functions, so that opening the app does not pay for it.
Output is deterministic (``invariant``): the same document and fonts give the same bytes,
so the SHA-256 linked into the case timeline can be checked again later.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from desktop.documents.fonts import register_pdf_fonts
from desktop.documents.model import LAYOUT, Document, Paragraph, Signer, Table, nfc

log = logging.getLogger(__name__)

MM = 72 / 25.4


def _x(text: str) -> str:
    return escape(nfc(text))


@lru_cache(maxsize=None)
def _styles() -> dict:
    """Paragraph styles, built once per process (the fonts are registered on first use)."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    fam = register_pdf_fonts()
    L = LAYOUT

    def style(name: str, size: float, bold=False, italic=False, align=TA_CENTER, **kw) -> ParagraphStyle:
        kw.setdefault("leading", size * L.line_spacing)
        return ParagraphStyle(name, fontName=fam.face(bold, italic), fontSize=size, alignment=align, **kw)

    s = {
        "governing": style("governing", L.governing_body),
        "issuer": style("issuer", L.issuing_body, bold=True),
        "national": style("national", L.national_title, bold=True),
        "motto": style("motto", L.motto, bold=True),
        "number": style("number", L.number),
        "subject": style("subject", L.subject),
        "date": style("date", L.date_line, italic=True),
        "type": style("type", L.type_name, bold=True, spaceBefore=18),
        "summary": style("summary", L.summary, bold=True),
        "addressee": style("addressee", L.addressee, align=TA_LEFT),
        "body": style("body", L.body, align=TA_JUSTIFY, firstLineIndent=L.first_line_indent_cm * 10 * MM,
                      spaceAfter=L.paragraph_space),
        "signer": style("signer", L.signer, bold=True),
        "rlabel": style("rlabel", L.recipients_label, bold=True, italic=True, align=TA_LEFT),
        "ritem": style("ritem", L.recipients, align=TA_LEFT, leading=L.recipients * 1.15),
        "cell": style("cell", 12, align=TA_LEFT, leading=13.5),
        "cellhead": style("cellhead", 12, bold=True, leading=13.5),
    }
    s["align"] = {"justify": TA_JUSTIFY, "center": TA_CENTER, "left": TA_LEFT, "right": TA_RIGHT}
    return s


def _rule_class():
    from reportlab.platypus import Flowable

    class Rule(Flowable):
        """A solid line of ``length`` centred in the available width, drawn just under the text."""

        def __init__(self, length: float, gap: float = 3.5) -> None:
            super().__init__()
            self.length = length
            self.gap = gap

        def wrap(self, avail_width, avail_height):
            self.avail = avail_width
            return avail_width, self.gap

        def draw(self):
            x0 = (self.avail - self.length) / 2
            self.canv.setLineWidth(0.6)
            self.canv.line(x0, 0, x0 + self.length, 0)

    return Rule


def _width(text: str, style) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(nfc(text), style.fontName, style.fontSize)


def _header(doc: Document, text_width: float, st: dict):
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer
    from reportlab.platypus import Table as T

    Rule = _rule_class()
    left_w = LAYOUT.header_left_mm * MM
    right_w = text_width - left_w
    left = [P(_x(line.upper()), st["governing"]) for line in doc.governing_body]
    left += [P(_x(line.upper()), st["issuer"]) for line in doc.issuing_body]
    widest = max((_width(line.upper(), st["issuer"]) for line in doc.issuing_body), default=0)
    left.append(Rule(widest * LAYOUT.issuer_rule_ratio))
    national = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto = "Độc lập - Tự do - Hạnh phúc"
    right = [P(national, st["national"]), P(motto, st["motto"]), Rule(_width(motto, st["motto"]))]
    number = P(_x(doc.number_line), st["number"]) if doc.number_line else ""
    rows = [[left, right], [number, P(_x(doc.date_line), st["date"])]]
    if doc.is_cong_van and doc.summary:
        rows.append([P(_x(doc.subject_line), st["subject"]), ""])
    table = T(rows, colWidths=[left_w, right_w], hAlign="LEFT")
    table.setStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 1), (-1, 1), 8),
    ])
    out = [table]
    if doc.type_name:
        out.append(P(_x(doc.type_name.upper()), st["type"]))
        if doc.summary:
            lines = nfc(doc.summary).split("\n")
            out += [P(_x(line), st["summary"]) for line in lines]
            out.append(Rule(max(_width(line, st["summary"]) for line in lines) * LAYOUT.summary_rule_ratio))
    out.append(Spacer(1, 10))
    if doc.addressees:
        out.append(_addressees(doc, text_width, st))
    return out


def _addressees(doc: Document, text_width: float, st: dict):
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    label_w = _width("Kính gửi: ", st["addressee"])
    if len(doc.addressees) == 1:
        items = [P(_x(doc.addressees[0]) + ".", st["addressee"])]
    else:
        items = [P(_x(f"- {a};"), st["addressee"]) for a in doc.addressees]
    table = T([[P("Kính gửi:", st["addressee"]), items]],
              colWidths=[label_w + 2, text_width * 0.62], hAlign="CENTER")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])
    return table


def _body(doc: Document, text_width: float, st: dict):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    out = []
    for block in doc.body:
        if isinstance(block, Paragraph):
            style = st["body"]
            if block.align != "justify" or block.bold or block.italic or not block.indent:
                style = ParagraphStyle(
                    "b", parent=style, alignment=st["align"][block.align],
                    fontName=register_pdf_fonts().face(block.bold, block.italic),
                    firstLineIndent=style.firstLineIndent if block.indent and block.align == "justify" else 0)
            out.append(P(_x(block.text), style))
        elif isinstance(block, Table):
            out.append(_table(block, text_width, st, P, T))
    return out


def _table(block: Table, width: float, st: dict, P, T):
    from reportlab.lib.styles import ParagraphStyle

    cell = ParagraphStyle("c", parent=st["cell"], fontSize=block.font_size, leading=block.font_size * 1.15)
    head = ParagraphStyle("h", parent=st["cellhead"], fontSize=block.font_size, leading=block.font_size * 1.15)
    cols = len(block.header)
    widths = [w * width for w in block.widths] if block.widths else [width / cols] * cols
    data = [[P(_x(h), head) for h in block.header]]
    data += [[P(_x(str(c)), cell) for c in row] for row in block.rows]
    table = T(data, colWidths=widths, repeatRows=1)
    table.setStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)])
    return table


def _signer_cell(signer: Signer, st: dict) -> list:
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer

    cell = [P(_x(line), st["signer"]) for line in signer.title_lines()]
    cell.append(Spacer(1, LAYOUT.signature_room_mm * MM))
    cell.append(P(_x(signer.name), st["signer"]))
    return cell


def _closing(doc: Document, text_width: float, st: dict):
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer
    from reportlab.platypus import Table as T

    if doc.counter_signer:
        left = _signer_cell(doc.counter_signer, st)
    else:
        left = [P("Nơi nhận:", st["rlabel"])] + [P(_x(item), st["ritem"]) for item in doc.recipient_lines()]
    right = _signer_cell(doc.signer, st) if doc.signer else []
    half = text_width * (0.5 if doc.counter_signer else 0.48)
    table = T([[left, right]], colWidths=[half, text_width - half])
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)])
    return [Spacer(1, 6), table]


def page_number_painter(size: float, *, page: tuple[float, float] | None = None,
                        margins: tuple[float, float, float] | None = None):
    """Page numbers centred in the top margin, from page 2 (none on page 1) — NĐ 30/2020, App. I.
    ``page`` and ``margins`` (left, right, top) for pages of another size than the document's own
    (a report's landscape appendices: drawn at the portrait place, the number fell off the page)."""

    def paint(canvas, document) -> None:
        fam = register_pdf_fonts()
        canvas.saveState()
        canvas.setFont(fam.face(), size)
        width, height = page or document.pagesize
        left, right, top = margins or (document.leftMargin, document.rightMargin, document.topMargin)
        canvas.drawCentredString(width / 2 + (left - right) / 2, height - top / 2 - size / 3, str(document.page))
        canvas.restoreState()

    return paint


VOID_WORD = "ĐÃ HỦY"


def void_mark_painter(note: str):
    """A voided document is never printed as valid: "ĐÃ HỦY" across every page and, in the bottom
    margin, the number, the day and the reason of the voiding (NĐ 30/2020 Art. 15: a voided
    number stays in the register, its paper must not circulate as issued)."""

    def paint(canvas, document) -> None:
        fam = register_pdf_fonts()
        width, height = document.pagesize
        canvas.saveState()
        canvas.setFillColorRGB(0.8, 0, 0)
        canvas.setStrokeColorRGB(0.8, 0, 0)
        canvas.setFillAlpha(0.28)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35)
        size = min(width, height) / 4.2
        canvas.setFont(fam.face(bold=True), size)
        canvas.drawCentredString(0, -size / 3, VOID_WORD)
        canvas.restoreState()
        canvas.saveState()
        canvas.setFillColorRGB(0.8, 0, 0)
        canvas.setFont(fam.face(bold=True), 11)
        canvas.drawCentredString(width / 2 + (document.leftMargin - document.rightMargin) / 2,
                                 document.bottomMargin / 2, nfc(note))
        canvas.restoreState()

    return paint


def page_geometry(landscape_: bool = False):
    from reportlab.lib.pagesizes import A4, landscape

    return landscape(A4) if landscape_ else A4


def build_pdf(story_of, *, landscape_: bool = False, title: str = "", out=None, void_note: str = "") -> bytes:
    """Run platypus over ``story_of(text_width, styles)`` with the decree's page and margins."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    buffer = out if out is not None else io.BytesIO()
    L = LAYOUT
    page = page_geometry(landscape_)
    template = BaseDocTemplate(
        buffer, pagesize=page, leftMargin=L.margin_left * MM, rightMargin=L.margin_right * MM,
        topMargin=L.margin_top * MM, bottomMargin=L.margin_bottom * MM, title=title,
        author="Sổ Giải trình", creator="Sổ Giải trình", invariant=1)
    # No frame padding: the text block is exactly the page less the decree's margins.
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="text")
    numbers = page_number_painter(L.page_number)
    mark = void_mark_painter(void_note) if void_note else None

    def first(canvas, document) -> None:
        if mark:
            mark(canvas, document)

    def later(canvas, document) -> None:
        numbers(canvas, document)
        first(canvas, document)

    template.addPageTemplates([
        PageTemplate(id="first", frames=[frame], autoNextPageTemplate="later", onPage=first),
        PageTemplate(id="later", frames=[frame], onPage=later),
    ])
    template.build(story_of(template.width, _styles()))
    return buffer.getvalue() if out is None else b""


def render_pdf(doc: Document, *, void_note: str = "") -> bytes:
    """The document as PDF bytes; with ``void_note``, marked "ĐÃ HỦY" on every page."""

    def story(width: float, st: dict) -> list:
        from reportlab.platypus import KeepTogether

        body = _body(doc, width, st)
        # The signature never stands alone on a page: the last paragraph goes with it.
        story = _header(doc, width, st) + body[:-1] + [KeepTogether(body[-1:] + _closing(doc, width, st))]
        if doc.meta.get("lookup_code"):  # a citizen's receipt: its lookup code and QR (issue #18)
            from desktop.documents.lookup_block import lookup_flowables

            story.append(KeepTogether(lookup_flowables(doc.meta["lookup_code"], width, st)))
        return story

    title = f"{doc.type_name or 'Công văn'} {doc.summary}".strip()
    return build_pdf(story, landscape_=doc.landscape, title=nfc(title), void_note=void_note)


def write_pdf(doc: Document, path: Path) -> Path:
    path = Path(path)
    path.write_bytes(render_pdf(doc))
    return path
