"""Lookup codes: the short code printed with its QR on the citizen's receipt (giấy biên nhận).

A code is 8 characters drawn at random (``secrets``) from 31 letters and digits that cannot be
misread for one another (no 0/O, 1/I/L): 31⁸ ≈ 8.5 × 10¹¹ codes. It reveals nothing by itself —
no number, year, kind or name — and finds the case only in this register. Typed or scanned into
the search box, as "K7MX-3QPA" or "k7mx3qpa", it opens the case at once.

A case gets its code when its receipt is first composed (older cases too), and keeps it; the
reception that opened the case carries the same code. A reception that opened no case (papers
handed in at the desk) gets its own code on its receipt; if a case opens from it later, the case
takes that code, so the slip the citizen holds keeps working. Giving it is not a step of the case: no
event, no new version (the version is covered by the digest of the case's last event).
"""

from __future__ import annotations

import re
import secrets

from desktop.storage.db import Database

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
_SHAPE = re.compile(rf"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """"K7MX3QPA" → "K7MX-3QPA" (as printed: two groups are easier to read out)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def normalize(text: str) -> str | None:
    """The code a clerk typed or a scanner sent, or None when the text cannot be one."""
    t = re.sub(r"[\s\-–.]", "", text or "").upper()
    return t if _SHAPE.fullmatch(t) else None


def case_code(db: Database, case_uuid: str) -> str | None:
    return db.scalar("SELECT lookup_code FROM cases WHERE uuid = ?", (case_uuid,))


def ensure_case_code(db: Database, case_uuid: str) -> str:
    """The case's code, given now if it has none (and to the reception that opened it)."""
    code = case_code(db, case_uuid)
    if code:
        return code
    with db.write():
        # the reception that opened the case may hold a code already (its own receipt)
        code = db.scalar("SELECT r.lookup_code FROM receptions r JOIN cases c ON c.reception_uuid = r.uuid "
                         "WHERE c.uuid = ?", (case_uuid,)) or _free_code(db)
        # The version stays: it is part of the case's digest in its last event, and the code
        # serves this desk only (it travels to the province with the case's next change).
        db.execute("UPDATE cases SET lookup_code = ? WHERE uuid = ? AND lookup_code IS NULL", (code, case_uuid))
        db.execute("UPDATE receptions SET lookup_code = ? WHERE uuid = (SELECT reception_uuid FROM cases "
                   "WHERE uuid = ?) AND lookup_code IS NULL", (code, case_uuid))
    return case_code(db, case_uuid) or code


def _free_code(db: Database) -> str:
    for _ in range(20):  # a clash is one in 10¹¹ per code already given: retry a few times
        code = new_code()
        taken = db.scalar("SELECT 1 FROM cases WHERE lookup_code = ? UNION ALL "
                          "SELECT 1 FROM receptions WHERE lookup_code = ?", (code, code))
        if not taken:
            break
    return code


def ensure_reception_code(db: Database, reception_uuid: str) -> str:
    """The code of a reception's receipt: its case's when it opened one, else its own, given now."""
    row = db.one("SELECT lookup_code, case_uuid FROM receptions WHERE uuid = ?", (reception_uuid,))
    if row is None:
        return ""
    if row[1]:
        return ensure_case_code(db, row[1])
    if row[0]:
        return row[0]
    with db.write():  # as for a case: no new version, the code serves this desk only
        db.execute("UPDATE receptions SET lookup_code = ? WHERE uuid = ? AND lookup_code IS NULL",
                   (_free_code(db), reception_uuid))
    return db.scalar("SELECT lookup_code FROM receptions WHERE uuid = ?", (reception_uuid,))


def find_reception(db: Database, text: str) -> str | None:
    """The uuid of the reception whose code ``text`` is, or None (a case's code finds its reception too)."""
    code = normalize(text)
    return None if code is None else db.scalar("SELECT uuid FROM receptions WHERE lookup_code = ?", (code,))


def find_case(db: Database, text: str) -> str | None:
    """The uuid of the case whose code ``text`` is (typed or scanned), or None."""
    code = normalize(text)
    if code is None:
        return None
    found = db.scalar("SELECT uuid FROM cases WHERE lookup_code = ?", (code,))
    if found:
        return found
    return db.scalar("SELECT case_uuid FROM receptions WHERE lookup_code = ? AND case_uuid IS NOT NULL", (code,))
