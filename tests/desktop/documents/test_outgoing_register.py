"""The outgoing register (NĐ 30/2020 Art. 15): numbers at issue, per unit and year, never reused."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import date

import pytest

from desktop.documents import outgoing
from desktop.errors import UserError
from desktop.storage import documents_repo as repo
from desktop.storage.cases import list_events
from desktop.storage.db import open_database


REPLY_FIELDS = {"meeting_result": "Không tổ chức làm việc trực tiếp.",
                "legal_grounds": "Luật Đất đai năm 2024.", "explanation": "Hồ sơ đã được chuyển đi ngày 10/02/2026."}


def _draft(reg, kind="explanation_accept"):
    return outgoing.draft(reg["db"], reg["case"].uuid, kind)


def test_a_draft_has_no_number(register):
    rec = _draft(register)
    assert rec.status == "draft" and rec.number is None and rec.year is None and rec.symbol == ""
    assert rec.document.number is None and rec.document.signer.name == "Trần Thị Bích Hằng"


def test_numbers_run_in_sequence_from_01(register):
    db = register["db"]
    symbols = [outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5 + i)).symbol for i in range(3)]
    assert symbols == ["01/TB-UBND", "02/TB-UBND", "03/TB-UBND"]


def test_one_sequence_for_every_type_of_the_unit(register):
    db = register["db"]
    first = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5))
    reply = outgoing.draft(db, register["case"].uuid, "explanation_reply", extra=REPLY_FIELDS)
    second = outgoing.issue(db, reply.uuid, issued_on=date(2026, 2, 6))
    assert (first.symbol, second.symbol) == ("01/TB-UBND", "02/UBND")


def test_numbers_restart_on_the_first_of_january(register):
    db = register["db"]
    a = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 12, 30), today=date(2027, 1, 2))
    b = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 12, 31), today=date(2027, 1, 2))
    c = outgoing.issue(db, _draft(register).uuid, issued_on=date(2027, 1, 1), today=date(2027, 1, 2))
    assert [(x.year, x.number) for x in (a, b, c)] == [(2026, 1), (2026, 2), (2027, 1)]
    assert c.document.date_line.endswith("ngày 01 tháng 01 năm 2027")


def test_a_voided_number_is_never_reused(register):
    db = register["db"]
    first = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5))
    voided = outgoing.void(db, first.uuid, "Sai tên người nhận", on=date(2026, 2, 5))
    assert voided.status == "void" and voided.number == 1 and voided.void_reason == "Sai tên người nhận"
    nxt = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 6))
    assert nxt.number == 2
    rows = repo.register_rows(db, "12345", date(2026, 1, 1), date(2026, 12, 31))
    assert [(r.number, r.status) for r in rows] == [(1, "void"), (2, "issued")]


def test_void_needs_a_reason_and_happens_once(register):
    db = register["db"]
    rec = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5))
    with pytest.raises(UserError) as info:
        outgoing.void(db, rec.uuid, "  ")
    assert info.value.code == "document_void_reason" and "lý do" in info.value.message
    outgoing.void(db, rec.uuid, "Ký nhầm")
    with pytest.raises(UserError):
        outgoing.void(db, rec.uuid, "Lần nữa")


def test_the_database_refuses_to_change_or_delete_a_number(register):
    db = register["db"]
    rec = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5))
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("UPDATE documents SET number = 7 WHERE uuid = ?", (rec.uuid,))
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("DELETE FROM documents WHERE uuid = ?", (rec.uuid,))
    other = _draft(register)
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("UPDATE documents SET status='issued', number=1, year=2026, issued_on='2026-02-06' "
                        "WHERE uuid = ?", (other.uuid,))


def test_an_issued_document_cannot_be_issued_again_or_edited(register):
    db = register["db"]
    rec = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5))
    with pytest.raises(UserError) as info:
        outgoing.issue(db, rec.uuid)
    assert info.value.code == "document_not_draft"
    with pytest.raises(UserError):
        outgoing.edit(db, rec.uuid, body_text="Sửa sau khi ký")


def test_issue_records_the_register_columns_and_links_the_timeline(register):
    db = register["db"]
    rec = _draft(register)
    rec = outgoing.edit(db, rec.uuid, recipients=["Ông Nguyễn Văn Ất", "- Thanh tra tỉnh;"])
    issued = outgoing.issue(db, rec.uuid, issued_on=date(2026, 2, 5), copies=3)
    assert issued.signer_name == "Trần Thị Bích Hằng" and issued.copies == 3
    assert issued.recipients == ("Ông Nguyễn Văn Ất", "Thanh tra tỉnh")
    assert issued.file_keeper == "VT, VP"
    pdf = outgoing.render(db, issued.uuid, "pdf")
    assert hashlib.sha256(pdf).hexdigest() == issued.sha256
    event = list_events(db, register["case"].uuid)[-1]
    assert event.action == "document_issued" and event.effective_on == date(2026, 2, 5)
    assert event.data["sha256"] == issued.sha256 and event.data["symbol"] == "01/TB-UBND"
    assert event.data["document_uuid"] == issued.uuid
    repo.mark_sent(db, issued.uuid, date(2026, 2, 6))
    assert repo.get_document(db, issued.uuid).sent_on == date(2026, 2, 6)


def test_issue_without_a_signer_is_refused(register):
    db = register["db"]
    rec = outgoing.draft(db, register["case"].uuid, "explanation_meeting", signer_uuid=None)
    # the meeting minutes are signed by the handler (the assignee), so that one has a signer
    assert rec.document.signer.name == "Lê Văn Đức"
    doc = rec.document.__class__(**{**rec.document.__dict__, "signer": None})
    blank = repo.insert_draft(db, doc, issuer_code="12345", case_uuid=register["case"].uuid)
    with pytest.raises(UserError) as info:
        outgoing.issue(db, blank.uuid)
    assert info.value.code == "document_no_signer" and "người ký" in info.value.message


def test_editing_a_draft_keeps_vietnamese_and_changes_signer(register):
    db = register["db"]
    rec = _draft(register)
    edited = outgoing.edit(db, rec.uuid, body_text="Đoạn một.\n\nĐoạn hai có chữ ữ ợ ặ.",
                           signer_uuid=register["deputy"].uuid)
    assert [p.text for p in edited.document.body] == ["Đoạn một.", "Đoạn hai có chữ ữ ợ ặ."]
    # the UBND notifies as a collective: a deputy signs "TM. … / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    assert edited.document.signer.title_lines() == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert edited.signer_name == "Phạm Quốc Việt"
    with pytest.raises(UserError) as info:
        outgoing.edit(db, rec.uuid, body_text="  \n ")
    assert info.value.code == "document_empty_body"


def test_numbers_are_per_issuing_unit(register):
    db = register["db"]
    doc = _draft(register).document
    other = repo.insert_draft(db, doc, issuer_code="99999")
    mine = outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5))
    theirs = outgoing.issue(db, other.uuid, issued_on=date(2026, 2, 5))
    assert mine.number == theirs.number == 1


def test_concurrent_issues_on_the_same_file_never_share_a_number(register, db_path):
    db = register["db"]
    drafts = [_draft(register).uuid for _ in range(16)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker(uuids):
        conn = open_database(db_path)   # one connection per thread, as in the app
        conn.principal = db.principal   # each acting for the logged-in head
        try:
            barrier.wait()
            for u in uuids:
                outgoing.issue(conn, u, issued_on=date(2026, 3, 2))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(drafts[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = sorted(r.number for r in repo.list_documents(db, status="issued"))
    assert numbers == list(range(1, 17))
    events = [e for e in list_events(db, register["case"].uuid) if e.action == "document_issued"]
    assert sorted(e.data["number"] for e in events) == list(range(1, 17))


def test_offered_documents_follow_the_case_state(register):
    from desktop.workflow.engine import act

    from desktop.workflow.receive import CaseInput, receive_case

    db = register["db"]
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 2, 2), summary="Việc khác",
                                      requesters=[register["person"].uuid]), today=date(2026, 2, 2))
    kinds = [t.kind for t in outgoing.offered(db, case.uuid)]
    assert kinds[:2] == ["explanation_accept", "explanation_refuse"]
    assert "explanation_reply" not in kinds and "complaint_accept" not in kinds
    act(db, case.uuid, "accept", effective_on=date(2026, 2, 5), today=date(2026, 2, 5))
    kinds = [t.kind for t in outgoing.offered(db, case.uuid)]
    assert {"explanation_meeting", "explanation_reply"} <= set(kinds)
    # an extension notice only once the extension is in the timeline (it states its days and deadline)
    assert "explanation_resume" not in kinds and "explanation_extend" not in kinds
    act(db, case.uuid, "suspend", effective_on=date(2026, 2, 6), today=date(2026, 2, 6),
        ground="illness_obstacle")
    assert [t.kind for t in outgoing.offered(db, case.uuid)] == ["explanation_suspend"]
    act(db, case.uuid, "resume", effective_on=date(2026, 2, 9), today=date(2026, 2, 9))
    assert "explanation_resume" in [t.kind for t in outgoing.offered(db, case.uuid)]


def test_issued_today_for_batch_printing(register):
    db = register["db"]
    outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 5))
    outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 6))
    assert [r.number for r in outgoing.issued_on_day(db, date(2026, 2, 6))] == [2]


def test_numbers_follow_dates_and_the_date_is_not_in_the_future(register):
    from datetime import timedelta

    db = register["db"]
    outgoing.issue(db, _draft(register).uuid, issued_on=date(2026, 2, 10))
    late = _draft(register)
    with pytest.raises(UserError) as info:
        outgoing.issue(db, late.uuid, issued_on=date(2026, 2, 9))
    assert info.value.code == "document_date_before_last" and "10/02/2026" in info.value.message
    with pytest.raises(UserError) as info:
        outgoing.issue(db, late.uuid, issued_on=date.today() + timedelta(days=1))
    assert info.value.code == "document_future_date"
    assert repo.get_document(db, late.uuid).status == "draft"
    assert outgoing.issue(db, late.uuid, issued_on=date(2026, 2, 10)).number == 2
