"""The record types a bundle may carry, read from the register's own schema.

The hub accepts exactly what the register of this program version would: the tables that carry
``uuid`` and ``unit_code`` (``desktop.storage.sync_repo.synced_tables``) with their columns,
whether they are versioned, and their references (the foreign keys, which the hub checks within
the sending unit). A later register migration that adds a column or a record type therefore
reaches the hub with no hub migration: unknown types land in ``hub.records``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class RecordType:
    name: str                                  # the register's table: cases, events, persons …
    columns: tuple[str, ...]                   # the keys a record may have
    versioned: bool                            # version + updated_at (events are append-only)
    references: tuple[tuple[str, str], ...]    # (column, parent type), parent's uuid
    target: str                                # hub table: cases, events or records
    year_key: str | None                       # the record's immutable date giving its partition

    @property
    def partitioned(self) -> bool:
        return self.year_key is not None

    @property
    def column_set(self) -> frozenset[str]:
        return _column_set(self.columns)


@lru_cache(maxsize=None)
def _column_set(columns: tuple[str, ...]) -> frozenset[str]:
    return frozenset(columns)


# The two large types, partitioned by the year they were made (hub/storage/migrations/0001).
PARTITIONED = {"cases": "created_at", "events": "at"}


@lru_cache(maxsize=1)
def _schema() -> tuple[tuple[RecordType, ...], dict[str, tuple[str, ...]]]:
    """The record types (parents before children) and the ledger's covered columns, as the
    current register defines them."""
    from desktop.storage import ledger
    from desktop.storage.db import open_database
    from desktop.storage.sync_repo import synced_tables

    db = open_database(":memory:")
    try:
        out = []
        for table in synced_tables(db):
            refs = tuple((r["from"], r["table"]) for r in db.query(f'PRAGMA foreign_key_list("{table.name}")')
                         if r["table"] != table.name and r["to"] == "uuid")
            target = table.name if table.name in PARTITIONED else "records"
            out.append(RecordType(table.name, table.columns, table.versioned, refs, target,
                                  PARTITIONED.get(table.name)))
        return tuple(out), ledger.covered_columns(db.conn)
    finally:
        db.close()


def record_types() -> tuple[RecordType, ...]:
    """Every record type, parents before children, as the current register defines them."""
    return _schema()[0]


def covered_columns() -> dict[str, tuple[str, ...]]:
    """Record type → the columns its ledger digests cover (``desktop.storage.ledger``)."""
    return dict(_schema()[1])


def by_name() -> dict[str, RecordType]:
    return {t.name: t for t in record_types()}
