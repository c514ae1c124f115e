"""Consecutive interactive saves after a large import: the maximum, not only the median.

    python -m bench.bench_saves --db FILE [--saves 3000] [--checkpoints background|inline]
                                [--merging idle|fts5] [--in-place] [--keep] [--disturb-mb N]
    python -m bench.bench_saves --db FILE --optimize-steps SECONDS

Works on a copy of ``FILE`` (a register just out of a large import, e.g. one made by
``bench.generate``), saves ``--saves`` new cases one by one (after one untimed save that loads the rules) through
``receive_case`` (case,
event, search index, commit, as the case dialog does) and prints p50 / p99 / max, the saves
slower than 100 ms (wall clock, and CPU time of the saving thread: on a shared machine the wall
clock also counts other processes' turns), and a one-row commit of the same size in a plain WAL database as the
baseline of the same run. Before and after, it prints the shape of each FTS5 index — segments
per level, in leaf pages — read from the index's structure record, because that shape is what
decides whether a save pays for merging the index's large segment (issue #20, item 1; see
``search.optimize``), and each save slower than 50 ms with what it did to the case index. With
``--merging idle`` (the default) the copy takes migration 0018's settings: saves merge no index
segments, the checkpointer's thread merges them in small steps (``desktop.storage.fts_merge``);
``fts5`` keeps FTS5's own automerge in the saves, as registers had before 0018. With ``--checkpoints background`` (the default, as the window saves) the
saving connection defers the write-ahead log's checkpoints to a ``wal.Checkpointer`` thread, as
the window's session does; ``inline`` leaves SQLite's automatic checkpoint in the saves (item 1:
the first one cost 873 ms at 1M).

The raw baseline runs *interleaved* with the saves: after each save (untimed for the save), one
one-row commit with ``synchronous = FULL`` in a plain WAL database beside the register, so it
meets the same disk at the same moments. Its p99 and max print beside the saves', each slow save
shows the baseline commits just before and after it, and the time a save spent inside its own
``COMMIT`` (the log's fsync) prints beside its whole time: a save whose time is in its commit
while the baseline's commits beside it are as slow waits on the disk, not on our code. A second
raw baseline follows each save too: a commit of as many log pages as that save wrote (read from
the wal-index header; a merge step the checkpointer committed meanwhile counts with it), rewriting
one-page rows of a plain WAL database and doing nothing else, so each save is also set beside the
raw cost of syncing its own size (``SizedBaseline``).
``--disturb-mb N`` has another process write an N MiB file over and over beside the register
while the saves run (a big copy onto the same disk, as a USB copy is in an office).
Prints to stdout; nothing here is a test.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from bench.generate import log_in_as_head
from desktop.storage import fts_merge, search, wal
from desktop.storage.db import open_database
from desktop.storage.migrations import m0018_idle_index_merging
from desktop.workflow.receive import CaseInput, receive_case
from desktop.workflow.sample import Sampler


def show_levels(db, label: str) -> None:
    for table in ("cases", "persons"):
        parts = []
        for n, (merging, segments) in enumerate(search.index_levels(db, table)):
            if segments:
                big = sorted((pages for _, pages in segments), reverse=True)
                shown = ", ".join(map(str, big[:4])) + (f", … ({len(big)} segments)" if len(big) > 4 else "")
                parts.append(f"L{n}: [{shown}]" + (f" merging {merging}" if merging else ""))
        print(f"    {label} {table}_fts: " + "  ".join(parts))


SLOW = 0.05   # a save slower than this is shown with what it did to the case index


def shape_of(db) -> list[list[int]]:
    """Leaf pages of each segment of cases_fts, per level (empty levels kept)."""
    return [[pages for _, pages in segs] for _, segs in search.index_levels(db, "cases")]


def merged_nothing(before: list[list[int]], after: list[list[int]]) -> bool:
    """True when ``after`` is ``before`` plus new one-save segments on level 0 (no merge ran)."""
    if len(after) != len(before) or after[1:] != before[1:]:
        return False
    return after[0][:len(before[0])] == before[0]


# -- the saves --------------------------------------------------------------------------------------------

class TimedCommits:
    """The register's connection, with the wall and CPU time of each ``COMMIT`` noted (the fsync
    of the log that makes a save durable happens there)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.last = (0.0, 0.0)

    def execute(self, sql, params=()):
        if sql != "COMMIT":
            return self._conn.execute(sql, params)
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return self._conn.execute(sql)
        finally:
            self.last = (time.perf_counter() - t0, time.thread_time() - c0)

    def __getattr__(self, name):
        return getattr(self._conn, name)


