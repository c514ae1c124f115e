"""The satisfaction slip: one page with the case, its lookup code and the four answers; no denouncer."""

from __future__ import annotations

import io
from datetime import date

import pdfplumber

from desktop.documents.satisfaction_slip import slip_pdf
from desktop.storage.lookup import case_code, display
from desktop.storage.persons import save_person
from desktop.storage.units import save_unit
from desktop.workflow.effects import SATISFACTION
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case

TODAY = date(2026, 3, 20)


def _case(db, kind, name):
    p = save_person(db, full_name=name, today=TODAY)
    c = receive_case(db, CaseInput(kind=kind, received_on=date(2026, 3, 2), summary="Kiến nghị sửa đường",
                                   requesters=[p.uuid]), today=TODAY)
    act(db, c.uuid, "accept", effective_on=date(2026, 3, 3), today=TODAY)
    act(db, c.uuid, "reply", effective_on=date(2026, 3, 16), today=TODAY)
    return c


def _text(pdf: bytes) -> tuple[int, str]:
    with pdfplumber.open(io.BytesIO(pdf)) as f:
        return len(f.pages), "\n".join(p.extract_text() for p in f.pages)


def test_the_slip_is_one_page_with_the_case_and_the_four_answers(db, login):
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    login("leader")
    c = _case(db, "petition", "Trần Thị Đức")
    pages, text = _text(slip_pdf(db, c.uuid, today=TODAY))
    assert pages == 1
    assert "PHIẾU LẤY Ý KIẾN" in text and c.number in text and display(case_code(db, c.uuid)) in text
    assert "ngày 16/03/2026" in text and "Trần Thị Đức" in text
    for label in SATISFACTION.values():
        assert label in text
    secret = _case(db, "denunciation", "Lê Văn Cường")
    _, text = _text(slip_pdf(db, secret.uuid, today=TODAY))
    assert "Lê Văn Cường" not in text and "Kính gửi: ông (bà)." in text
