"""Fixtures for documents: a register with a commune, its signers, a requester and cases."""

from __future__ import annotations

import os
from datetime import date

import pytest

# Reproducible output: the bundled Liberation Serif even where Times New Roman is installed.
os.environ.setdefault("GIAITRINH_DOCUMENT_FONT", "bundled")

from desktop.documents.model import Document, Paragraph, Signer  # noqa: E402

VIETNAMESE = "ạ ầ ặ ề ộ ợ ữ đ Đ ỹ ỷ ỵ Ứ Ừ Ữ Ự Ơ Ư"


@pytest.fixture
def notice() -> Document:
    """A plain notice, numbered and dated like the issue's example."""
    return Document(
        kind="explanation_accept", issuing_body=("ỦY BAN NHÂN DÂN", "XÃ THỤY HÙNG"), issuer_abbr="UBND",
        place="Thụy Hùng", type_code="TB", type_name="THÔNG BÁO",
        summary="Về việc thụ lý yêu cầu giải trình", number=5, issued_on=date(2026, 2, 5),
        body=(
            Paragraph("Căn cứ Nghị định số 59/2019/NĐ-CP ngày 01 tháng 7 năm 2019 của Chính phủ quy định chi tiết "
                      "một số điều và biện pháp thi hành Luật Phòng, chống tham nhũng;"),
            Paragraph("Ngày 02/02/2026, Ủy ban nhân dân xã Thụy Hùng nhận được yêu cầu giải trình của ông "
                      "Nguyễn Văn Ất, địa chỉ thôn Đông, về việc cấp giấy chứng nhận quyền sử dụng đất."),
            Paragraph(f"Các chữ cần giữ nguyên: {VIETNAMESE}. Ủy ban nhân dân xã thông báo để ông được biết./."),
        ),
        signer=Signer(title="Chủ tịch", name="Trần Thị Bích Hằng", authority="TM.", on_behalf_of="Ủy ban nhân dân"),
        recipients=("Ông Nguyễn Văn Ất", "Chủ tịch, các Phó Chủ tịch UBND xã"), archive_unit="VP",
    )


@pytest.fixture
def register(db):
    """A commune register with a head, a deputy, a clerk, a requester and an explanation case."""
    from desktop.storage.persons import save_person
    from desktop.storage.units import save_officer, save_unit
    from desktop.workflow.receive import CaseInput, receive_case

    save_unit(db, code="12345", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Trần Thị Bích Hằng", title="Chủ tịch", role="head")
    deputy = save_officer(db, full_name="Phạm Quốc Việt", title="Phó Chủ tịch", role="deputy")
    clerk = save_officer(db, full_name="Lê Văn Đức", title="Công chức Văn phòng - Thống kê", role="officer")
    from desktop.security import accounts

    accounts.assume_role(db, "leader", officer_uuid=head.uuid)  # the head drafts, signs and issues
    person = save_person(db, full_name="Nguyễn Văn Ất", address="thôn Đông, xã Thụy Hùng", phone="0912345678")
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 2, 2),
                                      summary="Việc cấp giấy chứng nhận quyền sử dụng đất",
                                      requesters=[person.uuid], assignee_uuid=clerk.uuid), today=date(2026, 2, 2))
    from desktop.workflow.engine import act

    # accepted on 03/02: the acceptance notice states the period it started (NĐ 59/2019 Art. 11, 13)
    case = act(db, case.uuid, "accept", effective_on=date(2026, 2, 3), today=date(2026, 2, 3))
    return {"db": db, "head": head, "deputy": deputy, "clerk": clerk, "person": person, "case": case}
