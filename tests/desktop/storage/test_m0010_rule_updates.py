"""Migration 0010 on the last released register (schema 0006), and what the data fix of issue #16
does to the deadlines already in it: nothing silently; a recount records an event per case."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

from desktop.storage.db import open_database
from desktop.storage.migrations import MIGRATIONS
from desktop.workflow.rules_recheck import recount, stale_deadlines
from desktop.workflow.verify import verify_register

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_register_0006_gains_the_updates_table_and_keeps_its_deadlines(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    raw = sqlite3.connect(path)
    tables = ("cases", "events", "persons", "receptions", "documents", "calendar_days", "settings")
    before = {t: raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    dues = dict(raw.execute("SELECT uuid, due_on FROM cases"))
    raw.close()

    db = open_database(path)
    try:
        assert "0010_rule_updates" in [m.name for m in MIGRATIONS.applied(db.utils)]
        assert db.scalar("SELECT count(*) FROM rule_updates") == 0
        for table, count in before.items():
            assert db.scalar(f"SELECT COUNT(*) FROM {table}") == count, table
        # Opening never moves a stored deadline, even where the corrected rules count differently.
        assert dict(db.query("SELECT uuid, due_on FROM cases")) == dues
        assert verify_register(db).ok

        stale = stale_deadlines(db)
        # Complaints still awaiting acceptance were counted in calendar days before the fix: their
        # 10 working days (TT 07/2013 Art. 5(1)) end later. (A deadline past 02/01/2026 may also
        # move with the 2026 New Year swap now shipped as data.)
        numbers = {s.number: (s.stored, s.counted) for s in stale}
        assert numbers == {  # complaint_1 received Fri 07/03/2025, complaint_2 received Fri 03/10/2025
            "05/2025": (date(2025, 3, 17), date(2025, 3, 21)),
            "16/2025": (date(2025, 10, 13), date(2025, 10, 17))}
        from desktop.security import accounts

        accounts.assume_role(db, "admin")   # an upgraded register has no account yet: as its new administrator
        moved = recount(db, effective_on=date(2026, 12, 7), reason="sửa quy tắc (issue #16)")
        assert [m.case_uuid for m in moved] == [s.case_uuid for s in stale]
        assert stale_deadlines(db) == []
        for m in moved:
            ev = db.one("SELECT action, data FROM events WHERE case_uuid = ? ORDER BY seq DESC LIMIT 1", (m.case_uuid,))
            assert ev["action"] == "deadline_recomputed"
        assert verify_register(db).ok
    finally:
        db.close()
