"""Open a bundle at the province: decrypt, check the signature, every hash and every record's shape.

Nothing here writes to the register. The order of checks gives the clearest message first:
shape of the file → recipient (another province?) → decryption (flipped byte, truncation) →
archive members (bombs, foreign names) → manifest and format version → issuing key (unknown,
revoked) → signature → each member's size, SHA-256 and record count → each record's JSON.

Format version 2 is read from the file as it lies on disk: every chunk is authenticated once in
order (hashing the file on the way), then the archive is read through a decrypting view one
chunk at a time; each carried file is hashed here (preview, hub) or as the import stores it
(``merge.store_files``), so memory stays flat however many scans a bundle carries.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import UserError
from desktop.storage import ledger, sync_repo
from desktop.storage.db import Database
from desktop.sync import crypto, keys
from desktop.sync import manifest as manifest_mod
from desktop.sync.container import (MANIFEST, MAX_MANIFEST, MAX_MANIFEST_V2, MAX_PART, SIGNATURE,
                                    ArchiveReader)
from desktop.sync.progress import Progress, ensure

log = logging.getLogger(__name__)

MAX_BUNDLE = 1024 * 1024 * 1024            # read whole into memory (version 1, the hub)
MAX_STREAMED = 4 * 1024 * 1024 * 1024 - 1  # version 2, streamed: a FAT32 stick's largest file


@dataclass
class VerifiedBundle:
    path: Path
    manifest: manifest_mod.Manifest
    bundle_sha256: str
    size: int
    peer: sync_repo.PeerKey
    payload: dict[str, bytes]           # part name → verified JSON-lines bytes
    archive: ArchiveReader | None = None   # version 2: where the carried files are read from
    source: object = None                  # version 2: the open file under ``archive``
    files_hashed: bool = True              # False: the carried files are hashed as they are stored

    @property
    def files(self) -> tuple[manifest_mod.File, ...]:
        return self.manifest.files

    def stream_file(self, file: manifest_mod.File):
        """A carried file's bytes in chunks; the last step raises if they do not hash to its name."""
        digest = hashlib.sha256()
        for chunk in self.archive.stream(file.name, file.size):
            digest.update(chunk)
            yield chunk
        if digest.hexdigest() != file.sha256:
            raise _refuse(f"mã băm của {file.name[:18]}… không khớp bản kê — tệp đã bị thay đổi hoặc tráo")

    def close(self) -> None:
        if self.source is not None and hasattr(self.source, "close"):
            self.source.close()
        self.source = None

    def records(self, part: manifest_mod.Part) -> list[object]:
        """The part's records, parsed (each still to be checked by the merge)."""
        data = self.payload[part.name]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(f"{part.name} không phải văn bản UTF-8") from exc
        count = text.count("\n")
        if count != part.count or (text and not text.endswith("\n")):
            raise _refuse(f"{part.name} có {count} dòng, bản kê ghi {part.count} bản ghi")
        if not count:
            return []
        try:
            # One parse for the whole member: a JSON line never holds a raw newline.
            records = ledger.parse_array("[" + text[:-1].replace("\n", ",") + "]")
        except (ValueError, RecursionError) as exc:
            raise _refuse(f"{part.name} có dòng không phải JSON") from exc
        if len(records) != part.count:
            raise _refuse(f"{part.name} có dòng chứa nhiều hơn một bản ghi")
        return records

    def lines(self, part: manifest_mod.Part) -> list[str]:
        """The part's raw JSON lines, aligned with ``records`` (call after it)."""
        return self.payload[part.name].decode("utf-8").split("\n")[:-1]


def _refuse(detail: str) -> UserError:
    return UserError("bundle_damaged", f"Nội dung gói không hợp lệ ({detail}). Gói bị từ chối, sổ không thay đổi.")


