"""Import bundles into the hub: the province's checks, then COPY and a set-based merge.

Per bundle, in this order, nothing written until the end and all or nothing:
1. the file's SHA-256: a file already imported is a **replay**, reported and not merged again
   (``reimport`` merges it again, which changes nothing);
2. ``verify_bundle_data`` (the core's code): header, recipient, decryption, archive, manifest,
   the commune's registered key, signature, unit, every member's size and hash;
3. ``classify_sequence`` (the core's rules): gap, reused number, broken chain of files need an
   explicit acceptance;
4. one transaction: each part staged with ``COPY`` and merged (``hub.storage.records``), the
   bundle recorded in ``hub.bundles``, the records kept aside in ``hub.conflicts``. A unit's first
   bundle (the hub holds nothing of it) is judged off the server and copied straight into the
   record tables (``hub.first``), unless one of its uuids is another unit's.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import UserError
from desktop.sync import crypto
from desktop.sync.importer import SequenceCheck, classify_sequence
from desktop.sync.progress import Progress, ensure
from desktop.storage.sync_repo import PeerKey
from desktop.sync.verify import VerifiedBundle, read_bundle_file, verify_bundle_data
from hub import chain, first, shape
from hub.storage import records, registry
from hub.types import by_name

log = logging.getLogger(__name__)


@dataclass
class HubImport:
    file: str
    bundle_sha256: str
    unit_code: str = ""
    province_code: str = ""
    sequence_number: int | None = None
    sequence: SequenceCheck | None = None
    applied: bool = False
    replay: bool = False
    dry_run: bool = False
    direct: bool = False                 # written straight into the record tables (a first bundle)
    tables: dict[str, records.TypeResult] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(records.CATEGORIES, 0)
        for t in self.tables.values():
            for k, v in t.counts.items():
                out[k] += v
        return out

    def as_dict(self) -> dict:
        return {"file": self.file, "bundle_sha256": self.bundle_sha256, "unit_code": self.unit_code,
                "province_code": self.province_code, "sequence_number": self.sequence_number,
                "sequence": None if self.sequence is None else
                {"status": self.sequence.status, "message": self.sequence.message,
                 "missing": list(self.sequence.missing)},
                "applied": self.applied, "replay": self.replay, "dry_run": self.dry_run, "direct": self.direct,
                "totals": self.totals(),
                "tables": {n: {"counts": t.counts, "samples": [list(s) for s in t.samples]}
                           for n, t in self.tables.items()}}

    def text(self) -> str:
        who = self.unit_code or "?"
        head = f"{self.file}: gói số {self.sequence_number} của đơn vị {who}"
        if self.replay and not self.applied:
            return f"{head} — đã nhập trước đây, không nhập lại."
        totals = self.totals()
        parts = ", ".join(f"{v} {LABELS[k]}" for k, v in totals.items() if v) or "không có bản ghi"
        state = "xem trước, chưa ghi" if self.dry_run else "đã nhập"
        return f"{head} — {state}: {parts}. {self.sequence.message if self.sequence else ''}".strip()


LABELS = {"new": "mới", "updated": "cập nhật", "unchanged": "không đổi", "older": "cũ hơn (bỏ qua)",
          "conflict": "xung đột", "rejected": "bị từ chối"}


class Keyring:
    """Unlocked recipient keys, each stretched once for a whole batch of bundles.

    ``passphrases``: province code → the passphrase protecting that province's bundle key
    (``None`` for a province: ``GIAITRINH_PASSPHRASE``, as the register's CLI reads it).
    """

    def __init__(self, passphrases: dict[str, str] | None = None, default: str | None = None) -> None:
        self.passphrases = passphrases or {}
        self.default = default
        self._unlocked: dict[str, object] = {}

    def unlock(self, fingerprint: str, province_code: str, wrapped: bytes):
        if fingerprint not in self._unlocked:
            self._unlocked[fingerprint] = crypto.load_private(
                wrapped, self.passphrases.get(province_code, self.default))
        return self._unlocked[fingerprint]


class _DryRun(Exception):
    pass


@dataclass
class _Refusal:
    """A ``UserError`` as it crosses from a worker process (its keyword arguments do not pickle)."""
    code: str
    message: str
    details: dict

    @classmethod
    def of(cls, exc: UserError) -> "_Refusal":
        return cls(exc.code, exc.message, dict(exc.details))

    @staticmethod
    def back(error) -> UserError:
        return UserError(error.code, error.message, **error.details) if isinstance(error, _Refusal) else error


@dataclass
class Trust:
    """The key registry as one batch sees it, loaded once so bundles verify without the server;
    what was imported is asked of the server bundle by bundle (``conn``: a connection of the
    thread that prepares), with the batch's own imports remembered."""
    recipients: dict[str, tuple[str, bytes]]          # fingerprint → (province, wrapped private key)
    peers: dict[str, tuple[PeerKey, str]]             # fingerprint → (commune key, its province)
    conn: object = None                               # where ``earlier`` and ``has_bundles`` look
    imported: dict[str, dict] = field(default_factory=dict)   # this batch: bundle SHA-256 → what
    _units: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, conn) -> "Trust":
        with conn.cursor() as cur:
            return cls(registry.all_recipients(cur), registry.all_peers(cur), conn)

    def earlier(self, sha: str) -> dict | None:
        """What was imported under this file hash (a replay), if anything."""
        if sha in self.imported:
            return self.imported[sha]
        with self.conn.cursor() as cur:
            return registry.bundle_by_sha(cur, sha)

    def has_bundles(self, unit: str) -> bool:
        if unit in self._units:
            return True
        with self.conn.cursor() as cur:
            return registry.has_bundles(cur, unit)

    def imported_now(self, report: "HubImport") -> None:
        self.imported[report.bundle_sha256] = {"unit_code": report.unit_code, "seq": report.sequence_number,
                                               "imported_at": "vừa xong"}
        self._units.add(report.unit_code)


