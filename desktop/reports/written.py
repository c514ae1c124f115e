"""The written report (BÁO CÁO, symbol BC) through the documents engine.

Its body follows Mẫu số 02 of TT 06/2025/TT-TTCP (the outline of the written report; section
headings in ``resources/reports/outline.json``), pre-filled with the period's figures and, as the
outline asks, compared with the same period of the previous year. What the register cannot know
(causes, forecast, tasks, proposals) is left as a dotted blank the clerk completes in the draft.
The forms follow as landscape appendices, then charts drawn with reportlab's own graphics
(received and resolved per month, on-time rate, overdue per officer). The DOCX holds the same
body and the appendices in a landscape section.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from desktop.documents.model import Document, Paragraph, Signer, Table, nfc
from desktop.documents.templates import HANDWRITTEN, split_unit_name
from desktop.reports.engine import FormReport
from desktop.reports.periods import Period
from desktop.resources import resource_path


@dataclass(frozen=True)
class Charts:
    months: tuple[tuple[str, int, int, int, int], ...] = ()   # (YYYY-MM, received, ended, on time, decisions)
    overdue: tuple[tuple[str, int], ...] = ()                  # (officer, overdue at the cut-off)


@dataclass
class ReportBundle:
    """What a written report is made of: the period, the forms, last year's same period, charts."""

    period: Period
    unit: object
    reports: list[FormReport]
    previous: list[FormReport] = field(default_factory=list)
    charts: Charts = Charts()
    corrections: list = field(default_factory=list)          # locks.CorrectionLine
    correction_notes: list = field(default_factory=list)     # the corrections' reasons

    def value(self, code: str, no: int, previous: bool = False) -> int:
        for r in (self.previous if previous else self.reports):
            if r.form.code == code:
                v = r.main_row().values.get(no)
                return int(v or 0)
        return 0


@lru_cache(maxsize=1)
def outline() -> dict:
    return json.loads(resource_path("reports", "outline.json").read_text(encoding="utf-8"))


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") + "%" if whole else "—"


def _compare(now: int, before: int) -> str:
    if not before:
        return "cùng kỳ năm trước không có số liệu để so sánh" if not now else "cùng kỳ năm trước: 0"
    diff = now - before
    word = "tăng" if diff > 0 else "giảm" if diff < 0 else "bằng"
    return f"{word} {_pct(abs(diff), before)} so với cùng kỳ năm trước ({before})" if diff else \
        f"bằng cùng kỳ năm trước ({before})"


