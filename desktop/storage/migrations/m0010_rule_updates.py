"""0010: signed rule and calendar updates imported into the register.

The province (or the app's maintainers) issues a signed update file with new rule sets and
announced calendar days; a commune imports it without reinstalling (``desktop.rules.updates``).
Each imported file is kept whole, with its signature, so the register can show where its rules
came from and check them again. Cases keep the rule set they were received under (their
``rules_id``), so an import never changes an open case's rules.
"""

from __future__ import annotations

NAME = "0010_rule_updates"


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    db.execute("""
        CREATE TABLE IF NOT EXISTS rule_updates (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            issuer_code TEXT NOT NULL,
            issuer_name TEXT NOT NULL DEFAULT '',
            fingerprint TEXT NOT NULL,
            body TEXT NOT NULL,
            signature TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL DEFAULT ''
        )""")