@dataclass
class Prepared:
    """A bundle read and verified, or refused, before its transaction (``prepare``)."""
    report: HubImport
    bundle: VerifiedBundle | None = None
    parts: list[shape.Part] | None = None    # each record's shape (hub.shape), the ledger apart
    plan: first.Plan | None = None           # made ahead when the unit looked new (hub.first)
    earlier: dict | None = None
    error: UserError | None = None
    cached: chain.CachedBundle | None = None  # every part parsed once, for the chain check
    entries: list = field(default_factory=list)   # the bundle's ledger entries
    checked: chain.Checked | None = None     # the chain check, made ahead by the preparing worker
    manifest: object = None                  # the verified manifest
    staging: list[bytes] | None = None       # hub_stage rows, made ahead (compact form)
    ledger_rows: bytes | None = None         # hub.ledger COPY rows after checked.seen (compact form)
    entry_count: int = 0
    redo: object = None                      # () → this bundle prepared whole here (compact form)

    def staging_rows(self) -> list[bytes]:
        if self.staging is not None:
            return self.staging
        return [shape.staging_rows(p) for p in self.full().parts]

    def full(self) -> "Prepared":
        """This bundle with its parsed records: itself, or prepared again here when it came
        compact from a worker process (a rare path: its unit's chain moved since its check, or a
        first bundle met a taken uuid)."""
        if self.cached is not None:
            return self
        again = self.redo()
        if again.error is not None:
            raise again.error
        return again

    def compact(self) -> "Prepared":
        """What ``apply`` needs, small enough to cross from a worker process: the rows to COPY and
        the chain check's result, not the parsed records (``full`` brings them back if needed)."""
        if self.cached is None:
            return self
        out = Prepared(self.report, plan=self.plan, earlier=self.earlier, error=self.error, checked=self.checked,
                       manifest=self.manifest, entry_count=len(self.entries))
        if self.plan is None:
            out.staging = self.staging_rows()
        if self.checked is not None and self.checked.result is not None:
            out.ledger_rows = self.checked.new_rows(self.entries, province=self.report.province_code)
        if self.checked is not None and self.checked.error is not None:
            out.checked = chain.Checked(self.checked.seen, error=_Refusal.of(self.checked.error))
        return out

    def first_plan(self) -> first.Plan:
        if self.plan is None:
            self.plan = first.plan(self.parts, unit=self.report.unit_code, province=self.report.province_code,
                                   bundle_sha=self.report.bundle_sha256)
        return self.plan


