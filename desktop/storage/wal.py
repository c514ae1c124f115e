"""Write-ahead-log checkpoints kept off interactive saves (issue #20, item 1).

In WAL mode SQLite appends each commit to ``register.sqlite-wal`` and, by default, the connection
whose commit takes the log past 1,000 pages copies the log back into the database file at once —
inside that commit. On a province's register the pages it copies lie all over a multi-gigabyte
file: measured at 1M cases (``bench/bench_saves.py``), that one save took 873 ms while the others
took 2–15 ms. So a connection that saves for the clerk (``defer``) leaves the copying to a
``Checkpointer``: a thread with its own connection that copies the log back (a PASSIVE checkpoint:
it never waits for nor blocks a reader or a writer) once the register has been quiet for
``IDLE_SECONDS``, or every ``BUSY_SECONDS`` while commits keep coming, so the log stays small
without a save ever paying for it. On close it empties the log (TRUNCATE).

The log cannot grow without bound: the saving connection keeps SQLite's own automatic checkpoint
as a backstop at ``BACKSTOP_PAGES`` (256 MiB of 4 KiB pages). That checkpoint would run inside a
save, so the checkpointer keeps the log well short of it: it reads the log's length at every look
(``log_frames``, from the wal-index header) and, once the log is past ``restart_frames``, copies
it back at once, quiet or not, and starts it over — only a reader holding a snapshot for minutes
would then let the log reach the backstop. A checkpoint never changes what a crash can lose: a
save's commit is durable once its frames are in the log (``synchronous = FULL``), wherever they
are copied later.

The same thread merges the search indexes' segments that saves leave, in small steps
(``desktop.storage.fts_merge``; since migration 0018 a save merges none): while the register is
quiet, up to ``MERGE_BUDGET_SECONDS`` of steps a look, and while commits keep coming one step
every ``BUSY_SECONDS``, or at every look once a level holds ``CROWDED_SEGMENTS``. A step is its
own short transaction, committed without an fsync (the checkpointer's connection is NORMAL: see
``_connection``); when a save holds the lock it waits for the next look. An index that only an optimize can merge further (``fts_merge.needs_optimize``)
gets one in steps after ``OPTIMIZE_IDLE_SECONDS`` of quiet, up to ``OPTIMIZE_BUDGET_SECONDS`` a
look, stopping as soon as a save comes.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time
from collections import deque
from pathlib import Path

log = logging.getLogger(__name__)

IDLE_SECONDS = 1.0      # quiet time after a commit before the log is copied back
BUSY_SECONDS = 2.0      # while commits keep coming, copy back at least this often
POLL_SECONDS = 0.25     # how often the checkpointer looks for new commits
BACKSTOP_PAGES = 65536  # SQLite's own auto-checkpoint on a deferring connection (the log's bound)
RESTART_FRAMES = 8192   # a log this long (32 MiB) is restarted from its start once copied back
SIZE_LIMIT = 32 << 20   # a log file larger than this is cut to nothing when the register is quiet
RESTART_WAIT_MS = 30    # the longest a restart waits for readers (and a save for the restart)
CATCH_UP_PASSES = 6     # PASSIVE passes at most before a RESTART, each copying what came meanwhile
CATCH_UP_SECONDS = 0.02 # a pass this quick leaves the RESTART only a few frames to copy
FORCE_FRAMES = BACKSTOP_PAGES // 2   # a log this long is restarted even after slow passes (a slow disk)
MERGE_BUDGET_SECONDS = 0.05   # index merging a quiet look does at most (steps of a few ms each)
MERGE_WAIT_MS = 50      # how long a merge step waits for a save to finish (saves coming back to back)
CROWDED_SEGMENTS = 32   # a level this full gets a merge step at every look, saves coming or not
                        # (half of search.MERGE_DEFAULTS' crisismerge, which merges inside a save)
MERGED_TABLES = ("cases", "persons", "receptions")
OPTIMIZE_IDLE_SECONDS = 120.0  # quiet this long (the office away) before an index is optimized in steps
OPTIMIZE_BUDGET_SECONDS = 0.25 # optimize steps a quiet look does at most


def defer(conn: sqlite3.Connection, backstop_pages: int = BACKSTOP_PAGES) -> None:
    """This connection's commits no longer copy the log back (up to the backstop): a
    ``Checkpointer`` on the same file does it in the background. Its statement journals stay in
    memory (see below). Outside a transaction."""
    conn.execute(f"PRAGMA wal_autocheckpoint = {int(backstop_pages)}")
    # No size limit on the saving connection: with one, the first commit after a restart of the
    # log cuts the file back inside that save (57-88 ms, 23-29 ms of CPU for a 158 MB log on the
    # bench machine; the 45 ms-of-CPU saves at 1M came each after a RESTART). The log file is
    # reused from its start instead, and the Checkpointer cuts it when the register is quiet.
    conn.execute("PRAGMA journal_size_limit = -1")
    # A save's statements that may fail half-way inside its transaction keep the pages they change
    # in a statement journal, which SQLite moves from memory to a temporary file past 64 KiB. At
    # 1M cases every save did: a file created in the temporary folder, about 180 pages written to
    # it, and deleted at the commit (3,001 such files in 3,000 saves, bench_saves under strace).
    # Deleting it frees its blocks, and on a disk mounted with online discard the saving thread
    # waited for that discard, and for the writeback of the file's pages, while another program
    # wrote a big file (the saving thread's kernel stack, sampled: blkdev_issue_discard <
    # ext4_free_blocks < ext4_evict_inode). In memory it costs a few hundred KiB during a save.
    # Set here, on the window's connections (its own and its workers'), not in db.connect: a
    # connection that builds a large temporary table (verify's latest ledger entries at 1M, from
    # the command line) keeps it on disk. A worker's temporary tables are now in memory (the
    # reports' already were).
    conn.execute("PRAGMA temp_store = MEMORY")


def log_frames(path: Path | str) -> int:
    """Frames in the register's write-ahead log now (0 when it has none), read from the wal-index
    header in ``<file>-shm`` (SQLite's "WAL-index format": two copies of a 48-byte header, in the
    machine's byte order, ``mxFrame`` the u32 at offset 16), without a checkpoint or a lock. The
    two copies differ only while a commit is writing them: then the next look reads it."""
    try:
        with open(f"{path}-shm", "rb") as f:
            head = f.read(96)
    except OSError:
        return 0
    if len(head) < 96 or head[:48] != head[48:96]:
        return 0
    return int.from_bytes(head[16:20], sys.byteorder)


def checkpoint(conn: sqlite3.Connection, mode: str = "PASSIVE") -> tuple[int, int, int]:
    """(busy, frames in the log, frames copied back) of one checkpoint in ``mode``."""
    if mode not in ("PASSIVE", "FULL", "RESTART", "TRUNCATE"):
        raise ValueError(mode)
    busy, frames, copied = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    return busy, frames, copied


class Checkpointer:
    """Copies a register's write-ahead log back into the file in the background (see above).

    ``start()`` runs it on a daemon thread; ``close()`` stops it, empties the log and closes its
    connection; the thread also ends by itself once ``owner`` (the ``Database`` whose saves it
    serves) is closed. ``run_once(now)`` is one look (the thread calls it; tests call it with a clock).
    """

    def __init__(self, path: Path | str, *, owner=None, idle_seconds: float = IDLE_SECONDS,
                 busy_seconds: float = BUSY_SECONDS, poll_seconds: float = POLL_SECONDS,
                 restart_frames: int = RESTART_FRAMES, force_frames: int = FORCE_FRAMES,
                 merges: bool = True, optimize_idle_seconds: float = OPTIMIZE_IDLE_SECONDS) -> None:
        self.path = Path(path)
        self.owner = owner
        self.idle_seconds, self.busy_seconds, self.poll_seconds = idle_seconds, busy_seconds, poll_seconds
        self.restart_frames = restart_frames
        self.force_frames = max(force_frames, restart_frames)
        # Its own connection (one per thread): made in the thread that uses it first.
        self._conn: sqlite3.Connection | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen_version: int | None = None
        self._dirty_since: float | None = None   # first commit not yet copied back
        self._last_commit = 0.0
        self.checkpoints = 0                     # how many ran (bench, tests)
        self.restarts = 0                        # how many logs were restarted from their start
        self.truncations = 0                     # how many log files were cut back when quiet
        self.frames_copied = 0
        self._backfilled = 0
        self.last_result: tuple[int, int, int] | None = None
        self.merges = merges                     # merge the search indexes' segments too (fts_merge)
        # What the thread did lately, (start, end, what) on time.perf_counter(): benchmarks put a
        # slow save beside the background work it overlapped.
        self.recent: deque[tuple[float, float, str]] = deque(maxlen=512)
        self.merge_steps = 0                     # how many merge steps ran (bench, tests)
        self.optimize_steps = 0                  # how many of them were an off-hours optimize's
        self.optimize_idle_seconds = optimize_idle_seconds
        self._merged_version: int | None = None  # nothing left to merge as of this data_version
        self._last_merge = 0.0

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            from desktop.storage.db import BUSY_TIMEOUT_MS

            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            # Never itself a writer: it only copies the log back, so a lock it meets is not waited for.
            conn.execute("PRAGMA busy_timeout = 0")
            # Its own commits are index merges and optimize steps, which change no content: with
            # NORMAL they write their frames without an fsync, so a step holds the write lock —
            # and a save waiting for it — for its CPU time only, where on a disk busy with another
            # program's copy the fsync alone kept a save waiting 554-880 ms (bench_saves
            # --disturb-mb). Nothing a clerk saved is less durable: a save's commit (FULL) syncs
            # the log file with every frame before it, a step's included, and a checkpoint syncs
            # the log before copying it back and the file after, as with FULL (SQLite's
            # walSyncFlags). A power cut may undo the last merge step only: the index as before it.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA journal_size_limit = -1")   # its merge steps commit too: cut only when quiet
            self._conn = conn
        return self._conn

    @property
    def native_id(self) -> int | None:
        """The thread's id for the system (to find its calls in a trace), once started."""
        return None if self._thread is None else self._thread.native_id

    def start(self) -> "Checkpointer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="wal-checkpointer", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        try:
            self._watch()
        finally:
            if not self._stop.is_set() and self._conn is not None:  # ended with its owner
                self._conn.close()
                self._conn = None

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            if self.owner is not None and getattr(self.owner, "closed", False):
                break  # the register was closed without ``close()``: SQLite's last close empties the log
            try:
                self.run_once(time.monotonic())
            except sqlite3.Error as exc:  # a busy or vanished file: try again at the next look
                log.warning("background checkpoint of %s: %s", self.path.name, exc)

    def run_once(self, now: float) -> bool:
        """Look for new commits; copy the log back when quiet long enough or dirty for too long.
        True when a checkpoint ran."""
        conn = self._connection()
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._seen_version:
            if self._seen_version is not None:
                self._last_commit = now
                if self._dirty_since is None:
                    self._dirty_since = now
            self._seen_version = version
        if self.merges and self._merge(conn, version, now) and self._dirty_since is None:
            self._dirty_since = now   # its own commits: copied back like the saves'
        if self._dirty_since is None:   # all copied back: a quiet register may have its log file cut
            return now - self._last_commit >= self.idle_seconds and self._cut_back(conn)
        if (now - self._last_commit < self.idle_seconds and now - self._dirty_since < self.busy_seconds
                and log_frames(self.path) < self.restart_frames):
            return False   # saves keep coming and the log is short: at the next look
        # Quiet, dirty too long, or the log past restart_frames: at 1M a burst of saves writes
        # about 9,000 frames a second, so waiting BUSY_SECONDS between passes would let it run
        # towards the backstop, whose checkpoint runs inside a save.
        busy, frames, copied, took = self._passive(conn)
        if frames >= self.restart_frames:
            # Saves that keep coming never find the log fully copied back, so SQLite never starts
            # it over: take the writer's lock for the few frames left and start the log again,
            # waiting at most RESTART_WAIT_MS for readers (a save meanwhile waits as long, once
            # per 32 MiB of log; on a timeout it gives up until the next look). A RESTART copies
            # under that lock whatever the saves added while the PASSIVE ran — at 1M, a 1 s
            # PASSIVE let 9,000 frames in, and the RESTART after it held a save for 1,037 ms
            # (bench_saves) — so PASSIVE passes run first, lock-free, until one is quick.
            # On a slow disk (another program copying a big file) no pass is quick, since each
            # waits for its fsyncs: once the log is past force_frames (half the backstop) it is
            # restarted after the catch-up passes anyway — a save may wait for the frames of the
            # last pass's time, where at the backstop a save would copy them itself.
            for _ in range(CATCH_UP_PASSES):
                if took < CATCH_UP_SECONDS and not busy and copied == frames:
                    break
                busy, frames, copied, took = self._passive(conn)
            if busy or copied != frames or (took >= CATCH_UP_SECONDS and frames < self.force_frames):
                return True   # not caught up (a reader, or saves outrunning the copy): next look
            busy, frames, copied = self._waiting_checkpoint(conn, "RESTART", "frames")
            if not busy:
                self.restarts += 1
                self._backfilled = 0
        if not busy and frames == copied:
            self._dirty_since = None
        else:  # a reader still needs old frames, or a commit came meanwhile: look again soon
            self._dirty_since = now
        return True

    def _waiting_checkpoint(self, conn: sqlite3.Connection, mode: str, what: str) -> tuple[int, int, int]:
        """A RESTART or TRUNCATE checkpoint that waits for readers and writers at most
        RESTART_WAIT_MS, noted in ``recent`` (what the bench names beside a slow save)."""
        conn.execute(f"PRAGMA busy_timeout = {RESTART_WAIT_MS}")
        try:
            t0 = time.perf_counter()
            busy, frames, copied = self.last_result = checkpoint(conn, mode)
            note = f"{copied}/{frames} frames" if what == "frames" else what
            self.recent.append((t0, time.perf_counter(), f"checkpoint {mode} {note} busy={busy}"))
        finally:
            conn.execute("PRAGMA busy_timeout = 0")
        return busy, frames, copied

    def _cut_back(self, conn: sqlite3.Connection) -> bool:
        """A quiet register whose log file outgrew SIZE_LIMIT (a burst of saves): a TRUNCATE
        checkpoint empties it (everything is copied back already), waiting for nobody long."""
        try:
            size = Path(f"{self.path}-wal").stat().st_size
        except OSError:
            return False
        if size <= SIZE_LIMIT:
            return False
        busy, frames, copied = self._waiting_checkpoint(conn, "TRUNCATE", f"of {size >> 20} MiB")
        if not busy:
            self.truncations += 1
            self._backfilled = 0
        return not busy

    def _passive(self, conn: sqlite3.Connection) -> tuple[int, int, int, float]:
        """One PASSIVE checkpoint: (busy, frames, copied, seconds it took)."""
        t0 = time.perf_counter()
        busy, frames, copied = self.last_result = checkpoint(conn, "PASSIVE")
        t1 = time.perf_counter()
        self.recent.append((t0, t1, f"checkpoint PASSIVE {copied}/{frames} frames"))
        self.checkpoints += 1
        new = copied - self._backfilled if copied >= self._backfilled else copied  # the log started over meanwhile
        self.frames_copied += max(new, 0)
        self._backfilled = max(copied, 0)
        return busy, frames, copied, t1 - t0

    def _merge(self, conn: sqlite3.Connection, version: int, now: float) -> bool:
        """Merge index segments: steps for up to MERGE_BUDGET_SECONDS when quiet, one step per
        BUSY_SECONDS while saves keep coming. True when a step ran."""
        from desktop.storage import fts_merge

        if version == self._merged_version:
            return False   # nothing committed since the indexes were found merged
        quiet = now - self._last_commit >= self.idle_seconds
        if not quiet and now - self._last_merge < self.busy_seconds and not self._crowded(conn):
            return False
        self._last_merge = now
        start, merged, left = time.monotonic(), False, False
        # Saves that come back to back leave the write lock free for moments only: a step waits
        # for one to finish (at most MERGE_WAIT_MS), then the next save waits for the step.
        conn.execute(f"PRAGMA busy_timeout = {MERGE_WAIT_MS}")
        try:
            for table in MERGED_TABLES:
                while True:
                    t0, c0 = time.perf_counter(), time.thread_time()
                    if not fts_merge.merge_step(conn, table, fts_merge.STEP_PAGES if quiet else
                                                fts_merge.BUSY_STEP_PAGES):
                        break
                    self.recent.append((t0, time.perf_counter(),
                                        f"merge step {table}, {(time.thread_time() - c0) * 1000:.0f} ms CPU"))
                    merged = True
                    self.merge_steps += 1
                    if not quiet or time.monotonic() - start >= MERGE_BUDGET_SECONDS:
                        left = True
                        break
                    if conn.execute("PRAGMA data_version").fetchone()[0] != version:
                        left = True   # a save came: it goes first
                        break
                if left:
                    break
            if not left:
                optimized, left = self._optimize(conn, version, now)
                # An optimize's last pages (its big input trimmed below BIG_PAGES) are an
                # ordinary merge's: the next look carries them on.
                left = left or optimized
                merged = merged or optimized
        except sqlite3.OperationalError as exc:   # a save holds the lock: at the next look
            log.debug("index merge of %s postponed: %s", self.path.name, exc)
            return merged
        finally:
            conn.execute("PRAGMA busy_timeout = 0")
        if not left:
            self._merged_version = version
        return merged

    @staticmethod
    def _crowded(conn: sqlite3.Connection) -> bool:
        """A level of an index holds CROWDED_SEGMENTS or more: nearer FTS5's crisis merge, which
        a save would run, than one step every BUSY_SECONDS can keep it from (a burst at 1M: about
        150 saves a second, each a segment; a save merging level 1 that way took 103 ms of CPU)."""
        from desktop.storage import fts_merge

        return any(len(segments) >= CROWDED_SEGMENTS
                   for table in MERGED_TABLES for _, segments in fts_merge.levels_of(conn, table))

    def _optimize(self, conn: sqlite3.Connection, version: int, now: float) -> tuple[bool, bool]:
        """Steps of an off-hours optimize of the indexes that need one (``fts_merge``), when the
        register has been quiet ``optimize_idle_seconds``: (a step ran, some is left for later)."""
        from desktop.storage import fts_merge

        tables = [t for t in MERGED_TABLES if fts_merge.optimize_wanted(conn, t)]
        if not tables:
            return False, False
        if now - self._last_commit < self.optimize_idle_seconds:
            return False, True   # not quiet long enough: look again (cheaply) until it is
        start, stepped = time.monotonic(), False
        for table in tables:
            while time.monotonic() - start < OPTIMIZE_BUDGET_SECONDS:
                if conn.execute("PRAGMA data_version").fetchone()[0] != version:
                    return stepped, True   # a save came: it goes first
                t0, c0 = time.perf_counter(), time.thread_time()
                if not fts_merge.optimize_step(conn, table):
                    break
                self.recent.append((t0, time.perf_counter(),
                                    f"optimize step {table}, {(time.thread_time() - c0) * 1000:.0f} ms CPU"))
                stepped = True
                self.merge_steps += 1
                self.optimize_steps += 1
        left = any(fts_merge.optimize_wanted(conn, t) for t in tables)
        return stepped, left

    def close(self) -> None:
        """Stop the thread, empty the log (TRUNCATE, waiting at most the busy timeout) and close."""
        self._stop.set()
        if self._thread is not None:
            if self._thread is not threading.current_thread():
                self._thread.join()
            self._thread = None
        try:
            self._connection().execute("PRAGMA busy_timeout = 2000")
            checkpoint(self._conn, "TRUNCATE")
        except sqlite3.Error as exc:
            log.warning("final checkpoint of %s: %s", self.path.name, exc)
        finally:
            self._conn.close()
            self._conn = None
