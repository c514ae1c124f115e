"""0012: a person's sex, so that documents call the requester "Ông" or "Bà".

Empty until the clerk records it; documents then fall back to the citizen ID's 4th digit (even:
male, odd: female; DOMAIN.md §8) and, without one, to "Ông (bà)". Only '', 'male', 'female'.
"""

from __future__ import annotations

NAME = "0012_person_sex"


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    db.execute("ALTER TABLE persons ADD COLUMN sex TEXT NOT NULL DEFAULT '' "
               "CHECK (sex IN ('', 'male', 'female'))")