def body(b: ReportBundle) -> tuple:
    """The outline's paragraphs with the figures written in."""
    o = outline()
    v = b.value
    p: list = []

    def head(text: str) -> None:
        p.append(Paragraph(text, bold=True, indent=True))

    def para(text: str) -> None:
        p.append(Paragraph(nfc(text)))

    para(o["intro"].format(unit=b.unit.name, period=b.period.label))
    kn, tc, kp = v("02/XLD", 6), v("02/XLD", 12), v("02/XLD", 19)
    total = v("02/XLD", 1)
    head(o["I"])
    head(o["I.1"])
    para(f"Trong kỳ, đơn vị phải xử lý {total} đơn khiếu nại, tố cáo, kiến nghị, phản ánh "
         f"({_compare(total, v('02/XLD', 1, True))}); trong đó thuộc thẩm quyền: {kn} đơn khiếu nại, "
         f"{tc} đơn tố cáo, {kp} đơn kiến nghị, phản ánh.")
    para(f"a) Về khiếu nại: {kn} đơn ({_compare(kn, v('02/XLD', 6, True))}); lĩnh vực đất đai {v('02/XLD', 9)} đơn "
         f"({_pct(v('02/XLD', 9), kn)}), chế độ, chính sách {v('02/XLD', 10)} đơn ({_pct(v('02/XLD', 10), kn)}), "
         f"lĩnh vực khác {v('02/XLD', 11)} đơn ({_pct(v('02/XLD', 11), kn)}).")
    para(f"b) Về tố cáo: {tc} đơn ({_compare(tc, v('02/XLD', 12, True))}); lĩnh vực hành chính {v('02/XLD', 15)} đơn "
         f"({_pct(v('02/XLD', 15), tc)}), tư pháp {v('02/XLD', 17)} đơn, lĩnh vực khác {v('02/XLD', 18)} đơn.")
    head(o["I.2"])
    para(HANDWRITTEN * 3)
    head(o["II"])
    head(o["II.1"])
    para(f"Tổng số {v('01/TCD', 1)} lượt tiếp, {v('01/TCD', 2)} người được tiếp, {v('01/TCD', 3)} vụ việc, "
         f"{v('01/TCD', 4)} đoàn đông người. Tiếp thường xuyên {v('01/TCD', 5)} lượt, {v('01/TCD', 6)} người. "
         f"Thủ trưởng trực tiếp tiếp {v('01/TCD', 11)} lượt, {v('01/TCD', 12)} người trong {v('01/TCD', 10)} ngày; "
         f"ủy quyền tiếp {v('01/TCD', 17)} lượt, {v('01/TCD', 18)} người.")
    head(o["II.2"])
    para(f"a) Tổng số đơn: {total}; số đơn đã xử lý {v('02/XLD', 2)}; số đơn đủ điều kiện xử lý {v('02/XLD', 3)}; "
         f"số đơn thuộc thẩm quyền {v('02/XLD', 4)}; số vụ việc thuộc thẩm quyền {v('02/XLD', 5)}.")
    para(f"b) Đơn thuộc thẩm quyền: khiếu nại {kn} đơn (lần đầu {v('02/XLD', 7)}, lần 2 {v('02/XLD', 8)}); "
         f"tố cáo {tc} đơn; kiến nghị, phản ánh {kp} đơn (chế độ, chính sách {v('02/XLD', 20)}, "
         f"đất đai {v('02/XLD', 21)}, khác {v('02/XLD', 22)}).")
    para(f"c) Đơn không thuộc thẩm quyền: {v('02/XLD', 23)} đơn; đã hướng dẫn {v('02/XLD', 24)} đơn, "
         f"đã chuyển {v('02/XLD', 25)} đơn đến cơ quan có thẩm quyền.")
    head(o["II.3"])
    para(f"a) Giải quyết khiếu nại: {v('03/GQKN', 1)} đơn thuộc thẩm quyền ({v('03/GQKN', 2)} vụ việc); "
         f"đang xem xét điều kiện thụ lý {v('03/GQKN', 3)}, đã thụ lý {v('03/GQKN', 4)}, không thụ lý "
         f"{v('03/GQKN', 5)}, rút đơn, đình chỉ {v('03/GQKN', 6)}; ban hành {v('03/GQKN', 7)} quyết định "
         "giải quyết trong kỳ.")
    para(f"b) Giải quyết tố cáo: {v('04/GQTC', 1)} đơn thuộc thẩm quyền ({v('04/GQTC', 2)} vụ việc); "
         f"đang xem xét điều kiện thụ lý {v('04/GQTC', 3)}, đã thụ lý {v('04/GQTC', 4)}, không thụ lý "
         f"{v('04/GQTC', 5)}, rút đơn, đình chỉ {v('04/GQTC', 6)}; ban hành {v('04/GQTC', 7)} kết luận nội dung "
         "tố cáo trong kỳ.")
    for key in ("II.4", "II.5", "II.6"):
        head(o[key])
        para(HANDWRITTEN * 3)
    head(o["II.7"])
    gt_total, explained = v("GT-01", 1), v("GT-01", 16)
    para(f"Tổng số {gt_total} yêu cầu giải trình phải xử lý (kỳ trước chuyển sang {v('GT-01', 2)}, tiếp nhận "
         f"trong kỳ {v('GT-01', 3)}); tiếp nhận giải trình {v('GT-01', 4)}, từ chối {v('GT-01', 5)}, hướng dẫn "
         f"{v('GT-01', 13)}. Đã ban hành {explained} văn bản giải trình: đúng hạn {v('GT-01', 17)}, quá hạn "
         f"{v('GT-01', 18)} (tổng {v('GT-01', 19)} ngày quá hạn); gia hạn {v('GT-01', 20)}, tạm đình chỉ "
         f"{v('GT-01', 21)}, đình chỉ {v('GT-01', 22)}; công khai kết quả {v('GT-01', 26)}. Mức độ hài lòng "
         f"của người yêu cầu (hồ sơ kết thúc trong kỳ): hài lòng {v('GT-01', 28)}, hài lòng một phần "
         f"{v('GT-01', 29)}, không hài lòng {v('GT-01', 30)}, không có ý kiến {v('GT-01', 31)}. Cam kết phải "
         f"theo dõi {v('GT-01', 32)}: thực hiện đúng hạn {v('GT-01', 33)}, quá hạn {v('GT-01', 34)}, chưa thực "
         f"hiện đã quá hạn {v('GT-01', 35)}.")
    head(o["III"])
    head(o["III.1"])
    on_time = sum(c[3] for c in b.charts.months)
    decided = sum(c[4] for c in b.charts.months)
    para(f"Tỷ lệ giải quyết khiếu nại thuộc thẩm quyền đã thụ lý: {_pct(v('03/GQKN', 7), v('03/GQKN', 4))}; "
         f"tố cáo: {_pct(v('04/GQTC', 7), v('04/GQTC', 4))}. Văn bản giải quyết, giải trình ban hành đúng thời "
         f"hạn: {on_time}/{decided} ({_pct(on_time, decided)}; số liệu bổ sung, không thuộc biểu của Thông tư "
         "06/2025/TT-TTCP).")
    para(HANDWRITTEN * 3)
    head(o["III.2"])
    overdue = sum(n for _, n in b.charts.overdue)
    para(f"Đến ngày chốt số liệu còn {overdue} vụ việc đang giải quyết đã quá thời hạn." if overdue else
         "Đến ngày chốt số liệu không có vụ việc đang giải quyết quá thời hạn.")
    para(HANDWRITTEN * 3)
    for key in ("III.3", "IV", "V", "VI"):
        head(o[key])
        para(HANDWRITTEN * 3)
    if b.corrections:
        head(o["corrections"])
        para("Sau khi báo cáo các kỳ trước được chấp nhận, sổ đã ghi các điều chỉnh sau (có lý do); số liệu "
             "trước và sau điều chỉnh:")
        p.append(Table(("Kỳ báo cáo", "Biểu", "Cột", "Số đã báo cáo", "Số sau điều chỉnh"),
                       tuple((c.period_label, c.form, f"({c.no}) {c.label}", _n(c.original), _n(c.corrected))
                             for c in b.corrections), (0.26, 0.12, 0.36, 0.13, 0.13), 11))
        for note in b.correction_notes:
            para(f"- Vụ việc {note['case_number'] or note['case_uuid'][:8]}: {note['reason']} "
                 f"({note['actor']}, {note['at'][:10]}).")
    p.append(Paragraph(o["note_compare"], italic=True))
    p.append(Paragraph("Phụ lục kèm theo: " + "; ".join(f"Biểu {r.form.code}" for r in b.reports) + ".",
                       italic=True))
    return tuple(p)