def read_bundle_file(path: Path) -> bytes:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE:
            raise UserError("bundle_too_large", "Tệp gói quá lớn (trên 1 GiB); hãy xuất thành nhiều gói nhỏ hơn.")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError("bundle_missing", f"Không tìm thấy tệp gói {path.name}.") from exc
    except OSError as exc:
        raise UserError("bundle_unreadable", f"Không đọc được tệp gói {path.name}: {exc.strerror}.") from exc


def check_header(header: dict, own_fingerprint: str) -> None:
    version = header.get("format_version")
    if type(version) is not int or version not in manifest_mod.READABLE_VERSIONS:
        raise UserError("unsupported_version",
                        f"Gói dùng phiên bản định dạng {version!r}, phần mềm này chỉ đọc phiên bản "
                        f"{', '.join(map(str, manifest_mod.READABLE_VERSIONS))}. Hãy cập nhật phần mềm hoặc đề nghị "
                        "xã xuất lại gói.")
    if header.get("recipient") != own_fingerprint:
        raise UserError("other_province",
                        "Gói này được mã hóa cho một tỉnh khác (khóa nhận "
                        f"{str(header.get('recipient'))[:19]}), không phải khóa {own_fingerprint} của sổ này.")


def verify_bundle(db: Database, path: Path, *, passphrase: str | None = None,
                  progress: Progress | None = None, data: bytes | None = None,
                  private=None, hash_files: bool = True) -> VerifiedBundle:
    """``private``: the province's unlocked encryption key, to import many bundles with one unlock.
    ``hash_files=False``: the carried files' hashes are left to the caller, which checks each as
    it stores it (``merge.store_files``), so that an import reads them once, not twice."""
    if keys.register_mode(db) != "province":
        raise UserError("wrong_mode", "Chỉ sổ cấp tỉnh mới nhập được gói đồng bộ của xã.")
    path = Path(path)
    own = keys.own_key(db, "encryption")
    kwargs = dict(own_fingerprint=own.fingerprint,
                  unlock=lambda: private or keys.private_key(db, "encryption", passphrase),
                  find_peer=lambda fp: sync_repo.get_peer_key(db, fp), progress=progress)
    if data is not None:
        return verify_bundle_data(data, path, **kwargs)
    return verify_bundle_file(path, hash_files=hash_files, **kwargs)


