"""The bundle manifest: what it holds, and a strict check of a manifest read from a file.

The manifest is signed (Ed25519 over its canonical JSON, ``crypto.canonical_json``); it names the
issuing unit and key, the recipient province key, the sequence number and the SHA-256 of the
previous bundle file, the period covered, and for every payload member its record type, count,
size and SHA-256; from version 2 also every carried file (``files``: name, size, SHA-256).
See docs/bundle-format.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.errors import UserError
from desktop.sync.container import FILE_RE, PART_RE

FORMAT = "giaitrinh-bundle"
FORMAT_VERSION = 2                  # what export writes
READABLE_VERSIONS = (1, 2)          # what import reads
MAX_FILES = 200_000                 # the manifest lists each (at most 32 MiB)
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
FP_RE = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")


@dataclass(frozen=True)
class Part:
    name: str
    table: str
    count: int
    size: int
    sha256: str


@dataclass(frozen=True)
class File:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    bundle_id: str
    unit_code: str
    unit_name: str
    key_fingerprint: str
    recipient: str
    sequence: int
    previous_sha256: str | None
    kind: str
    period_from: str | None
    period_to: str
    period_label: str
    created_at: str
    app_version: str
    parts: tuple[Part, ...]
    raw: dict
    format_version: int = FORMAT_VERSION
    files: tuple[File, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {p.table: p.count for p in self.parts}

    @property
    def total(self) -> int:
        return sum(p.count for p in self.parts)


def build(*, bundle_id: str, unit_code: str, unit_name: str, key_fingerprint: str, recipient: str,
          sequence: int, previous_sha256: str | None, kind: str, period_from: str | None, period_to: str,
          period_label: str, created_at: str, app_version: str, parts: list[dict],
          files: list[dict] | None = None, format_version: int = FORMAT_VERSION) -> dict:
    body = {
        "format": FORMAT, "format_version": format_version, "bundle_id": bundle_id,
        "issuer": {"unit_code": unit_code, "unit_name": unit_name, "key_fingerprint": key_fingerprint},
        "recipient": recipient, "sequence": sequence, "previous_bundle_sha256": previous_sha256,
        "kind": kind, "period": {"from": period_from, "to": period_to, "label": period_label},
        "created_at": created_at, "app_version": app_version,
        "counts": {p["table"]: p["count"] for p in parts}, "parts": parts,
    }
    if format_version >= 2:
        body["files"] = sorted(files or [], key=lambda f: f["name"])
    return body


def _bad(detail: str) -> UserError:
    return UserError("bad_manifest", f"Bản kê của gói không hợp lệ ({detail}). Gói bị từ chối.")


def _str(value: object, what: str, *, empty: bool = False, max_len: int = 300) -> str:
    if not isinstance(value, str) or (not empty and not value) or len(value) > max_len:
        raise _bad(f"trường {what}")
    return value


def _opt_str(value: object, what: str) -> str | None:
    return None if value is None else _str(value, what)


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 2**53:
        raise _bad(f"trường {what}")
    return value


def parse(raw: object) -> Manifest:
    """Check a manifest's shape strictly (after its signature was verified)."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _bad("không phải bản kê gói đồng bộ")
    version = raw.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise UserError("unsupported_version",
                        f"Gói dùng phiên bản định dạng {version!r}, phần mềm này chỉ đọc "
                        f"phiên bản {', '.join(map(str, READABLE_VERSIONS))}. Hãy cập nhật phần mềm hoặc đề nghị xã "
                        "xuất lại gói.")
    issuer, period = raw.get("issuer"), raw.get("period")
    if not isinstance(issuer, dict) or not isinstance(period, dict):
        raise _bad("thiếu đơn vị gửi hoặc kỳ")
    previous = raw.get("previous_bundle_sha256")
    if previous is not None and (not isinstance(previous, str) or not SHA_RE.match(previous)):
        raise _bad("mã băm gói trước")
    kind = raw.get("kind")
    if kind not in ("full", "incremental"):
        raise _bad("loại gói")
    parts_raw = raw.get("parts")
    if not isinstance(parts_raw, list) or len(parts_raw) > 200:
        raise _bad("danh sách thành phần")
    parts: list[Part] = []
    seen: set[str] = set()
    for item in parts_raw:
        if not isinstance(item, dict):
            raise _bad("thành phần")
        name = _str(item.get("name"), "tên thành phần")
        match = PART_RE.match(name)
        if not match or match.group(1) != item.get("table") or name in seen:
            raise _bad(f"tên thành phần {name[:80]!r}")
        sha = _str(item.get("sha256"), "mã băm")
        if not SHA_RE.match(sha):
            raise _bad("mã băm thành phần")
        seen.add(name)
        parts.append(Part(name, match.group(1), _int(item.get("count"), "số bản ghi"),
                          _int(item.get("size"), "dung lượng"), sha))
    files: list[File] = []
    if version >= 2:
        files_raw = raw.get("files")
        if not isinstance(files_raw, list) or len(files_raw) > MAX_FILES:
            raise _bad("danh sách tệp")
        for item in files_raw:
            if not isinstance(item, dict) or set(item) != {"name", "sha256", "size"}:
                raise _bad("tệp")
            name = _str(item.get("name"), "tên tệp")
            match = FILE_RE.match(name)
            if not match or match.group(1) != item.get("sha256") or name in seen:
                raise _bad(f"tên tệp {name[:80]!r}")
            seen.add(name)
            files.append(File(name, match.group(1), _int(item.get("size"), "dung lượng tệp")))
    elif "files" in raw:
        raise _bad("gói phiên bản 1 không mang tệp")
    fp = _str(issuer.get("key_fingerprint"), "dấu vân tay")
    recipient = _str(raw.get("recipient"), "khóa nhận")
    if not FP_RE.match(fp) or not FP_RE.match(recipient):
        raise _bad("dấu vân tay")
    sequence = _int(raw.get("sequence"), "số thứ tự")
    if sequence < 1:
        raise _bad("số thứ tự")
    return Manifest(
        bundle_id=_str(raw.get("bundle_id"), "mã gói", max_len=64),
        unit_code=_str(issuer.get("unit_code"), "mã đơn vị", max_len=64),
        unit_name=_str(issuer.get("unit_name"), "tên đơn vị", empty=True),
        key_fingerprint=fp, recipient=recipient, sequence=sequence, previous_sha256=previous, kind=kind,
        period_from=_opt_str(period.get("from"), "kỳ từ"), period_to=_str(period.get("to"), "kỳ đến"),
        period_label=_str(period.get("label", ""), "tên kỳ", empty=True),
        created_at=_str(raw.get("created_at"), "ngày tạo"),
        app_version=_str(raw.get("app_version", ""), "phiên bản", empty=True),
        parts=tuple(parts), raw=raw, format_version=version, files=tuple(files),
    )
