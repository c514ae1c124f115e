"""A full disk mid-write: a clear Vietnamese message and nothing half-written in the register.

SQLite's ``max_page_count`` makes the file unable to grow, which SQLite reports exactly as it
reports a full disk (SQLITE_FULL), through the same code path.
"""

from __future__ import annotations

from datetime import date

import pytest

from desktop.errors import UserError
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)


def _counts(db):
    return tuple(db.scalar(f"SELECT count(*) FROM {t}") for t in ("cases", "events", "case_people", "receptions"))


def test_full_disk_leaves_nothing_half_written(office):
    db = office["db"]
    before = _counts(db)
    pages = db.scalar("PRAGMA page_count")
    db.execute(f"PRAGMA max_page_count = {pages}")
    long_text = "Nội dung rất dài về tranh chấp đất đai. " * 400
    with pytest.raises(UserError) as info:
        for _ in range(50):  # until the file would have to grow
            receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị",
                                       content=long_text, requesters=[office["citizen"].uuid]), today=TODAY)
    assert info.value.code == "disk_full" and "Ổ đĩa đã đầy" in info.value.message
    written = _counts(db)
    with pytest.raises(UserError):
        record_reception(db, ReceptionInput(received_on=date(2026, 3, 2), person_uuid=office["citizen"].uuid,
                                            content=long_text, outcome="accepted", case_kind="petition"), today=TODAY)
    assert _counts(db) == written
    # Every case that got in is whole: its event, its people, its index entry.
    assert written[0] >= before[0] and written[1] - before[1] == written[0] - before[0]
    db.execute("PRAGMA max_page_count = 1073741823")
    assert verify_register(db).ok
    assert not db.conn.in_transaction