class Baseline:
    """A one-row commit (about a save's size, ``synchronous = FULL``) in a plain WAL database in
    the register's folder: the raw cost of a durable commit on this disk, taken between saves."""

    def __init__(self, folder: Path) -> None:
        self.conn = sqlite3.connect(folder / "one-row.sqlite", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")   # copied back between commits, untimed
        self.conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT)")
        self.values: list[float] = []

    def commit(self) -> float:
        t0 = time.perf_counter()
        self.conn.execute("BEGIN")
        self.conn.execute("INSERT INTO t(payload) VALUES (?)", ("x" * 700,))
        self.conn.execute("COMMIT")
        self.values.append(time.perf_counter() - t0)
        if len(self.values) % 500 == 0:   # copied back out of the timing; the next commit starts
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")   # the log over in place, as a save's does
        return self.values[-1]

    def close(self) -> None:
        self.conn.close()


class SizedBaseline:
    """A raw commit of as many log pages as the save just before it wrote (``synchronous =
    FULL``, a plain WAL database in the register's folder): ``PAGE_ROWS`` rows of one page each,
    that many of them rewritten, nothing else. No index, no trigger, next to no CPU: what a durable
    commit of a save's size costs on this disk at that moment. Under another program's big write,
    the sync of a commit waits longer the more pages it carries; this baseline shows how much of
    a save's time that alone explains."""

    PAGE_ROWS = 256
    ROW_BYTES = 3900   # one row per 4 KiB leaf page

    def __init__(self, folder: Path) -> None:
        self.conn = sqlite3.connect(folder / "save-size.sqlite", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        self.conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, payload BLOB)")
        self.conn.executemany("INSERT INTO t(id, payload) VALUES (?, ?)",
                              [(i, os.urandom(self.ROW_BYTES)) for i in range(self.PAGE_ROWS)])
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.values: list[float] = []
        self.pages: list[int] = []
        self._next = 0

    def commit(self, pages: int) -> float:
        pages = max(1, min(pages, self.PAGE_ROWS))
        rows = [(os.urandom(self.ROW_BYTES), (self._next + i) % self.PAGE_ROWS) for i in range(pages)]
        self._next += pages
        t0 = time.perf_counter()
        self.conn.execute("BEGIN")
        self.conn.executemany("UPDATE t SET payload = ? WHERE id = ?", rows)
        self.conn.execute("COMMIT")
        self.values.append(time.perf_counter() - t0)
        self.pages.append(pages)
        if len(self.values) % 100 == 0:   # copied back out of the timing, as the one-row baseline's
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return self.values[-1]

    def close(self) -> None:
        self.conn.close()


def kernel_time() -> float:
    """System (kernel) CPU seconds of the calling thread so far: a save's CPU time counts the
    kernel's work for it too (writing its pages, reclaiming memory another program filled).
    0 where the system gives no per-thread figure (Linux does; Windows has no ``resource``)."""
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_THREAD).ru_stime
    except (ImportError, AttributeError, OSError):
        return 0.0


def log_pages_written(path: Path, before: int) -> int:
    """Log frames a save appended, from the wal-index header (``wal.log_frames``) read before and
    after it; when the checkpointer restarted the log meanwhile, the frames since the restart."""
    after = wal.log_frames(path)
    return after - before if after >= before else after


class Disturber:
    """Another process writing a big file beside the register, over and over (a copy onto the
    disk while the clerk saves), until ``stop``."""

    def __init__(self, folder: Path, mib: int) -> None:
        self.file = folder / "disturbing-copy.bin"
        code = ("import sys\nbuf = bytes(range(256)) * 4096\nn = int(sys.argv[2])\n"
                "while True:\n    with open(sys.argv[1], 'wb') as f:\n"
                "        for _ in range(n):\n            f.write(buf)\n")
        self.proc = subprocess.Popen([sys.executable, "-c", code, str(self.file), str(mib)])

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.file.unlink(missing_ok=True)

