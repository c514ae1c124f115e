"""Merging the search indexes' segments in idle time, in small steps (issue #20, item 1).

Since migration 0018 an interactive save merges nothing (FTS5 ``automerge`` = 0, see
``search.MERGE_DEFAULTS``): each save leaves a one-save segment on level 0 of each index it
wrote. ``merge_step`` merges some of them — one transaction of at most about ``STEP_PAGES`` leaf
pages written, a few milliseconds — and is run by the background ``wal.Checkpointer`` when the
register is quiet (and now and then while saves keep coming), so the segments a search reads stay
few without a save ever paying for the merging.

A step never touches a *big* segment (more than ``BIG_PAGES`` leaf pages: the one an import's
'optimize' wrote, 129,000 pages at 1,000,000 cases). Merging it rewrites the whole index (9.8 s
at 1M, see ``search.merge_segments``), and FTS5 merges whole terms at a time, so a step over a
common word's doclist ("nguyen": a large share of those pages) would hold the write lock — and a
save waiting for it — as long as copying that doclist takes, whatever the step's page budget. FTS5's 'merge' picks
the level holding the most segments among those holding at least ``usermerge``, and after
finishing one level goes on to the next with the pages left; so a step sets ``usermerge`` (inside
its transaction, put back before it commits) above the segment count of every level holding a
big segment, where FTS5 can then never start. A big segment's level gathers one more segment each
time the level below fills (about every 4^level saves: 1,024 at 1M, where 'optimize' lifted the
big segment to level 5); folding those into it is an optimize's, off-hours.

That optimize is ``optimize_step``: once a big segment's level holds so many segments that no
fan-in keeps it out of reach (``needs_optimize``: about 14 at 1M, after some 10,000 saves), idle
merging stops there, and after ``wal.OPTIMIZE_IDLE_SECONDS`` of quiet the checkpointer merges
every segment into one in bounded steps — FTS5's 'merge' with a negative page count starts it
(all segments gathered on one new top level), positive counts carry it on — each step its own
short transaction, stopped as soon as a save comes and carried on at the next quiet time. The
result sits one level above every other, as ``search.optimize``'s lift leaves it.

Works on a plain ``sqlite3.Connection`` (the checkpointer's own, whose busy timeout is 0): when a
save holds the write lock the step is skipped, not waited for.
"""

from __future__ import annotations

import logging
import sqlite3

from desktop.storage.search import FTS_TABLES, MERGE_DEFAULTS, structure_levels

log = logging.getLogger(__name__)

STEP_PAGES = 64      # leaf pages a step writes, about: a few milliseconds holding the write lock
BUSY_STEP_PAGES = 16  # while saves keep coming, each waiting for the step: at 1M on the loaded bench
                      # machine a 64-page step held a save for 44-96 ms (bench_saves)
BIG_PAGES = 4096     # a segment larger than this (16 MiB) is never merged in idle time
MAX_USERMERGE = 16   # FTS5's largest usermerge
OPTIMIZE_STEP_PAGES = 256   # leaf pages an optimize step writes, about (1 MiB; whole terms at a time)


def _levels(conn: sqlite3.Connection, fts: str) -> list[tuple[int, list[tuple[int, int]]]]:
    try:
        row = conn.execute(f"SELECT block FROM {fts}_data WHERE id = 10").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []   # not a register (or not yet created): nothing to merge
        raise
    return [] if row is None else structure_levels(bytes(row[0]))


def step_fan_in(levels: list[tuple[int, list[tuple[int, int]]]], usermerge: int = MERGE_DEFAULTS["usermerge"]
                ) -> int | None:
    """The ``usermerge`` for one idle step over an index of this shape, or None when the step
    would merge nothing or would have to start on a big segment (see the module)."""
    fan_in = usermerge
    for merging, segments in levels:
        if any(pages > BIG_PAGES for _, pages in segments):
            if merging:
                return None   # a merge of a big segment left half done (an interrupted optimize)
            fan_in = max(fan_in, len(segments) + 2)   # +1: the segment a finished merge brings
    if fan_in > MAX_USERMERGE:
        return None
    for merging, segments in levels:   # FTS5 goes on with a level half merged, first
        if merging:
            return fan_in
    return fan_in if any(len(segments) >= fan_in for _, segments in levels) else None


