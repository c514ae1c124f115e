"""0014: the case file and what citizens see — old registers' rows, lookup codes, public notices,
redaction rules, attachments.

* ``imported_rows``: the key (a hash of the source row) of each row an old register brought in,
  so that importing the same file again adds nothing.
* ``cases.lookup_code`` / ``receptions.lookup_code``: the short random code printed with its QR
  on the citizen's receipt (giấy biên nhận); it reveals nothing by itself and finds the case.
* ``publications`` / ``publication_cases``: each public notice (công khai) that went out — its
  period, when, who, the files' SHA-256 — and the cases it listed; ``redaction_rules`` holds the
  office's own free-text rules (the built-in ones are data in ``resources/publication``).
* ``attachments`` (synced like every record with a uuid) and ``attachment_blobs`` (the bytes,
  one row per distinct SHA-256): scanned letters, photos and PDFs of a case or a reception,
  kept inside the register so one file, its backup and its lock cover them.
"""

from __future__ import annotations

NAME = "0014_casefile"

STATEMENTS = [
    """CREATE TABLE imported_rows (
        key TEXT PRIMARY KEY,                  -- sha256 of the source row's cells
        case_uuid TEXT NOT NULL REFERENCES cases(uuid),
        imported_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    "ALTER TABLE cases ADD COLUMN lookup_code TEXT",
    "CREATE UNIQUE INDEX cases_lookup_code ON cases(lookup_code) WHERE lookup_code IS NOT NULL",
    "ALTER TABLE receptions ADD COLUMN lookup_code TEXT",
    "CREATE UNIQUE INDEX receptions_lookup_code ON receptions(lookup_code) WHERE lookup_code IS NOT NULL",
    """CREATE TABLE publications (
        id INTEGER PRIMARY KEY,
        period_from TEXT NOT NULL,
        period_to TEXT NOT NULL,
        made_at TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        case_count INTEGER NOT NULL,
        files TEXT NOT NULL DEFAULT '[]',      -- JSON: [{"name", "format", "sha256"}]
        redactions TEXT NOT NULL DEFAULT '{}', -- JSON: what each rule removed (counts)
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE publication_cases (
        publication_uuid TEXT NOT NULL REFERENCES publications(uuid),
        case_uuid TEXT NOT NULL REFERENCES cases(uuid),
        PRIMARY KEY (publication_uuid, case_uuid)
    ) WITHOUT ROWID""",
    """CREATE TABLE redaction_rules (
        id INTEGER PRIMARY KEY,
        pattern TEXT NOT NULL,                 -- a regular expression, matched accent-sensitively
        reason TEXT NOT NULL,                  -- why it is hidden, shown with the preview
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE attachment_blobs (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        data BLOB NOT NULL
    )""",
    """CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        case_uuid TEXT REFERENCES cases(uuid),
        reception_uuid TEXT REFERENCES receptions(uuid),
        file_name TEXT NOT NULL,
        media_type TEXT NOT NULL DEFAULT 'application/octet-stream',
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        added_on TEXT NOT NULL,
        added_by TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        CHECK (case_uuid IS NOT NULL OR reception_uuid IS NOT NULL)
    )""",
    "CREATE INDEX attachments_case ON attachments(case_uuid, id) WHERE case_uuid IS NOT NULL",
    "CREATE INDEX attachments_reception ON attachments(reception_uuid, id) WHERE reception_uuid IS NOT NULL",
    "CREATE INDEX attachments_sha ON attachments(sha256)",
]


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    for statement in STATEMENTS:
        db.execute(statement)