def _n(value) -> str:
    return "" if value is None else str(value)


def compose(b: ReportBundle, signer=None) -> Document:
    """The BÁO CÁO as a draft Document of the documents engine (no number until issued)."""
    o = outline()
    unit = b.unit
    sign = None
    if signer is not None:
        if signer.role == "head":
            sign = Signer(title=signer.title or "CHỦ TỊCH", name=signer.full_name, authority="TM.",
                          on_behalf_of="ỦY BAN NHÂN DÂN", officer_uuid=signer.uuid)
        else:
            sign = Signer(title=signer.title or "PHÓ CHỦ TỊCH", name=signer.full_name, authority="TM.",
                          on_behalf_of="ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", officer_uuid=signer.uuid)
    return Document(
        kind="report_period", issuing_body=split_unit_name(unit.name), issuer_abbr=unit.abbreviation or "UBND",
        place=unit.place_name, type_code="BC", type_name="BÁO CÁO",
        summary=o["summary"].format(period=b.period.name.lower() if b.period.kind != "range" else b.period.name),
        governing_body=tuple(x.upper() for x in (unit.governing_body or "").splitlines() if x.strip()),
        body=body(b), signer=sign, recipients=tuple(o["recipients"]), archive_unit="",
        legal_basis=tuple(o["legal_basis"]),
        meta={"label": "Báo cáo định kỳ", "period": b.period.code, "period_label": b.period.label})


# -- PDF ---------------------------------------------------------------------------------------------

def _table_metrics(n: int, width: float) -> tuple[float, list[float]]:
    """Font size and column widths of a form's table ``width`` points wide with ``n`` columns (the
    unit's label first): the wide forms (GT-01, 05/KQTH: 36–37 columns) get a smaller font and a
    narrower label column, so that a figure of four digits and a header syllable fit a column."""
    size, share = (6, 0.09) if n > 30 else (7, 0.12) if n > 20 else (8, 0.14) if n > 12 else (8, 0.2)
    label_w = width * share
    return size, [label_w] + [(width - label_w) / (n - 1)] * (n - 1)