def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, int(round(len(values) * q)) - 1)]


def run(path: Path, saves: int, checkpoints: str = "background", merging: str = "idle",
        busy_seconds: float = wal.BUSY_SECONDS, base: Baseline | None = None,
        sized: SizedBaseline | None = None
        ) -> tuple[list[float], list[float], list[float], list[float]]:
    db = open_database(path, migrate=False)
    print(f"    register pragmas: synchronous {db.scalar('PRAGMA synchronous')} (2 = FULL), journal "
          f"{db.scalar('PRAGMA journal_mode')}, secure_delete {db.scalar('PRAGMA secure_delete')}")
    if merging == "idle":
        # Migration 0018's index settings by its own ``apply``, without the backup of the whole
        # register that ``open_database`` takes before a migration (9 GB at 1M: not what is measured).
        with db.write():
            m0018_idle_index_merging.apply(db)
    else:   # FTS5's own merging in the saves, as before 0018: to show the cause on the same data
        with db.write():
            for fts in ("cases_fts", "persons_fts", "receptions_fts"):
                for key, value in (("automerge", 4), ("crisismerge", 16), ("usermerge", 4)):
                    db.execute(f"INSERT INTO {fts}({fts}, rank) VALUES (?, ?)", (key, value))
    print(f"    index merging: {merging}; cases_fts config "
          f"{dict(db.query('SELECT k, v FROM cases_fts_config WHERE k <> ' + repr('version')))}")
    checkpointer = None
    if checkpoints == "background":
        wal.defer(db.conn)
        checkpointer = wal.Checkpointer(path, merges=merging == "idle", busy_seconds=busy_seconds).start()
        print(f"    background checkpointer: busy_seconds {busy_seconds}, restart at {checkpointer.restart_frames} frames; "
              f"saving connection: wal_autocheckpoint {db.scalar('PRAGMA wal_autocheckpoint')}, "
              f"journal_size_limit {db.scalar('PRAGMA journal_size_limit')}; thread ids: saves "
              f"{threading.get_native_id()}, checkpointer {checkpointer.native_id}")
    timed = TimedCommits(db.conn)
    db.conn = timed
    try:
        log_in_as_head(db)
        today = date.fromisoformat(db.get_setting("bench_today") or date.today().isoformat())
        person = db.scalar("SELECT uuid FROM persons WHERE id_number <> '' ORDER BY id DESC LIMIT 1")
        sample = Sampler(11, today=today)
        show_levels(db, "before")
        summary, content = sample.matter("petition", "land")  # the rules and the calendar load once: not timed
        receive_case(db, CaseInput(kind="petition", received_on=today, summary=summary, content=content,
                                   requesters=[person], field="land"), today=today)
        values, cpu, commits, beside_base = [], [], [], []
        collections: list[tuple[float, float, str]] = []   # Python's garbage collections, timed
        started: dict[str, float] = {}

        def gc_timer(phase: str, info: dict) -> None:
            if phase == "start":
                started["t"] = time.perf_counter()
            elif "t" in started:
                collections.append((started.pop("t"), time.perf_counter(),
                                    f"Python gc generation {info['generation']} ({info['collected']} freed)"))

        gc.callbacks.append(gc_timer)
        for n in range(saves):
            summary, content = sample.matter("petition", "land")
            data = CaseInput(kind="petition", received_on=today, summary=summary, content=content,
                             requesters=[person], field="land")
            shape = shape_of(db)   # not timed: to name what a slow save did to the index
            frames = wal.log_frames(path)
            t0, c0, k0 = time.perf_counter(), time.thread_time(), kernel_time()
            receive_case(db, data, today=today)
            t1 = time.perf_counter()
            kernel = kernel_time() - k0
            if sized is not None:   # a raw commit of the same number of log pages, right after it
                sized.commit(log_pages_written(path, frames))
            values.append(t1 - t0)
            cpu.append(time.thread_time() - c0)
            commits.append(timed.last[0])
            if base is not None:   # the raw commit right after this save: the same disk, the same moment
                beside_base.append(base.commit())
            if values[-1] > SLOW:
                after = shape_of(db)
                work = [*(checkpointer.recent if checkpointer is not None else ()), *collections]
                beside = [f"{what} ({(e - s) * 1000:.0f} ms)" for s, e, what in work if s < t1 and e > t0]
                before = [f"{what} ({(e - s) * 1000:.0f} ms, ended {(t0 - e) * 1000:.0f} ms before)"
                          for s, e, what in sorted(work, key=lambda w: w[1]) if e <= t0 and "gc" not in what][-1:]
                beside += [f"before it: {b}" for b in before]
                near = base.values[max(0, len(base.values) - 3):] if base is not None else []
                same = (f"; raw commit of its {sized.pages[-1]} log pages right after: {sized.values[-1] * 1000:.1f} ms"
                        if sized is not None else "")
                stamp = time.time() - (time.perf_counter() - t0)   # wall clock, to find it in an strace -tt
                print(f"    save {n + 1} at {time.strftime('%H:%M:%S', time.localtime(stamp))}{f'{stamp % 1:.3f}'[1:]}: "
                      f"{values[-1] * 1000:.1f} ms wall "
                      f"({timed.last[0] * 1000:.1f} in its COMMIT, {timed.last[1] * 1000:.1f} CPU there), {cpu[-1] * 1000:.1f} ms CPU "
                      f"({kernel * 1000:.1f} of it in the kernel); "
                      f"baseline commits before/after it: {', '.join(f'{v * 1000:.1f}' for v in near)} ms{same}; cases_fts "
                      + ("unchanged but for its new segment" if merged_nothing(shape, after) else
                         f"merged: {shape} -> {after}") + f"; load {os.getloadavg()[0]:.2f}; "
                      + f"background meanwhile: {', '.join(beside) or 'nothing'}")
        gc.callbacks.remove(gc_timer)
        slow_gc = [e - s for s, e, what in collections if "generation 2" in what]
        print(f"    Python gc: {len(collections)} collections, {len(slow_gc)} of generation 2"
              + (f" (longest {max(slow_gc) * 1000:.1f} ms)" if slow_gc else ""))
        show_levels(db, "after ")
        if checkpointer is not None:
            print(f"    background checkpoints: {checkpointer.checkpoints} ({checkpointer.restarts} restarting the log), "
                  f"{checkpointer.frames_copied:,} frames "
                  f"copied back, last (busy, frames, copied): {checkpointer.last_result}; "
                  f"index merge steps in idle time: {checkpointer.merge_steps}")
        return values, cpu, commits, beside_base
    finally:
        if checkpointer is not None:
            checkpointer.close()
        db.close()


