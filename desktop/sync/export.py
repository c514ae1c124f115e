"""Export (commune): every record of this unit the province has not acknowledged yet, or all.

"Not acknowledged" is per record: a record goes into the next bundle until a receipt from the
province acknowledges a bundle holding its current version. A lost bundle is therefore covered
by the next one, and the province's merge by UUID and version makes the overlap harmless.

The bundle is built in memory, written to ``<name>.partial``, flushed to disk and renamed only
when complete; its copy (encrypted file, manifest, list of record versions) is stored in
``sync_outbox`` in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid as uuidlib
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from desktop.security import require
from desktop.errors import UserError
from desktop.storage import sync_repo
from desktop.storage import units as units_repo
from desktop.storage.db import Database
from desktop.sync import chain, crypto, keys, manifest
from desktop.sync.container import ArchiveWriter
from desktop.sync.files import file_error, write_atomically
from desktop.sync.progress import Progress, ensure

log = logging.getLogger(__name__)

SUFFIX = ".gtb"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sequence: int
    kind: str
    counts: dict[str, int]
    bundle_sha256: str
    size: int
    manifest: dict

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def app_version() -> str:
    try:
        return metadata.version("giaitrinh")
    except metadata.PackageNotFoundError:  # pragma: no cover - source checkout without install
        return "0"


def bundle_file_name(unit_code: str, seq: int) -> str:
    safe = "".join(ch for ch in unit_code if ch.isalnum() or ch in "-_") or "don-vi"
    return f"giaitrinh-{safe}-{seq:06d}{SUFFIX}"


def _bytes_as_json(value: object) -> object:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": crypto.b64(bytes(value))}
    raise TypeError(f"cannot encode {type(value).__name__}")


def _encoder():
    return json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_bytes_as_json).encode


def export_bundle(db: Database, out: Path, *, full: bool = False, passphrase: str | None = None,
                  period_label: str = "", progress: Progress | None = None, signer=None) -> ExportResult:
    """Write the next bundle into ``out`` (a folder, or a file name ending in .gtb).

    ``signer``: this register's unlocked signing key, when the caller already unlocked it.
    """
    require(db, "bundle.export")
    progress = ensure(progress)
    if keys.register_mode(db) == "province":
        raise UserError("wrong_mode", "Sổ cấp tỉnh không xuất gói đồng bộ; chỉ sổ cấp xã xuất gói gửi tỉnh.")
    province = keys.province_key(db)
    keys.ensure_keys(db, passphrase)
    own = keys.own_key(db, "signing")
    signer = signer or keys.private_key(db, "signing", passphrase)
    unit_code, unit_name = keys.local_unit(db)

    last = sync_repo.last_outbox(db)
    seq = (last["seq"] + 1) if last else 1
    acked = [r for r in sync_repo.list_outbox(db) if r["acknowledged_at"]]
    period_from = None if full or not acked else acked[-1]["created_at"]
    created_at = keys.now_iso()
    tables = sync_repo.synced_tables(db)
    total_steps = len(tables) + 2

    writer = ArchiveWriter()
    items: list[str] = []
    encode = _encoder()
    try:
        for step, table in enumerate(tables):
            progress.report(step, total_steps, f"Đang đọc {table.name}")
            cursor = sync_repo.changed_json(db, table, unit_code, full)

            def lines(cursor=cursor, table=table):
                name = table.name
                for uuid, version, text in cursor:
                    items.append(f"{name}\t{uuid}\t{version}")
                    yield text if text is not None else encode(sync_repo.row_by_uuid(db, table, uuid))

            writer.add_part(table.name, lines(), on_line=lambda n: progress.check())
    except BaseException:
        writer.discard()
        raise

    parts = [p.as_dict() for p in writer.parts]
    body = manifest.build(
        bundle_id=uuidlib.uuid4().hex, unit_code=unit_code, unit_name=unit_name,
        key_fingerprint=own.fingerprint, recipient=province.encryption_fingerprint or "",
        sequence=seq, previous_sha256=last["bundle_sha256"] if last else None,
        kind="full" if full else "incremental", period_from=period_from, period_to=created_at,
        period_label=period_label, created_at=created_at, app_version=app_version(), parts=parts)
    body.update(chain.manifest_fields(db, signer))  # the signed head of the record ledger (issue #17)
    manifest_bytes = crypto.canonical_json(body)
    progress.report(len(tables), total_steps, "Đang ký và mã hóa")
    archive = writer.finish(manifest_bytes, crypto.sign(signer, manifest_bytes))
    sealed = crypto.seal(archive, province.encryption_key, manifest.FORMAT_VERSION)
    del archive
    sha = hashlib.sha256(sealed).hexdigest()
    items_blob = zlib.compress("\n".join(items).encode("utf-8"), 1)
    progress.report(len(tables) + 1, total_steps, "Đang ghi tệp")

    out = Path(out)
    target = out / bundle_file_name(unit_code, seq) if out.is_dir() or not out.suffix else out
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    renamed = False
    try:
        with open(tmp, "wb") as fh:
            fh.write(sealed)
            fh.flush()
            os.fsync(fh.fileno())
        progress.check()
        with db.write():
            sync_repo.insert_outbox(
                db, seq=seq, bundle_id=body["bundle_id"], kind=body["kind"], created_at=created_at,
                period_from=period_from, period_to=created_at, period_label=period_label,
                recipient=body["recipient"], file_name=target.name, bundle_sha256=sha,
                previous_sha256=body["previous_bundle_sha256"], manifest=manifest_bytes.decode("utf-8"),
                counts=json.dumps(body["counts"]), items=items_blob, bundle=sealed)
            units_repo.log_access(db, "export_bundle", target=f"{unit_code}#{seq}",
                                  detail=f"{sum(body['counts'].values())} bản ghi")
            os.replace(tmp, target)
            renamed = True
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if renamed:
            target.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # nothing was recorded: the outbox row went back with the rename
            raise file_error(exc, target) from exc
        raise
    progress.report(total_steps, total_steps, "Xong")
    log.info("exported bundle %s #%d: %d records", unit_code, seq, sum(body["counts"].values()))
    return ExportResult(target, seq, body["kind"], body["counts"], sha, len(sealed), body)


def save_copy(db: Database, seq: int, out: Path) -> Path:
    """Write again the stored copy of bundle ``seq`` (e.g. when the USB stick was lost)."""
    data = sync_repo.outbox_bundle(db, seq)
    row = next((r for r in sync_repo.list_outbox(db) if r["seq"] == seq), None)
    if data is None or row is None:
        raise UserError("bundle_not_found", f"Không có gói số {seq} trong sổ.")
    out = Path(out)
    return write_atomically(out / row["file_name"] if out.is_dir() else out, data)
