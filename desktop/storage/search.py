"""Accent-insensitive search over the register, and duplicate detection.

Each searchable table (``cases``, ``persons``, ``receptions``) keeps a folded copy of its
searchable text in ``search_text`` (built here, see ``*_search_text``), indexed by an FTS5
external-content table ``<table>_fts``. External content means FTS5 does not follow the table by
itself: whoever writes a row keeps the index in step, inside the same write transaction —
``fts_insert`` after an INSERT, ``index_rows_after`` after a batch of INSERTs, ``set_search_text``
(or ``fts_update``) when the text changes, ``fts_delete`` before a DELETE, ``rebuild`` to repair.

Searches ask FTS5 for rowids newest first (``ORDER BY rowid DESC``, which FTS5 streams without
sorting) with keyset paging on the rowid, so the cost follows the page size, not the register.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date


from desktop.domain.records import Person
from desktop.domain.text import digit_runs, digits_only, fold, fts_query, tokens
from desktop.domain.text import vietnamese_sort_key
from desktop.errors import UserError
from desktop.rules.book import default_rules

log = logging.getLogger(__name__)

# The only tables this module touches; table names are never taken from user text.
FTS_TABLES = {"cases": "cases_fts", "persons": "persons_fts", "receptions": "receptions_fts"}


def _fts(table: str) -> tuple[str, str]:
    """(content table, FTS table) for a known table name ("cases" or "cases_fts")."""
    base = table[:-4] if table.endswith("_fts") else table
    if base not in FTS_TABLES:
        raise ValueError(f"not a searchable table: {table!r}")
    return base, FTS_TABLES[base]


# -- building the folded text ------------------------------------------------------------------

def number_variants(value: str) -> list[str]:
    """An ID or phone number as stored for search: its digits, plus the 0… / 84… phone forms."""
    digits = digits_only(value)
    if not digits:
        return []
    variants = [digits]
    if digits.startswith("84") and len(digits) in (11, 12):
        variants.append("0" + digits[2:])
    elif digits.startswith("0") and len(digits) in (10, 11):
        variants.append("84" + digits[1:])
    return variants


def compose_words(words: list[str], numbers: Iterable[str] = (), *, unique: bool = False) -> str:
    """Folded ``words`` in order, then the joined digit runs and number variants that are not
    already among them ("0912.345.678" is also stored as "0912345678" and "84912345678").
    ``words`` is extended in place (callers pass a fresh list).

    ``unique`` keeps each word once, where it first appears: for a text that is only ever
    matched word by word (a case's), never as a phrase (a person's name, see
    ``duplicates.find_person_duplicates``), repeats would only make the index bigger and slower.
    """
    extra: list[str] = []
    # Only maximal runs of two or more digit words matter to ``digit_runs``: find them in one
    # byte per word (a C-speed scan) instead of walking every word in Python.
    flags = bytes(map(str.isdigit, words))
    start = flags.find(b"\x01\x01")
    while start >= 0:
        end = start + 2
        while end < len(flags) and flags[end]:
            end += 1
        extra.extend(digit_runs(words[start:end]))
        start = flags.find(b"\x01\x01", end)
    for number in numbers:
        extra.extend(number_variants(number))
    if unique:
        kept = dict.fromkeys(words)
        kept.update(dict.fromkeys(extra))
        return " ".join(kept)
    if not extra:
        return " ".join(words)
    seen = set(words)
    for item in extra:
        if item not in seen:
            seen.add(item)
            words.append(item)
    return " ".join(words)


def _compose(texts: Iterable[str], numbers: Iterable[str] = (), *, unique: bool = False) -> str:
    words: list[str] = []
    for text in texts:
        words.extend(tokens(text))
    return compose_words(words, numbers, unique=unique)


def _people_texts(people: Iterable[tuple[str, str, str]]) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    numbers: list[str] = []
    for full_name, id_number, phone in people:
        texts.extend((full_name or "", id_number or "", phone or ""))
        numbers.extend((id_number or "", phone or ""))
    return texts, numbers


def case_search_text(
    *,
    number: str,
    summary: str,
    content: str,
    people: Iterable[tuple[str, str, str]],
    confidential: bool = False,
) -> str:
    """Folded search text of a case. ``people`` = (full name, ID number, phone) of its requesters.

    For a confidential case (a denouncer's identity, Luật Tố cáo 2018 Art. 9) pass
    ``confidential=True``: the people are left out, so searching a name never reveals the case.
    """
    texts, numbers = ([], []) if confidential else _people_texts(people)
    return _compose([number, summary, content, *texts], numbers, unique=True)


def person_search_text(*, full_name: str, id_number: str, phone: str, address: str) -> str:
    """Folded search text of a person: name, ID number, phone (several spellings), address.

    The name comes first: duplicate detection matches it at the start of the text.
    """
    return _compose([full_name, id_number, phone, address], [id_number, phone])


def reception_search_text(*, content: str, request: str, people: Iterable[tuple[str, str, str]],
                          confidential: bool = False) -> str:
    """Folded search text of a reception: content, request and the people received — without the
    people when their identity is secret (a denouncer, Luật Tố cáo 2018 Art. 9), as for a case:
    typing a denouncer's name must not find the row the register shows as "(giữ bí mật)"."""
    texts, numbers = _people_texts([] if confidential else people)
    return _compose([content, request, *texts], numbers)


# -- keeping the index in step -------------------------------------------------------------------

def fts_insert(db, table: str, rowid: int, text: str) -> None:
    """Index a new row whose ``search_text`` is ``text`` (inside the caller's write)."""
    _, fts = _fts(table)
    if text:
        db.execute(f"INSERT INTO {fts}(rowid, search_text) VALUES (?, ?)", (rowid, text))
        add_terms(db, text)


def fts_delete(db, table: str, rowid: int, old_text: str) -> None:
    """Take a row out of the index; ``old_text`` must be exactly what was indexed."""
    _, fts = _fts(table)
    if old_text:
        db.execute(f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', ?, ?)", (rowid, old_text))


def fts_update(db, table: str, rowid: int, old_text: str, new_text: str) -> None:
    """Re-index a row whose search text changed from ``old_text`` to ``new_text``."""
    if old_text == new_text:
        return
    fts_delete(db, table, rowid, old_text)
    fts_insert(db, table, rowid, new_text)


def set_search_text(db, table: str, rowid: int, new_text: str) -> None:
    """Store a row's new search text and re-index it, reading the old text from the row itself.

    Safer than ``fts_update`` when the caller does not hold the old text: a wrong ``old_text``
    would leave stale entries in an external-content index.
    """
    base, _ = _fts(table)
    with db.write():
        old = db.one(f"SELECT search_text FROM {base} WHERE id = ?", (rowid,))
        if old is None or old[0] == new_text:
            return
        fts_delete(db, base, rowid, old[0])
        db.execute(f"UPDATE {base} SET search_text = ? WHERE id = ?", (new_text, rowid))
        fts_insert(db, base, rowid, new_text)


def index_rows_after(db, table: str, last_id: int) -> None:
    """Index every row inserted after ``last_id`` with one statement (a batch of an import or of
    a bundle merge), inside the caller's write."""
    base, fts = _fts(table)
    db.execute(f"INSERT INTO {fts}(rowid, search_text) SELECT id, search_text FROM {base} "
               "WHERE id > ? AND search_text <> ''", (last_id,))
    add_terms_of_rows(db, base, "id > ?", (last_id,))


def rebuild(db, table: str) -> None:
    """Rebuild a whole index from the table's ``search_text`` (after bulk imports or repairs)."""
    _, fts = _fts(table)
    with db.write():
        db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        add_terms_of_rows(db, _fts(table)[0], "1", ())


# Why 'optimize' alone leaves a trap (issue #20, item 1). FTS5 keeps its index as segments on
# levels; a save writes a small segment on level 0, 'automerge' merges a level once it holds 4
# segments (a bounded amount of work per write) and 'crisismerge' merges a whole level at once
# when level 0 reaches 16 segments — and then the level above too if it also holds 16
# (fts5IndexCrisismerge). 'optimize' after a large import puts its one segment on level 1, right
# above the saves' level 0: the saves' merged segments join it there, and about 240 saves later
# a crisis merge of level 1 rewrites the whole index inside one save (11 s at 1,000,000 cases;
# 28 s wall at 306,000 on the shared bench machine, ``bench.bench_saves``). ``optimize`` below
# therefore lifts the big segment ``LIFT_ROUNDS`` × 2 levels up, where only segments made of
# thousands of saves ever reach it: the saves then merge only what saves wrote.
LIFT_ROUNDS = 2


def optimize(db, table: str) -> None:
    """Merge the index segments into one (faster searches; after big imports, off-hours) and
    lift it clear of the levels interactive saves merge (see above).

    Each lift round re-indexes one row — its entry deleted and added back, a small segment on
    level 0 — and optimizes again in the same transaction: FTS5 moves segments found on several
    levels to a new top level and merges them into the level above that (fts5IndexOptimizeStruct),
    two levels higher each round. A round costs one more rewrite of the index.
    """
    base, fts = _fts(table)
    with db.write():
        db.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    row = db.one(f"SELECT id, search_text FROM {base} WHERE search_text <> '' ORDER BY id DESC LIMIT 1")
    if row is None:
        return
    for _ in range(LIFT_ROUNDS):
        with db.write():  # one transaction: a crash never leaves the row out of the index
            fts_delete(db, base, row[0], row[1])
            db.execute(f"INSERT INTO {fts}(rowid, search_text) VALUES (?, ?)", (row[0], row[1]))
            db.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")


# -- the words long enough to outrun the prefix index ------------------------------------------------
# The indexes keep two- and three-letter prefixes (prefix='2 3'). A longer word being typed
# ("nguy", "thon", "trinh") is a prefix FTS5 answers by reading and merging the whole doclist of
# every term that starts with it before returning the first row: 20–30 ms at 306,000 cases for a
# word such as "thon" (every address has one), growing with the register. ``search_terms`` holds
# each indexed word of four letters or more (digits-only words left out: an ID or a phone is rare
# and its prefix costs nothing), so such a prefix becomes the few words it stands for, which FTS5
# streams newest first like any whole word (0.1–1 ms). The table only grows: a word whose rows
# are gone costs a lookup that finds nothing. Filled by migration 0015 and kept by every writer
# of an index (``fts_insert``, ``index_rows_after``, ``rebuild``, ``sync_repo.fts_add``).

TERMS_FROM = 4      # shorter prefixes are answered by the prefix index
EXPAND_MAX = 16     # more words than this: FTS5's own prefix query (a short, common stem)
_TERM_FILTER = "length({col}) >= 4 AND {col} GLOB '*[^0-9]*'"


def add_terms(db, text: str) -> None:
    """Remember the long words of a newly indexed ``text`` (inside the caller's write)."""
    words = [(w,) for w in set(text.split()) if len(w) >= TERMS_FROM and not w.isdigit()]
    if words:
        db.conn.executemany("INSERT OR IGNORE INTO search_terms(term) VALUES (?)", words)


def add_terms_of_rows(db, base: str, where: str, params: Sequence) -> None:
    """Remember the long words of the rows of ``base`` (a searchable table) matching ``where``:
    a batch in one statement. Folded text holds only letters, digits and single spaces, so it
    splits as a JSON array of its words."""
    _fts(base)
    db.execute("INSERT OR IGNORE INTO search_terms(term) SELECT DISTINCT j.value FROM "
               f"(SELECT search_text FROM {base} WHERE ({where}) AND search_text <> '') t, "
               "json_each('[\"' || replace(t.search_text, ' ', '\",\"') || '\"]') j "
               f"WHERE {_TERM_FILTER.format(col='j.value')}", tuple(params))


def prefix_terms(db, word: str) -> list[str] | None:
    """The indexed words starting with ``word`` (being typed), or None where FTS5's own prefix
    query is as good: a word the prefix index covers, digits, or a stem of many words."""
    if len(word) < TERMS_FROM or word.isdigit():
        return None
    upper = word[:-1] + chr(ord(word[-1]) + 1)
    try:
        rows = db.query("SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
                        (word, upper, EXPAND_MAX + 1))
    except sqlite3.OperationalError:  # a register opened without its migrations (support tools)
        return None
    return None if len(rows) > EXPAND_MAX else [r[0] for r in rows]


def match_expression(db, text: str, *, prefix: bool = True) -> str | None:
    """``fts_query`` with long typed prefixes named word by word (``prefix_terms``)."""
    return fts_query(text, prefix=prefix, expand=lambda word: prefix_terms(db, word))


# FTS5 merges an index's segments as rows arrive: 'automerge' merges a level once it holds that
# many segments, 'crisismerge' whatever the setting. A large import defers all of it to one
# 'optimize' at its end, which writes each entry once instead of once per level (measured on
# 50,000 cases: the writer's time per case fell from about 110 µs to 85 µs, the final optimize
# unchanged); MERGE_DEFERRED is FTS5's largest crisismerge.
#
# Interactive saves merge nothing (issue #20, item 1; migration 0018): with FTS5's automerge a
# save that filled a level merged it, and went on with the level above while pages of its budget
# were left, always whole terms at a time. Measured (``bench.bench_saves --merging fts5``): at
# 1,000,000 cases, with the import's segment lifted by ``optimize``, the save that merged levels
# 0–3 into level 4 took 60 ms (28 ms of CPU); on a commune's register whose import left its
# segments on level 0, the save that merged them took 177 ms (103 ms of CPU), and saves merging
# level 2 50–64 ms. So automerge is 0: the merging is done in idle time by
# ``desktop.storage.fts_merge`` on the background checkpointer's thread, in small steps.
# crisismerge stays as the bound for when no idle time comes: a save then merges level 0 once it
# holds 64 segments (one a save: a few pages, plus whatever an import left there).
MERGE_DEFAULTS = {"automerge": 0, "crisismerge": 64, "usermerge": 4}
MERGE_DEFERRED = {"automerge": 0, "crisismerge": 1999, "usermerge": 4}


def _set_merging(db, tables: Iterable[str], values: dict[str, int]) -> None:
    with db.write():
        for table in tables:
            _, fts = _fts(table)
            for key, value in values.items():
                db.execute(f"INSERT INTO {fts}({fts}, rank) VALUES (?, ?)", (key, value))


def defer_merging(db, tables: Iterable[str]) -> None:
    """Stop merging these indexes' segments until ``restore_merging`` (a large import)."""
    _set_merging(db, tables, MERGE_DEFERRED)


def restore_merging(db, tables: Iterable[str] = ("cases", "persons")) -> None:
    """FTS5's default merging again (after an import; on opening a register an import left so)."""
    _set_merging(db, tables, MERGE_DEFAULTS)


def merge_segments(db, table: str, pages: int = 2000) -> None:
    """Merge the segments a large import left, as FTS5's own merging would have while it ran:
    every level holding ``usermerge`` (4) segments is merged into one on the next level, until
    none does. The register's big segment, alone on its level, is not rewritten.

    After an import into a register much larger than the import: 'optimize' would rewrite the
    whole index (measured on the 1M-case register after a 20,000-case import: 9.8 s, where this
    took 0.2 s and left three segments).
    """
    _, fts = _fts(table)
    with db.write():
        db.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('usermerge', ?)", (MERGE_DEFAULTS["usermerge"],))
        while True:  # FTS5: 'merge' changed fewer than two rows when there was nothing left to merge
            before = db.conn.total_changes
            db.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('merge', ?)", (pages,))
            if db.conn.total_changes - before < 2:
                return


def _varint(b: bytes, i: int) -> tuple[int, int]:
    value = 0
    for k in range(8):
        c = b[i + k]
        value = (value << 7) | (c & 0x7F)
        if not c & 0x80:
            return value, i + k + 1
    return (value << 8) | b[i + 8], i + 9


def index_levels(db, table: str) -> list[tuple[int, list[tuple[int, int]]]]:
    """The shape of an index, for support, benchmarks and tests: per level, (segments being
    merged, [(segment id, leaf pages)]), read from FTS5's structure record (rowid 10 of
    ``<fts>_data``; format in SQLite's fts5_index.c, "structure record", versions 1 and 2).
    ``db`` is a ``Database`` or a plain ``sqlite3.Connection`` (the background merger's)."""
    _, fts = _fts(table)
    conn = db if isinstance(db, sqlite3.Connection) else db.conn
    row = conn.execute(f"SELECT block FROM {fts}_data WHERE id = 10").fetchone()
    return [] if row is None else structure_levels(bytes(row[0]))


def structure_levels(b: bytes) -> list[tuple[int, list[tuple[int, int]]]]:
    """``index_levels`` of one structure record."""
    v2 = b[4:8] == b"\xff\x00\x00\x01"
    i = 8 if v2 else 4
    count, i = _varint(b, i)
    for _ in range(3 if v2 else 2):  # segments, write counter (, origin counter)
        _, i = _varint(b, i)
    levels = []
    for _ in range(count):
        merging, i = _varint(b, i)
        segments, i = _varint(b, i)
        segs = []
        for _ in range(segments):
            segid, i = _varint(b, i)
            first, i = _varint(b, i)
            last, i = _varint(b, i)
            for _ in range(5 if v2 else 0):  # origins, tombstone pages and entries, entries
                _, i = _varint(b, i)
            segs.append((segid, last - first + 1))
        levels.append((merging, segs))
    return levels


def merging_deferred(db) -> list[str]:
    """The tables whose index an interrupted import left with merging turned off (its crisismerge
    is the import's: automerge is 0 in both settings since migration 0018)."""
    return [base for base, fts in FTS_TABLES.items()
            if db.scalar(f"SELECT v FROM {fts}_config WHERE k = 'crisismerge'") == MERGE_DEFERRED["crisismerge"]]


def integrity_check(db, table: str) -> bool:
    """True when the index agrees with the table's ``search_text`` (support and tests)."""
    _, fts = _fts(table)
    try:
        db.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
    except (sqlite3.DatabaseError, UserError) as exc:  # "database disk image is malformed"
        log.warning("FTS index %s disagrees with its table: %s", fts, exc)
        return False
    return True


# -- recomputing stored text -------------------------------------------------------------------------
# When a person's name, ID number or phone is corrected, every case and reception that names them
# holds the old text: ``refresh_case_texts(db, person_uuid=...)`` and
# ``refresh_reception_texts(db, person_uuid=...)`` bring them up to date. Without a person they
# recompute everything (after a change of the folding rules, in a migration).

def _people_rows(db, sql: str, params: Sequence) -> list[tuple[str, str, str]]:
    seen: set[str] = set()
    people: list[tuple[str, str, str]] = []
    for row in db.query(sql, params):
        if row["uuid"] not in seen:
            seen.add(row["uuid"])
            people.append((row["full_name"], row["id_number"], row["phone"]))
    return people


def case_people(db, case_uuid: str) -> list[tuple[str, str, str]]:
    """(full name, ID number, phone) of a case's requesters, then its representatives."""
    return _people_rows(
        db,
        "SELECT p.uuid, p.full_name, p.id_number, p.phone FROM case_people cp "
        "JOIN persons p ON p.uuid = cp.person_uuid WHERE cp.case_uuid = ? "
        "ORDER BY cp.role = 'representative', cp.id",
        (case_uuid,),
    )


def reception_people(db, reception_uuid: str, person_uuid: str | None) -> list[tuple[str, str, str]]:
    """(full name, ID number, phone) of the people received: the main person first."""
    return _people_rows(
        db,
        "SELECT p.uuid, p.full_name, p.id_number, p.phone, 0 AS pos, 0 AS id FROM persons p WHERE p.uuid = ? "
        "UNION ALL SELECT p.uuid, p.full_name, p.id_number, p.phone, 1, rp.id FROM reception_people rp "
        "JOIN persons p ON p.uuid = rp.person_uuid WHERE rp.reception_uuid = ? ORDER BY 5, 6",
        (person_uuid or "", reception_uuid),
    )


def _store(db, table: str, rowid: int, old: str, new: str) -> bool:
    if old == new:
        return False
    db.execute(f"UPDATE {_fts(table)[0]} SET search_text = ? WHERE id = ?", (new, rowid))
    fts_update(db, table, rowid, old, new)
    return True


def refresh_case_texts(db, *, person_uuid: str | None = None) -> int:
    """Recompute the search text of the cases of ``person_uuid`` (or of all); count the changes.

    A confidential case keeps its people out of the text (see ``case_search_text``).
    """
    sql = "SELECT id, uuid, number, summary, content, confidential, search_text FROM cases"
    params: tuple = ()
    if person_uuid is not None:
        sql += " WHERE uuid IN (SELECT case_uuid FROM case_people WHERE person_uuid = ?)"
        params = (person_uuid,)
    changed = 0
    with db.write():
        for row in db.query(sql, params):
            text = case_search_text(number=row["number"], summary=row["summary"], content=row["content"],
                                    people=case_people(db, row["uuid"]), confidential=bool(row["confidential"]))
            changed += _store(db, "cases", row["id"], row["search_text"], text)
    return changed


def refresh_reception_texts(db, *, person_uuid: str | None = None) -> int:
    """Recompute the search text of the receptions of ``person_uuid`` (or of all)."""
    rules = default_rules()
    sql = "SELECT id, uuid, person_uuid, case_kind, received_on, content, request, search_text FROM receptions"
    params: tuple = ()
    if person_uuid is not None:
        sql += (" WHERE person_uuid = ? OR uuid IN "
                "(SELECT reception_uuid FROM reception_people WHERE person_uuid = ?)")
        params = (person_uuid, person_uuid)
    changed = 0
    with db.write():
        for row in db.query(sql, params):
            secret = rules.is_confidential(row["case_kind"], date.fromisoformat(row["received_on"]))
            text = reception_search_text(content=row["content"], request=row["request"], confidential=secret,
                                         people=reception_people(db, row["uuid"], row["person_uuid"]))
            changed += _store(db, "receptions", row["id"], row["search_text"], text)
    return changed


def refresh_person_texts(db) -> int:
    """Recompute every person's search text from their columns (after a folding change)."""
    changed = 0
    with db.write():
        for row in db.query("SELECT id, full_name, id_number, phone, address, search_text FROM persons"):
            text = person_search_text(full_name=row["full_name"], id_number=row["id_number"],
                                      phone=row["phone"], address=row["address"])
            changed += _store(db, "persons", row["id"], row["search_text"], text)
    return changed


# -- searching ------------------------------------------------------------------------------------

def _search_ids(db, table: str, text: str, limit: int, before_id: int | None, prefix: bool) -> list[int]:
    _, fts = _fts(table)
    match = match_expression(db, text, prefix=prefix)
    if match is None or limit <= 0:
        return []
    if before_id is None:
        rows = db.query(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid DESC LIMIT ?",
                        (match, limit))
    else:
        rows = db.query(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?",
            (match, before_id, limit),
        )
    return [row[0] for row in rows]


def search_case_ids(
    db, text: str, *, limit: int = 200, before_id: int | None = None, prefix: bool = True
) -> list[int]:
    """Ids of the cases matching ``text``, newest first; next page: ``before_id`` = last id.

    The last word counts as typed so far (a prefix) unless ``prefix=False``.
    """
    return _search_ids(db, "cases", text, limit, before_id, prefix)


def search_reception_ids(
    db, text: str, *, limit: int = 200, before_id: int | None = None, prefix: bool = True
) -> list[int]:
    """Ids of the receptions matching ``text``, newest first, keyset-paged like cases."""
    return _search_ids(db, "receptions", text, limit, before_id, prefix)


_PERSON_COLUMNS = ("id, uuid, full_name, kind, id_kind, id_number, phone, address, representative, "
                   "unit_code, version")


def _person(row) -> Person:
    return Person(
        id=row["id"], uuid=row["uuid"], full_name=row["full_name"], kind=row["kind"],
        id_kind=row["id_kind"], id_number=row["id_number"], phone=row["phone"],
        address=row["address"], representative=row["representative"],
        unit_code=row["unit_code"], version=row["version"],
    )


def persons_by_ids(db, ids: Sequence[int]) -> dict[int, Person]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.query(f"SELECT {_PERSON_COLUMNS} FROM persons WHERE id IN ({marks})", list(ids))
    return {row["id"]: _person(row) for row in rows}


def search_persons(db, text: str, *, limit: int = 50, prefix: bool = True) -> list[Person]:
    """People matching ``text`` (name, ID number, phone or address, as typed so far).

    Among the newest ``limit`` matches, those whose name is what was typed come first, then those
    whose name starts with it or whose ID/phone is it, each group in Vietnamese name order.
    """
    ids = _search_ids(db, "persons", text, limit, None, prefix)
    people = persons_by_ids(db, ids)
    wanted = fold(text)
    wanted_digits = digits_only(text)

    def rank(p: Person) -> tuple:
        name = fold(p.full_name)
        if name == wanted:
            group = 0
        elif name.startswith(wanted) or (
            len(wanted_digits) >= 6 and wanted_digits in (digits_only(p.id_number), digits_only(p.phone))
        ):
            group = 1
        else:
            group = 2
        return group, vietnamese_sort_key(p.full_name), -p.id

    return sorted((people[i] for i in ids if i in people), key=rank)


# -- duplicates -------------------------------------------------------------------------------------
