"""``verify`` in proportion to what changed (issue #20, item 2): after a verified checkpoint the
check reads only what came after it; the full check (``full=True``) still reads everything; a
forged checkpoint is refused; the check reports progress and stops at a cancel."""

from __future__ import annotations

import json
from datetime import date

import pytest

from desktop.security import accounts
from desktop.storage import ledger
from desktop.sync import keys, verified
from desktop.sync.progress import Cancelled, Progress
from desktop.workflow.demo import build_demo
from desktop.workflow.receive import CaseInput, receive_case
from desktop.workflow.verify import verify

TODAY = date(2026, 3, 2)


@pytest.fixture
def register(db, monkeypatch):
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", "cụm mật khẩu thử")
    build_demo(db, cases=30, today=TODAY)
    accounts.assume_role(db, "admin")
    keys.ensure_keys(db)
    return db


def sign_checkpoint(db) -> dict:
    return verified.sign(db, keys.private_key(db, "signing", None), full=True)


def a_days_work(db, n: int = 3) -> None:
    accounts.assume_role(db, "leader", officer_uuid=db.scalar("SELECT uuid FROM officers ORDER BY id LIMIT 1"))
    person = db.scalar("SELECT uuid FROM persons ORDER BY id LIMIT 1")
    for i in range(n):
        receive_case(db, CaseInput(kind="petition", received_on=TODAY, summary=f"Đơn kiến nghị số {i}",
                                   content="Nội dung", requesters=[person], field="land"), today=TODAY)


def test_without_checkpoint_the_check_is_full(register):
    report = verify(register)
    assert report.ok and report.mode == "full"
    assert report.ledger_entries == register.scalar("SELECT count(*) FROM ledger")


def test_after_a_checkpoint_only_the_days_work_is_read(register):
    sign_checkpoint(register)
    before = register.scalar("SELECT count(*) FROM ledger")
    a_days_work(register, 3)
    report = verify(register)
    assert report.ok, report.problems
    assert report.mode == "quick"
    new_entries = register.scalar("SELECT count(*) FROM ledger") - before
    assert report.ledger_entries == new_entries < before
    assert report.events_checked == 3 and report.cases_checked == 3


def _edit_without_trace(db, number_of_case: int = 1) -> str:
    """Change a case's summary with the ledger's triggers standing aside and no schema change: the
    one kind of edit only the full check sees (as the bytes of the file edited directly would be)."""
    number = db.scalar("SELECT number FROM cases WHERE id = ?", (number_of_case,))
    with ledger.batched(db.conn), db.write():
        db.execute("UPDATE cases SET summary = 'sửa lén' WHERE id = ?", (number_of_case,))
    return number


def test_an_edit_before_the_checkpoint_is_caught_by_the_full_check(register):
    number = _edit_without_trace(register)
    sign_checkpoint(register)  # as if the checkpoint had been signed over it
    a_days_work(register, 2)
    assert verify(register).ok  # the quick check reads only what came after the checkpoint
    full = verify(register, full=True)
    assert full.mode == "full" and not full.ok
    assert any(f"Vụ việc {number}" in p and "sửa ngoài ứng dụng" in p for p in full.problems)


def test_an_edit_after_the_checkpoint_is_caught_by_the_quick_check(register):
    sign_checkpoint(register)
    a_days_work(register, 2)
    # Someone with the ledger's functions rewrites a case: the ledger records it, but the case no
    # longer matches its last event.
    number = register.scalar("SELECT number FROM cases WHERE id = 2")
    with register.write():
        register.execute("UPDATE cases SET summary = 'sửa bằng SQL' WHERE id = 2")
    report = verify(register)
    assert report.mode == "quick" and not report.ok
    assert any(f"Vụ việc {number}" in p and "không khớp với sự kiện cuối cùng" in p for p in report.problems)


def test_a_row_added_without_the_ledger_after_the_checkpoint_is_caught_quickly(register):
    sign_checkpoint(register)
    with ledger.batched(register.conn), register.write():
        register.execute("INSERT INTO calendar_days(uuid, unit_code, day, kind, name, updated_at) "
                         "SELECT 'lén-' || hex(randomblob(8)), value, '2026-12-31', 'off', 'Nghỉ lén', '2026-03-02' "
                         "FROM settings WHERE key = 'local_unit_code'")
    report = verify(register)
    assert report.mode == "quick" and not report.ok
    assert any("được thêm ngoài ứng dụng" in p for p in report.problems)


def test_triggers_dropped_after_the_checkpoint_make_the_check_full(register, db_path):
    import sqlite3

    from desktop.storage.db import open_database

    sign_checkpoint(register)
    number = register.scalar("SELECT number FROM cases WHERE id = 3")
    register.close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER ledger_au_cases")
    conn.execute("UPDATE cases SET summary = 'sửa lén' WHERE id = 3")
    conn.close()
    again = open_database(db_path)  # puts the triggers back, with a line in the audit log
    try:
        report = verify(again)
        assert report.mode == "full" and report.note
        assert any(f"Vụ việc {number}" in p for p in report.problems)
    finally:
        again.close()


def _stored(db) -> dict:
    return json.loads(db.get_setting(verified.SETTING))


@pytest.mark.parametrize("forge", ["marks", "seq", "signature"])
def test_a_forged_checkpoint_is_refused(register, forge):
    sign_checkpoint(register)
    stored = _stored(register)
    if forge == "marks":  # claim the whole register was checked later than it was
        stored["body"]["marks"]["ledger_id"] += 10_000
    elif forge == "seq":
        stored["body"]["seq"] += 1
    else:
        stored["signature"] = stored["signature"][:-4] + ("AAAA" if not stored["signature"].endswith("AAAA") else "BBBB")
    register.set_setting(verified.SETTING, json.dumps(stored))
    report = verify(register)
    assert report.mode == "full" and not report.ok
    assert any("Điểm kiểm tra đã ký trong sổ không hợp lệ" in p for p in report.problems)


def test_a_checkpoint_signed_by_another_key_is_refused(register):
    from desktop.sync import crypto

    sign_checkpoint(register)
    stored = _stored(register)
    other = crypto.load_private(crypto.generate("signing", "một khóa hoàn toàn khác").private_pem,
                                "một khóa hoàn toàn khác")
    stored["signature"] = crypto.b64(crypto.sign(other, crypto.canonical_json(stored["body"])))
    register.set_setting(verified.SETTING, json.dumps(stored))
    report = verify(register)
    assert report.mode == "full" and any("không hợp lệ" in p for p in report.problems)


def test_progress_is_reported_and_a_cancel_stops_the_check(register):
    seen = []
    verify(register, progress=Progress(lambda done, total, text: seen.append((done, total))))
    assert seen and seen[-1][0] == seen[-1][1] > 0
    progress = Progress(lambda done, total, text: progress.cancel())
    with pytest.raises(Cancelled):
        verify(register, full=True, progress=progress)
    assert verify(register, full=True).ok  # nothing left behind by the cancelled check