def prepare(path: Path, trust: Trust, keyring: Keyring, *, reimport: bool = False, dry_run: bool = False,
            progress: Progress | None = None, check_chain: bool = False) -> Prepared:
    """Read, hash, decrypt and verify one bundle file: CPU, and a few look-ups on ``trust.conn``
    (a batch prepares the next file on a second thread and connection while the server merges the
    current one). ``check_chain``: run the province's chain check here too (on ``trust.conn``,
    which must see one snapshot per transaction); ``apply`` checks again only if the unit's
    stored chain moved since."""
    path = Path(path)
    try:
        data = read_bundle_file(path)
        sha = hashlib.sha256(data).hexdigest()
        report = HubImport(path.name, sha, dry_run=dry_run)
        earlier = trust.earlier(sha)
        if earlier and not reimport:
            return Prepared(report, earlier=earlier)
        header, _, _ = crypto.read_header(data)
        recipient_fp = str(header.get("recipient", ""))
        if recipient_fp not in trust.recipients:
            raise UserError("other_province",
                            f"Gói được mã hóa cho khóa nhận {recipient_fp[:19]} mà hệ thống tổng hợp chưa có. "
                            "Hãy nạp khóa của tỉnh đó trước (giaitrinh hub trust).")
        province, wrapped = trust.recipients[recipient_fp]
        bundle = verify_bundle_data(data, path, own_fingerprint=recipient_fp,
                                    unlock=lambda: keyring.unlock(recipient_fp, province, wrapped),
                                    find_peer=lambda fp: trust.peers[fp][0] if fp in trust.peers else None,
                                    progress=progress)
        del data
        m = bundle.manifest
        unit_province = trust.peers[m.key_fingerprint][1]
        if unit_province != province:
            raise UserError("wrong_unit", f"Khóa ký của đơn vị {m.unit_code} được đăng ký ở tỉnh {unit_province}, "
                            f"nhưng gói được gửi cho tỉnh {province}. Gói bị từ chối.")
        for part in m.parts:
            content = bundle.payload[part.name]
            if content.count(b"\n") != part.count or (content and not content.endswith(b"\n")):
                raise UserError("bundle_damaged", f"Nội dung gói không hợp lệ ({part.name} có số dòng khác bản "
                                "kê). Gói bị từ chối, không ghi gì.")
        types = by_name()
        records = {p.table: bundle.records(p) for p in m.parts}
        lines = {p.table: bundle.lines(p) for p in m.parts}
        # The ledger is checked and kept as the chain it is (hub.chain, hub.ledger), not as records.
        parts = [shape.shape_part(types.get(p.table), p.table, records[p.table], lines[p.table], m.unit_code)
                 for p in m.parts if p.table != chain.LEDGER]
        report.unit_code, report.province_code, report.sequence_number = m.unit_code, province, m.sequence
        prepared = Prepared(report, bundle=bundle, parts=parts, earlier=earlier,
                            cached=chain.CachedBundle(bundle, records, lines),
                            entries=records.get(chain.LEDGER, []), manifest=m,
                            entry_count=len(records.get(chain.LEDGER, [])))
        if check_chain:
            prepared.checked = chain.check(trust.conn, prepared.cached)
        if not earlier and not trust.has_bundles(m.unit_code):
            prepared.first_plan()
        return prepared
    except UserError as exc:
        exc.details.setdefault("file", path.name)
        return Prepared(HubImport(path.name, ""), error=exc)
    finally:
        if trust.conn is not None:
            trust.conn.rollback()


