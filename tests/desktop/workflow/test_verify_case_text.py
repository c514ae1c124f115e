"""The text SQLite writes for a case's digest (``verify._DIGEST_TEXT``, one printf) is byte for byte
the text ``engine.digest_of`` hashes, whatever the values hold: percent signs, quotes, escapes,
Vietnamese, nulls, flags (issue #20: the full verify hashes SQLite's text and goes the app's way
only for a case that differs)."""

from __future__ import annotations

import sqlite3

from desktop.workflow import verify
from desktop.workflow.engine import DIGEST_FIELDS, _DIGEST_JSON

TRICKY = ["%s%d%%", "50% \"trích\" \\ \n\t\r", "Nguyễn Văn Hùng — đơn", "", "\x01\x1f", "ký tự \u2028 tách"]


def test_sqlite_writes_the_apps_digest_text():
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE cases ({', '.join(DIGEST_FIELDS)})")
    rows = []
    for i, text in enumerate(TRICKY):
        row = []
        for j, f in enumerate(DIGEST_FIELDS):
            if f in verify._BOOLEAN:
                row.append((i + j) % 2)
            elif f in ("extensions", "version"):
                row.append(i + j)
            else:
                row.append(None if (i + j) % 5 == 0 else f"{text}{j}")
        rows.append(row)
    conn.executemany(f"INSERT INTO cases VALUES ({', '.join('?' * len(DIGEST_FIELDS))})", rows)
    written = [r[0] for r in conn.execute(f"SELECT {verify._DIGEST_TEXT} FROM cases c ORDER BY rowid")]
    for row, text in zip(rows, written):
        values = [bool(v) if f in verify._BOOLEAN else v for f, v in zip(DIGEST_FIELDS, row)]
        assert text == _DIGEST_JSON.encode(values).encode("utf-8")
