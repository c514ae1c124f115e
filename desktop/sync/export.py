"""Export (commune): every record of this unit the province has not acknowledged yet, or all.

"Not acknowledged" is per record: a record goes into the next bundle until a receipt from the
province acknowledges a bundle holding its current version. A lost bundle is therefore covered
by the next one, and the province's merge by UUID and version makes the overlap harmless.

The bundle (format version 2) streams to ``<name>.partial``: records and carried files go
through deflate and the chunked cipher as they are read, so memory stays flat whatever the size
of the scans; the file is flushed to disk and renamed only when complete, and its copy
(encrypted file, manifest, list of record versions) is stored in ``sync_outbox`` in the same
transaction; the file's copy is kept until a receipt acknowledges the bundle.
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
from desktop.sync.files import file_error
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

    out = Path(out)
    target = out / bundle_file_name(unit_code, seq) if out.is_dir() or not out.suffix else out
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    items: list[str] = []
    renamed = False
    try:
        fh = open(tmp, "wb")
    except OSError as exc:
        raise file_error(exc, target) from exc
    try:
        with fh:
            # Streamed (format version 2): records, then each carried file, go through deflate
            # and the chunked cipher straight to the stick; one chunk is in memory at a time.
            sealer = crypto.StreamSealer(fh, province.encryption_key)
            writer = ArchiveWriter(sink=sealer)
            carried = _write_records(db, writer, tables, unit_code, full, items, progress)
            progress.report(len(tables), total_steps, "Đang chép tệp đính kèm và văn bản")
            _write_files(db, writer, carried, progress)
            parts = [p.as_dict() for p in writer.parts]
            body = manifest.build(
                bundle_id=uuidlib.uuid4().hex, unit_code=unit_code, unit_name=unit_name,
                key_fingerprint=own.fingerprint, recipient=province.encryption_fingerprint or "",
                sequence=seq, previous_sha256=last["bundle_sha256"] if last else None,
                kind="full" if full else "incremental", period_from=period_from, period_to=created_at,
                period_label=period_label, created_at=created_at, app_version=app_version(), parts=parts,
                files=writer.files)
            body.update(chain.manifest_fields(db, signer))  # the signed head of the record ledger (issue #17)
            manifest_bytes = crypto.canonical_json(body)
            progress.report(len(tables), total_steps, "Đang ký và mã hóa")
            writer.finish(manifest_bytes, crypto.sign(signer, manifest_bytes))
            sealer.close()
            fh.flush()
            os.fsync(fh.fileno())
            sha, size = sealer.sha256, sealer.size
        items_blob = zlib.compress("\n".join(items).encode("utf-8"), 1)
        progress.report(len(tables) + 1, total_steps, "Đang ghi tệp")
        progress.check()
        with db.write():
            sync_repo.insert_outbox(
                db, seq=seq, bundle_id=body["bundle_id"], kind=body["kind"], created_at=created_at,
                period_from=period_from, period_to=created_at, period_label=period_label,
                recipient=body["recipient"], file_name=target.name, bundle_sha256=sha,
                previous_sha256=body["previous_bundle_sha256"], manifest=manifest_bytes.decode("utf-8"),
                counts=json.dumps(body["counts"]), items=items_blob, bundle=b"")
            with open(tmp, "rb") as written:
                sync_repo.store_outbox_bundle(db, seq, written, size)  # the copy kept for a lost stick
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
    log.info("exported bundle %s #%d: %d records, %d files", unit_code, seq, sum(body["counts"].values()),
             len(body["files"]))
    return ExportResult(target, seq, body["kind"], body["counts"], sha, size, body)


# The files records need at the province (format version 2): an attachment's bytes, an issued
# document's PDF. Each travels with its record — in every bundle holding that record, once per
# SHA-256 in a bundle — so a bundle is whole on its own: a lost bundle's files come again with the
# next one, as its records do. (Sending only what the province acknowledged not having would save
# a re-sent scan's bytes, but attachments are written once and seldom re-sent.)
FILE_TABLES = {"attachments": (), "documents": ("pdf",)}


def _write_records(db: Database, writer: ArchiveWriter, tables, unit_code: str, full: bool, items: list[str],
                   progress: Progress) -> dict[str, set[str]]:
    encode = _encoder()
    carried: dict[str, set[str]] = {name: set() for name in FILE_TABLES}
    for step, table in enumerate(tables):
        progress.report(step, len(tables) + 2, f"Đang đọc {table.name}")
        omit = FILE_TABLES.get(table.name, ())
        cursor = sync_repo.changed_json(db, table, unit_code, full, omit)
        uuids = carried.get(table.name)

        def lines(cursor=cursor, table=table, omit=omit, uuids=uuids):
            name = table.name
            for uuid, version, text in cursor:
                items.append(f"{name}\t{uuid}\t{version}")
                if uuids is not None:
                    uuids.add(uuid)
                yield text if text is not None else encode(sync_repo.row_by_uuid(db, table, uuid, omit))

        writer.add_part(table.name, lines(), on_line=lambda n: progress.check())
    return carried


def _write_files(db: Database, writer: ArchiveWriter, carried: dict[str, set[str]], progress: Progress) -> None:
    sources: dict[str, tuple[str, str, int, int]] = {}   # sha256 → (table, column, rowid, size)
    for uuids in _chunks(sorted(carried["attachments"])):
        marks = ",".join("?" * len(uuids))
        for sha, rowid, size in db.query(
                "SELECT a.sha256, b.rowid, b.size FROM attachments a LEFT JOIN attachment_blobs b ON b.sha256 = a.sha256 "
                f"WHERE a.uuid IN ({marks})", uuids):
            if rowid is None:
                raise UserError("attachment_bytes_missing",
                                f"Sổ thiếu nội dung của một tệp đính kèm (mã băm {sha[:12]}…). Hãy chạy “Kiểm tra "
                                "sổ” (giaitrinh attach --check) trước khi xuất gói.")
            sources[sha] = ("attachment_blobs", "data", rowid, size)
    for uuids in _chunks(sorted(carried["documents"])):
        marks = ",".join("?" * len(uuids))
        for sha, rowid, size in db.query(
                "SELECT sha256, id, length(pdf) FROM documents WHERE pdf IS NOT NULL AND sha256 <> '' "
                f"AND uuid IN ({marks})", uuids):
            sources.setdefault(sha, ("documents", "pdf", rowid, size))
    for n, sha in enumerate(sorted(sources)):
        if n % 20 == 0:
            progress.check()
        table, column, rowid, size = sources[sha]
        writer.add_file(sha, size, _blob_chunks(db, table, column, rowid))


def _chunks(values: list[str], size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _blob_chunks(db: Database, table: str, column: str, rowid: int, chunk: int = 1 << 20):
    with db.conn.blobopen(table, column, rowid, readonly=True) as blob:
        while data := blob.read(chunk):
            yield data


def save_copy(db: Database, seq: int, out: Path) -> Path:
    """Write again the stored copy of bundle ``seq`` (e.g. when the USB stick was lost); kept
    until a receipt acknowledges the bundle."""
    row = next((r for r in sync_repo.list_outbox(db) if r["seq"] == seq), None)
    if row is None:
        raise UserError("bundle_not_found", f"Không có gói số {seq} trong sổ.")
    if row["acknowledged_at"]:  # its copy was dropped with the receipt: the province has it
        raise UserError("bundle_acknowledged",
                        f"Tỉnh đã xác nhận nhận gói số {seq} (biên nhận ngày {row['acknowledged_at'][:10]}), nên sổ "
                        "không giữ bản sao của gói này nữa. Nếu tỉnh cần lại dữ liệu, hãy xuất một gói đầy đủ.")
    out = Path(out)
    target = out / row["file_name"] if out.is_dir() else out
    tmp = target.with_name(target.name + ".partial")
    try:  # streamed from the register: a bundle carrying scans may be large
        with open(tmp, "wb") as fh:
            for chunk in sync_repo.outbox_bundle_chunks(db, seq):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise file_error(exc, target) from exc
    return target
