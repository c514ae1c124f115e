"""0002: official documents and the outgoing register (NĐ 30/2020/NĐ-CP Art. 15, Appendix IV).

A document is a draft until it is issued; issuing gives it the next number of its issuing unit's
calendar year. Numbers are never reused: a voided document keeps its row, number and reason.
``UNIQUE (issuer_code, year, number)`` backs the rule even if two writers raced.
The issued PDF's bytes and SHA-256 are kept, so the register can reprint exactly what was sent.
"""

from __future__ import annotations

NAME = "0002_documents"

STATEMENTS = [
    """CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        case_uuid TEXT REFERENCES cases(uuid),  -- NULL for a document outside any case
        kind TEXT NOT NULL,                     -- template id: explanation_accept …
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'void')),
        issuer_code TEXT NOT NULL,              -- the issuing unit (numbers run per unit and year)
        year INTEGER,                           -- calendar year of issue
        number INTEGER CHECK (number IS NULL OR number >= 1),
        symbol TEXT NOT NULL DEFAULT '',        -- "05/TB-UBND" once issued
        type_code TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        issued_on TEXT,
        signer_uuid TEXT,
        signer_name TEXT NOT NULL DEFAULT '',
        recipients TEXT NOT NULL DEFAULT '[]',  -- JSON list, as printed under "Nơi nhận"
        file_keeper TEXT NOT NULL DEFAULT '',   -- unit or person keeping the file copy
        copies INTEGER NOT NULL DEFAULT 1 CHECK (copies >= 1),
        sent_on TEXT,
        receipt_note TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL,                  -- the Document as JSON (what is drawn)
        pdf BLOB,                               -- the issued file, exactly as hashed
        sha256 TEXT NOT NULL DEFAULT '',
        void_reason TEXT NOT NULL DEFAULT '',
        voided_on TEXT,
        created_by TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        CHECK (status = 'draft' OR (number IS NOT NULL AND year IS NOT NULL AND issued_on IS NOT NULL)),
        UNIQUE (issuer_code, year, number)
    )""",
    "CREATE INDEX documents_case ON documents(case_uuid, id)",
    "CREATE INDEX documents_register ON documents(issuer_code, year, number) WHERE number IS NOT NULL",
    "CREATE INDEX documents_issued_on ON documents(issued_on) WHERE issued_on IS NOT NULL",
    # A number, once given, stays: no update may clear or change it.
    """CREATE TRIGGER documents_number_kept BEFORE UPDATE OF number, year, issuer_code ON documents
       WHEN OLD.number IS NOT NULL AND (NEW.number IS NOT OLD.number OR NEW.year IS NOT OLD.year
                                        OR NEW.issuer_code IS NOT OLD.issuer_code)
       BEGIN SELECT RAISE(ABORT, 'a document number is never changed or reused'); END""",
    """CREATE TRIGGER documents_no_delete_numbered BEFORE DELETE ON documents
       WHEN OLD.number IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'a numbered document is voided, never deleted'); END""",
]


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    for statement in STATEMENTS:
        db.execute(statement)