def _appendix_table(report: FormReport, width: float, styles: dict):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    form = report.form
    leaves = form.leaves()
    depth = form.header_depth()
    n = len(leaves) + 1
    size, widths = _table_metrics(n, width)
    head = ParagraphStyle("ah", parent=styles["cellhead"], fontSize=size, leading=size * 1.15, alignment=1)
    cell = ParagraphStyle("ac", parent=styles["cell"], fontSize=size, leading=size * 1.15)
    num = ParagraphStyle("an", parent=cell, alignment=2)
    grid = [["" for _ in range(n)] for _ in range(depth)]
    spans = []
    for c in form.header():
        grid[c.row][c.col] = P(c.text, head)
        if c.rowspan > 1 or c.colspan > 1:
            spans.append(("SPAN", (c.col, c.row), (c.col + c.colspan - 1, c.row + c.rowspan - 1)))
    grid.append([P("MS", head)] + [P(t, head) for t in form.numbering()])
    for row in report.all_rows():
        grid.append([P(row.label, cell)] + [P(_n(row.values.get(leaf.no)), num) for leaf in leaves])
    table = T(grid, colWidths=widths, repeatRows=depth + 1)
    table.setStyle([("GRID", (0, 0), (-1, -1), 0.4, "black"), ("VALIGN", (0, 0), (-1, depth), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 1.5), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
                    ("BACKGROUND", (0, depth), (-1, depth), "#eeeeee"), *spans])
    return table


def _appendices(b: ReportBundle, width: float, styles: dict) -> list:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import CondPageBreak, Paragraph as P, Spacer

    title = ParagraphStyle("apt", parent=styles["type"], fontSize=12, leading=14, spaceBefore=0)
    sub = ParagraphStyle("aps", parent=styles["date"], fontSize=10, leading=12)
    code = ParagraphStyle("apc", parent=styles["cellhead"], fontSize=10, alignment=2)
    note = ParagraphStyle("apn", parent=styles["cell"], fontSize=8.5, leading=10)
    out: list = []
    for i, report in enumerate(b.reports):
        if i:
            out.append(CondPageBreak(width))  # each form starts a page unless nearly nothing was printed
        out += [P(f"Phụ lục {i + 1} — Biểu {report.form.code}", code), P(report.form.title, title),
                P(f"Số liệu tính từ ngày {report.period.start:%d/%m/%Y} đến ngày {report.period.end:%d/%m/%Y}", sub),
                Spacer(1, 6), _appendix_table(report, width, styles), Spacer(1, 4)]
        manual = [str(leaf.no) for leaf in report.form.leaves() if leaf.rule is None or leaf.rule.manual]
        if manual:
            out.append(P(f"Cột để trống ({', '.join(manual)}): sổ không theo dõi, đơn vị tự điền.", note))
        if report.form.note:
            out.append(P(f"Ghi chú: {report.form.note}", note))
    return out


def _month_label(m: str) -> str:
    return f"T{int(m[5:])}/{m[2:4]}"


