"""Saves merge no index segments; idle steps on the checkpointer's thread keep them few and never
touch the big segment an import left (issue #20, item 1; ``desktop/storage/fts_merge.py``)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.storage import fts_merge, search, wal
from desktop.storage.db import open_database
from desktop.storage.search import fts_insert
from tests.desktop.storage.test_index_merging import WORDS, add_rows, big_segment

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
QUERIES = ("nguyen van hung", "dat dai", "tro cap", "thon dong", "khieu nai", "ngu", "xay", "001203000001")


def imported(db, rows: int = 3000) -> tuple[int, int, int]:
    """A register just out of a large import (merging deferred, then 'optimize'): its big segment."""
    search.defer_merging(db, ["cases"])
    for start in range(1, rows + 1, 1000):
        with db.write():
            add_rows(db, start, 1000)
            search.index_rows_after(db, "cases", start - 1)
    search.optimize(db, "cases")
    search.restore_merging(db, ["cases"])
    return big_segment(db)


def save_one(db, i: int) -> None:
    with db.write():
        add_rows(db, i, 1)
        fts_insert(db, "cases", i, db.scalar("SELECT search_text FROM cases WHERE id = ?", (i,)))


def results(db) -> dict[str, list[int]]:
    return {q: search.search_case_ids(db, q, limit=100_000) for q in QUERIES}


def segments(db) -> int:
    return sum(len(segs) for _, segs in search.index_levels(db, "cases"))


def idle(conn) -> int:
    steps = 0
    while fts_merge.merge_step(conn, "cases"):
        steps += 1
    return steps


@pytest.fixture
def small_big(monkeypatch):
    """A test register's imported segment counts as big (the 1M register's has 129,000 pages)."""
    monkeypatch.setattr(fts_merge, "BIG_PAGES", 100)   # the import: 130 pages; 1,200 saves: 50


def test_a_save_merges_nothing(db):
    assert {db.scalar(f"SELECT v FROM cases_fts_config WHERE k = '{k}'") for k in ("automerge",)} == {0}
    imported(db)
    for i in range(3001, 3041):   # 40 saves: below crisismerge, so 40 one-save segments on level 0
        save_one(db, i)
    levels = search.index_levels(db, "cases")
    assert len(levels[0][1]) == 40 and all(pages == 1 for _, pages in levels[0][1])


def test_idle_steps_keep_the_segments_few_and_never_touch_the_big_one(db, small_big):
    level, segid, pages = imported(db)
    assert pages > fts_merge.BIG_PAGES
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        most = 0
        for i in range(3001, 4201):            # 1,200 saves, idle time after every 10
            save_one(db, i)
            if i % 10 == 0:
                idle(conn)
                most = max(most, segments(db))
        assert big_segment(db)[:2] == (level, segid)          # never rewritten
        shape = search.index_levels(db, "cases")
        big_level_segments = len(shape[level][1])
        assert all(len(segs) < fts_merge.MAX_USERMERGE for _, segs in shape)
        assert most <= 3 * level + big_level_segments and segments(db) <= 3 * level + big_level_segments
        assert search.integrity_check(db, "cases")
        before = results(db)
        assert before["nguyen van hung"] and before["001203000001"] == [1]
        # the same answers as from one fully merged index
        search.optimize(db, "cases")
        assert segments(db) == 1 and results(db) == before
    finally:
        conn.close()


def test_without_idle_time_a_save_merges_only_what_saves_wrote(db, small_big):
    level, segid, pages = imported(db)
    for i in range(3001, 3301):   # 300 saves in a row: crisis merges of level 0 (64 one-save segments)
        save_one(db, i)
    shape = search.index_levels(db, "cases")
    assert big_segment(db)[:2] == (level, segid) and len(shape[0][1]) < 64
    assert search.integrity_check(db, "cases")


def test_the_fan_in_keeps_a_big_level_out_of_reach():
    big, small = (1, 5000), (2, 3)
    assert fts_merge.step_fan_in([(0, [small] * 4), (0, []), (0, [big])]) == 4
    assert fts_merge.step_fan_in([(0, [small] * 3), (0, [big])]) is None           # nothing to merge
    assert fts_merge.step_fan_in([(0, [small] * 4), (0, [big, small, small])]) is None   # 3 + 1 must stay < 5
    assert fts_merge.step_fan_in([(0, [small] * 5), (0, [big, small, small])]) == 5
    assert fts_merge.step_fan_in([(0, [small] * 4), (0, [big] + [small] * 3)]) is None
    assert fts_merge.step_fan_in([(0, [small] * 6), (0, [big] + [small] * 3)]) == 6
    assert fts_merge.step_fan_in([(0, [small] * 20), (0, [big] + [small] * 13)]) == 16
    assert fts_merge.step_fan_in([(0, [small] * 20), (0, [big] + [small] * 14)]) is None   # optimize's turn
    assert fts_merge.step_fan_in([(0, [small] * 9), (2, [big, small])]) is None     # a big merge half done
    assert fts_merge.step_fan_in([(2, [small, small]), (0, [big])]) == 4            # a small one: finished


def test_a_step_waits_for_no_save(db, small_big):
    imported(db)
    for i in range(3001, 3011):
        save_one(db, i)
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        with db.write():   # a save holds the write lock
            with pytest.raises(sqlite3.OperationalError):
                fts_merge.merge_step(conn, "cases")
        assert not conn.in_transaction
        assert fts_merge.merge_step(conn, "cases")
    finally:
        conn.close()


def test_the_checkpointer_merges_when_quiet_and_then_rests(db, small_big):
    imported(db)
    checkpointer = wal.Checkpointer(db.path, idle_seconds=1.0, busy_seconds=2.0)
    try:
        checkpointer.run_once(0.0)
        for i in range(3001, 3031):
            save_one(db, i)
        checkpointer.run_once(0.5)                        # saves keep coming: one step at most
        assert checkpointer.merge_steps <= 1
        checkpointer.run_once(5.0)                        # quiet: merged down
        merged = checkpointer.merge_steps
        assert merged >= 1 and segments(db) <= 4
        checkpointer.run_once(10.0)                       # nothing new: no step, no look at the lock
        assert checkpointer.merge_steps == merged
        assert search.integrity_check(db, "cases")
    finally:
        checkpointer.close()


def test_a_crowded_level_gets_a_step_at_every_look_while_saves_keep_coming(db, small_big):
    """One step every BUSY_SECONDS cannot keep up with a burst of saves (a segment each): once a
    level holds CROWDED_SEGMENTS, a step runs at every look, before FTS5's crisis merge (64)
    would run inside a save."""
    imported(db)
    checkpointer = wal.Checkpointer(db.path, idle_seconds=1.0, busy_seconds=2.0)
    try:
        checkpointer.run_once(0.0)
        i = 3001
        for look in range(1, 8):                          # 7 looks a quarter of a second apart,
            for _ in range(5):                            # all within BUSY_SECONDS; 5 saves
                save_one(db, i)                           # between two looks
                i += 1
            checkpointer.run_once(0.25 * look)
        # 35 saves: level 0 reached 32 segments and was merged at that look, before BUSY_SECONDS
        assert checkpointer.merge_steps >= 1
        assert max(len(segs) for _, segs in search.index_levels(db, "cases")) < wal.CROWDED_SEGMENTS
        assert search.integrity_check(db, "cases")
    finally:
        checkpointer.close()


def test_a_locked_register_postpones_the_merge(db, small_big):
    imported(db)
    checkpointer = wal.Checkpointer(db.path)
    try:
        checkpointer.run_once(0.0)
        for i in range(3001, 3011):
            save_one(db, i)
        with db.write():
            checkpointer.run_once(100.0)                 # no exception, nothing merged
        assert checkpointer.merge_steps == 0
        checkpointer.run_once(200.0)
        assert checkpointer.merge_steps >= 1
    finally:
        checkpointer.close()


def test_upgrade_from_schema_0006_stops_merging_in_saves(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    raw = sqlite3.connect(path)
    counts = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "persons", "receptions")}
    assert raw.execute("SELECT v FROM cases_fts_config WHERE k = 'automerge'").fetchone() is None   # FTS5's 4
    texts = [r[0] for r in raw.execute("SELECT search_text FROM cases WHERE search_text <> ''")]
    raw.close()
    db = open_database(path)
    try:
        for fts in ("cases_fts", "persons_fts", "receptions_fts"):
            config = dict(db.query(f"SELECT k, v FROM {fts}_config WHERE k IN ('automerge', 'crisismerge', 'usermerge')"))
            assert config == {"automerge": 0, "crisismerge": 64, "usermerge": 4}, fts
        assert {t: db.scalar(f"SELECT count(*) FROM {t}") for t in counts} == counts
        assert search.merging_deferred(db) == []          # 0 automerge is not an interrupted import
        word = next(w for t in texts for w in t.split() if len(w) >= 4 and not w.isdigit())
        assert search.search_case_ids(db, word)
        assert all(search.integrity_check(db, t) for t in ("cases", "persons", "receptions"))
    finally:
        db.close()


@pytest.fixture
def full_big_level(db, small_big, monkeypatch):
    """A register whose big segment's level has filled up with merged saves, so that idle steps can
    merge no further (at 1M: 14 segments there, after some 10,000 saves). Here the big segment is
    left on level 1 (no lift) and the fan-in capped at 6, to get there in a few dozen saves."""
    monkeypatch.setattr(search, "LIFT_ROUNDS", 0)
    monkeypatch.setattr(fts_merge, "MAX_USERMERGE", 6)
    imported(db)
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        i = 3001
        while not fts_merge.optimize_wanted(conn, "cases"):
            save_one(db, i)
            idle(conn)
            i += 1
            assert i < 3300, search.index_levels(db, "cases")
        assert idle(conn) == 0                     # stuck: no fan-in keeps the big level out of reach
    finally:
        conn.close()
    return i


def test_an_index_only_an_optimize_can_merge_is_optimized_in_idle_steps(db, full_big_level, monkeypatch):
    monkeypatch.setattr(fts_merge, "OPTIMIZE_STEP_PAGES", 16)   # several steps at this size
    before, shape = results(db), search.index_levels(db, "cases")
    level, segid, _ = big_segment(db)
    checkpointer = wal.Checkpointer(db.path, idle_seconds=1.0, busy_seconds=2.0, optimize_idle_seconds=60.0)
    try:
        checkpointer.run_once(0.0)
        checkpointer.run_once(30.0)                      # quiet, but not off-hours yet
        assert checkpointer.optimize_steps == 0
        t = 60.0
        while segments(db) > 1:          # the last pages of a trimmed big input: as an idle merge's
            t += 0.25
            checkpointer.run_once(t)
            assert t < 120, search.index_levels(db, "cases")
        assert checkpointer.optimize_steps >= 2          # in steps, each its own transaction
        assert len(search.index_levels(db, "cases")) > len(shape)   # one segment, on a new top level
        assert big_segment(db)[1] != segid
        assert results(db) == before and search.integrity_check(db, "cases")
        steps = checkpointer.optimize_steps
        checkpointer.run_once(t + 60)                    # done: nothing more to do
        assert checkpointer.optimize_steps == steps
    finally:
        checkpointer.close()


def test_saves_between_optimize_steps_are_kept_and_merging_resumes_after(db, full_big_level):
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        i = full_big_level
        assert fts_merge.optimize_step(conn, "cases", 8)   # started
        while fts_merge.optimize_step(conn, "cases", 8):  # a save between every two steps
            save_one(db, i)
            i += 1
        assert i > full_big_level + 2
        assert not fts_merge.optimize_wanted(conn, "cases")
        assert search.integrity_check(db, "cases")
        assert search.search_case_ids(db, f"{i - 1}/2026")   # the saves made meanwhile are found
        for j in range(i, i + 40):                         # and idle merging works again
            save_one(db, j)
        assert idle(conn) >= 1
        assert search.integrity_check(db, "cases")
    finally:
        conn.close()


def test_an_optimize_step_waits_for_no_save(db, full_big_level):
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        with db.write():
            with pytest.raises(sqlite3.OperationalError):
                fts_merge.optimize_step(conn, "cases")
        assert not conn.in_transaction
        assert fts_merge.optimize_step(conn, "cases")
    finally:
        conn.close()
