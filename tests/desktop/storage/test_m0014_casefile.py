"""0014 on the released 0006 register: the case-file tables appear and nothing is lost."""

from __future__ import annotations

from desktop.storage.db import open_database
from desktop.workflow.verify import verify_register

from tests.desktop.storage.upgrade_0006 import copy_0006, counts

TABLES = ("cases", "receptions", "persons", "events", "documents", "calendar_days")


def test_upgrade_from_0006_adds_the_case_file_and_keeps_everything(tmp_path):
    path, before = copy_0006(tmp_path, TABLES)
    db = open_database(path)
    try:
        assert counts(db.conn, TABLES) == before and before["cases"] > 0
        cols = {r[1] for r in db.query("PRAGMA table_info(cases)")}
        assert "lookup_code" in cols and db.scalar("SELECT count(*) FROM cases WHERE lookup_code IS NOT NULL") == 0
        assert "lookup_code" in {r[1] for r in db.query("PRAGMA table_info(receptions)")}
        for table in ("imported_rows", "publications", "publication_cases", "redaction_rules", "attachments",
                      "attachment_blobs"):
            assert db.scalar("SELECT count(*) FROM " + table) == 0
        assert verify_register(db).ok
    finally:
        db.close()
    assert list((tmp_path / "backups").glob("register-*-before-*.sqlite"))
