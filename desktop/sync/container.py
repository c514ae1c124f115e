"""The bundle's inner archive: a ZIP holding ``manifest.json``, ``manifest.sig``, one
deflate-compressed JSON-lines member per record type (``records/<table>.jsonl``) and, from format
version 2, one stored member per carried file (``files/<sha256>``: an attachment's bytes or an
issued document's PDF, once per SHA-256).

Writing streams each member through deflate level 1 while hashing it; in version 2 the ZIP is
written straight into the encrypting sink (``crypto.StreamSealer``), never whole in memory.
Reading never extracts to disk and never trusts a name: only the names listed above are
accepted, each once, each read with a size cap, so a ZIP bomb, a path like ``../x`` or an extra
member is refused.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.errors import UserError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PART_RE = re.compile(r"^records/([a-z][a-z0-9_]{0,62})\.jsonl$")
FILE_RE = re.compile(r"^files/([0-9a-f]{64})$")
MAX_MANIFEST = 1024 * 1024
MAX_MANIFEST_V2 = 32 * 1024 * 1024   # lists every carried file (~160 bytes each)
MAX_PART = 1024 * 1024 * 1024          # one member, decompressed
MAX_TOTAL = 2 * 1024 * 1024 * 1024     # all members, decompressed
MAX_TOTAL_V2 = 4 * 1024 * 1024 * 1024  # version 2 streams: at most a FAT32 stick's largest file
FILE_CHUNK = 1 << 20
MAX_RATIO = 200                        # decompressed / compressed, beyond which it is a bomb
COMPRESS_LEVEL = 1                     # ~5x faster than level 6 at a modest size cost
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError, RuntimeError,
              OverflowError, struct.error, KeyError, OSError, IndexError, TypeError)


def part_name(table: str) -> str:
    return f"records/{table}.jsonl"


def file_name(sha256: str) -> str:
    return f"files/{sha256}"


@dataclass
class PartInfo:
    name: str
    table: str
    count: int = 0
    size: int = 0
    sha256: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "table": self.table, "count": self.count, "size": self.size,
                "sha256": self.sha256}


class ArchiveWriter:
    """Builds the archive, one member per record type (and per carried file): in memory
    (version 1), or streamed into ``sink``, a write-only file object (version 2)."""

    def __init__(self, sink=None) -> None:
        self.buffer = io.BytesIO() if sink is None else None
        self.zip = zipfile.ZipFile(self.buffer if sink is None else sink, "w", compression=zipfile.ZIP_DEFLATED,
                                   compresslevel=COMPRESS_LEVEL, allowZip64=True)
        self.parts: list[PartInfo] = []
        self.files: list[dict] = []

    def add_file(self, sha256: str, size: int, chunks: Iterable[bytes]) -> dict:
        """Store one file as ``files/<sha256>`` (not compressed: scans and PDFs are already),
        checking while it streams that its bytes are the ``size`` bytes of that SHA-256."""
        info = zipfile.ZipInfo(file_name(sha256), date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        digest, done = hashlib.sha256(), 0
        with self.zip.open(info, "w", force_zip64=True) as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
                done += len(chunk)
        if done != size or digest.hexdigest() != sha256:
            raise UserError("file_damaged_in_register",
                            f"Tệp {sha256[:12]}… lưu trong sổ không còn khớp mã băm của nó. Hãy chạy “Kiểm tra sổ” "
                            "(giaitrinh verify / attach --check) trước khi xuất gói.")
        entry = {"name": info.filename, "sha256": sha256, "size": size}
        self.files.append(entry)
        return entry

    def add_part(self, table: str, lines: Iterable[str], on_line=None) -> PartInfo:
        info = PartInfo(part_name(table), table)
        digest = hashlib.sha256()
        batch: list[str] = []
        with self.zip.open(info.name, "w", force_zip64=True) as out:
            def flush() -> None:
                if batch:
                    data = ("\n".join(batch) + "\n").encode("utf-8")
                    digest.update(data)
                    out.write(data)
                    info.size += len(data)
                    batch.clear()
            for line in lines:
                batch.append(line)
                info.count += 1
                if len(batch) >= 2000:
                    flush()
                    if on_line:
                        on_line(info.count)
            flush()
        info.sha256 = digest.hexdigest()
        self.parts.append(info)
        return info

    def discard(self) -> None:
        """Drop a half-built archive (cancel or error)."""
        try:
            self.zip.close()
        except ZIP_ERRORS:  # pragma: no cover - closing a broken in-memory archive
            pass
        self.buffer = io.BytesIO()

    def finish(self, manifest_bytes: bytes, signature: bytes) -> bytes:
        """Write the manifest and its signature and close the archive: its bytes in version 1
        (in memory), ``b""`` when it streamed into a sink."""
        self.zip.writestr(MANIFEST, manifest_bytes, compress_type=zipfile.ZIP_STORED)
        self.zip.writestr(SIGNATURE, signature, compress_type=zipfile.ZIP_STORED)
        self.zip.close()
        return self.buffer.getvalue() if self.buffer is not None else b""


def _refuse(detail: str) -> UserError:
    return UserError("bundle_damaged", f"Nội dung gói không hợp lệ ({detail}). Gói bị từ chối, sổ không thay đổi.")


class ArchiveReader:
    """Reads a decrypted archive defensively; every failure is a ``UserError``.

    ``data``: the archive's bytes (version 1) or a seekable file object over it (version 2,
    ``crypto.StreamOpener``); only version 2 may hold ``files/<sha256>`` members.
    """

    def __init__(self, data, *, with_files: bool = False) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data)
            infos = self.zip.infolist()
        except ZIP_ERRORS as exc:
            raise _refuse("không đọc được gói nén") from exc
        self.members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if name in self.members:
                raise _refuse(f"thành phần lặp lại: {name[:80]}")
            if name not in (MANIFEST, SIGNATURE) and not PART_RE.match(name) and not (
                    with_files and FILE_RE.match(name)):
                raise _refuse(f"tên thành phần không được phép: {name[:80]!r}")
            if info.flag_bits & 0x1:
                raise _refuse("thành phần bị mã hóa kiểu ZIP")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _refuse("kiểu nén không được hỗ trợ")
            if info.file_size > MAX_PART:
                raise _refuse(f"thành phần {name} quá lớn khi giải nén")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _refuse(f"tỉ lệ nén của {name} bất thường (nghi bom nén)")
            total += info.file_size
            self.members[name] = info
        if total > (MAX_TOTAL_V2 if with_files else MAX_TOTAL):
            raise _refuse("tổng dung lượng giải nén vượt giới hạn")
        for required in (MANIFEST, SIGNATURE):
            if required not in self.members:
                raise _refuse(f"thiếu {required}")

    def read(self, name: str, limit: int) -> bytes:
        info = self.members.get(name)
        if info is None:
            raise _refuse(f"thiếu thành phần {name}")
        if info.file_size > limit:
            raise _refuse(f"thành phần {name} vượt giới hạn dung lượng")
        try:
            with self.zip.open(info) as stream:
                data = stream.read(limit + 1)
        except ZIP_ERRORS as exc:
            raise _refuse(f"không giải nén được {name}") from exc
        if len(data) > limit or len(data) != info.file_size:
            raise _refuse(f"dung lượng thực của {name} khác dung lượng khai báo")
        return data

    def part_names(self) -> set[str]:
        return {n for n in self.members if n not in (MANIFEST, SIGNATURE) and not n.startswith("files/")}

    def file_names(self) -> set[str]:
        return {n for n in self.members if n.startswith("files/")}

    def stream(self, name: str, size: int) -> Iterable[bytes]:
        """A member's bytes in chunks, refused if they are not exactly ``size`` bytes."""
        info = self.members.get(name)
        if info is None:
            raise _refuse(f"thiếu thành phần {name}")
        if info.file_size != size:
            raise _refuse(f"dung lượng của {name} khác bản kê")
        done = 0
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(min(FILE_CHUNK, size - done + 1)):
                    done += len(chunk)
                    if done > size:
                        break
                    yield chunk
        except ZIP_ERRORS as exc:
            raise _refuse(f"không đọc được {name}") from exc
        if done != size:
            raise _refuse(f"dung lượng thực của {name} khác dung lượng khai báo")

