"""The public notice of results for a period: its rows, redacted, as PDF, CSV and a static HTML page.

A case is listed when its written answer (the 'reply' step) falls within the period and it is
answered or closed. Each row shows the register number, the day received, the kind, the field,
the matter and the result — its free text through the redaction rules — and who asked, hidden
by the rules. A denunciation never shows its denouncer, whatever the rules say (Luật Tố cáo
2018, Art. 9): its own words may name the denouncer, whose identity the register seals (so no
rule could find the name to remove it), hence only its field and its state go out. The PDF is drawn by the documents engine (NĐ 30/2020 format, landscape for the
wide table); the CSV (UTF-8 with BOM, for Excel) and the HTML page are for the portal.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import date

from desktop.documents.context import default_signer
from desktop.documents.model import Document, Paragraph, Signer, Table
from desktop.documents.pdf import render_pdf
from desktop.documents.templates import split_unit_name
from desktop.publication.redaction import Redactor, Removal, redactor
from desktop.rules.book import KIND_LABELS, default_rules
from desktop.storage.db import Database
from desktop.storage.units import local_unit

SECRET = "Giữ bí mật (Luật Tố cáo, Điều 9)"
SECRET_MATTER = "Tố cáo; nội dung không công khai chi tiết"
FIELD_NAMES = {"land": "Đất đai", "construction": "Xây dựng", "environment": "Môi trường", "justice": "Tư pháp",
               "civil_status": "Hộ tịch", "policy": "Chính sách, xã hội", "personnel": "Cán bộ, công chức",
               "finance": "Tài chính, ngân sách", "other": "Khác"}
HEADERS = ("STT", "Số vụ việc", "Ngày nhận", "Loại", "Lĩnh vực", "Người gửi", "Nội dung", "Kết quả giải quyết",
           "Ngày trả lời")
WIDTHS = (0.04, 0.07, 0.08, 0.09, 0.08, 0.10, 0.25, 0.21, 0.08)


@dataclass(frozen=True)
class NoticeRow:
    case_uuid: str
    number: str
    received_on: date
    kind: str
    field: str
    requester: str           # redacted, or the secret mark
    summary: str             # redacted
    result: str              # redacted
    replied_on: date
    published_on: date | None

    def cells(self, n: int) -> tuple[str, ...]:
        return (str(n), self.number, f"{self.received_on:%d/%m/%Y}", KIND_LABELS.get(self.kind, self.kind),
                FIELD_NAMES.get(self.field, self.field), self.requester, self.summary, self.result,
                f"{self.replied_on:%d/%m/%Y}")


@dataclass
class Notice:
    start: date
    end: date
    rows: list[NoticeRow]
    redactor: Redactor
    unit_name: str
    place: str
    abbreviation: str

    @property
    def period_text(self) -> str:
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def table(self) -> list[tuple[str, ...]]:
        return [r.cells(i) for i, r in enumerate(self.rows, start=1)]


def _people(db: Database, case_uuid: str) -> list[tuple[str, str, str, str]]:
    return [(r[0] or "", r[1] or "", r[2] or "", r[3] or "") for r in db.query(
        "SELECT p.full_name, p.id_number, p.phone, p.address FROM case_people cp "
        "JOIN persons p ON p.uuid = cp.person_uuid WHERE cp.case_uuid = ?", (case_uuid,))]


def collect(db: Database, start: date, end: date) -> Notice:
    """The notice's rows for ``start``–``end``, every text redacted (the redactor keeps what it removed)."""
    unit = local_unit(db)
    red = redactor(db)
    rules = default_rules()
    rows: list[NoticeRow] = []
    for r in db.query(
            "SELECT c.uuid, c.number, c.kind, c.rules_id, c.field, c.summary, c.received_on, c.confidential, "
            "c.state, c.published_on, c.requester_name, e.effective_on AS replied_on, e.note "
            "FROM cases c JOIN events e ON e.case_uuid = c.uuid AND e.action = 'reply' "
            "WHERE c.unit_code = ? AND c.state IN ('replied', 'closed') AND e.effective_on BETWEEN ? AND ? "
            "ORDER BY e.effective_on, c.id", (unit.code, start.isoformat(), end.isoformat())):
        people = _people(db, r["uuid"])
        secret = bool(r["confidential"]) or r["kind"] == "denunciation"
        where = r["number"]
        state = rules.by_id(r["rules_id"]).state_label(r["state"])
        if secret:
            # A denunciation's own words may name the denouncer, whose identity the register seals:
            # only its field and its state go out, never its text (Luật Tố cáo 2018, Art. 9).
            requester, summary, result = SECRET, f"{SECRET_MATTER} ({FIELD_NAMES.get(r['field'], r['field'])})", state
            red.removals.append(Removal("secret_case", "Nội dung và kết quả tố cáo không công khai chi tiết để giữ "
                                        "bí mật người tố cáo (Luật Tố cáo 2018, Điều 9)", "(giữ bí mật)", where))
        else:
            requester = red.redact(r["requester_name"], people=people, where=f"{where} · Người gửi") or "—"
            summary = red.redact(r["summary"], people=people, where=f"{where} · Nội dung")
            note = red.redact(r["note"] or "", people=people, where=f"{where} · Kết quả")
            result = f"{state}. {note}".strip() if note else state
        rows.append(NoticeRow(
            r["uuid"], r["number"], date.fromisoformat(r["received_on"]), r["kind"], r["field"], requester, summary,
            result, date.fromisoformat(r["replied_on"]),
            date.fromisoformat(r["published_on"]) if r["published_on"] else None))
    return Notice(start, end, rows, red, unit.name, unit.place_name, unit.abbreviation or "UBND")