def _charts(b: ReportBundle, width: float, styles: dict) -> list:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as P, Spacer
    from reportlab.platypus import Table as T

    from desktop.documents.fonts import register_pdf_fonts

    font = register_pdf_fonts().face()
    title = ParagraphStyle("cht", parent=styles["cellhead"], fontSize=11, leading=13)
    months = list(b.charts.months) or [("—", 0, 0, 0, 0)]
    labels = [_month_label(m[0]) if m[0] != "—" else "—" for m in months]
    half = width / 2 - 10

    d1 = Drawing(half, 190)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 30, 40, half - 45, 130
    bars.data = [[m[1] for m in months], [m[2] for m in months]]
    bars.categoryAxis.categoryNames = labels
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.valueMin = 0
    bars.bars[0].fillColor = colors.HexColor("#4a78b5")
    bars.bars[1].fillColor = colors.HexColor("#e39b3b")
    d1.add(bars)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 30, 12, font, 8
    legend.alignment, legend.columnMaximum, legend.deltax = "right", 1, 90
    legend.colorNamePairs = [(colors.HexColor("#4a78b5"), "Tiếp nhận"), (colors.HexColor("#e39b3b"), "Giải quyết xong")]
    d1.add(legend)

    d2 = Drawing(half, 190)
    line = HorizontalLineChart()
    line.x, line.y, line.width, line.height = 30, 40, half - 45, 130
    rates = [round(100 * m[3] / m[4], 1) if m[4] else 0 for m in months]
    line.data = [rates]
    line.categoryAxis.categoryNames = labels
    line.categoryAxis.labels.fontName = font
    line.categoryAxis.labels.fontSize = 7
    line.valueAxis.valueMin, line.valueAxis.valueMax, line.valueAxis.valueStep = 0, 100, 20
    line.valueAxis.labels.fontName = font
    line.lines[0].strokeColor = colors.HexColor("#2e8b57")
    line.lines[0].strokeWidth = 2
    d2.add(line)
    d2.add(String(30, 14, "% văn bản giải quyết, giải trình ban hành đúng hạn", fontName=font, fontSize=8))

    officers = list(b.charts.overdue)[:12] or [("Không có", 0)]
    d3 = Drawing(width, 30 + 18 * len(officers))
    hbar = HorizontalBarChart()
    hbar.x, hbar.y = 150, 10
    hbar.width, hbar.height = width - 190, 18 * len(officers)
    hbar.data = [[n for _, n in officers]]
    hbar.categoryAxis.categoryNames = [name for name, _ in officers]
    hbar.categoryAxis.labels.fontName = font
    hbar.categoryAxis.labels.fontSize = 8
    top = max(n for _, n in officers)
    hbar.valueAxis.valueMin, hbar.valueAxis.valueMax = 0, top + 1
    hbar.valueAxis.valueStep = max(1, -(-(top + 1) // 6))
    hbar.valueAxis.labels.fontName = font
    hbar.bars[0].fillColor = colors.HexColor("#c0392b")
    d3.add(hbar)

    row = T([[P("Tiếp nhận và giải quyết xong theo tháng", title), P("Tỷ lệ giải quyết đúng hạn theo tháng", title)],
             [d1, d2]], colWidths=[width / 2, width / 2])
    return [P("BIỂU ĐỒ", ParagraphStyle("chh", parent=styles["type"], fontSize=12, spaceBefore=0)), Spacer(1, 6),
            row, Spacer(1, 8), P("Vụ việc quá hạn chưa giải quyết tại ngày chốt, theo cán bộ", title), d3]


def render_pdf(doc: Document, b: ReportBundle) -> bytes:
    """The report: the BÁO CÁO on A4 portrait, then the forms and charts on A4 landscape."""
    from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, NextPageTemplate, PageBreak, PageTemplate

    from desktop.documents import pdf as docpdf
    from desktop.documents.model import LAYOUT

    mm = docpdf.MM
    buffer = io.BytesIO()
    portrait = docpdf.page_geometry(False)
    wide = docpdf.page_geometry(True)
    L = LAYOUT
    template = BaseDocTemplate(buffer, pagesize=portrait, leftMargin=L.margin_left * mm,
                               rightMargin=L.margin_right * mm, topMargin=L.margin_top * mm,
                               bottomMargin=L.margin_bottom * mm, title=nfc(f"Báo cáo {doc.summary}"),
                               author="Sổ Giải trình", creator="Sổ Giải trình", invariant=1)
    painter = docpdf.page_number_painter(L.page_number)
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0, id="text")
    wide_w = wide[0] - (15 + 15) * mm
    wide_h = wide[1] - (15 + 15) * mm
    wide_frame = Frame(15 * mm, 15 * mm, wide_w, wide_h, leftPadding=0, rightPadding=0, topPadding=0,
                       bottomPadding=0, id="wide")

    wide_painter = docpdf.page_number_painter(L.page_number, page=wide, margins=(15 * mm, 15 * mm, 15 * mm))

    def on_wide(canvas, document):
        canvas.setPageSize(wide)
        wide_painter(canvas, document)

    template.addPageTemplates([
        PageTemplate(id="first", frames=[frame], autoNextPageTemplate="later", pagesize=portrait),
        PageTemplate(id="later", frames=[frame], onPage=painter, pagesize=portrait),
        PageTemplate(id="wide", frames=[wide_frame], onPage=on_wide, pagesize=wide),
    ])
    styles = docpdf._styles()
    width = template.width
    main = docpdf._body(doc, width, styles)
    story = docpdf._header(doc, width, styles) + main[:-1] + [KeepTogether(main[-1:] + docpdf._closing(doc, width, styles))]
    story += [NextPageTemplate("wide"), PageBreak()]
    story += _appendices(b, wide_w, styles)
    story += [PageBreak()] + _charts(b, wide_w, styles)
    template.build(story)
    return buffer.getvalue()


# -- DOCX --------------------------------------------------------------------------------------------

def render_docx(doc: Document, b: ReportBundle) -> bytes:
    """The BÁO CÁO as DOCX (the documents engine's), with the forms in a landscape section after it."""
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm, Pt

    from desktop.documents.word import _clean_cell, _fix_grid, _para, render_docx as base_docx

    document = docx.Document(io.BytesIO(base_docx(doc)))
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    text_w = (297 - 30) * 72 / 25.4
    for i, report in enumerate(b.reports):
        form = report.form
        if i:
            document.add_page_break()
        _para(document, f"Phụ lục {i + 1} — Biểu {form.code}", 10, bold=True, align="right")
        _para(document, form.title, 12, bold=True)
        _para(document, f"Số liệu tính từ ngày {report.period.start:%d/%m/%Y} đến ngày {report.period.end:%d/%m/%Y}",
              10, italic=True, after=6)
        leaves = form.leaves()
        depth = form.header_depth()
        rows = report.all_rows()
        n = len(leaves) + 1
        size, widths = _table_metrics(n, text_w)
        table = document.add_table(rows=depth + 1 + len(rows), cols=n)
        table.style = document.styles["Table Grid"]
        table.autofit = False
        for column, w in zip(table.columns, widths):
            column.width = Pt(w)
        # the grid, the table and every cell agree (LibreOffice follows the grid); inner margins as
        # the PDF's 1.5 pt, not Word's 5.4 pt that left a column room for two digits of a figure
        _fix_grid(table, widths, cell_margin_pt=1.5)
        for cell in form.header():
            target = table.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            _clean_cell(target)
            _para(target, cell.text, size, bold=True)
        for c, text in enumerate(["MS", *form.numbering()]):
            target = table.cell(depth, c)
            _clean_cell(target)
            _para(target, text, size, italic=True)
        for r, row in enumerate(rows, start=depth + 1):
            target = table.cell(r, 0)
            _clean_cell(target)
            _para(target, row.label, size, align="left", bold=row.key == "__total__")
            for c, leaf in enumerate(leaves, start=1):
                target = table.cell(r, c)
                _clean_cell(target)
                _para(target, _n(row.values.get(leaf.no)), size, align="right")
        manual = [str(leaf.no) for leaf in leaves if leaf.rule is None or leaf.rule.manual]
        if manual:   # the notes under the table, as in the PDF
            _para(document, f"Cột để trống ({', '.join(manual)}): sổ không theo dõi, đơn vị tự điền.", 8.5,
                  align="left", before=4)
        if form.note:
            _para(document, f"Ghi chú: {form.note}", 8.5, align="left", before=0 if manual else 4)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def charts_of(run) -> Charts:
    """What a head reads at a glance, from a run's facts: received and ended per month, decisions
    on time, overdue per officer at the cut-off (the PDF's charts and the window's)."""
    from desktop.reports.periods import scheme
    from desktop.storage import report_facts

    run.ensure("case")
    return Charts(tuple(report_facts.monthly_series(run.db, run.params, scheme().start_day)),
                  tuple(report_facts.overdue_by_officer(run.db, run.params)))


def bundle(db, period: Period, reports: list[FormReport] | None = None, *, unit_code: str | None = None,
           corrections: list | None = None, correction_notes: list | None = None) -> ReportBundle:
    """Everything a written report needs for ``period``: its forms, last year's, and the charts."""
    from desktop.reports.engine import ReportRun
    from desktop.reports.periods import date_range
    from desktop.storage.units import get_unit

    run = ReportRun(db, period, unit_code)
    reports = reports if reports is not None else run.compute_all()
    charts = charts_of(run)
    # last year's same period, counted with this period's forms (the comparison Mẫu 02 asks for)
    before = ReportRun(db, _year_before(period), run.unit_code)
    before.prepare([r.form for r in reports])
    previous = [before.compute(r.form) for r in reports]
    return ReportBundle(period, get_unit(db, run.unit_code), reports, previous, charts, corrections or [],
                        correction_notes or [])


def _year_before(period: Period) -> Period:
    from desktop.reports.periods import date_range, period as named

    if period.kind != "range":
        try:
            return named(f"{int(period.code[:4]) - 1}{period.code[4:]}")
        except Exception:  # noqa: BLE001 - fall back to the same days a year earlier
            pass
    start = period.start.replace(year=period.start.year - 1) if not (period.start.month == 2 and period.start.day == 29) \
        else date(period.start.year - 1, 2, 28)
    end = period.end.replace(year=period.end.year - 1) if not (period.end.month == 2 and period.end.day == 29) \
        else date(period.end.year - 1, 2, 28)
    return date_range(start, end)
