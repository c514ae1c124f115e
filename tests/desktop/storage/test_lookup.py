"""Lookup codes: random, unambiguous, kept; printed with a QR on the receipt; found however typed."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pdfplumber
import pytest

from desktop.documents import outgoing
from desktop.documents.pdf import render_pdf
from desktop.storage import lookup
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from desktop.workflow.verify import verify_register


@pytest.fixture
def case(db, login):
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    officer = save_officer(db, full_name="Lê Thị Mai", title="Công chức Văn phòng - Thống kê")
    login("leader")
    person = save_person(db, full_name="Trần Thị Đức", id_number="034185001234", phone="0912345678",
                         address="thôn Đông")
    _, c = record_reception(db, ReceptionInput(
        received_on=date(2026, 3, 2), person_uuid=person.uuid, content="Kiến nghị sửa đường liên thôn",
        outcome="accepted", case_kind="petition", summary="Kiến nghị sửa đường liên thôn",
        assignee_uuid=officer.uuid), today=date(2026, 3, 2))
    return c


def test_codes_are_random_unambiguous_and_reveal_nothing():
    codes = {lookup.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and not set(c) & set("01OIL") for c in codes)
    assert lookup.normalize(" k7mx-3qpa ") == "K7MX3QPA" and lookup.display("K7MX3QPA") == "K7MX-3QPA"
    assert lookup.normalize("01/2026") is None and lookup.normalize("nguyen van") is None


def test_the_receipt_carries_the_code_and_its_qr_and_the_code_finds_the_case(db, case):
    assert lookup.case_code(db, case.uuid) is None  # given when the receipt is first made
    doc = outgoing.compose(db, case.uuid, "reception_receipt")
    code = doc.meta["lookup_code"]
    assert lookup.case_code(db, case.uuid) == code
    assert outgoing.compose(db, case.uuid, "reception_receipt").meta["lookup_code"] == code  # kept
    assert db.scalar("SELECT lookup_code FROM receptions WHERE uuid = ?", (case.reception_uuid,)) == code
    assert code not in case.number and "2026" not in code
    pdf = render_pdf(doc)
    with pdfplumber.open(io.BytesIO(pdf)) as f:
        page = f.pages[0]
        text = page.extract_text()
        qr = [r for r in page.rects if r["width"] < 30]  # the QR's modules (runs of them)
    assert f"Mã tra cứu hồ sơ: {lookup.display(code)}" in text
    assert len(qr) > 50
    for typed in (code, code.lower(), lookup.display(code), f" {code[:4]} {code[4:]} "):
        assert lookup.find_case(db, typed) == case.uuid
    assert lookup.find_case(db, "ZZZZ-ZZZZ") is None
    assert verify_register(db).ok  # giving a code leaves the case's digest as it was


def test_an_issued_receipt_keeps_its_code_through_the_register(db, case):
    rec = outgoing.draft(db, case.uuid, "reception_receipt")
    code = lookup.case_code(db, case.uuid)
    with pdfplumber.open(io.BytesIO(outgoing.render(db, rec.uuid))) as f:
        assert lookup.display(code) in f.pages[0].extract_text()


def test_a_case_without_reception_gets_a_code_too(db, case):
    other = receive_case(db, CaseInput(kind="feedback", received_on=date(2026, 3, 3), summary="Phản ánh đèn đường",
                                       requesters=[db.scalar("SELECT uuid FROM persons LIMIT 1")]),
                         today=date(2026, 3, 3))
    code = lookup.ensure_case_code(db, other.uuid)
    assert lookup.find_case(db, code) == other.uuid and code != lookup.ensure_case_code(db, case.uuid)


def test_a_receipt_drawn_from_a_reception_without_a_case_carries_the_receptions_code(db, case):
    """Papers handed in at the desk, no case opened: the giấy biên nhận drawn from the reception
    carries a code and its QR under the signatures; the code finds the reception; a case opened
    from it later keeps the code the citizen already holds."""
    person = db.scalar("SELECT uuid FROM persons LIMIT 1")
    host = db.scalar("SELECT uuid FROM officers WHERE full_name = 'Lê Thị Mai'")
    reception, opened = record_reception(db, ReceptionInput(
        received_on=date(2026, 3, 4), person_uuid=person, host_uuid=host,
        content="Nộp bản sao giấy chứng nhận quyền sử dụng đất", outcome="recorded"), today=date(2026, 3, 4))
    assert opened is None and reception.case_uuid is None
    rec = outgoing.draft_reception(db, reception.uuid, "reception_receipt")
    code = rec.document.meta["lookup_code"]
    assert rec.case_uuid is None and rec.kind == "reception_receipt" and lookup.normalize(code) == code
    assert db.scalar("SELECT lookup_code FROM receptions WHERE uuid = ?", (reception.uuid,)) == code
    assert code != lookup.case_code(db, case.uuid)
    assert outgoing.compose_reception(db, reception.uuid, "reception_receipt").meta["lookup_code"] == code  # kept
    pdf = outgoing.render(db, rec.uuid)
    if os.environ.get("GIAITRINH_KEEP_PDF"):  # to look at it: pdftoppm -png -r 60
        Path(os.environ["GIAITRINH_KEEP_PDF"]).write_bytes(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as f:
        page = f.pages[0]
        text = page.extract_text()
        qr = [r for r in page.rects if r["width"] < 30]
        signers = [w for w in page.extract_words() if w["text"] == "NHẬN"]
        code_line = [w for w in page.extract_words() if w["text"] == lookup.display(code)]
    assert "GIẤY BIÊN NHẬN" in text and "Số:" not in text
    assert "Trần Thị Đức" in text and "Lê Thị Mai" in text and "Nộp bản sao giấy chứng nhận" in text
    assert f"Mã tra cứu hồ sơ: {lookup.display(code)}" in text and len(qr) > 50
    assert code_line and signers and code_line[0]["top"] > max(w["top"] for w in signers)  # under the signatures
    for typed in (code, lookup.display(code).lower()):
        assert lookup.find_reception(db, typed) == reception.uuid
    assert lookup.find_case(db, code) is None  # no case yet
    # A case opened from that reception later takes the same code.
    from desktop.storage.receptions import set_reception_case

    later = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 5), summary="Kiến nghị cấp lại sổ đỏ",
                                       requesters=[person]), today=date(2026, 3, 5))
    with db.write():
        db.execute("UPDATE cases SET reception_uuid = ? WHERE uuid = ?", (reception.uuid, later.uuid))
        set_reception_case(db, reception.uuid, later.uuid)
    assert lookup.ensure_case_code(db, later.uuid) == code and lookup.find_case(db, code) == later.uuid
    # A receipt asked from a reception that opened a case is the case's, with the case's code.
    _, with_case = db.one("SELECT uuid, case_uuid FROM receptions WHERE case_uuid = ?", (case.uuid,))
    rec2 = outgoing.draft_reception(db, case.reception_uuid, "reception_receipt")
    assert rec2.case_uuid == case.uuid == with_case
    assert rec2.document.meta["lookup_code"] == lookup.case_code(db, case.uuid)
