"""``giaitrinh verify``: SQLite integrity, the record ledger and its signed heads, the event chain,
and each case against its last event. Each finding is one Vietnamese sentence naming the record
and what is wrong with it (issue #17, item 5).

``verify_register`` reads the whole register (``giaitrinh verify --full``); SQLite's own
``integrity_check`` runs meanwhile on a second connection, and on a large register a helper
process walks the ledger's chains, the event chain and the cases while this one compares every
record with its ledger entry (``_Helper``): the machine's two cores share the work, and the whole
takes about as long as the longest part, not their sum. ``verify`` checks only what came after the register's verified checkpoint when it
has a valid one (``desktop/sync/verified.py``, ``desktop/storage/incremental.py``: seconds after a
day's work at 1M cases instead of minutes), and everything otherwise. Both report progress and
stop at a cancel through a ``desktop.sync.progress.Progress`` (issue #20, item 2)."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import UserError
from desktop.storage import cases as case_repo
from desktop.storage import incremental, ledger
from desktop.storage.db import Database
from desktop.storage.events import verify_chain
from desktop.sync.progress import Progress, ensure
from desktop.workflow.engine import DIGEST_FIELDS, case_digest, digest_of

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
# The full check's page cache (KiB, each connection): SQLite's default 2 MiB makes every lookup
# of a record's latest ledger entry, and every index page integrity_check revisits, a read from
# the disk on a province's 9 GB register.
VERIFY_CACHE_KIB = 262144
# From how many ledger entries and events the chains are walked in a helper process (a second
# core) while this one compares the records; below it, starting the process costs more than it saves.
HELPER_FROM_ROWS = 200_000


@dataclass
class VerifyReport:
    integrity: str = "ok"
    events_checked: int = 0
    cases_checked: int = 0
    ledger_entries: int = 0
    records_checked: int = 0
    problems: list[str] = field(default_factory=list)  # Vietnamese, one per problem
    mode: str = "full"          # 'full', or 'quick' (only what came after the verified checkpoint)
    since: str = ""             # the verified checkpoint's signing time (quick)
    note: str = ""              # why the check was full although a quick one was asked (Vietnamese)
    seconds: dict[str, float] = field(default_factory=dict)  # time of each part (bench/bench_verify.py)
    cpu: dict[str, float] = field(default_factory=dict)      # CPU time of each thread and process (same)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "integrity": self.integrity, "events_checked": self.events_checked,
                "cases_checked": self.cases_checked, "ledger_entries": self.ledger_entries,
                "records_checked": self.records_checked, "problems": self.problems, "mode": self.mode,
                "since": self.since, "note": self.note}


def check_register_file(path: Path | str) -> None:
    """Refuse what cannot be a register before opening it: opening would make a zero-byte or
    missing file a new, empty register that verifies clean (a backup cut short by a full disk)."""
    p = Path(path)
    if not p.exists():
        raise UserError("register_missing", f"Không tìm thấy tệp sổ {p.name}.")
    size = p.stat().st_size
    if size == 0:
        raise UserError("register_empty", f"Tệp sổ {p.name} rỗng (0 byte): đây không phải là sổ, có thể là bản "
                        "sao lưu bị ghi dở (ổ đĩa đầy). Hãy dùng bản sao lưu khác.")
    with open(p, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise UserError("register_not_sqlite", f"Tệp {p.name} không phải là tệp sổ của Sổ Giải trình (hỏng hoặc "
                        "không đúng loại tệp).")


def _empty_register(db: Database) -> bool:
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "units" not in tables:
        return True
    return not db.get_setting("local_unit_code") and not db.scalar("SELECT count(*) FROM units")


def _restored_triggers(db: Database) -> list[str]:
    return [f"Bộ ghi nhật ký toàn vẹn của bảng {r['target']} đã bị gỡ ngoài ứng dụng; phần mềm đã cài lại lúc "
            f"{r['at'][:16].replace('T', ' ')}. Mọi thay đổi làm trong lúc đó được báo riêng bên dưới."
            for r in db.query("SELECT at, target FROM audit_log WHERE action = 'ledger_triggers_restored' ORDER BY id")]


def _document_files(db: Database, uuids: set[str] | None = None) -> list[str]:
    """An issued document's stored PDF must still be the file whose SHA-256 was recorded (the
    ledger covers the hash; this covers the bytes). ``uuids``: only these documents."""
    out = []
    sql = "SELECT uuid, symbol, pdf, sha256 FROM documents WHERE pdf IS NOT NULL"
    if uuids is not None:
        chosen = sorted(uuids)
        rows = [r for start in range(0, len(chosen), 500) for r in db.execute(
            sql + f" AND uuid IN ({','.join('?' * len(chosen[start:start + 500]))})", chosen[start:start + 500])]
    else:
        rows = db.execute(sql)
    for uuid, symbol, pdf, sha in rows:
        if hashlib.sha256(pdf).hexdigest() != sha:
            out.append(f"Văn bản {symbol or uuid[:8]}: tệp PDF lưu trong sổ không còn là tệp đã ban hành (mã băm "
                       "SHA-256 không khớp), đã bị thay ngoài ứng dụng.")
    return out


class _Integrity:
    """``PRAGMA integrity_check`` on a second connection, in a thread, while the records are
    hashed: SQLite releases the interpreter while it reads, so the two overlap."""

    def __init__(self, db: Database) -> None:
        self.result: list[str] | None = None
        self.error: BaseException | None = None
        self.cpu = 0.0  # CPU seconds of its thread
        self.conn: sqlite3.Connection | None = None
        self.thread: threading.Thread | None = None
        if str(db.path) == ":memory:":
            self.result = [r[0] for r in db.query("PRAGMA integrity_check")]
            return
        self.conn = sqlite3.connect(str(db.path), check_same_thread=False, isolation_level=None)
        self.conn.execute(f"PRAGMA cache_size = -{VERIFY_CACHE_KIB}")
        self.thread = threading.Thread(target=self._run, name="verify-integrity", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            self.error = exc
        self.cpu = time.thread_time()

    def join(self, progress: Progress) -> str:
        if self.thread is not None:
            while self.thread.is_alive():
                self.thread.join(0.2)
                if progress.cancelled:
                    self.stop()
                    progress.check()
            self.conn.close()
            self.thread = None
        if self.error is not None:
            raise self.error
        return "; ".join(self.result or ["ok"])

    def stop(self) -> None:
        if self.thread is not None:
            self.conn.interrupt()
            self.thread.join()
            self.conn.close()
            self.thread = None


def _work(db: Database) -> int:
    """How many rows the full check reads, from their highest ids: the ledger's entries, the
    records they cover, then the events and the cases again (their chain, their last event)."""
    present = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    names = ["ledger", "events", "cases"]
    if "ledger_columns" in present:
        names += list(ledger.covered_columns(db.conn))
    return sum(db.scalar(f'SELECT coalesce(max(id), 0) FROM "{t}"') or 0 for t in names if t in present)


_BOOLEAN = frozenset({"is_complex", "is_remote", "confidential"})


def _digest_text_sql() -> str:
    """SQL writing a case's ``digest_of`` text as UTF-8 bytes: the JSON array of its
    ``DIGEST_FIELDS`` as ``engine._DIGEST_JSON`` writes it (``, `` between values; ``json_quote``
    escapes text as Python's encoder does), flags as ``true``/``false``. A value Python would write
    otherwise (a flag that is not an integer, a fractional number) gives a text that matches no
    recorded digest, and the case is then digested the app's way (``_case_problems``)."""
    parts = []
    for f in DIGEST_FIELDS:
        if f in _BOOLEAN:
            parts.append(f"CASE typeof(c.{f}) WHEN 'integer' THEN CASE WHEN c.{f} THEN 'true' ELSE 'false' END "
                         f"WHEN 'null' THEN 'false' ELSE '?' END")
        else:
            parts.append(f"json_quote(c.{f})")
    # One printf, not a chain of ``||``: each ``||`` copies the whole text written so far.
    return f"CAST(printf('[{', '.join(['%s'] * len(parts))}]', {', '.join(parts)}) AS BLOB)"


_DIGEST_TEXT = _digest_text_sql()


def _case_problems(db: Database, where: str = "", params: tuple = (), *, tick=None, limit: int = 200,
                   rows: tuple[int, int] | None = None) -> tuple[int, list[str]]:
    """Each case must match the digest recorded by its latest event. SQLite writes the digest's
    text from the row as the app wrote it (dates as ISO text, flags as booleans) and only its
    SHA-256 is computed here; a case whose fast digest differs is computed again the app's way
    (``case_digest``) before it is reported. A value SQLite's JSON cannot hold (a blob) makes the
    whole check the app's way (``_case_problems_in_python``). ``rows``: only the cases of these
    rowids (first, last), read a page at a time (a share of ``_CaseShares``)."""
    sha256 = hashlib.sha256
    checked, problems = 0, []
    try:
        for read in _case_reads(db, where, params, rows):
            if type(read) is int:  # a page of cases, each matching its latest event
                ledger.ticks(tick, checked, checked + read)
                checked += read
                continue
            cur = db.conn.execute(*read)
            cur.row_factory = None
            for case_id, number, recorded, text in cur:
                checked += 1
                if tick is not None and not checked % 20000:
                    tick()
                if recorded is None:
                    problems.append(f"Vụ việc {number} không có sự kiện nào (bị thêm ngoài ứng dụng?).")
                elif recorded and sha256(text).hexdigest() != recorded:
                    full = db.one("SELECT * FROM cases WHERE id = ?", (case_id,))
                    if case_digest(case_repo.row_to_case(full)) != recorded:
                        problems.append(f"Vụ việc {number} đã bị sửa ngoài ứng dụng (không khớp với sự kiện cuối cùng).")
                if len(problems) >= limit:
                    return checked, problems
    except sqlite3.OperationalError:  # json_quote of a blob: "JSON cannot hold BLOB values"
        if rows is not None:
            where, params = "WHERE c.rowid >= ? AND c.rowid <= ?", rows
        return _case_problems_in_python(db, where, params, tick=tick, limit=limit)
    return checked, problems


# The digest recorded by a case's latest event ('' when that event records none).
_LAST_DIGEST = ("(SELECT coalesce(json_extract(e.data, '$.digest'), '') FROM events e WHERE e.case_uuid = c.uuid "
                "ORDER BY e.seq DESC LIMIT 1)")


def _case_reads(db: Database, where: str, params: tuple, rows: tuple[int, int] | None = None):
    """What ``_case_problems`` reads: the query of the chosen cases (``where``) one by one; or,
    for all of them, pages of ``ledger.BATCH`` cases, each page one row of the digests their
    latest events record joined with commas and the digests' texts joined with newlines. A page
    whose hashes, joined the same way, are the same text gives its count of cases (all match);
    any other page gives the query of its cases one by one. ``rows``: the pages of these rowids only."""
    one_by_one = f"SELECT c.id, c.number, {_LAST_DIGEST}, {_DIGEST_TEXT} FROM cases c"
    if where:
        yield f"{one_by_one} {where}", params
        return
    page = (f"SELECT count(*), max(r), sum(typeof(d) = 'text' AND d <> ''), group_concat(coalesce(d, ''), ','), "
            f"CAST(group_concat(j, x'0a') AS BLOB) FROM (SELECT c.rowid AS r, {_LAST_DIGEST} AS d, {_DIGEST_TEXT} AS j "
            f"FROM cases c WHERE c.rowid >= ? AND c.rowid <= ? ORDER BY c.rowid LIMIT ?)")
    first, up_to = rows or (ledger.LOWEST_ROWID, ledger.HIGHEST_ROWID)
    for first, (count, last, typed, recorded, texts) in ledger.pages(db.conn, page, first=first, up_to=up_to):
        if typed == count and ledger.hex_digests(texts, count) == recorded:
            yield count
        else:
            yield f"{one_by_one} WHERE c.rowid >= ? AND c.rowid <= ? ORDER BY c.rowid", (first, last)


def _case_problems_in_python(db: Database, where: str = "", params: tuple = (), *, tick=None,
                             limit: int = 200) -> tuple[int, list[str]]:
    """``_case_problems`` with the digest's text written by Python from each row's values."""
    checked, problems = 0, []
    cols = ", ".join(f"c.{f}" for f in DIGEST_FIELDS)
    flags = [i for i, f in enumerate(DIGEST_FIELDS) if f in _BOOLEAN]
    cur = db.conn.execute(
        f"SELECT c.id, c.number, (SELECT coalesce(json_extract(e.data, '$.digest'), '') FROM events e "
        f"WHERE e.case_uuid = c.uuid ORDER BY e.seq DESC LIMIT 1), {cols} FROM cases c {where}", params)
    cur.row_factory = None
    for row in cur:
        checked += 1
        if tick is not None and not checked % 20000:
            tick()
        case_id, number, recorded = row[0], row[1], row[2]
        if recorded is None:
            problems.append(f"Vụ việc {number} không có sự kiện nào (bị thêm ngoài ứng dụng?).")
        elif recorded:
            values = list(row[3:])
            for i in flags:
                values[i] = bool(values[i])
            if digest_of(values) != recorded:
                full = db.one("SELECT * FROM cases WHERE id = ?", (case_id,))
                if case_digest(case_repo.row_to_case(full)) != recorded:
                    problems.append(f"Vụ việc {number} đã bị sửa ngoài ứng dụng (không khớp với sự kiện cuối cùng).")
        if len(problems) >= limit:
            break
    return checked, problems


# Into how many rowid ranges the check of each case against its last event is cut when the helper
# process runs (``_CaseShares``).
CASE_SHARES = 24


class _CaseShares:
    """The check of each case against its last event, cut into ``CASE_SHARES`` ranges of rowids that
    the helper process (after its chains) and this one (after the records) take one at a time from a
    shared counter: whichever is free takes the next, and neither waits long for the other at the
    end. Joined in rowid order, the shares name what one check of all the cases names."""

    def __init__(self, db: Database, context) -> None:
        low, high = db.conn.execute("SELECT min(rowid), max(rowid) FROM cases").fetchone()
        if low is None:
            starts = [ledger.LOWEST_ROWID]
        else:
            step = (high - low) // CASE_SHARES + 1
            starts = [ledger.LOWEST_ROWID, *range(low + step, high + 1, step)]
        self.ranges = [(start, (starts[i + 1] - 1) if i + 1 < len(starts) else ledger.HIGHEST_ROWID)
                       for i, start in enumerate(starts)]
        self.counter = context.Value("i", 0)


def _take(counter, count: int) -> int | None:
    """The next share not yet taken by either process, or None."""
    with counter.get_lock():
        share = counter.value
        if share >= count:
            return None
        counter.value = share + 1
        return share


def _check_shares(db: Database, ranges: list, counter, *, tick, limit: int) -> dict[int, tuple[int, list[str]]]:
    """Take shares of the cases until none is left; the result of each share taken here."""
    done = {}
    while (share := _take(counter, len(ranges))) is not None:
        done[share] = _case_problems(db, tick=tick, limit=limit, rows=ranges[share])
    return done


def _joined_shares(done: dict, count: int, limit: int) -> tuple[int, list[str]] | None:
    """The shares' results in rowid order as one check of all the cases gives them; None when the
    problems reach ``limit`` (one check stops there, after a number of cases the shares cannot say)."""
    checked, problems = 0, []
    for share in range(count):
        share_checked, share_problems = done[share]
        checked += share_checked
        problems.extend(share_problems)
        if len(problems) >= limit:
            return None
    return checked, problems


class _Helper:
    """The walk of the ledger's chains, the event chain and each case against its last event,
    checked in a second process on its own read-only connection while this one checks the foreign
    keys and compares every record with its ledger entry, and SQLite's ``integrity_check`` runs in a thread:
    the three use both cores (hashing is Python work, and one process's threads share one lock).
    Started with ``spawn`` like the bulk import's writer (``desktop/workflow/bulk.py``; a frozen
    build calls ``multiprocessing.freeze_support()``). It reports progress through a pipe, stops
    at a cancel, and ends with the process that started it."""

    def __init__(self, db: Database, limit: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.shares = _CaseShares(db, context)
        self.pipe, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_helper_main, args=(str(db.path), limit, sender, self.shares.ranges,
                                                                  self.shares.counter),
                                       name="giaitrinh-verify", daemon=True)
        self.process.start()
        sender.close()
        self.ticks = 0
        self.result: tuple | None = None

    def poll(self, wait: float = 0.0) -> None:
        """Take what the helper sent: progress ticks, then its result."""
        try:
            while self.result is None and self.pipe.poll(wait):
                message = self.pipe.recv()
                if message[0] == "tick":
                    self.ticks += message[1]
                else:
                    self.result = message
                wait = 0.0
        except (EOFError, OSError):  # the helper is gone without a result (killed, out of memory)
            self.result = ("error", "the verify helper process ended without a result")

    def join(self, progress: Progress, tick) -> tuple:
        while self.result is None:
            self.poll(0.2)
            tick(0)
            if self.result is None and not self.process.is_alive():
                self.poll()
                if self.result is None:
                    self.result = ("error", f"the verify helper process ended (exit code {self.process.exitcode})")
        self.stop()
        return self.result

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.pipe.close()


def _helper_main(path: str, limit: int, sender, ranges: list, counter) -> None:
    """The helper process: walk, check and send ``("done", walk, events, cases, laps)``, or
    ``("error", why)``. It only reads (``mode=ro``), and ends when its parent ends. The foreign keys
    are checked by the parent (its share of the work is the smaller without them)."""
    from desktop.workflow.bulk import _end_with_parent

    _end_with_parent()
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA cache_size = -{VERIFY_CACHE_KIB // 4}")
        ledger.register_functions(conn)
        db = Database(path, conn)

        def tick() -> None:
            sender.send(("tick", 20000))

        laps, clock, cpu, cpus = {}, time.perf_counter(), time.process_time(), {}

        def lap(name: str) -> None:
            nonlocal clock, cpu
            now, used = time.perf_counter(), time.process_time()
            laps[f"helper: {name}"], clock = now - clock, now
            cpus[f"helper process: {name}"], cpu = used - cpu, used

        walk = ledger.walk_chains(conn, limit=limit, tick=tick)
        lap("ledger chains")
        events, chain = verify_chain(db, tick=tick)
        lap("event chain")
        cases = _check_shares(db, ranges, counter, tick=tick, limit=limit)
        lap("cases against their last event (its shares)")
        conn.close()
        laps["cpu"] = time.process_time()
        laps["cpu of each part"] = cpus
        sender.send(("done", walk, (events, chain[:limit]), cases, laps))
    except BaseException as exc:  # noqa: BLE001 - the parent does the work itself and meets the error there
        sender.send(("error", repr(exc)))


def _use_helper(db: Database, helper: bool | None) -> bool:
    if str(db.path) == ":memory:" or db.conn.in_transaction:
        return False  # another process cannot see this register, or not what this transaction wrote
    if helper is not None:
        return helper
    rows = sum(db.scalar(f"SELECT coalesce(max(id), 0) FROM {t}") or 0 for t in ("ledger", "events"))
    return rows >= HELPER_FROM_ROWS


def verify_register(db: Database, *, limit_problems: int = 200, progress: Progress | None = None,
                    helper: bool | None = None) -> VerifyReport:
    """The full check: every record, entry and event of the register. ``helper``: walk the
    chains in a second process (``_Helper``); by default from ``HELPER_FROM_ROWS`` rows."""
    from desktop.sync.chain import verify_heads

    progress = ensure(progress)
    report = VerifyReport()
    total = _work(db)
    done = [0]
    second: _Helper | None = None

    def tick(step: int = 20000) -> None:
        done[0] += step
        if second is not None:
            second.poll()
        progress.report(min(done[0] + (second.ticks if second is not None else 0), total), total,
                        "Đang kiểm tra toàn bộ sổ…")

    cpu = time.process_time()
    integrity = _Integrity(db)
    cache = [db.scalar("PRAGMA main.cache_size"), db.scalar("PRAGMA temp.cache_size")]
    db.execute(f"PRAGMA main.cache_size = -{VERIFY_CACHE_KIB}")
    db.execute(f"PRAGMA temp.cache_size = -{VERIFY_CACHE_KIB}")
    try:
        progress.report(0, total, "Đang kiểm tra toàn bộ sổ…")
        if _empty_register(db):
            report.integrity = integrity.join(progress)
            if report.integrity != "ok":
                report.problems.append(f"SQLite báo tệp sổ bị hỏng: {report.integrity}")
            report.problems.append("Sổ trống: chưa khai báo đơn vị và không có dữ liệu nào. Nếu đây là bản sao lưu "
                                   "hoặc sổ đang dùng thì tệp đã bị hỏng hoặc bị thay.")
            return report
        if _use_helper(db, helper):
            try:
                second = _Helper(db, limit_problems)
            except (OSError, RuntimeError) as exc:  # no second process here: all of it in this one
                log.warning("verify: no helper process (%s); checking in this process", exc)
        clock = [time.perf_counter()]

        def lap(name: str) -> None:
            now = time.perf_counter()
            report.seconds[name] = now - clock[0]
            clock[0] = now

        helped: list[tuple] = []
        mine: dict[int, tuple[int, list[str]]] = {}

        def helper_result() -> tuple | None:
            if second is None:
                return None
            if not helped:
                helped.append(second.join(progress, tick))
                if helped[0][0] == "error":
                    log.warning("verify: the helper process failed (%s); checking in this process", helped[0][1])
            return helped[0] if helped[0][0] == "done" else None

        def walked() -> tuple[int, list[tuple]]:
            lap("ledger: records")
            mine.update(_check_shares(db, second.shares.ranges, second.shares.counter, tick=tick,
                                      limit=limit_problems))
            lap("cases against their last event (this process's shares)")
            result = helper_result()
            return result[1] if result is not None else ledger.walk_chains(db.conn, limit=limit_problems, tick=tick)

        fk = len(db.query("PRAGMA foreign_key_check"))
        restored = _restored_triggers(db)
        lap("foreign keys")
        report.ledger_entries, report.records_checked, findings = ledger.verify_ledger(
            db.conn, limit=limit_problems, tick=tick, walked=walked if second is not None else None)
        lap("waiting for the helper" if second is not None else "ledger: chain and records")
        heads = verify_heads(db) + _document_files(db)
        lap("signed heads, document files")
        result = helper_result()
        if result is not None:
            report.cpu["helper process"] = result[4].pop("cpu", 0.0)
            report.cpu.update(result[4].pop("cpu of each part", {}))
            report.seconds.update(result[4])
            report.events_checked, chain = result[2]
            joined = _joined_shares({**mine, **result[3]}, len(second.shares.ranges), limit_problems)
            if joined is None:   # as many problems as are shown: where one check stops, counted here
                joined = _case_problems(db, tick=tick, limit=limit_problems)
            report.cases_checked, cases = joined
        else:
            report.events_checked, chain = verify_chain(db, tick=tick)
            lap("event chain")
            report.cases_checked, cases = _case_problems(db, tick=tick, limit=limit_problems)
            lap("cases against their last event")
        if fk:
            report.problems.append(f"Có {fk} liên kết dữ liệu bị gãy (khóa ngoại).")
        report.problems.extend(restored)
        report.problems.extend(f.message for f in findings)
        report.problems.extend(heads)
        report.problems.extend(p.message for p in chain[:limit_problems])
        report.problems.extend(cases)
        progress.report(total, total, "Đang chờ SQLite kiểm tra tệp sổ…")
        report.integrity = integrity.join(progress)
        lap("waiting for integrity_check")
        report.cpu["integrity_check thread"] = integrity.cpu
        report.cpu["this process, integrity_check's thread aside"] = time.process_time() - cpu - integrity.cpu
    finally:
        integrity.stop()
        if second is not None:
            second.stop()
        db.execute(f"PRAGMA main.cache_size = {cache[0]}")
        db.execute(f"PRAGMA temp.cache_size = {cache[1]}")
    if report.integrity != "ok":
        report.problems.insert(0, f"SQLite báo tệp sổ bị hỏng: {report.integrity}")
    del report.problems[limit_problems:]
    return report


def verify_since(db: Database, checkpoint: dict, *, limit_problems: int = 200,
                 progress: Progress | None = None) -> VerifyReport | None:
    """The quick check: what came after the verified ``checkpoint`` (its body, already checked by
    ``verified.load``). None when only the full check can vouch (``VerifyReport.note`` of the
    full one says why: see ``incremental``)."""
    from desktop.sync.chain import verify_heads

    progress = ensure(progress)
    progress.report(0, 0, "Đang kiểm tra những gì thay đổi từ lần kiểm tra trước…")
    since = incremental.check_since(db.conn, checkpoint["marks"], limit=limit_problems,
                                    tick=lambda: progress.report(0, 0))
    if since.needs_full:
        return None
    restored = db.query("SELECT at, target FROM audit_log WHERE action = 'ledger_triggers_restored' AND at >= ?",
                        (checkpoint["signed_at"],))
    if restored:
        return None
    report = VerifyReport(mode="quick", since=checkpoint["signed_at"], integrity="ok")
    report.ledger_entries, report.records_checked = since.ledger_entries, since.records_checked
    report.events_checked = since.events_checked
    report.problems.extend(since.problems)
    report.problems.extend(verify_heads(db))
    if since.documents:
        report.problems.extend(_document_files(db, since.documents))
    uuids = sorted(since.cases)
    for start in range(0, len(uuids), 500):
        chunk = uuids[start:start + 500]
        checked, problems = _case_problems(db, f"WHERE c.uuid IN ({','.join('?' * len(chunk))})", tuple(chunk),
                                           limit=limit_problems)
        report.cases_checked += checked
        report.problems.extend(problems)
        progress.report(0, 0)
    del report.problems[limit_problems:]
    return report


def verify(db: Database, *, full: bool = False, limit_problems: int = 200,
           progress: Progress | None = None) -> VerifyReport:
    """``giaitrinh verify``: quick after a valid verified checkpoint unless ``full``, else full.
    A refused (forged, foreign, rewritten) checkpoint is itself a finding, and the check is full."""
    from desktop.sync import verified

    checkpoint, refused = verified.load(db) if not full else (None, "")
    note = refused
    if checkpoint is not None:
        quick = verify_since(db, checkpoint, limit_problems=limit_problems, progress=progress)
        if quick is not None:
            return quick
        note = ("Sổ có thay đổi mà kiểm tra nhanh không theo dõi được (cấu trúc sổ đổi, hoặc bộ ghi nhật ký toàn vẹn "
                "bị gỡ rồi cài lại): đã kiểm tra toàn bộ sổ.")
    report = verify_register(db, limit_problems=limit_problems, progress=progress)
    report.note = note
    if refused:
        report.problems.insert(0, refused)
    return report
