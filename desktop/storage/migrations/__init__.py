"""Numbered, append-only schema migrations (sqlite-utils ``Migrations``).

Each released migration lives in its own module ``mNNNN_name.py`` with an ``apply(db)`` function
and is never edited after release: change the schema by adding the next number. A fixture
database of each released schema is kept in ``tests/fixtures/`` and upgraded in the tests.

Opening an up-to-date register must not pay for importing sqlite-utils (about 50 ms of the
app's cold start): ``pending_names`` asks SQLite directly, and the ``Migrations`` object is
built only when something is pending.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from . import (m0001_register, m0002_documents, m0003_sync, m0004_calendar_per_unit, m0005_leaner_index,
               m0006_secret_receptions, m0007_accounts, m0008_record_ledger, m0009_reports, m0010_rule_updates,
               m0012_person_sex, m0014_casefile, m0015_search_terms, m0016_ledger_lean_triggers,
               m0018_idle_index_merging, m0019_report_events, m0020_ledger_by_record)

SET_NAME = "giaitrinh"
TABLE = "_sqlite_migrations"  # sqlite-utils' own bookkeeping table

# Order matters; append only.
MODULES = (m0001_register, m0002_documents, m0003_sync, m0004_calendar_per_unit, m0005_leaner_index,
           m0006_secret_receptions, m0007_accounts, m0008_record_ledger, m0009_reports, m0010_rule_updates,
           m0012_person_sex, m0014_casefile, m0015_search_terms, m0016_ledger_lean_triggers,
           m0018_idle_index_merging, m0019_report_events, m0020_ledger_by_record)
NAMES = tuple(m.NAME for m in MODULES)
LATEST = NAMES[-1]


@lru_cache(maxsize=1)
def migrations():
    """The sqlite-utils ``Migrations`` set of this register (imports sqlite-utils)."""
    from sqlite_utils import Migrations

    result = Migrations(SET_NAME)
    for module in MODULES:
        result(name=module.NAME)(module.apply)
    return result


def applied_names(conn: sqlite3.Connection) -> list[str]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone():
        return []
    rows = conn.execute(f"SELECT name FROM {TABLE} WHERE migration_set = ? ORDER BY rowid", (SET_NAME,))
    return [r[0] for r in rows]


def pending_names(conn: sqlite3.Connection) -> list[str]:
    done = set(applied_names(conn))
    return [name for name in NAMES if name not in done]


def __getattr__(name: str):
    if name == "MIGRATIONS":  # kept for tests and tools that want the sqlite-utils object
        return migrations()
    raise AttributeError(name)
