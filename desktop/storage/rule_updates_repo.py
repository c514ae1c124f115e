"""The signed rule and calendar updates a register has imported (table ``rule_updates``, m0010)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from desktop.storage.db import Database


@dataclass(frozen=True)
class StoredUpdate:
    uuid: str
    title: str
    issued_at: str
    issuer_code: str
    issuer_name: str
    fingerprint: str
    body: dict
    signature: str
    imported_at: str
    imported_by: str


def _row(row: sqlite3.Row) -> StoredUpdate:
    return StoredUpdate(uuid=row["uuid"], title=row["title"], issued_at=row["issued_at"],
                        issuer_code=row["issuer_code"], issuer_name=row["issuer_name"],
                        fingerprint=row["fingerprint"], body=json.loads(row["body"]), signature=row["signature"],
                        imported_at=row["imported_at"], imported_by=row["imported_by"])


def has_table(db: Database) -> bool:
    return db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rule_updates'") is not None


def list_updates(db: Database) -> list[StoredUpdate]:
    """Imported updates in import order (later ones win where they overlap)."""
    if not has_table(db):
        return []
    return [_row(r) for r in db.query("SELECT * FROM rule_updates ORDER BY id")]


def get_update(db: Database, uuid: str) -> StoredUpdate | None:
    row = db.one("SELECT * FROM rule_updates WHERE uuid = ?", (uuid,))
    return None if row is None else _row(row)


def insert_update(db: Database, *, uuid: str, title: str, issued_at: str, issuer_code: str, issuer_name: str,
                  fingerprint: str, body_json: str, signature: str, imported_at: str, imported_by: str) -> None:
    """Call inside ``db.write()``."""
    db.execute("INSERT INTO rule_updates(uuid, title, issued_at, issuer_code, issuer_name, fingerprint, body, "
               "signature, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
               (uuid, title, issued_at, issuer_code, issuer_name, fingerprint, body_json, signature, imported_at,
                imported_by))
