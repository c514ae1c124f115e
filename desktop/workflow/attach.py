"""Attach a scanned letter, a photo or a PDF to a case or a reception.

The file is read twice in chunks — once for its SHA-256 and size, once into the register — so
memory stays flat whatever its size. Each file may be up to ``MAX_BYTES``; an empty file, a
folder, a file larger than that or one that changed while it was read is refused with a
Vietnamese message, and nothing is written. One transaction: the bytes (once per distinct
SHA-256), the attachment's row, and an event on the case's hash chain holding the file's name,
size and SHA-256 — so a scan swapped or altered later no longer matches the chain (``verify``).
An attachment of a reception that has no case yet is kept and logged; the chain covers it once
"chain" extends the chain to every record (issue #17).
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop.errors import UserError
from desktop.security.principal import actor_name, require
from desktop.storage import attachments as repo
from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.units import local_unit_code, log_access, new_uuid, now_iso
from desktop.workflow.events import append_event

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
KINDS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
         ".tif": "image/tiff", ".tiff": "image/tiff", ".heic": "image/heic", ".webp": "image/webp",
         ".doc": "application/msword",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".txt": "text/plain", ".mp3": "audio/mpeg", ".m4a": "audio/mp4"}


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    size: int


def fingerprint(path: Path) -> Fingerprint:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(repo.CHUNK):
            h.update(chunk)
            size += len(chunk)
    return Fingerprint(h.hexdigest(), size)


def _check(path: Path) -> None:
    if not path.exists():
        raise UserError("file_missing", f"Không tìm thấy tệp {path.name}.")
    if not path.is_file():
        raise UserError("not_a_file", f"“{path.name}” là thư mục, không phải tệp.")
    size = path.stat().st_size
    if size == 0:
        raise UserError("empty_file", f"Tệp {path.name} rỗng (0 byte): không đính kèm.")
    if size > MAX_BYTES:
        raise UserError("file_too_large", f"Tệp {path.name} có {size_text(size)}, quá giới hạn "
                                          f"{size_text(MAX_BYTES)} mỗi tệp. Hãy quét lại ở độ phân giải thấp hơn "
                                          "(200 dpi là đủ cho văn bản) hoặc chia nhỏ tệp.")


def attach_file(db: Database, path: Path | str, *, case_uuid: str | None = None, reception_uuid: str | None = None,
                note: str = "", today: date | None = None) -> repo.Attachment:
    """Attach ``path`` to a case (or a reception); returns the attachment. The logged-in officer
    attaches: who may receive a case (``case.receive``) may add its papers."""
    path = Path(path)
    if not case_uuid and not reception_uuid:
        raise UserError("attach_target", "Chọn vụ việc hoặc lượt tiếp để đính kèm tệp.")
    _check(path)
    require(db, "case.receive")
    today = today or date.today()
    case = None
    if case_uuid:
        case = case_repo.get_case(db, case_uuid)
    elif reception_uuid:
        row = db.one("SELECT case_uuid FROM receptions WHERE uuid = ?", (reception_uuid,))
        if row is None:
            raise UserError("reception_not_found", "Không tìm thấy lượt tiếp công dân này.")
        if row[0]:
            case = case_repo.get_case(db, row[0])
    if case is not None and case.unit_code != local_unit_code(db):
        raise UserError("foreign_record", "Vụ việc này thuộc đơn vị khác: chỉ được xem, không được sửa.")
    fp = fingerprint(path)
    name = path.name
    media = KINDS.get(path.suffix.lower()) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    with db.write():
        if not repo.has_blob(db, fp.sha256):
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                class _Hashing:
                    def read(self, n: int) -> bytes:
                        data = f.read(n)
                        digest.update(data)
                        return data

                repo.write_blob(db, fp.sha256, fp.size, _Hashing())
            if digest.hexdigest() != fp.sha256:
                raise UserError("file_changed", f"Tệp {name} thay đổi trong lúc đọc (máy quét còn đang ghi?). "
                                                "Hãy thử lại khi quét xong.")
        att = repo.insert(db, dict(
            case_uuid=case.uuid if case else None, reception_uuid=reception_uuid, file_name=name, media_type=media, size=fp.size,
            sha256=fp.sha256, added_on=today.isoformat(), added_by=actor_name(db), note=note.strip(), uuid=new_uuid(),
            unit_code=local_unit_code(db), updated_at=now_iso()))
        if case is not None:
            append_event(db, case.uuid, "attach", effective_on=max(today, case.received_on),
                         note=f"Đính kèm tệp {name} ({size_text(fp.size)})",
                         data={"attachment_uuid": att.uuid, "file_name": name, "size": fp.size, "sha256": fp.sha256})
        else:
            log_access(db, "attach_reception_file", target=reception_uuid or "",
                       detail=f"{name} {fp.sha256}")
    log.info("attached %s (%s bytes) to %s", name, fp.size, case_uuid or reception_uuid)
    return att


def attach_folder(db: Database, folder: Path | str, *, case_uuid: str | None = None,
                  reception_uuid: str | None = None, today: date | None = None
                  ) -> tuple[list[repo.Attachment], list[str]]:
    """Attach every file of a scanner's folder (not its subfolders); (attached, refused with why)."""
    done, refused = [], []
    for p in sorted(Path(folder).iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        try:
            done.append(attach_file(db, p, case_uuid=case_uuid, reception_uuid=reception_uuid, today=today))
        except UserError as exc:
            refused.append(exc.message)
    return done, refused


def save_copy(db: Database, attachment_uuid: str, target: Path | str) -> Path:
    """Write the attachment's bytes to ``target`` (to open or print it), checking its SHA-256."""
    att = repo.get(db, attachment_uuid)
    if att is None:
        raise UserError("attachment_not_found", "Không tìm thấy tệp đính kèm này.")
    target = Path(target)
    h = hashlib.sha256()
    with open(target, "wb") as out:
        for chunk in repo.read_blob(db, att.sha256):
            h.update(chunk)
            out.write(chunk)
    if h.hexdigest() != att.sha256:
        target.unlink(missing_ok=True)
        raise UserError("attachment_damaged", f"Tệp {att.file_name} trong sổ không còn khớp mã băm: đã bị sửa "
                                              "ngoài ứng dụng. Hãy khôi phục từ bản sao lưu.")
    return target


def verify_attachments(db: Database) -> list[str]:
    """Vietnamese problems: stored bytes whose SHA-256 no longer matches, attachments without bytes,
    and attachments whose case's chain holds a different SHA-256."""
    problems = []
    for sha, size in list(repo.blob_hashes(db)):
        h = hashlib.sha256()
        n = 0
        for chunk in repo.read_blob(db, sha):
            h.update(chunk)
            n += len(chunk)
        if h.hexdigest() != sha or n != size:
            problems.append(f"Nội dung tệp đính kèm {sha[:12]}… đã bị sửa ngoài ứng dụng (mã băm không khớp).")
    for r in db.query("SELECT a.file_name, a.sha256 FROM attachments a LEFT JOIN attachment_blobs b "
                      "ON b.sha256 = a.sha256 WHERE b.sha256 IS NULL"):
        problems.append(f"Tệp đính kèm {r[0]} không còn nội dung trong sổ.")
    chained = {}
    for r in db.query("SELECT data FROM events WHERE action = 'attach'"):
        d = json.loads(r[0])
        chained[d.get("attachment_uuid")] = d.get("sha256")
    for r in db.query("SELECT uuid, file_name, sha256 FROM attachments WHERE case_uuid IS NOT NULL"):
        if chained.get(r[0]) != r[2]:
            problems.append(f"Tệp đính kèm {r[1]} không khớp với sự kiện đính kèm trong chuỗi băm.")
    return problems
