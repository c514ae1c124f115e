"""The satisfaction slip (phiếu lấy ý kiến mức độ hài lòng), printed with the reply.

One page handed or sent to the requester with the written answer: the case's number and lookup
code, the four answers the register counts (``effects.SATISFACTION``) as boxes to tick, room for
a comment and a signature. At closing, the clerk keys in the answer of the slip that came back
(the close step asks for it; without a slip the answer is recorded as "Không có ý kiến").
A denunciation's slip does not name the denouncer (Luật Tố cáo 2018, Art. 9).
"""

from __future__ import annotations

from datetime import date

from desktop.documents.context import dmy
from desktop.documents.model import Document, Paragraph, Signer, Table
from desktop.documents.pdf import render_pdf
from desktop.documents.templates import split_unit_name
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.lookup import display, ensure_case_code
from desktop.storage.units import get_unit
from desktop.workflow.effects import SATISFACTION

KIND = "satisfaction_slip"


def slip_document(db: Database, case_uuid: str, *, today: date | None = None) -> Document:
    case = case_repo.get_case(db, case_uuid)
    unit = get_unit(db, case.unit_code)
    code = display(ensure_case_code(db, case.uuid))
    people = case_repo.case_people(db, case.uuid)
    who = "ông (bà)"
    if people and not case.confidential:
        who = f"ông (bà) {people[0].person.full_name}"
    replied = next((e.effective_on for e in reversed(case_repo.list_events(db, case.uuid)) if e.action == "reply"), None)
    when = f" ngày {dmy(replied)}" if replied else ""
    body = (
        Paragraph(f"Kính gửi: {who}.", indent=False, align="left"),
        Paragraph(f"{unit.name} đã trả lời, giải quyết vụ việc số {case.number} (mã tra cứu {code}){when}: "
                  f"“{case.summary.rstrip('.')}”. Để việc tiếp nhận và giải quyết ngày càng tốt hơn, đề nghị "
                  f"ông (bà) cho biết mức độ hài lòng bằng cách đánh dấu (x) vào một ô dưới đây:"),
        Table(("Mức độ hài lòng", "Đánh dấu (x)"), tuple((label, "") for label in SATISFACTION.values()),
              (0.7, 0.3), 13),
        Paragraph("Ý kiến khác (nếu có): " + "." * 120, indent=False, align="left"),
        Paragraph("Xin gửi lại phiếu này cho bộ phận tiếp công dân hoặc bỏ vào hòm thư góp ý tại trụ sở "
                  f"{unit.name}. Phiếu không bắt buộc; ý kiến của ông (bà) được giữ kín.", italic=True),
    )
    return Document(
        kind=KIND, issuing_body=split_unit_name(unit.name), issuer_abbr=unit.abbreviation or "UBND",
        place=unit.place_name, type_name="PHIẾU LẤY Ý KIẾN",
        summary="Mức độ hài lòng của người dân về việc giải quyết", issued_on=today or date.today(), body=body,
        counter_signer=Signer(title="NGƯỜI CHO Ý KIẾN"), signer=None,
        legal_basis=("Luật Tiếp công dân 2013; NĐ 59/2019/NĐ-CP (mức độ hài lòng của người yêu cầu)",),
        meta={"label": "Phiếu lấy ý kiến mức độ hài lòng", "no_number": True})


def slip_pdf(db: Database, case_uuid: str, *, today: date | None = None) -> bytes:
    return render_pdf(slip_document(db, case_uuid, today=today))
