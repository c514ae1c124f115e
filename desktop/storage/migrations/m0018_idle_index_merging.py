"""0018: saves merge no search-index segments; the background checkpointer does, in idle time.

FTS5 keeps its merge settings in each index's ``<fts>_config`` table, so they belong to the
register, not to a connection: ``automerge`` 0 (a save no longer merges levels: the saves that
did took up to 60 ms at 1,000,000 cases and 177 ms on a commune's register just out of an
import, issue #20; see ``search.MERGE_DEFAULTS``), ``crisismerge`` 64 (the bound if no idle
time ever comes: a save then merges 64 one-save segments of level 0) and ``usermerge`` 4 (the
fan-in of the idle merges, ``desktop.storage.fts_merge``). Values from ``search.MERGE_DEFAULTS``
as of this migration, written out so that a later change of the defaults needs its own migration.
"""

from __future__ import annotations

NAME = "0018_idle_index_merging"

SETTINGS = {"automerge": 0, "crisismerge": 64, "usermerge": 4}


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    for fts in ("cases_fts", "persons_fts", "receptions_fts"):
        for key, value in SETTINGS.items():
            db.execute(f"INSERT INTO {fts}({fts}, rank) VALUES (?, ?)", (key, value))