def needs_optimize(levels: list[tuple[int, list[tuple[int, int]]]]) -> bool:
    """True when only an optimize can merge this index further: a big segment's level holds too
    many segments for any fan-in to keep it out of reach (``step_fan_in`` gives up), or an
    optimize is under way (a merge of a big segment's level half done)."""
    for merging, segments in levels:
        if any(pages > BIG_PAGES for _, pages in segments):
            if merging or len(segments) + 2 > MAX_USERMERGE:
                return True
    return False


def levels_of(conn: sqlite3.Connection, table: str) -> list[tuple[int, list[tuple[int, int]]]]:
    """The shape of ``table``'s index (``search.structure_levels``), [] when it has none."""
    return _levels(conn, FTS_TABLES[table])


def optimize_wanted(conn: sqlite3.Connection, table: str) -> bool:
    """``needs_optimize`` of ``table``'s index as it is now."""
    return needs_optimize(_levels(conn, FTS_TABLES[table]))


def optimize_step(conn: sqlite3.Connection, table: str, pages: int | None = None) -> bool:
    """One bounded step of an off-hours optimize of ``table``'s index (see the module), when it
    needs one; True when it wrote something. Like ``merge_step``, raises
    ``sqlite3.OperationalError`` when a save holds the write lock."""
    fts = FTS_TABLES[table]
    pages = OPTIMIZE_STEP_PAGES if pages is None else pages
    if not needs_optimize(_levels(conn, fts)):
        return False

    def still_wanted():
        levels = _levels(conn, fts)
        return levels if needs_optimize(levels) else None

    def step(levels) -> None:
        under_way = any(merging for merging, segments in levels
                        if any(p > BIG_PAGES for _, p in segments))
        # While it is under way no other level may start a merge of its own in the step's pages.
        conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('usermerge', ?)", (MAX_USERMERGE,))
        conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('merge', ?)",
                     (int(pages) if under_way else -int(pages),))
        conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('usermerge', ?)", (MERGE_DEFAULTS["usermerge"],))

    return _under_write_lock(conn, still_wanted, step)


def merge_step(conn: sqlite3.Connection, table: str, pages: int = STEP_PAGES) -> bool:
    """One bounded idle merge of ``table``'s index (see the module); True when it merged
    something. Raises ``sqlite3.OperationalError`` ("database is locked") when a save holds the
    write lock: the caller tries again at its next look."""
    fts = FTS_TABLES[table]
    if step_fan_in(_levels(conn, fts)) is None:   # the usual answer, read without taking the lock
        return False

    def step(fan_in: int) -> None:
        usermerge = MERGE_DEFAULTS["usermerge"]
        if fan_in != usermerge:
            conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('usermerge', ?)", (fan_in,))
        conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('merge', ?)", (int(pages),))
        if fan_in != usermerge:
            conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('usermerge', ?)", (usermerge,))

    return _under_write_lock(conn, lambda: step_fan_in(_levels(conn, fts)), step)


def _under_write_lock(conn: sqlite3.Connection, still_wanted, step) -> bool:
    """Take the write lock, ask again whether the step is wanted (a save may have come since the
    look without the lock: ``still_wanted()`` returns None when not), do ``step`` with that answer
    and commit; True when it wrote something. Nothing half-done stays on a failure."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        wanted = still_wanted()
        if wanted is None:
            conn.execute("ROLLBACK")
            return False
        step(wanted)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def segment_count(conn: sqlite3.Connection, table: str) -> int:
    """How many segments a search of ``table`` reads (tests, benchmarks)."""
    return sum(len(segments) for _, segments in _levels(conn, FTS_TABLES[table]))