def open_bundle_file(path: Path):
    """The bundle file opened for reading, and its size (refused when too large or unreadable)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_STREAMED:
            raise UserError("bundle_too_large", "Tệp gói quá lớn (trên 4 GiB); hãy xuất thành nhiều gói nhỏ hơn.")
        return open(path, "rb"), size
    except FileNotFoundError as exc:
        raise UserError("bundle_missing", f"Không tìm thấy tệp gói {path.name}.") from exc
    except OSError as exc:
        raise UserError("bundle_unreadable", f"Không đọc được tệp gói {path.name}: {exc.strerror}.") from exc


def file_sha256(path: Path) -> str:
    """The SHA-256 of a bundle file, read in chunks (its identity: replays are found by it)."""
    fh, _ = open_bundle_file(path)
    digest = hashlib.sha256()
    with fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_bundle_file(path: Path, *, own_fingerprint: str, unlock: Callable[[], object],
                       find_peer: Callable[[str], sync_repo.PeerKey | None],
                       progress: Progress | None = None, hash_files: bool = True) -> VerifiedBundle:
    """``verify_bundle_data`` reading the file from disk: a version-2 bundle streams (the
    returned bundle keeps the file open until ``close()``), a version-1 bundle is read whole."""
    progress = ensure(progress)
    fh, size = open_bundle_file(path)
    try:
        header, aad = crypto.read_header_from(fh)
        if header.get("format_version") == 1:
            if size > MAX_BUNDLE:
                raise UserError("bundle_too_large", "Tệp gói quá lớn (trên 1 GiB); hãy xuất thành nhiều gói nhỏ hơn.")
            fh.seek(0)
            data = fh.read()
            fh.close()
            return verify_bundle_data(data, path, own_fingerprint=own_fingerprint, unlock=unlock,
                                      find_peer=find_peer, progress=progress)
        return _verify_v2(fh, size, header, aad, Path(path), own_fingerprint=own_fingerprint, unlock=unlock,
                          find_peer=find_peer, progress=progress, hash_files=hash_files)
    except BaseException:
        fh.close()
        raise


def verify_bundle_data(data: bytes, path: Path, *, own_fingerprint: str, unlock: Callable[[], object],
                       find_peer: Callable[[str], sync_repo.PeerKey | None],
                       progress: Progress | None = None) -> VerifiedBundle:
    """Every check of a bundle file's bytes, whatever store holds the keys: the province's
    register (``verify_bundle``) or the national hub's PostgreSQL key registry (``hub``).

    ``unlock()`` returns the recipient's X25519 private key; it is called only once the header
    names this recipient, so a bundle for another province never costs the scrypt stretch.
    """
    progress = ensure(progress)
    header, aad, ciphertext = crypto.read_header(data)
    if header.get("format_version") == 2:
        del ciphertext
        source = io.BytesIO(data)
        crypto.read_header_from(source)
        return _verify_v2(source, len(data), header, aad, Path(path), own_fingerprint=own_fingerprint,
                          unlock=unlock, find_peer=find_peer, progress=progress)
    sha = hashlib.sha256(data).hexdigest()
    check_header(header, own_fingerprint)
    progress.report(0, 3, "Đang giải mã")
    plaintext = crypto.open_sealed(header, aad, ciphertext, unlock())
    del ciphertext
    reader = ArchiveReader(plaintext)
    return _verify_archive(reader, header, sha, len(data), Path(path), own_fingerprint=own_fingerprint,
                           find_peer=find_peer, progress=progress)


def _verify_v2(source, size: int, header: dict, aad: bytes, path: Path, *, own_fingerprint: str,
               unlock: Callable[[], object], find_peer: Callable[[str], sync_repo.PeerKey | None],
               progress: Progress, hash_files: bool = True) -> VerifiedBundle:
    check_header(header, own_fingerprint)
    progress.report(0, 3, "Đang giải mã")
    opener = crypto.StreamOpener(source, size, header, aad, unlock())
    sha = opener.authenticate_all(on_chunk=lambda i, n: progress.check() if i % 64 == 0 else None)
    reader = ArchiveReader(opener, with_files=True)
    bundle = _verify_archive(reader, header, sha, size, path, own_fingerprint=own_fingerprint,
                             find_peer=find_peer, progress=progress, hash_files=hash_files)
    bundle.archive, bundle.source = reader, source
    return bundle


def _verify_archive(reader: ArchiveReader, header: dict, sha: str, size: int, path: Path, *,
                    own_fingerprint: str, find_peer: Callable[[str], sync_repo.PeerKey | None],
                    progress: Progress, hash_files: bool = True) -> VerifiedBundle:
    limit = MAX_MANIFEST_V2 if header.get("format_version") == 2 else MAX_MANIFEST  # v2 lists every file
    manifest_bytes = reader.read(MANIFEST, limit)
    signature = reader.read(SIGNATURE, 64)
    try:
        raw = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _refuse("bản kê không đọc được") from exc
    if crypto.canonical_json(raw) != manifest_bytes:
        # Two readers must never see two manifests in one file (duplicate keys, escapes, spaces).
        raise _refuse("bản kê không ở dạng JSON chuẩn: khóa sắp xếp, không khoảng trắng, không lặp khóa")
    manifest = manifest_mod.parse(raw)
    if manifest.format_version != header.get("format_version"):
        raise _refuse("phiên bản định dạng trong bản kê khác phần đầu tệp")

    peer = find_peer(manifest.key_fingerprint)
    if peer is None or peer.role != "commune":
        raise UserError("unknown_key",
                        f"Gói được ký bằng khóa {manifest.key_fingerprint} chưa được đăng ký ở tỉnh "
                        f"(đơn vị ghi trong gói: {manifest.unit_code}). Hãy đăng ký khóa của xã trước.")
    if peer.revoked_at:
        raise UserError("key_revoked",
                        f"Khóa {peer.fingerprint} của {peer.unit_name or peer.unit_code} đã bị thu hồi ngày "
                        f"{peer.revoked_at[:10]}; gói ký bằng khóa này bị từ chối.")
    if not crypto.verify(peer.signing_key, signature, manifest_bytes):
        raise UserError("bad_signature",
                        f"Chữ ký của gói không khớp với khóa đã đăng ký của {peer.unit_name or peer.unit_code}: "
                        "gói đã bị sửa hoặc được ký bằng khóa khác. Gói bị từ chối.")
    if manifest.unit_code != peer.unit_code:
        raise UserError("wrong_unit", f"Gói ghi đơn vị {manifest.unit_code} nhưng khóa ký được đăng ký cho "
                        f"{peer.unit_code}. Gói bị từ chối.")
    if manifest.recipient != own_fingerprint:
        raise UserError("other_province", "Bản kê của gói ghi khóa nhận của một tỉnh khác. Gói bị từ chối.")
    expected = {p.name for p in manifest.parts}
    if reader.part_names() != expected:
        raise _refuse("các thành phần trong gói không khớp bản kê")
    progress.report(1, 3, "Đang kiểm tra mã băm")
    payload: dict[str, bytes] = {}
    for part in manifest.parts:
        progress.check()
        content = reader.read(part.name, min(part.size, MAX_PART))
        if hashlib.sha256(content).hexdigest() != part.sha256:
            raise _refuse(f"mã băm của {part.name} không khớp bản kê — dữ liệu đã bị thay đổi hoặc tráo")
        payload[part.name] = content
    if reader.file_names() != {f.name for f in manifest.files}:
        raise _refuse("các tệp trong gói không khớp bản kê")
    bundle = VerifiedBundle(path, manifest, sha, size, peer, payload, archive=reader, files_hashed=hash_files)
    for file in manifest.files if hash_files else ():  # else hashed as the import stores each
        progress.check()
        for _ in bundle.stream_file(file):
            pass
    progress.report(2, 3, "Đã kiểm tra chữ ký và mã băm")
    log.info("verified bundle %s #%d (%s)", manifest.unit_code, manifest.sequence, sha[:12])
    return bundle


def inspect_bundle(db: Database, path: Path, *, passphrase: str | None = None) -> dict:
    """What a bundle file is, without importing it.

    At the province: decrypted and fully verified. At a commune (which cannot decrypt what it
    sent): the stored manifest of the bundle with the same file hash, if this register made it.
    """
    path = Path(path)
    fh, size = open_bundle_file(path)
    with fh:
        header, _ = crypto.read_header_from(fh)
    sha = file_sha256(path)
    out = {"file": path.name, "size": size, "bundle_sha256": sha, "recipient": header.get("recipient"),
           "format_version": header.get("format_version"), "verified": False, "manifest": None}
    if keys.register_mode(db) == "province":
        bundle = verify_bundle(db, path, passphrase=passphrase)
        bundle.close()
        out.update(verified=True, manifest=bundle.manifest.raw,
                   signer={"unit_code": bundle.peer.unit_code, "unit_name": bundle.peer.unit_name,
                           "fingerprint": bundle.peer.fingerprint})
        imported = sync_repo.inbox_by_sha(db, sha)
        out["imported_at"] = imported["imported_at"] if imported else None
    else:
        row = sync_repo.outbox_by_sha(db, sha)
        if row is not None:
            out.update(manifest=json.loads(row["manifest"]), acknowledged_at=row["acknowledged_at"],
                       sent_by_this_register=True)
        else:
            out["sent_by_this_register"] = False
    return out
