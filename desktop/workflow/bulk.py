"""Bulk import of cases: migrations from spreadsheets, the province's consolidation, benchmarks.

``bulk_import_cases`` gives each item what ``receive_case`` gives it — the same checks and
Vietnamese messages, the register number of its year, the rule set in force on its receipt day,
its first deadline with the Vietnamese trace, a 'receive' event in the unit's hash chain with the
case's digest — but writes whole batches, one transaction per batch:

* a batch is validated whole before anything is written, so a bad item (reported with its line
  number) leaves nothing of its batch behind; earlier batches stay imported;
* deadlines come from one ``WorkCalendar``, memoised per (rule set, receipt day, variant);
* the folded search text is built with a per-word cache (a register's vocabulary is small);
* rows go in as multi-row ``INSERT`` statements, and each batch's search index entries with one
  ``INSERT … SELECT`` per index inside the batch's transaction, never row by row; a large import
  leaves the index segments unmerged until its end (``search.defer_merging``), then merges them
  once: all into one (``search.optimize``), or only its own when the register is larger than
  the import (``search.merge_segments``).

People come as ``BulkPerson`` (created, or found again by ID number) or as uuids of people
already in the register. A settled case may bring its later steps (``BulkStep``: accept, refuse,
guide, forward, reply, withdraw, close, publish), recorded as the engine would record them.

A large import (``HELPER_FROM`` items) uses both cores: a helper process writes batch *n* while
this one prepares batch *n + 1*. Preparing carries the year's numbers forward from batch to
batch; writing composes new people's search texts (``finish_people``, which evens out the two
processes' work) and chains the batch's events onto the unit's chain (``finish_events``). Each
write checks that the register still ends where the previous batch left it (its last event, its
numbers), so a write from elsewhere during the import is refused, never chained wrongly.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, islice

from desktop.domain.records import Channel
from desktop.domain.validation import normalize_id, normalize_phone
from desktop.errors import UserError, ValidationError
from desktop.rules.book import default_rules
from desktop.security import require
from desktop.storage import ledger, search
from desktop.storage.calendar_repo import load_calendar
from desktop.storage.db import Database, open_database
from desktop.storage.events import last_hash
from desktop.storage.units import local_unit, new_uuid, now_iso
from desktop.workflow.bulk_rows import (PERSON_COLUMNS, CaseRows, FastText, StepDeadlines, check_history,
                                        finish_events, finish_people)
from desktop.workflow.progress import Cancelled, reporter
from desktop.workflow.receive import case_errors

log = logging.getLogger(__name__)

BATCH = 2000  # items per transaction; small enough that the last write, which nothing overlaps, is short
MULTI_ROW = 1000  # rows per INSERT statement
HELPER_FROM = 20_000  # imports this large write in a helper process
OPTIMIZE_FROM = 20_000  # imports this large merge the search index into one segment afterwards
INDEXED = ("cases", "persons")  # the search indexes an import writes
IMPORT_CACHE_KIB = -131072  # page cache during an import: 128 MiB (negative: KiB, SQLite's convention)


@dataclass(frozen=True)
class BulkPerson:
    full_name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    id_kind: str = ""
    kind: str = "person"


@dataclass(frozen=True)
class BulkStep:
    """A later step of an imported case (a settled case from a spreadsheet): accept, reply, close …"""
    action: str
    effective_on: date
    note: str = ""
    ground: str | None = None
    satisfaction: str | None = None


@dataclass(frozen=True)
class BulkCase:
    kind: str
    received_on: date
    summary: str
    requesters: Sequence[BulkPerson | str]     # new people, or uuids of people in the register
    content: str = ""
    channel: str = Channel.RECEPTION
    field: str = "other"
    representative: BulkPerson | str | None = None
    assignee_uuid: str | None = None
    learned_on: date | None = None
    is_complex: bool = False
    confidential: bool | None = None
    history: Sequence[BulkStep] = ()
    import_key: str = ""   # an old register's row: recorded with the case, so a second import skips it


def _batches(items: Iterable[BulkCase], size: int, total: int = 0) -> Iterator[list[BulkCase]]:
    """Batches of ``size`` items; for a large import of known ``total``, the items after the last
    full batch go in two, the last a quarter batch: nothing overlaps the last write."""
    it = iter(items)
    tail = size // 4 if total >= HELPER_FROM else 0
    left = total
    while True:
        take = left - tail if tail and tail < left <= size + tail else size
        batch = list(islice(it, take))
        if not batch:
            return
        left -= len(batch)
        yield batch


def check_item(item: BulkCase, today: date) -> dict[str, str]:
    """The field errors ``receive_case`` would report for this item (Vietnamese)."""
    errors = case_errors(kind=item.kind, summary=item.summary, has_requesters=bool(item.requesters),
                         field=item.field, channel=item.channel, received_on=item.received_on,
                         learned_on=item.learned_on, today=today)
    if item.history and not errors:
        errors.update(check_history(item, today))
    return errors


class _Importer:
    """Builds the rows of each batch (reading the register, never writing it).

    It carries the import's running state — the case numbers of each year, the people created so
    far — so that it can run one batch ahead of the writer.
    """

    def __init__(self, db: Database, actor: str, today: date, at: str) -> None:
        self.db, self.actor, self.today, self.at = db, actor, today, at
        self.unit = local_unit(db)
        self.rules = default_rules()
        self.text = FastText()
        self.deadlines = StepDeadlines(load_calendar(db))
        self.person_by_id: dict[str, tuple[str, str, str, str]] = {}   # id number → (uuid, name, id, phone)
        self.numbering: dict[str, int] = {}

    def next_number(self, year: int, before: dict[str, int]) -> str:
        key = f"case_seq:{self.unit.code}:{year}"
        if key not in self.numbering:
            self.numbering[key] = int(self.db.get_setting(key, "0") or 0)
        before.setdefault(key, self.numbering[key])
        self.numbering[key] += 1
        return f"{self.numbering[key]:02d}/{year}"

    # -- people --------------------------------------------------------------------------------
    def _check_person(self, p: BulkPerson, line: int, checked: dict[BulkPerson, tuple]) -> None:
        """Check a new person once and keep the result: (name, ID kind, ID number, phone, address)."""
        if p in checked:
            return
        try:
            name = " ".join(p.full_name.split())
            if not name:
                raise ValidationError({"full_name": "Chưa nhập họ tên."})
            id_kind, id_number = normalize_id(p.id_kind, p.id_number, today=self.today)
            checked[p] = (name, id_kind, id_number, normalize_phone(p.phone), " ".join(p.address.split()))
        except ValidationError as exc:
            raise _line_error(line, exc) from exc

    def _resolve_people(self, batch: list[BulkCase], first_line: int, checked: dict[BulkPerson, tuple],
                        new_people: list[tuple]) -> dict:
        """Map each person of the batch to (uuid, name, id number, phone); queue the new ones."""
        wanted_uuids = {p for item in batch for p in (*item.requesters, item.representative) if isinstance(p, str)}
        found: dict = {}
        for chunk in _chunks(sorted(wanted_uuids), 900):
            for r in self.db.query(f"SELECT uuid, full_name, id_number, phone FROM persons WHERE uuid IN "
                                   f"({','.join('?' * len(chunk))})", chunk):
                found[r[0]] = tuple(r)
        ids = {person[2] for person in checked.values() if person[2]}
        unknown = sorted(ids - self.person_by_id.keys())
        for chunk in _chunks(unknown, 900):
            for r in self.db.query(f"SELECT uuid, full_name, id_number, phone FROM persons WHERE id_number IN "
                                   f"({','.join('?' * len(chunk))})", chunk):
                self.person_by_id.setdefault(r[2], tuple(r))
        stamp, code = now_iso(), self.unit.code
        for n, item in enumerate(batch):
            for p in (*item.requesters, item.representative):
                if p is None or isinstance(p, BulkPerson):
                    continue
                if p not in found:
                    raise UserError("bulk_invalid_item", f"Dòng {first_line + n}: không tìm thấy người yêu cầu "
                                                         "này trong sổ.", line=first_line + n)
        for item in batch:
            for p in (*item.requesters, item.representative):
                if not isinstance(p, BulkPerson) or p in found:
                    continue
                name, id_kind, id_number, phone, address = checked[p]
                if id_number and id_number in self.person_by_id:
                    found[p] = self.person_by_id[id_number]
                    continue
                uuid = new_uuid()
                new_people.append((name, p.kind, id_kind, id_number, phone, address, self.text.name_key(name),
                                   uuid, code, stamp))
                found[p] = (uuid, name, id_number, phone)
                if id_number:
                    self.person_by_id[id_number] = found[p]
        return found

    # -- one batch ---------------------------------------------------------------------------
    def prepare(self, batch: list[BulkCase], first_line: int) -> Prepared:
        checked: dict[BulkPerson, tuple] = {}  # each new person of the batch, normalised once
        for n, item in enumerate(batch):
            errors = check_item(item, self.today)
            if errors:
                raise _line_error(first_line + n, ValidationError(errors))
            for p in (*item.requesters, item.representative):
                if isinstance(p, BulkPerson):
                    self._check_person(p, first_line + n, checked)
            self.rules.for_case(item.kind, item.received_on)  # no rule set in force → UserError
        new_people: list[tuple] = []
        people = self._resolve_people(batch, first_line, checked, new_people)
        rows = CaseRows(self, self.unit.code)
        for item in batch:
            rows.add(item, people)
        return Prepared(len(batch), new_people, rows.cases, rows.links, rows.events, rows.numbering_before,
                        {k: self.numbering[k] for k in rows.numbering_before}, rows.keys)


@dataclass(frozen=True)
class Prepared:
    """The rows of one batch and the register state they continue (checked when written)."""
    count: int
    people: list[tuple]          # without their search text: ``bulk_rows.finish_people`` composes it
    cases: list[tuple]
    links: list[tuple]
    events: list[tuple]          # drafted: ``bulk_rows.finish_events`` completes them when written
    numbering_before: dict[str, int]
    numbering_after: dict[str, int]
    keys: list[tuple] = ()       # (import key, case uuid, at) of rows from an old register


def _insert_rows(db: Database, sql_head: str, width: int, rows: Sequence[tuple], tail: str = "") -> None:
    """Insert ``rows`` with multi-row ``VALUES`` statements of about a thousand rows each: as fast
    as ``executemany`` or faster (one statement step per thousand rows instead of one per row)."""
    per = max(1, min(MULTI_ROW, db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    one = "(" + ",".join("?" * width) + ")"
    for i in range(0, len(rows), per):
        chunk = rows[i:i + per]
        db.execute(f"{sql_head} VALUES {','.join([one] * len(chunk))}{tail}", list(chain.from_iterable(chunk)))


def _write(db: Database, unit_code: str, batch: Prepared, chain: str, text: FastText) -> str:
    """One transaction: the batch's people, cases, links, events, numbers and index entries.

    ``chain`` is the hash the unit's chain ended with after the previous batch; returns the new end.
    New people's search texts are composed here, with the writer's own ``text`` cache.
    """
    people = finish_people(batch.people, text)
    with db.write():
        stale = last_hash(db, unit_code) != chain or any(
            int(db.get_setting(k, "0") or 0) != v for k, v in batch.numbering_before.items())
        if stale:
            raise UserError("bulk_concurrent_write", "Sổ vừa được ghi từ nơi khác trong lúc nhập hàng loạt. Các lô đã "
                                                     "nhập được giữ lại; hãy nhập lại phần còn lại.")
        last = {t: db.scalar(f"SELECT max(id) FROM {t}") or 0 for t in ("persons", "cases", "case_people", "events")}
        last_person, last_case = last["persons"], last["cases"]
        with ledger.batched(db.conn):  # the batch's rows are chained below, table by table (issue #17)
            if people:
                _insert_rows(db, f"INSERT INTO persons({','.join(PERSON_COLUMNS)})", len(PERSON_COLUMNS), people)
            _insert_rows(db, f"INSERT INTO cases({','.join(CaseRows.columns)})", len(CaseRows.columns), batch.cases)
            _insert_rows(db, "INSERT INTO case_people(case_uuid, person_uuid, role, uuid, unit_code, updated_at)", 6,
                         batch.links, " ON CONFLICT DO NOTHING")
            events, chain = finish_events(batch.events, chain)
            _insert_rows(db, f"INSERT INTO events({','.join(CaseRows.event_columns)})", len(CaseRows.event_columns),
                         events)
        for table, after in last.items():
            ledger.chain_inserted(db.conn, table, after)
        if batch.keys:  # each source row's key (an old register imported again adds nothing)
            _insert_rows(db, "INSERT INTO imported_rows(key, case_uuid, imported_at)", 3, batch.keys)
        for key, value in batch.numbering_after.items():
            db.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, str(value)))
        search.index_rows_after(db, "cases", last_case)  # the batch's own index entries, in bulk
        search.index_rows_after(db, "persons", last_person)
    return chain


class _Writer:
    """Writes each prepared batch: in a helper process with its own connection to the register,
    so that this process prepares the next batch on the other core meanwhile; or here, in turn,
    for a small import, an in-memory register, or an import inside the caller's transaction.

    The helper is started with ``spawn`` (safe beside Qt's threads; a frozen build calls
    ``multiprocessing.freeze_support()`` at start-up). A thread would not do: the two would
    share Python's lock, and preparing is Python work.

    The helper holds up to ``depth`` batches (two): the next one waits in its queue while it
    writes, so neither process waits for the other at each hand-over. It writes them in order and
    keeps the chain's end itself; after a batch fails it writes none of the later ones.
    """

    def __init__(self, db: Database, unit_code: str, *, helper: bool) -> None:
        self.main, self.code = db, unit_code
        self.chain = last_hash(db, unit_code)  # where the unit's chain ends; each batch moves it
        self.text = FastText()
        alone = str(db.path) != ":memory:" and not db.conn.in_transaction
        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_helper_start, initargs=(str(db.path),)) \
            if helper and alone else None
        self.depth = 2 if self.pool is not None else 1
        self.submitted = 0
        if self.pool is not None:  # start it now: it starts while the first batch is prepared
            self.pool.submit(int)

    def submit(self, batch: Prepared) -> Future:
        self.submitted += 1
        if self.pool is not None:  # the first batch continues the chain as it ends now; each next one
            return self.pool.submit(_helper_write, self.code, batch,  # where the helper's last one left it
                                    self.chain if self.submitted == 1 else None)
        done: Future = Future()
        # errors reach the caller here
        done.set_result((batch.count, _write(self.main, self.code, batch, self.chain, self.text)))
        return done

    def result(self, future: Future) -> int:
        try:
            value = future.result()
        except BrokenProcessPool as exc:
            raise UserError("bulk_helper_failed", "Tiến trình phụ ghi dữ liệu bị dừng đột ngột. Các lô đã nhập được "
                                                  "giữ lại; hãy nhập lại phần còn lại.") from exc
        if value[0] == "error":  # ("error", code, message, details) from the helper
            raise UserError(value[1], value[2], **value[3])
        if value[0] == "skipped":  # after a batch that failed (its error was raised first)
            return 0
        count, self.chain = value
        return count

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


_HELPER_DB: Database | None = None
_HELPER_TEXT = FastText()
_HELPER_CHAIN: str | None = None  # where the last batch this helper wrote left the unit's chain
_HELPER_STOPPED = False           # a batch failed: write no later one


def _end_with_parent() -> None:
    """End this helper as soon as the process that started it ends, however it ended (a killed
    parent runs no clean-up and the helper would write on alone, holding the register's lock).
    ``parent_process().sentinel`` becomes ready when the parent is gone, on Windows as on Linux."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not started by multiprocessing
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        log.warning("bulk import helper: the parent process ended; stopping")
        os._exit(3)  # the open transaction is rolled back by SQLite's journal

    threading.Thread(target=watch, name="giaitrinh-parent-watch", daemon=True).start()


def _helper_start(path: str) -> None:
    global _HELPER_DB
    _end_with_parent()
    _HELPER_DB = open_database(path, create=False, migrate=False)
    _HELPER_DB.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")


def _helper_write(unit_code: str, batch: Prepared, chain: str | None) -> tuple:
    """Write one batch from ``chain`` (the first) or from where the previous batch ended."""
    global _HELPER_CHAIN, _HELPER_STOPPED
    if _HELPER_STOPPED:
        return ("skipped",)
    try:
        _HELPER_CHAIN = _write(_HELPER_DB, unit_code, batch, _HELPER_CHAIN if chain is None else chain,
                               _HELPER_TEXT)
        return batch.count, _HELPER_CHAIN
    except UserError as exc:  # exceptions with keyword details do not pickle: send their parts
        _HELPER_STOPPED = True
        return ("error", exc.code, exc.message, exc.details)
    except BaseException:
        _HELPER_STOPPED = True
        raise


def _merge_index(db: Database, table: str, before: int) -> None:
    """Merge the segments an import left in ``table``'s index: into one ('optimize', the fastest
    searches) when the register held no more rows than the import added, since rewriting them
    costs no more than writing the import's own; else only the import's ('merge_segments'), so
    that a few thousand cases added to a province's million do not rewrite its whole index."""
    added = (db.scalar(f"SELECT max(id) FROM {table}") or 0) - before
    if before <= added:
        search.optimize(db, table)
    else:
        search.merge_segments(db, table)


def _prepared(imp: _Importer, batches: Iterable[list[BulkCase]]) -> Iterator[Prepared]:
    line = 1  # of the batch's first item, for messages
    for batch in batches:
        yield imp.prepare(batch, line)
        line += len(batch)


def _chunks(values: list, size: int) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _line_error(line: int, exc: ValidationError) -> UserError:
    return UserError("bulk_invalid_item", f"Dòng {line}: {exc.message} Không có vụ việc nào của lô này được ghi.",
                     line=line, fields=exc.fields)


def bulk_import_cases(db: Database, items: Iterable[BulkCase], *, progress=None,
                      batch_size: int = BATCH, today: date | None = None, helper: bool | None = None) -> int:
    """Import cases in batches as ``receive_case`` would one by one; returns how many were imported.

    ``progress``: a callable ``f(done, total)`` or an object with ``report(done, total)`` and
    ``cancelled``. Cancelling stops before the next batch: finished batches stay imported, and
    so do those already handed to the helper process (it holds up to two).
    ``helper``: write in a helper process while this one prepares the next batch (a register
    file); ``None`` (default) uses one for imports of ``HELPER_FROM`` items or more, where the
    second of starting it pays back; ``False`` does both in turn, here.
    """
    actor = require(db, "cases.import").officer_name  # every imported event's actor
    rep = reporter(progress)
    total = len(items) if hasattr(items, "__len__") else 0
    today = today or date.today()
    at = datetime.now().isoformat(timespec="seconds")
    code = local_unit(db).code
    imp = _Importer(db, actor, today, at)
    prepared = _prepared(imp, _batches(items, batch_size, total))
    if helper is None:
        helper = total >= HELPER_FROM
    writer = _Writer(db, code, helper=helper)
    done = 0
    pending: deque[Future] = deque()  # batches handed to the writer, oldest first
    cache = db.scalar("PRAGMA cache_size")
    db.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")  # the indexes of a large import need room
    deferred = total >= OPTIMIZE_FROM  # its index segments are merged once, at the end
    indexed_before = {table: db.scalar(f"SELECT max(id) FROM {table}") or 0 for table in INDEXED}
    stopped = False
    try:
        if deferred:
            search.defer_merging(db, INDEXED)
        try:
            for batch in prepared:  # the next batch is prepared here while the writer writes the earlier ones
                if len(pending) >= writer.depth:
                    done += writer.result(pending.popleft())
                    rep.report(done, total)
                if rep.cancelled:
                    stopped = True
                    break
                pending.append(writer.submit(batch))
            while pending:
                done += writer.result(pending.popleft())
                rep.report(done, total)
        finally:
            try:
                while pending:  # a later batch failed to prepare: those being written still count
                    done += writer.result(pending.popleft())
            finally:
                writer.close()
        if stopped:
            raise Cancelled(done)
        if done >= OPTIMIZE_FROM or (deferred and done):
            for table in INDEXED:
                _merge_index(db, table, indexed_before[table])
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache)}")
        if deferred:  # also after a failed or cancelled import: later writes merge its batches
            try:
                search.restore_merging(db, INDEXED)
            except (UserError, sqlite3.Error) as exc:  # a full disk: the next opening restores it
                log.warning("could not restore search index merging after an import: %s", exc)
    if done:
        from desktop.security import sealing

        with db.write():
            sealing.seal_pending(db)  # the imported denouncers are sealed as receive_case seals them
    log.info("bulk import: %s cases", done)
    return done
