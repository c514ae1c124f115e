"""The printed case file (hồ sơ vụ việc): the case, its steps, its documents and its attachments.

For the paper file kept with the originals: one listing a reader can check against the folder —
each attachment with its name, kind, size, the day it was added and its SHA-256 (the same value
the case's hash chain holds), each issued document with its number and SHA-256. A denunciation
prints no denouncer (Luật Tố cáo 2018, Art. 9).
"""

from __future__ import annotations

from datetime import date

from desktop.documents.context import dmy
from desktop.documents.model import Document, Paragraph, Table
from desktop.documents.pdf import render_pdf
from desktop.documents.templates import split_unit_name
from desktop.rules.book import KIND_LABELS
from desktop.storage import attachments as att_repo
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.documents_repo import list_documents
from desktop.storage.lookup import case_code, display
from desktop.storage.units import get_unit
from desktop.workflow.attach import size_text
from desktop.workflow.engine import rules_of


def case_file_document(db: Database, case_uuid: str, *, today: date | None = None) -> Document:
    case = case_repo.get_case(db, case_uuid)
    unit = get_unit(db, case.unit_code)
    rs = rules_of(case)
    people = "(giữ bí mật — Luật Tố cáo 2018, Điều 9)" if case.confidential else ", ".join(
        p.person.full_name for p in case_repo.case_people(db, case.uuid)) or "—"
    code = case_code(db, case.uuid)
    facts = [f"Số vụ việc: {case.number} — {KIND_LABELS.get(case.kind, case.kind)}; ngày nhận {dmy(case.received_on)}"
             + (f"; mã tra cứu {display(code)}" if code else "") + ".",
             f"Người yêu cầu: {people}.", f"Nội dung: {case.summary.rstrip('.')}.",
             f"Trạng thái: {rs.state_label(case.state)}" + (f", kết thúc ngày {dmy(case.closed_on)}" if case.closed_on
                                                             else "") + "."]
    steps = tuple((str(e.seq), dmy(e.effective_on), rs.actions[e.action].label if e.action in rs.actions else
                   {"receive": "Tiếp nhận", "attach": "Đính kèm tệp"}.get(e.action, e.action), e.note, e.hash[:16])
                  for e in case_repo.list_events(db, case.uuid))
    docs = tuple((r.symbol or "(dự thảo)", dmy(r.issued_on), r.label, r.status, (r.sha256 or "")[:16])
                 for r in list_documents(db, case_uuid=case.uuid))
    files = tuple((str(i), a.file_name, a.media_type, size_text(a.size), dmy(a.added_on), a.sha256)
                  for i, a in enumerate(att_repo.of_case(db, case.uuid), start=1))
    body = [Paragraph(f, indent=False, align="left") for f in facts]
    body += [Paragraph("I. Diễn biến giải quyết", bold=True, indent=False, align="left"),
             Table(("TT", "Ngày", "Bước", "Ghi chú", "Mã băm sự kiện"), steps, (0.06, 0.13, 0.25, 0.36, 0.2), 11),
             Paragraph("II. Văn bản đã lập", bold=True, indent=False, align="left"),
             Table(("Số, ký hiệu", "Ngày", "Loại văn bản", "Tình trạng", "SHA-256 (16 ký tự đầu)"),
                   docs or (("—", "", "Chưa có văn bản", "", ""),), (0.17, 0.13, 0.36, 0.12, 0.22), 11),
             Paragraph("III. Tài liệu đính kèm (bản quét, ảnh, tệp)", bold=True, indent=False, align="left"),
             Table(("TT", "Tên tệp", "Loại", "Dung lượng", "Ngày thêm", "SHA-256"),
                   files or (("—", "Chưa có tệp đính kèm", "", "", "", ""),), (0.05, 0.25, 0.14, 0.1, 0.11, 0.35), 9)]
    return Document(kind="case_file", issuing_body=split_unit_name(unit.name), issuer_abbr=unit.abbreviation or "UBND",
                    place=unit.place_name, type_name="HỒ SƠ VỤ VIỆC", summary=f"Vụ việc số {case.number}",
                    issued_on=today or date.today(), body=tuple(body), meta={"label": "Hồ sơ vụ việc"})


def case_file_pdf(db: Database, case_uuid: str, *, today: date | None = None) -> bytes:
    return render_pdf(case_file_document(db, case_uuid, today=today))
