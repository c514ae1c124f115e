"""Bulk import of cases: migrations from spreadsheets, the province's consolidation, benchmarks.

``bulk_import_cases`` gives each item what ``receive_case`` gives it — the same checks and
Vietnamese messages, the register number of its year, the rule set in force on its receipt day,
its first deadline with the Vietnamese trace, a 'receive' event in the unit's hash chain with the
case's digest — but writes batches with ``executemany``, one transaction per batch:

* a batch is validated whole before anything is written, so a bad item (reported with its line
  number) leaves nothing of its batch behind; earlier batches stay imported;
* deadlines come from one ``WorkCalendar``, memoised per (rule set, receipt day, variant);
* the folded search text is built with a per-word cache (a register's vocabulary is small);
* the search indexes are rebuilt in bulk at the end (``search.rebuild``), never row by row,
  when the import is large next to the register; a small import into a big register indexes
  its own rows with one ``executemany`` per batch instead.

People come as ``BulkPerson`` (created, or found again by ID number) or as uuids of people
already in the register.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from desktop.domain.names import name_key
from desktop.domain.records import FIELDS, Channel
from desktop.domain.validation import normalize_id, normalize_phone
from desktop.errors import UserError, ValidationError
from desktop.rules.book import KIND_LABELS, default_rules
from desktop.storage import search
from desktop.storage.calendar_repo import load_calendar
from desktop.storage.db import Database
from desktop.storage.events import last_hash
from desktop.storage.units import local_unit, new_uuid, now_iso
from desktop.workflow.bulk_rows import CaseRows, FastText, StepDeadlines, check_history
from desktop.workflow.progress import Cancelled, reporter

log = logging.getLogger(__name__)

BATCH = 5000
_CHANNELS = frozenset(c.value for c in Channel)


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


def _batches(items: Iterable[BulkCase], size: int) -> Iterator[list[BulkCase]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def check_item(item: BulkCase, today: date) -> dict[str, str]:
    """The field errors ``receive_case`` would report for this item (Vietnamese)."""
    errors: dict[str, str] = {}
    if item.kind not in KIND_LABELS:
        errors["kind"] = "Chưa chọn loại vụ việc."
    if not item.summary.strip():
        errors["summary"] = "Chưa nhập tóm tắt nội dung."
    if not item.requesters:
        errors["requesters"] = "Chưa có người yêu cầu / người gửi đơn."
    if item.field not in FIELDS:
        errors["field"] = "Lĩnh vực không hợp lệ."
    if item.channel not in _CHANNELS:
        errors["channel"] = "Hình thức tiếp nhận không hợp lệ."
    if not isinstance(item.received_on, date):
        errors["received_on"] = "Chưa nhập ngày tiếp nhận."
    elif item.received_on > today:
        errors["received_on"] = f"Ngày tiếp nhận {item.received_on:%d/%m/%Y} ở tương lai."
    elif item.learned_on and item.learned_on > item.received_on:
        errors["learned_on"] = "Ngày biết được quyết định không thể sau ngày nhận đơn."
    if item.history and not errors:
        errors.update(check_history(item, today))
    return errors


class _Importer:
    def __init__(self, db: Database, actor: str, today: date, *, rebuild_at_end: bool) -> None:
        self.db, self.actor, self.today = db, actor, today
        self.rebuild_at_end = rebuild_at_end
        self.at = datetime.now().isoformat(timespec="seconds")
        self.unit = local_unit(db)
        self.rules = default_rules()
        self.text = FastText()
        self.deadlines = StepDeadlines(load_calendar(db))
        self.person_by_id: dict[str, tuple[str, str, str, str]] = {}   # id number → (uuid, name, id, phone)

    # -- people --------------------------------------------------------------------------------
    def _check_person(self, p: BulkPerson | str, line: int) -> None:
        if isinstance(p, str):
            return
        try:
            if not " ".join(p.full_name.split()):
                raise ValidationError({"full_name": "Chưa nhập họ tên."})
            normalize_id(p.id_kind, p.id_number, today=self.today)
            normalize_phone(p.phone)
        except ValidationError as exc:
            raise _line_error(line, exc) from exc

    def _resolve_people(self, batch: list[BulkCase], first_line: int, new_people: list[tuple]) -> dict:
        """Map each person of the batch to (uuid, name, id number, phone); queue the new ones."""
        wanted_uuids = {p for item in batch for p in (*item.requesters, item.representative) if isinstance(p, str)}
        found: dict = {}
        for chunk in _chunks(sorted(wanted_uuids), 900):
            for r in self.db.query(f"SELECT uuid, full_name, id_number, phone FROM persons WHERE uuid IN "
                                   f"({','.join('?' * len(chunk))})", chunk):
                found[r[0]] = tuple(r)
        ids = set()
        for item in batch:
            for p in (*item.requesters, item.representative):
                if isinstance(p, BulkPerson) and p.id_number.strip():
                    ids.add(normalize_id(p.id_kind, p.id_number, today=self.today)[1])
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
                id_kind, id_number = normalize_id(p.id_kind, p.id_number, today=self.today)
                if id_number and id_number in self.person_by_id:
                    found[p] = self.person_by_id[id_number]
                    continue
                name, phone, address = " ".join(p.full_name.split()), normalize_phone(p.phone), " ".join(p.address.split())
                uuid = new_uuid()
                text = self.text.compose([name, id_number, phone, address], [id_number, phone])
                new_people.append((name, p.kind, id_kind, id_number, phone, address, text, name_key(name), uuid,
                                   code, stamp))
                found[p] = (uuid, name, id_number, phone)
                if id_number:
                    self.person_by_id[id_number] = found[p]
        return found

    # -- one batch -----------------------------------------------------------------------------
    def run_batch(self, batch: list[BulkCase], first_line: int) -> None:
        for n, item in enumerate(batch):
            errors = check_item(item, self.today)
            if errors:
                raise _line_error(first_line + n, ValidationError(errors))
            for p in (*item.requesters, item.representative):
                if p is not None:
                    self._check_person(p, first_line + n)
            self.rules.for_case(item.kind, item.received_on)  # no rule set in force → UserError
        db, code = self.db, self.unit.code
        with db.write():
            new_people: list[tuple] = []
            people = self._resolve_people(batch, first_line, new_people)
            rows = CaseRows(self, code)
            prev = last_hash(db, code)
            for item in batch:
                prev = rows.add(item, people, prev)
            if new_people:
                db.conn.executemany(
                    "INSERT INTO persons(full_name, kind, id_kind, id_number, phone, address, search_text, name_key, "
                    "uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", new_people)
            db.conn.executemany(f"INSERT INTO cases({','.join(rows.columns)}) VALUES "
                                f"({','.join('?' * len(rows.columns))})", rows.cases)
            db.conn.executemany("INSERT INTO case_people(case_uuid, person_uuid, role, uuid, unit_code, updated_at) "
                                "VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING", rows.links)
            db.conn.executemany(f"INSERT INTO events({','.join(rows.event_columns)}) VALUES "
                                f"({','.join('?' * len(rows.event_columns))})", rows.events)
            for key, value in rows.numbering.items():
                db.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, str(value)))
            if not self.rebuild_at_end:
                self._index_batch(rows.cases[0][0], len(new_people))

    def _index_batch(self, first_case_uuid: str, new_people: int) -> None:
        db = self.db
        first = db.scalar("SELECT id FROM cases WHERE uuid = ?", (first_case_uuid,))
        db.conn.execute("INSERT INTO cases_fts(rowid, search_text) SELECT id, search_text FROM cases "
                        "WHERE id >= ? AND search_text <> ''", (first,))
        if new_people:
            db.conn.execute("INSERT INTO persons_fts(rowid, search_text) SELECT id, search_text FROM persons "
                            "WHERE id > (SELECT max(id) FROM persons) - ? AND search_text <> ''", (new_people,))


def _chunks(values: list, size: int) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _line_error(line: int, exc: ValidationError) -> UserError:
    return UserError("bulk_invalid_item", f"Dòng {line}: {exc.message} Không có vụ việc nào của lô này được ghi.",
                     line=line, fields=exc.fields)


def bulk_import_cases(db: Database, items: Iterable[BulkCase], *, actor: str, progress=None,
                      batch_size: int = BATCH, today: date | None = None) -> int:
    """Import cases in batches as ``receive_case`` would one by one; returns how many were imported.

    ``progress``: a callable ``f(done, total)`` or an object with ``report(done, total)`` and
    ``cancelled``. Cancelling stops before the next batch (finished batches stay imported).
    """
    rep = reporter(progress)
    total = len(items) if hasattr(items, "__len__") else 0
    existing = db.scalar("SELECT count(*) FROM cases")
    imp = _Importer(db, actor, today or date.today(), rebuild_at_end=total == 0 or total >= existing)
    done = 0
    try:
        for batch in _batches(items, batch_size):
            if rep.cancelled:
                raise Cancelled(done)
            imp.run_batch(batch, done + 1)
            done += len(batch)
            rep.report(done, total)
    finally:
        if done and imp.rebuild_at_end:
            search.rebuild(db, "cases")
            search.rebuild(db, "persons")
    log.info("bulk import: %s cases", done)
    return done