# -- the three outputs --------------------------------------------------------------------------
def to_document(db: Database, notice: Notice, made_on: date) -> Document:
    officer = default_signer(db)
    signer = None
    if officer is not None:
        title = (officer.title or ("CHỦ TỊCH" if officer.role == "head" else "PHÓ CHỦ TỊCH")).upper()
        signer = Signer(title=title, name=officer.full_name, authority="TM." if officer.role == "head" else "KT.",
                        on_behalf_of="ỦY BAN NHÂN DÂN" if officer.role == "head" else "CHỦ TỊCH",
                        officer_uuid=officer.uuid)
    intro = (f"{notice.unit_name} công khai kết quả giải quyết khiếu nại, tố cáo, kiến nghị, phản ánh và yêu cầu "
             f"giải trình {notice.period_text} như sau ({len(notice.rows)} vụ việc). Thông tin cá nhân của người "
             f"dân đã được ẩn (ghi “{notice.redactor.placeholder}”); danh tính người tố cáo được giữ bí mật theo "
             "Luật Tố cáo năm 2018, Điều 9.")
    body = [Paragraph(intro), Table(HEADERS, tuple(notice.table()) or (("", "", "", "", "", "", "Không có vụ việc "
                                                                          "nào trong kỳ.", "", ""),), WIDTHS, 10.5)]
    return Document(
        kind="public_notice", issuing_body=split_unit_name(notice.unit_name), issuer_abbr=notice.abbreviation,
        place=notice.place, type_code="TB", type_name="THÔNG BÁO",
        summary=f"Công khai kết quả giải quyết đơn thư, yêu cầu giải trình {notice.period_text}",
        issued_on=made_on, body=tuple(body), signer=signer,
        recipients=("Bảng tin trụ sở UBND", "Trang thông tin điện tử của đơn vị"), landscape=True,
        legal_basis=("Luật Tiếp công dân 2013; Luật Khiếu nại 2011; Luật Tố cáo 2018, Điều 9; NĐ 59/2019/NĐ-CP",),
        meta={"label": "Công khai kết quả"})


def to_pdf(db: Database, notice: Notice, made_on: date) -> bytes:
    return render_pdf(to_document(db, notice, made_on))


def to_csv(notice: Notice) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADERS)
    w.writerows(notice.table())
    return buf.getvalue().encode("utf-8-sig")


def to_html(notice: Notice, made_on: date) -> bytes:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in HEADERS)
    body = "\n".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in notice.table())
    title = f"Công khai kết quả giải quyết {notice.period_text}"
    page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} — {e(notice.unit_name)}</title>
<style>
body {{ font-family: "Times New Roman", serif; margin: 2em; color: #111; }}
h1 {{ font-size: 1.3em; text-align: center; text-transform: uppercase; }}
p.meta {{ text-align: center; font-style: italic; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.95em; }}
th, td {{ border: 1px solid #444; padding: 4px 6px; vertical-align: top; }}
th {{ background: #eee; }}
</style>
</head>
<body>
<p class="meta">{e(notice.unit_name)}</p>
<h1>{e(title)}</h1>
<p class="meta">Cập nhật ngày {made_on:%d/%m/%Y}. Thông tin cá nhân đã được ẩn (“{e(notice.redactor.placeholder)}”);
danh tính người tố cáo được giữ bí mật (Luật Tố cáo 2018, Điều 9).</p>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{body or '<tr><td colspan="9">Không có vụ việc nào trong kỳ.</td></tr>'}
</tbody>
</table>
</body>
</html>
"""
    return page.encode("utf-8")