def report(label: str, values: list[float]) -> None:
    slow = [(i, v) for i, v in enumerate(values) if v > 0.1]
    print(f"  {label:<22} n={len(values):5d}  p50 {statistics.median(values) * 1000:7.2f} ms  "
          f"p99 {pct(values, 0.99) * 1000:7.2f} ms  max {max(values) * 1000:8.1f} ms "
          f"(save {values.index(max(values)) + 1})  over 100 ms: {len(slow)}"
          + (f" — at saves {', '.join(str(i + 1) for i, _ in slow[:12])}" if slow else ""))


def optimize_steps(path: Path, seconds: float) -> None:
    """The off-hours optimize's steps (``fts_merge.optimize_step``) on this register, whether or
    not its indexes need one yet, for at most ``seconds``: how long each held the write lock — the
    longest a save coming meanwhile would wait — with the log copied back between steps as the
    checkpointer does. FTS5 ends a step only between two terms, so one common word's doclist can
    make a step longer than its page count suggests."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")   # as the checkpointer's connection
    conn.execute("PRAGMA busy_timeout = 5000")
    original = fts_merge.needs_optimize
    fts_merge.needs_optimize = lambda levels: len(levels) > 0 and (   # now, not only when stuck
        any(m for m, _ in levels) or sum(len(s) for _, s in levels) > 1)
    try:
        end = time.monotonic() + seconds
        for table in wal.MERGED_TABLES:
            steps, cpu = [], []
            while time.monotonic() < end:
                t0, c0 = time.perf_counter(), time.thread_time()
                if not fts_merge.optimize_step(conn, table):
                    break
                steps.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
                if wal.log_frames(path) >= wal.RESTART_FRAMES:   # untimed, as the checkpointer would
                    wal.checkpoint(conn, "RESTART")
            if steps:
                print(f"  optimize {table}: {len(steps)} steps of {fts_merge.OPTIMIZE_STEP_PAGES} pages, "
                      f"{sum(steps):.1f} s; a step p50 {statistics.median(steps) * 1000:.1f} ms, "
                      f"max {max(steps) * 1000:.1f} ms (CPU max {max(cpu) * 1000:.1f} ms); "
                      f"{'finished' if not fts_merge.optimize_wanted(conn, table) else 'not finished'}")
        wal.checkpoint(conn, "TRUNCATE")
    finally:
        fts_merge.needs_optimize = original
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a register just out of a large import (copied)")
    parser.add_argument("--saves", type=int, default=3000)
    parser.add_argument("--checkpoints", choices=("background", "inline"), default="background",
                        help="background: as the window saves (wal.Checkpointer); inline: SQLite's automatic checkpoint")
    parser.add_argument("--merging", choices=("idle", "fts5"), default="idle",
                        help="idle: saves merge no index segments, the checkpointer's thread does (migration 0018); "
                             "fts5: FTS5's own automerge in the saves, as before 0018")
    parser.add_argument("--busy-seconds", type=float, default=wal.BUSY_SECONDS,
                        help="while saves keep coming, copy the log back (and merge a step) this often")
    parser.add_argument("--in-place", action="store_true",
                        help="work on FILE itself (a copy made for the bench: a 1M register is 9 GB)")
    parser.add_argument("--keep", action="store_true", help="keep the copy (printed) for a second look")
    parser.add_argument("--disturb-mb", type=int, default=0,
                        help="another process writes a file of this many MiB beside the register, over and over, "
                             "while the saves run (a big copy onto the same disk)")
    parser.add_argument("--optimize-steps", type=float, metavar="SECONDS", default=0,
                        help="instead of saves: run the off-hours optimize's steps on FILE (in place) "
                             "for at most SECONDS and print how long each held the write lock")
    args = parser.parse_args()
    if args.optimize_steps:
        print(f"optimize steps on {args.db.name}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        optimize_steps(args.db, args.optimize_steps)
        print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    work = Path(tempfile.mkdtemp(prefix="bench-saves-", dir=args.db.parent))
    try:
        copy = args.db if args.in_place else work / args.db.name
        if not args.in_place:
            shutil.copy(args.db, copy)
        print(f"{args.saves:,} saves into a copy of {args.db.name}, checkpoints {args.checkpoints}; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        base = Baseline(work)
        sized = SizedBaseline(work)
        disturber = Disturber(work, args.disturb_mb) if args.disturb_mb else None
        if disturber:
            print(f"    another process writes {args.disturb_mb} MiB over and over beside the register")
        try:
            values, cpu, commits, beside = run(copy, args.saves, args.checkpoints, args.merging,
                                               args.busy_seconds, base, sized)
        finally:
            if disturber:
                disturber.stop()
            base.close()
            sized.close()
        report("receive_case", values)
        report("  the same, CPU time", cpu)
        report("  its COMMIT alone", commits)
        report("one-row commit (base)", beside)
        report("save-size commit (base)", sized.values)
        print(f"  log pages a save wrote: p50 {statistics.median(sized.pages):.0f}, max {max(sized.pages)} "
              f"(the save-size baseline rewrote as many, capped at {SizedBaseline.PAGE_ROWS})")
        slow = [i for i, v in enumerate(values) if v > 0.1]
        if slow:
            print(f"  saves over 100 ms: {len(slow)}; their COMMIT took {sum(commits[i] for i in slow) / sum(values[i] for i in slow):.0%} "
                  f"of their time; the baseline commit right after each: max {max(beside[i] for i in slow) * 1000:.1f} ms")
        print(f"  max save / max baseline commit of the same run: {max(values) * 1000:.1f} / {max(beside) * 1000:.1f} ms "
              f"(one row), {max(sized.values) * 1000:.1f} ms (the save's size); p99 "
              f"{pct(values, 0.99) * 1000:.1f} / {pct(beside, 0.99) * 1000:.1f} / {pct(sized.values, 0.99) * 1000:.1f} ms")
        print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.keep:
            print(f"  copy kept: {copy}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
