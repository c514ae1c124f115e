"""Bring an old register in: preview every row, dry run, import through the bulk path, once.

``preview`` reads each row as a case (``rows.parse_row``) and names its problems; rows already
imported (their key is in ``imported_rows``) or repeated within the file are marked and left
out. ``import_rows`` hands the good rows to ``bulk.bulk_import_cases`` — the same checks,
numbers, deadlines and hash-chained events as a case received at the desk, with progress and
cancel — and each row's key goes in with its case, in the same batch transaction, so importing
the same file again adds nothing. A dry run does all of it inside a transaction it rolls back:
what it reports is exactly what the import would do.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from desktop.errors import UserError
from desktop.rules.book import default_rules
from desktop.storage.db import Database
from desktop.storage.units import log_access
from desktop.workflow.bulk import bulk_import_cases, check_item
from desktop.workflow.old_register import mapping as mapping_mod
from desktop.workflow.old_register.mapping import Mapping
from desktop.workflow.old_register.rows import ParsedRow, Problem, parse_row
from desktop.workflow.old_register.sheet import SheetData
from desktop.workflow.progress import Cancelled, reporter

log = logging.getLogger(__name__)

STATUS_LABELS = {"new": "Sẽ nhập", "error": "Không nhập (lỗi)", "duplicate": "Đã nhập trước đây",
                 "repeat": "Trùng dòng khác trong tệp", "empty": "Bỏ qua"}


@dataclass(frozen=True)
class PreviewRow:
    parsed: ParsedRow
    status: str                      # new, error, duplicate, repeat, empty

    @property
    def row(self) -> int:
        return self.parsed.row


@dataclass
class Preview:
    mapping: Mapping
    rows: list[PreviewRow]
    source: str = ""

    def counts(self) -> dict[str, int]:
        c = Counter(r.status for r in self.rows)
        return {s: c.get(s, 0) for s in STATUS_LABELS}

    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.parsed.problems]

    def items(self):
        return [r.parsed.item for r in self.rows if r.status == "new"]


@dataclass(frozen=True)
class Summary:
    imported: int
    counts: dict[str, int]             # the preview's statuses
    dry_run: bool = False
    numbers: tuple[str, ...] = ()      # the register numbers given (first and last)
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def text(self) -> str:
        head = "Chạy thử (không ghi gì vào sổ): sẽ nhập" if self.dry_run else "Đã nhập"
        parts = [f"{head} {self.imported} vụ việc"]
        if self.numbers:
            parts[0] += f" (số {self.numbers[0]} … {self.numbers[-1]})" if len(self.numbers) > 1 \
                else f" (số {self.numbers[0]})"
        skipped = [(self.counts.get(k, 0), label) for k, label in (
            ("duplicate", "đã nhập trước đây"), ("repeat", "trùng dòng khác trong tệp"),
            ("error", "có lỗi"), ("empty", "trống"))]
        shown = [f"{n} dòng {label}" for n, label in skipped if n]
        if shown:
            parts.append("bỏ qua " + ", ".join(shown))
        return "; ".join(parts) + "."


def _known_keys(db: Database, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 900):
        chunk = keys[i:i + 900]
        found.update(r[0] for r in db.query(
            f"SELECT key FROM imported_rows WHERE key IN ({','.join('?' * len(chunk))})", chunk))
    return found


def preview(db: Database, data: SheetData, mapping: Mapping, *, default_kind: str = "petition",
            today: date | None = None, progress=None, source: str = "") -> Preview:
    """Every row below the header, read as a case, with its problems and what will happen to it."""
    today = today or date.today()
    missing = mapping.missing()
    if missing:
        raise UserError("mapping_incomplete", "Chưa ghép cột cho: " + ", ".join(missing) + ".")
    rep = reporter(progress)
    body = [r for r in data.rows if r.number > mapping.header_row]
    parsed: list[ParsedRow] = []
    rules = default_rules()
    for n, row in enumerate(body, start=1):
        p = parse_row(row, mapping, default_kind=default_kind, today=today)
        if p.item is not None:
            errors = dict(check_item(p.item, today))
            try:
                rules.for_case(p.item.kind, p.item.received_on)
            except UserError as exc:
                errors["rules"] = exc.message
            if errors:
                extra = tuple(Problem(p.row, "", f"{msg} — dòng không được nhập.", True) for msg in errors.values())
                p = ParsedRow(p.row, p.key, p.values, None, p.problems + extra)
        parsed.append(p)
        if n % 500 == 0:
            rep.report(n, len(body))
            if rep.cancelled:
                raise Cancelled(0)
    rep.report(len(body), len(body))
    known = _known_keys(db, [p.key for p in parsed if p.item is not None])
    first_at: dict[str, int] = {}
    rows: list[PreviewRow] = []
    for p in parsed:
        if p.empty:
            status = "empty"
        elif p.item is None:
            status = "error"
        elif p.key in known:
            status = "duplicate"
            p = ParsedRow(p.row, p.key, p.values, p.item, p.problems + (
                Problem(p.row, "", "Dòng này đã được nhập vào sổ trước đây: bỏ qua.", False),))
        elif p.key in first_at:
            status = "repeat"
            p = ParsedRow(p.row, p.key, p.values, p.item, p.problems + (
                Problem(p.row, "", f"Giống hệt dòng {first_at[p.key]}: bỏ qua.", False),))
        else:
            status = "new"
            first_at[p.key] = p.row
        rows.append(PreviewRow(p, status))
    return Preview(mapping, rows, source)


class _Rollback(Exception):
    pass


# An old register is imported once, when the office starts with the program: batches of 5,000
# rather than the bulk path's 2,000 wrote 10,000 rows 15–20 % faster (two rounds, same run, on 2
# shared cores), at the cost of a cancel that keeps up to 5,000 rows fewer.
BATCH = 5000
# From ``HELPER_ROWS`` rows the bulk path's helper process writes each batch while this process
# prepares the next one, in batches of ``HELPER_BATCH`` (issue #18): 10,000 rows took 3.7 s
# against 4.1–5.3 s written here in batches of 5,000 (two rounds each, same run, 2 shared cores),
# and a cancel stops within two batches of 2,000. Below it, starting the helper does not pay.
HELPER_ROWS = 4000
HELPER_BATCH = 2000


def import_rows(db: Database, pv: Preview, *, dry_run: bool = False, progress=None,
                today: date | None = None, batch_size: int | None = None) -> Summary:
    """Import the preview's good rows through the bulk path (or, ``dry_run``, do it and roll back).

    Cancelling keeps the batches already written, and those already handed to the helper process
    (their keys with them: importing again adds only the rest). The mapping is remembered for the
    file's layout once something is imported. A dry run writes in this process, inside its
    transaction, in batches of ``BATCH``.
    """
    items = pv.items()
    today = today or date.today()
    before = db.scalar("SELECT max(id) FROM cases") or 0
    imported = 0
    numbers: tuple[str, ...] = ()
    if dry_run:
        try:
            with db.write():
                imported = bulk_import_cases(db, items, progress=progress, today=today, helper=False,
                                             batch_size=batch_size or BATCH)
                numbers = _numbers(db, before)
                raise _Rollback
        except _Rollback:
            pass
        return Summary(imported, pv.counts(), True, numbers, tuple(pv.problems()))
    try:
        helper = len(items) >= HELPER_ROWS
        imported = bulk_import_cases(db, items, progress=progress, today=today, helper=helper,
                                     batch_size=batch_size or (HELPER_BATCH if helper else BATCH)) if items else 0
    except Cancelled:
        _record(db, pv, db.scalar("SELECT count(*) FROM cases WHERE id > ?", (before,)), cancelled=True)
        raise
    numbers = _numbers(db, before)
    _record(db, pv, imported)
    return Summary(imported, pv.counts(), False, numbers, tuple(pv.problems()))


def _numbers(db: Database, before: int) -> tuple[str, ...]:
    row = db.one("SELECT (SELECT number FROM cases WHERE id > ? ORDER BY id LIMIT 1), "
                 "(SELECT number FROM cases WHERE id > ? ORDER BY id DESC LIMIT 1)", (before, before))
    if row is None or row[0] is None:
        return ()
    return (row[0],) if row[0] == row[1] else (row[0], row[1])


def _record(db: Database, pv: Preview, imported: int, *, cancelled: bool = False) -> None:
    if imported:
        mapping_mod.remember(db, pv.mapping)
    log_access(db, "import_old_register", target=Path(pv.source).name if pv.source else "",
               detail=json.dumps({"imported": imported, "cancelled": cancelled, **pv.counts()}, ensure_ascii=False))
    log.info("old register %s: %s imported%s", pv.source, imported, " (cancelled)" if cancelled else "")
