"""0016: the record ledger's triggers call into Python once per hash, not once per value.

The triggers of 0008 called Python for an entry's id, for its record's digest (with the JSON text
decoded into Python and encoded back) and for its hash (the entry's canonical JSON built in
Python): about a third of the ledger's cost on each save (issue #17's core figures). They are
recreated in ``desktop/storage/ledger.py``'s current form: SQLite writes both canonical JSON
texts and the entry's UUID version 7, and Python only hashes the bytes. The digest and hash
formulas (``docs/bundle-format.md`` §7) are unchanged, so every entry written before verifies
as it did; no entry, record or covered column is touched.
"""

from __future__ import annotations

NAME = "0016_ledger_lean_triggers"


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    from desktop.storage import ledger

    ledger.refresh_triggers(db.conn)
