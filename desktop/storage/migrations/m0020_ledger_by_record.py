"""0020: the record ledger indexed by record — each record's latest entry is one index seek.

``verify`` compares every covered record with its latest ledger entry (the entry of the highest
``seq``; of two with the same seq, the first written). Without an index by record the full check
first read the whole ledger into a temporary table keyed by record (about 15 s of CPU on the 1M-case
province register, 7M entries) and then read that table again to find the records deleted behind
the app (about 4.5 s).

``ledger_record`` keys the entries by (tbl, record_uuid, seq DESC): its trailing rowid makes
``ORDER BY seq DESC, id`` the index's own order, so a record's latest entry is the first the index
holds for it. ``ledger_deletions`` holds only the entries of records deleted through the app
(digest ''): with it the check counts the records it expects to be gone instead of looking each
record of the ledger up in its table (``desktop/storage/ledger.py``, ``_compare_records``).

Each ledger row costs one more index insert (a deletion two); measured on saves in issue #20's
note. No entry, record, trigger or formula changes; building the indexes reads the ledger once.
"""

from __future__ import annotations

NAME = "0020_ledger_by_record"

BY_RECORD = "CREATE INDEX ledger_record ON ledger(tbl, record_uuid, seq DESC)"
DELETIONS = "CREATE INDEX ledger_deletions ON ledger(tbl, record_uuid) WHERE digest = ''"


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    db.execute(BY_RECORD)
    db.execute(DELETIONS)
