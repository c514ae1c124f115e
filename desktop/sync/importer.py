"""Import (province): preview a bundle (dry run), then apply it in one transaction.

The preview runs the very same merge as the import inside a transaction that is always rolled
back, so what it shows is exactly what applying would do, and the register is left untouched.
A bundle already imported (same file hash) is a **replay**: reported, and refused unless a
re-import is asked for (which then changes nothing). A missing sequence number (**gap**), a
reused one or a broken chain of previous-bundle hashes is reported and needs an explicit
acceptance before the bundle is applied.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from desktop.security import require
from desktop.errors import UserError
from desktop.storage import sync_repo
from desktop.storage import units as units_repo
from desktop.storage.db import Database
from desktop.sync import chain, keys
from desktop.sync.merge import CATEGORIES, MergeResult, merge, store_files
from desktop.sync.progress import Progress, ensure
from desktop.sync.verify import VerifiedBundle, file_sha256, verify_bundle

log = logging.getLogger(__name__)

LABELS = {"new": "mới", "updated": "cập nhật", "unchanged": "không đổi", "older": "cũ hơn (bỏ qua)",
          "conflict": "xung đột", "rejected": "bị từ chối"}


@dataclass(frozen=True)
class SequenceCheck:
    status: str          # first, next, late, gap, reused, broken, replay
    message: str
    missing: tuple[int, ...] = ()

    @property
    def needs_acceptance(self) -> bool:
        return self.status in ("gap", "reused", "broken")


@dataclass
class ImportReport:
    path: Path
    bundle_sha256: str
    unit_code: str
    unit_name: str
    sequence_number: int | None
    sequence: SequenceCheck
    manifest: dict | None = None
    merge: MergeResult | None = None
    dry_run: bool = True
    applied: bool = False
    previous_import: str | None = None
    receipt: Path | None = None          # set by callers that write the receipt right away
    files: dict | None = None            # carried files: {"stored", "held", "bytes"} (format version 2)

    def as_dict(self) -> dict:
        return {
            "file": self.path.name, "bundle_sha256": self.bundle_sha256, "unit_code": self.unit_code,
            "unit_name": self.unit_name, "sequence_number": self.sequence_number,
            "sequence": {"status": self.sequence.status, "message": self.sequence.message,
                         "missing": list(self.sequence.missing)},
            "dry_run": self.dry_run, "applied": self.applied, "previous_import": self.previous_import,
            "counts": (self.manifest or {}).get("counts", {}),
            "merge": self.merge.as_dict() if self.merge else None,
            "files": self.files,
        }

    def text(self) -> str:
        head = f"Gói số {self.sequence_number} của {self.unit_name or self.unit_code} ({self.path.name})"
        lines = [head, f"Thứ tự gói: {self.sequence.message}"]
        if self.merge:
            totals = self.merge.totals()
            lines.append("Tổng: " + ", ".join(f"{totals[c]} {LABELS[c]}" for c in CATEGORIES))
            for name, table in self.merge.tables.items():
                lines.append(f"  {name}: " + ", ".join(f"{table.counts[c]} {LABELS[c]}" for c in CATEGORIES
                                                      if table.counts[c]))
                for category, uuid, reason in table.samples[:10]:
                    lines.append(f"    - {LABELS[category]} {uuid}: {reason}")
        if self.files and (self.files["stored"] or self.files["held"]):
            lines.append(files_line(self.files))
        lines.append("Xem trước — chưa ghi gì vào sổ." if self.dry_run else
                     ("Đã nhập vào sổ." if self.applied else "Không nhập."))
        return "\n".join(lines)


def files_line(files: dict) -> str:
    """One line on the carried files (attachments, issued PDFs) for the preview and the report."""
    size = f"{files['bytes'] / 1024 / 1024:.1f}".replace(".", ",")
    return (f"Tệp kèm theo (tệp đính kèm, văn bản đã ban hành): {files['stored']} tệp mới ({size} MB), "
            f"{files['held']} tệp tỉnh đã có.")


class _Rollback(Exception):
    pass


def check_sequence(db: Database, unit_code: str, seq: int, previous_sha: str | None) -> SequenceCheck:
    by_seq = {r["seq"]: r["bundle_sha256"] for r in sync_repo.inbox_for_unit(db, unit_code)}
    return classify_sequence(by_seq, seq, previous_sha)


def classify_sequence(received: dict[int, str], seq: int, previous_sha: str | None) -> SequenceCheck:
    """Where bundle ``seq`` stands among those already received from its unit
    (``received``: sequence number → file SHA-256); shared by the province and the hub."""
    if seq in received:
        return SequenceCheck("reused", f"Số thứ tự {seq} đã nhận một gói khác trước đây — xã có thể đã khôi "
                             "phục sổ từ bản sao lưu. Cần xác nhận trước khi nhập.")
    top = max(received, default=0)
    missing = tuple(s for s in range(1, seq) if s not in received)
    if seq > top + 1:
        shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
        return SequenceCheck("gap", f"Thiếu gói số {shown} trước gói {seq}. Dữ liệu trong các gói thiếu "
                             "chưa có ở tỉnh; cần xác nhận trước khi nhập.", missing)
    if seq == top + 1 and top and received[top] != previous_sha:
        return SequenceCheck("broken", f"Gói {seq} không nối tiếp gói {top} đã nhận (mã băm gói trước không "
                             "khớp). Cần xác nhận trước khi nhập.")
    if seq < top:
        return SequenceCheck("late", f"Gói {seq} đến muộn, lấp chỗ thiếu trước gói {top}.", missing)
    if not received:
        return SequenceCheck("first", "Gói đầu tiên nhận từ đơn vị này.")
    return SequenceCheck("next", f"Nối tiếp gói {top} đã nhận.")


def _replay(db: Database, path: Path, sha: str) -> ImportReport | None:
    row = sync_repo.inbox_by_sha(db, sha)
    if row is None:
        return None
    when = row["imported_at"][:16].replace("T", " ")
    check = SequenceCheck("replay", f"Gói này đã được nhập lúc {when}; nhập lại không thay đổi gì.")
    return ImportReport(path, sha, row["unit_code"], row["unit_name"], row["seq"], check,
                        manifest=json.loads(row["manifest"]), previous_import=row["imported_at"])


def _report(bundle: VerifiedBundle, check: SequenceCheck, dry_run: bool) -> ImportReport:
    m = bundle.manifest
    return ImportReport(bundle.path, bundle.bundle_sha256, m.unit_code, m.unit_name, m.sequence, check,
                        manifest=m.raw, dry_run=dry_run)


def preview(db: Database, path: Path, *, passphrase: str | None = None,
            progress: Progress | None = None, private=None) -> ImportReport:
    """Verify and merge in a transaction that is rolled back: what applying would do."""
    require(db, "bundle.import")
    progress = ensure(progress)
    path = Path(path)
    replay = _replay(db, path, file_sha256(path))
    bundle = verify_bundle(db, path, passphrase=passphrase, progress=progress, private=private)
    try:
        m = bundle.manifest
        check = replay.sequence if replay else check_sequence(db, m.unit_code, m.sequence, m.previous_sha256)
        report = _report(bundle, check, dry_run=True)
        report.previous_import = replay.previous_import if replay else None
        chain.check_bundle(db, bundle)  # a commune is trusted only with its own, chained records
        try:
            with db.write():
                report.merge = merge(db, bundle, progress)
                report.files = store_files(db, bundle, progress, dry_run=True)
                raise _Rollback
        except _Rollback:
            pass
    finally:
        bundle.close()
    return report


def apply(db: Database, path: Path, *, passphrase: str | None = None, accept_sequence: bool = False,
          reimport: bool = False, progress: Progress | None = None, private=None) -> ImportReport:
    """Verify and merge the bundle in one transaction: all or nothing."""
    require(db, "bundle.import")
    progress = ensure(progress)
    path = Path(path)
    sha = file_sha256(path)
    replay = _replay(db, path, sha)
    if replay and not reimport:
        raise UserError("bundle_replay", f"{replay.sequence.message} Gói không được nhập lại "
                        "(muốn đối chiếu lại, hãy chọn nhập lại).", previous_import=replay.previous_import)
    # The carried files are hashed once, as they are stored (a mismatch rolls the import back).
    bundle = verify_bundle(db, path, passphrase=passphrase, progress=progress, private=private, hash_files=False)
    try:
        return _apply(db, bundle, sha, replay, accept_sequence, progress)
    finally:
        bundle.close()


def _apply(db: Database, bundle: VerifiedBundle, sha: str, replay: ImportReport | None, accept_sequence: bool,
           progress: Progress) -> ImportReport:
    if bundle.bundle_sha256 != sha:
        raise UserError("bundle_changed", "Tệp gói thay đổi trong lúc đọc (thẻ nhớ bị rút hoặc tệp đang được chép?). "
                        "Hãy chép lại tệp rồi nhập lại; sổ không thay đổi.")
    m = bundle.manifest
    check = replay.sequence if replay else check_sequence(db, m.unit_code, m.sequence, m.previous_sha256)
    if check.needs_acceptance and not accept_sequence:
        raise UserError(f"sequence_{check.status}", check.message, missing=list(check.missing))
    report = _report(bundle, check, dry_run=False)
    trusted = chain.check_bundle(db, bundle)  # a commune is trusted only with its own, chained records
    now = keys.now_iso()
    with db.write():
        result = merge(db, bundle, progress)
        files = store_files(db, bundle, progress)
        chain.apply_deletions(db, m.unit_code, trusted.deleted)
        chain.record_import(db, bundle, trusted)
        progress.check()
        if replay is None:
            inbox_id = sync_repo.insert_inbox(
                db, unit_code=m.unit_code, unit_name=m.unit_name, seq=m.sequence, bundle_id=m.bundle_id,
                bundle_sha256=sha, previous_sha256=m.previous_sha256, key_fingerprint=m.key_fingerprint,
                kind=m.kind, period_from=m.period_from, period_to=m.period_to, period_label=m.period_label,
                created_at=m.created_at, imported_at=now, sequence_status=check.status,
                manifest=json.dumps(m.raw, ensure_ascii=False), result=json.dumps(result.totals()))
            sync_repo.insert_conflicts(db, [(inbox_id, *k, now) for k in result.kept])
        units_repo.log_access(db, "import_bundle", target=f"{m.unit_code}#{m.sequence}",
                              detail=json.dumps(result.totals()))
    report.merge, report.files, report.applied = result, files, True
    log.info("imported bundle %s #%d: %s", m.unit_code, m.sequence, result.totals())
    return report
