"""0006: a denouncer's identity leaves the search text of their receptions.

The reception register shows a denouncer as "(giữ bí mật)" (Luật Tố cáo 2018, Art. 9), but a
reception's ``search_text`` still held the people received, so typing a denouncer's name found the
masked row. From now on ``search.reception_search_text`` leaves the people out when the rule set
in force for the reception's kind is confidential, as a case's text already did; the receptions
recorded before are rewritten the same way and their index rebuilt.
"""

from __future__ import annotations

from datetime import date

NAME = "0006_secret_receptions"


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    from desktop.rules.book import default_rules
    from desktop.storage.search import reception_search_text

    rules = default_rules()
    rows = db.execute("SELECT id, case_kind, received_on, content, request, search_text FROM receptions "
                      "WHERE case_kind <> ''").fetchall()
    changed = 0
    for rid, kind, received_on, content, request, old in rows:
        if not rules.is_confidential(kind, date.fromisoformat(received_on)):
            continue
        text = reception_search_text(content=content, request=request, people=[], confidential=True)
        if text != old:
            db.execute("UPDATE receptions SET search_text = ? WHERE id = ?", (text, rid))
            changed += 1
    if changed:
        db.execute("INSERT INTO receptions_fts(receptions_fts) VALUES ('rebuild')")
