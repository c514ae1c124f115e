"""0015: the long words of the search indexes, so that a word being typed is not a prefix scan.

``search.prefix_terms`` turns a typed word longer than the indexes' prefixes (four letters or
more: "nguy", "thon") into the indexed words it starts, which FTS5 streams newest first instead
of merging the whole doclist of each (see ``desktop/storage/search.py``). This migration creates
``search_terms`` and fills it from the three indexes' vocabularies.
"""

from __future__ import annotations

NAME = "0015_search_terms"


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    db.execute("CREATE TABLE IF NOT EXISTS search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID")
    for fts in ("cases_fts", "persons_fts", "receptions_fts"):
        db.execute(f"CREATE VIRTUAL TABLE temp.vocab_{fts} USING fts5vocab(main, {fts}, row)")
        db.execute(f"INSERT OR IGNORE INTO search_terms(term) SELECT term FROM temp.vocab_{fts} "
                   "WHERE length(term) >= 4 AND term GLOB '*[^0-9]*'")
        db.execute(f"DROP TABLE temp.vocab_{fts}")
