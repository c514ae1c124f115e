"""The bundle's inner archive: a ZIP holding ``manifest.json``, ``manifest.sig`` and one
deflate-compressed JSON-lines member per record type (``records/<table>.jsonl``).

Writing streams each member through deflate level 1 while hashing it. Reading never extracts
to disk and never trusts a name: only the names listed above are accepted, each once, each read
with a size cap, so a ZIP bomb, a path like ``../x`` or an extra member is refused.
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
MAX_MANIFEST = 1024 * 1024
MAX_PART = 1024 * 1024 * 1024          # one member, decompressed
MAX_TOTAL = 2 * 1024 * 1024 * 1024     # all members, decompressed
MAX_RATIO = 200                        # decompressed / compressed, beyond which it is a bomb
COMPRESS_LEVEL = 1                     # ~5x faster than level 6 at a modest size cost
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError, RuntimeError,
              OverflowError, struct.error, KeyError, OSError, IndexError, TypeError)


def part_name(table: str) -> str:
    return f"records/{table}.jsonl"


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
    """Builds the archive in memory, one member per record type."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", compression=zipfile.ZIP_DEFLATED,
                                   compresslevel=COMPRESS_LEVEL, allowZip64=True)
        self.parts: list[PartInfo] = []

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
        self.zip.writestr(MANIFEST, manifest_bytes, compress_type=zipfile.ZIP_STORED)
        self.zip.writestr(SIGNATURE, signature, compress_type=zipfile.ZIP_STORED)
        self.zip.close()
        return self.buffer.getvalue()


def _refuse(detail: str) -> UserError:
    return UserError("bundle_damaged", f"Nội dung gói không hợp lệ ({detail}). Gói bị từ chối, sổ không thay đổi.")


class ArchiveReader:
    """Reads a decrypted archive defensively; every failure is a ``UserError``."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except ZIP_ERRORS as exc:
            raise _refuse("không đọc được gói nén") from exc
        self.members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if name in self.members:
                raise _refuse(f"thành phần lặp lại: {name[:80]}")
            if name not in (MANIFEST, SIGNATURE) and not PART_RE.match(name):
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
        if total > MAX_TOTAL:
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
        return {n for n in self.members if n not in (MANIFEST, SIGNATURE)}

