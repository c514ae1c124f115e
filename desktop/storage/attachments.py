"""Attachments: scanned letters, photos and PDFs of a case or a reception, kept in the register.

The bytes live in ``attachment_blobs``, one row per distinct SHA-256 (the same scan attached
twice is stored once), written and read in chunks through SQLite's incremental blob I/O, so a
20 MB scan never sits whole in memory. Why inside the register and not in a folder beside it:
the register is one file — SQLite's backup copies it consistently, the register lock covers it,
a copy to another machine cannot lose half of it, and no antivirus or clerk renames a file out
from under its row. Pages and search never read ``attachment_blobs``: the case register and its
index are no slower with thousands of scans stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from desktop.storage.db import Database

CHUNK = 1 << 20


@dataclass(frozen=True)
class Attachment:
    id: int
    uuid: str
    case_uuid: str | None
    reception_uuid: str | None
    file_name: str
    media_type: str
    size: int
    sha256: str
    added_on: str
    added_by: str
    note: str
    unit_code: str


def _row(r: sqlite3.Row) -> Attachment:
    return Attachment(r["id"], r["uuid"], r["case_uuid"], r["reception_uuid"], r["file_name"], r["media_type"],
                      r["size"], r["sha256"], r["added_on"], r["added_by"], r["note"], r["unit_code"])


def has_blob(db: Database, sha256: str) -> bool:
    return db.scalar("SELECT 1 FROM attachment_blobs WHERE sha256 = ?", (sha256,)) is not None


def write_blob(db: Database, sha256: str, size: int, source: BinaryIO) -> None:
    """Store ``size`` bytes read from ``source`` under ``sha256`` (call inside ``db.write()``)."""
    cur = db.execute("INSERT INTO attachment_blobs(sha256, size, data) VALUES (?, ?, zeroblob(?))",
                     (sha256, size, size))
    with db.conn.blobopen("attachment_blobs", "data", cur.lastrowid) as blob:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            blob.write(chunk)


def read_blob(db: Database, sha256: str, chunk: int = CHUNK) -> Iterator[bytes]:
    """The stored bytes in chunks (memory flat)."""
    rowid = db.scalar("SELECT rowid FROM attachment_blobs WHERE sha256 = ?", (sha256,))
    if rowid is None:
        return
    with db.conn.blobopen("attachment_blobs", "data", rowid, readonly=True) as blob:
        while True:
            data = blob.read(chunk)
            if not data:
                break
            yield data


def insert(db: Database, values: dict) -> Attachment:
    cols = list(values)
    cur = db.execute(f"INSERT INTO attachments({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                     [values[c] for c in cols])
    return _row(db.one("SELECT * FROM attachments WHERE id = ?", (cur.lastrowid,)))


def get(db: Database, uuid: str) -> Attachment | None:
    r = db.one("SELECT * FROM attachments WHERE uuid = ?", (uuid,))
    return _row(r) if r else None


def of_case(db: Database, case_uuid: str) -> list[Attachment]:
    """A case's attachments and those of the reception that opened it, oldest first."""
    return [_row(r) for r in db.query(
        "SELECT * FROM attachments WHERE case_uuid = ? UNION "
        "SELECT a.* FROM attachments a JOIN cases c ON c.reception_uuid = a.reception_uuid "
        "WHERE c.uuid = ? AND a.case_uuid IS NULL ORDER BY id", (case_uuid, case_uuid))]


def of_reception(db: Database, reception_uuid: str) -> list[Attachment]:
    return [_row(r) for r in db.query("SELECT * FROM attachments WHERE reception_uuid = ? ORDER BY id",
                                      (reception_uuid,))]


def blob_hashes(db: Database) -> Iterator[tuple[str, int]]:
    yield from db.execute("SELECT sha256, size FROM attachment_blobs ORDER BY rowid")