def apply(conn, prepared: Prepared, *, accept_sequence: bool = False,
          progress: Progress | None = None) -> HubImport:
    """The prepared bundle's transaction: sequence checks, staging, merge, the inbox row."""
    import psycopg

    progress = ensure(progress)
    if prepared.error is not None:
        raise _Refusal.back(prepared.error)
    report, m = prepared.report, prepared.manifest
    with conn.cursor() as cur:
        earlier = registry.bundle_by_sha(cur, report.bundle_sha256) if m is not None else prepared.earlier
        if m is None or (earlier and not prepared.earlier):
            report.replay = True
            report.unit_code, report.sequence_number = earlier["unit_code"], earlier["seq"]
            report.sequence = SequenceCheck("replay", f"Gói này đã được nhập lúc {earlier['imported_at'][:16]}; "
                                            "nhập lại không thay đổi gì.")
            conn.rollback()
            return report
        province = report.province_code
        if earlier:
            report.replay = True
            check = SequenceCheck("replay", "Nhập lại gói đã nhập: đối chiếu lại, không thay đổi gì.")
        else:
            check = classify_sequence(registry.received(cur, m.unit_code), m.sequence, m.previous_sha256)
        report.sequence = check
        if check.needs_acceptance and not accept_sequence:
            conn.rollback()
            raise UserError(f"sequence_{check.status}", check.message, missing=list(check.missing),
                            file=report.file)
        try:
            with conn.transaction():
                progress.report(1, 2, "Đang đối chiếu và ghi")
                # One import of a unit at a time; its stored chain is then what this import sees.
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("giaitrinh-hub-unit:" + m.unit_code,))
                checked, ledger_rows = prepared.checked, prepared.ledger_rows
                if checked is None or chain.stored_head(cur, m.unit_code) != checked.seen:
                    full = prepared.full()
                    checked = chain.check(conn, full.cached)
                    ledger_rows = None if checked.error else checked.new_rows(full.entries, province=province)
                if checked.error is not None:
                    error = _Refusal.back(checked.error)
                    error.details.setdefault("file", report.file)
                    raise error
                if ledger_rows is None:
                    ledger_rows = checked.new_rows(prepared.entries, province=province)
                tables = None
                if not earlier and records.unit_is_new(cur, m.unit_code):
                    plan = prepared.plan if prepared.plan is not None else prepared.full().first_plan()
                    tables = records.copy_first(cur, plan, unit=m.unit_code)
                    report.direct = tables is not None
                if tables is None:
                    tables = records.merge(cur, by_name(), prepared.staging_rows(), unit=m.unit_code,
                                           province=province, bundle_sha=report.bundle_sha256)
                report.tables = tables
                for p in m.parts:
                    report.tables.setdefault(p.table, records.TypeResult(p.table))
                if prepared.entry_count or chain.LEDGER in report.tables:
                    new = checked.result.new_entries
                    report.tables[chain.LEDGER] = records.TypeResult(
                        chain.LEDGER, {**dict.fromkeys(records.CATEGORIES, 0), "new": new,
                                       "unchanged": prepared.entry_count - new})
                if not earlier:
                    chain.save(cur, checked, ledger_rows, unit=m.unit_code, province=province,
                               bundle_sha=report.bundle_sha256, fingerprint=m.key_fingerprint)
                    registry.insert_bundle(cur, unit_code=m.unit_code, sha=report.bundle_sha256,
                                           province_code=province, manifest=m, status=check.status,
                                           result=report.totals())
                if report.dry_run:
                    raise _DryRun
        except _DryRun:
            conn.rollback()
            return report
        except psycopg.errors.DataError as exc:
            conn.rollback()
            # A line the signed manifest vouches for but that is no JSON object PostgreSQL can
            # store (invalid JSON, a \u0000 in text): the bundle is refused whole.
            raise UserError("bundle_damaged", "Nội dung gói không hợp lệ (có dòng không phải JSON hợp lệ: "
                            f"{str(exc).splitlines()[0][:120]}). Gói bị từ chối, không ghi gì.",
                            file=report.file) from exc
    conn.commit()
    report.applied = True
    log.info("hub imported %s #%d: %s", m.unit_code, m.sequence, report.totals())
    return report


def import_bundle(conn, path: Path, *, keyring: Keyring, accept_sequence: bool = False, reimport: bool = False,
                  dry_run: bool = False, progress: Progress | None = None) -> HubImport:
    """Verify and merge one bundle file; a ``UserError`` (nothing written) when it is refused."""
    chain.ensure_views(conn)
    prepared = prepare(path, Trust.load(conn), keyring, reimport=reimport, dry_run=dry_run, progress=progress)
    conn.rollback()
    return apply(conn, prepared, accept_sequence=accept_sequence, progress=progress)


def import_files(conn, paths: list[Path], *, keyring: Keyring, accept_sequence: bool = False,
                 reimport: bool = False, dry_run: bool = False, progress: Progress | None = None,
                 workers: int | None = None) -> list[HubImport | UserError]:
    """Import many bundles, each in its own transaction; a refused one (its ``UserError`` in the
    list) leaves the others imported, in the order given.

    The bundles are read, decrypted, verified, shaped and their chains checked ahead, while the
    server merges the current one: in ``workers`` processes (default: one per core, at most 2;
    each with its own connection for the checks; the first bundle in this process, before them),
    since that work is Python's and one process runs Python on one core at a time; on a system without ``fork``, or with ``workers=0``, on a
    second thread. A worker sends back the rows to COPY, not the parsed records.
    """
    import multiprocessing
    import os

    from hub.storage import db as hub_db

    chain.ensure_views(conn)
    trust = Trust.load(conn)
    conn.rollback()
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    try:
        context = multiprocessing.get_context("fork") if workers > 0 else None
    except ValueError:
        context = None
    trust.conn = hub_db.second(conn)
    chain.ensure_views(trust.conn)
    try:
        if context is None:
            return _import_threaded(conn, paths, trust, keyring, accept_sequence, reimport, dry_run, progress)
        return _import_forked(conn, paths, trust, keyring, accept_sequence, reimport, dry_run, progress,
                              context, workers)
    finally:
        trust.conn.close()


