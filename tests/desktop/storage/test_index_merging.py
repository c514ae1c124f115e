"""After a large import the search index's one big segment sits where interactive saves never
merge it (``search.optimize``; issue #20, item 1: an 11 s save after an import)."""

from __future__ import annotations

from desktop.storage import search
from desktop.storage.search import case_search_text, fts_insert
from tests.desktop.storage.test_search import T

WORDS = ("dat dai thon dong nguyen van hung tran thi lan phan anh khieu nai to cao xay dung trai phep "
         "moi truong chan nuoi tieng on xuong go duong lang cong thoat nuoc tro cap ho ngheo").split()


def add_rows(db, start: int, count: int) -> None:
    rows = []
    for i in range(start, start + count):
        text = case_search_text(number=f"{i}/2026", summary=" ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 9)),
                                content="", people=[(f"Người {i}", f"0012030{i:05d}", f"09{i:08d}")])
        rows.append((i, f"c{i}", T, T, f"{i}/2026", text))
    db.conn.executemany("INSERT INTO cases(id, uuid, unit_code, updated_at, created_at, number, kind, rules_id, "
                        "summary, content, received_on, state, search_text) "
                        "VALUES (?, ?, 'X', ?, ?, ?, 'petition', 'r2026', '', '', '2026-01-05', 'received', ?)", rows)


def big_segment(db) -> tuple[int, int, int]:
    """(level, segment id, pages) of the index's largest segment."""
    return max(((lvl, segid, pages) for lvl, (_, segs) in enumerate(search.index_levels(db, "cases"))
                for segid, pages in segs), key=lambda t: t[2])


def test_the_optimized_segment_is_lifted_and_no_save_merges_it(db):
    search.defer_merging(db, ["cases"])
    for start in range(1, 6001, 1000):  # an import: batches, merging deferred, then optimize
        with db.write():
            add_rows(db, start, 1000)
            search.index_rows_after(db, "cases", start - 1)
    search.optimize(db, "cases")
    search.restore_merging(db, ["cases"])
    level, segid, pages = big_segment(db)
    assert level >= 1 + 2 * search.LIFT_ROUNDS and pages > 20
    assert sum(len(segs) for _, segs in search.index_levels(db, "cases")) == 1
    assert search.integrity_check(db, "cases")

    for i in range(6001, 6401):  # 400 saves, one row each: crisis merges happen on the way
        with db.write():
            add_rows(db, i, 1)
            fts_insert(db, "cases", i, db.scalar("SELECT search_text FROM cases WHERE id = ?", (i,)))
    assert big_segment(db) == (level, segid, pages)  # never rewritten by a save
    assert search.integrity_check(db, "cases")
    assert len(search.search_case_ids(db, "nguyen van hung", limit=10_000)) == \
        db.scalar("SELECT count(*) FROM cases WHERE search_text LIKE '%nguyen%van%hung%'")


def test_without_the_lift_the_saves_would_rewrite_it(db, monkeypatch):
    """The failure the lift prevents under FTS5's own merging (automerge 4, crisismerge 16: a
    register before migration 0018, whose saves merge nothing at all), shown on the same data:
    the test above is not vacuous."""
    monkeypatch.setattr(search, "LIFT_ROUNDS", 0)
    search.defer_merging(db, ["cases"])
    for start in range(1, 6001, 1000):
        with db.write():
            add_rows(db, start, 1000)
            search.index_rows_after(db, "cases", start - 1)
    search.optimize(db, "cases")
    search._set_merging(db, ["cases"], {"automerge": 4, "crisismerge": 16, "usermerge": 4})
    level, segid, pages = big_segment(db)
    assert level == 1
    for i in range(6001, 6401):
        with db.write():
            add_rows(db, i, 1)
            fts_insert(db, "cases", i, db.scalar("SELECT search_text FROM cases WHERE id = ?", (i,)))
    assert big_segment(db)[1] != segid  # a save merged (rewrote) the big segment