def _apply_each(conn, paths, results, trust, accept_sequence, progress) -> list[HubImport | UserError]:
    """Apply each prepared bundle as it comes (``results``: one callable per path giving it)."""
    out: list[HubImport | UserError] = []
    for path, result in zip(paths, results):
        prepared = result()
        try:
            report = apply(conn, prepared, accept_sequence=accept_sequence, progress=progress)
        except UserError as exc:
            conn.rollback()
            exc.details.setdefault("file", path.name)
            out.append(exc)
            continue
        if report.applied and not report.replay:
            trust.imported_now(report)
        out.append(report)
    return out


def _import_threaded(conn, paths, trust, keyring, accept_sequence, reimport, dry_run, progress):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-verify") as pool:
        pending: list = []

        def results():
            pending.append(pool.submit(prepare, paths[0], trust, keyring, reimport=reimport, dry_run=dry_run,
                                       check_chain=True))
            for i in range(len(paths)):
                current = pending.pop(0)
                if i + 1 < len(paths):
                    pending.append(pool.submit(prepare, paths[i + 1], trust, keyring, reimport=reimport,
                                               dry_run=dry_run, check_chain=True))
                yield current.result

        return _apply_each(conn, paths, results(), trust, accept_sequence, progress)


_WORKER: dict = {}


def _worker_start(credentials: tuple[str, str | None], trust: Trust, keyring: Keyring) -> None:
    """In a forked worker: its own connection (the parent's ones are never used here)."""
    from hub.storage import db as hub_db

    own = hub_db.connect_again(*credentials)
    chain.ensure_views(own)
    _WORKER.update(trust=Trust(trust.recipients, trust.peers, own), keyring=keyring)


def _worker_prepare(path: Path, reimport: bool, dry_run: bool) -> Prepared:
    prepared = prepare(path, _WORKER["trust"], _WORKER["keyring"], reimport=reimport, dry_run=dry_run,
                       check_chain=True).compact()
    if isinstance(prepared.error, UserError):
        prepared.error = _Refusal.of(prepared.error)
    return prepared


def _unlock_ahead(paths: list[Path], trust: Trust, keyring: Keyring) -> None:
    """Unlock, once and before the workers fork, the recipient keys these files are sealed to
    (each worker would otherwise stretch the passphrase again)."""
    for path in paths:
        try:
            with open(path, "rb") as fh:
                header, _ = crypto.read_header_from(fh)
            fp = str(header.get("recipient", ""))
            if fp in trust.recipients:
                keyring.unlock(fp, *trust.recipients[fp])
        except (OSError, UserError):
            continue   # the worker reports it for that file


def _import_forked(conn, paths, trust, keyring, accept_sequence, reimport, dry_run, progress, context, workers):
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from hub.storage import db as hub_db

    _unlock_ahead(paths, trust, keyring)
    here = Trust(trust.recipients, trust.peers, trust.conn, trust.imported, trust._units)

    def redo(path: Path) -> Prepared:
        return prepare(path, here, keyring, reimport=reimport, dry_run=dry_run)

    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                             initargs=(hub_db.credentials(conn), trust, keyring)) as pool:
        ahead = workers + 1
        rest = paths[1:]
        # The workers start first (they fork now, before this process holds a bundle, and connect);
        # the first bundle is prepared here, alone, so that the server has one to merge the soonest;
        # the workers then prepare the next ones while it merges.
        pool.submit(int)
        first = prepare(paths[0], here, keyring, reimport=reimport, dry_run=dry_run, check_chain=True)
        pending = [pool.submit(_worker_prepare, p, reimport, dry_run) for p in rest[:ahead]]

        def results():
            yield lambda: first
            for i, path in enumerate(rest):
                future = pending.pop(0)
                if i + ahead < len(rest):
                    pending.append(pool.submit(_worker_prepare, rest[i + ahead], reimport, dry_run))

                def get(future=future, path=path) -> Prepared:
                    prepared = future.result()
                    prepared.redo = partial(redo, path)
                    return prepared

                yield get

        return _apply_each(conn, paths, results(), trust, accept_sequence, progress)
