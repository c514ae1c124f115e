"""Helpers that take bundles apart and put them back together, as an attacker or a buggy
commune could: anyone holding the province's public key can encrypt, so every check after
decryption must stand on its own."""

from __future__ import annotations

import hashlib
import io
import json
import uuid as uuidlib
import zipfile

from desktop.storage import ledger
from desktop.storage.db import Database
from desktop.sync import chain, crypto, keys, manifest
from desktop.sync.container import ZIP_ERRORS, ArchiveWriter


def unseal(province: Database, data: bytes) -> bytes:
    """The archive inside an envelope of either version."""
    header, aad, ct = crypto.read_header(data)
    private = keys.private_key(province, "encryption", None)
    if header.get("format_version") == 2:
        source = io.BytesIO(data)
        crypto.read_header_from(source)
        return crypto.StreamOpener(source, len(data), header, aad, private).read()
    return crypto.open_sealed(header, aad, ct, private)


def archive_version(plaintext: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(plaintext)) as zf:
            return int(json.loads(zf.read("manifest.json")).get("format_version", 1))
    except (*ZIP_ERRORS, AttributeError):   # whatever a damaged archive raises in the reader the app uses
        return manifest.FORMAT_VERSION


def reseal(province: Database, plaintext: bytes, version: int | None = None, chunk_size: int | None = None) -> bytes:
    """Encrypt an archive to the province, in the envelope its manifest's version names
    (or ``version``): what anyone holding the province's public key can do."""
    public = keys.own_key(province, "encryption").public_key
    version = archive_version(plaintext) if version is None else version
    if version >= 2:
        return crypto.seal_stream(plaintext, public, chunk_size or crypto.CHUNK_SIZE)
    return crypto.seal(plaintext, public, version)


def members(plaintext: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(plaintext)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(items: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    return buf.getvalue()


def signed_bundle(commune: Database, province: Database, parts: dict[str, list[str]], *,
                  sequence: int = 1, signer=None, fingerprint: str | None = None,
                  format_version: int = manifest.FORMAT_VERSION, extra: dict[str, bytes] | None = None,
                  head: dict | None = None, files: dict[str, bytes] | None = None,
                  envelope: int | None = None) -> bytes:
    """A bundle with arbitrary JSON lines, signed by the commune's key (or ``signer``).

    Like a real export it carries the commune's record ledger (unless ``parts`` has its own) and a
    head signed by the same key (or ``head``, given as is)."""
    signer = signer or keys.private_key(commune, "signing", None)
    if "ledger" not in parts:
        parts = {**parts, "ledger": ledger_lines(commune)}
    writer = ArchiveWriter()
    for table, lines in parts.items():
        writer.add_part(table, lines)
    for sha, data in (files or {}).items():  # carried files (format 2), listed under the given hash
        if hashlib.sha256(data).hexdigest() == sha:
            writer.add_file(sha, len(data), [data])
        else:  # a forged file: listed under a hash that is not its own
            writer.zip.writestr(f"files/{sha}", data, compress_type=zipfile.ZIP_STORED)
            writer.files.append({"name": f"files/{sha}", "sha256": sha, "size": len(data)})
    code, name = keys.local_unit(commune)
    body = manifest.build(
        bundle_id=uuidlib.uuid4().hex, unit_code=code, unit_name=name,
        key_fingerprint=fingerprint or keys.own_key(commune, "signing").fingerprint,
        recipient=keys.own_key(province, "encryption").fingerprint, sequence=sequence, previous_sha256=None,
        kind="incremental", period_from=None, period_to="2026-03-02T10:00:00", period_label="",
        created_at="2026-03-02T10:00:00", app_version="test", parts=[p.as_dict() for p in writer.parts],
        files=writer.files, format_version=min(format_version, 2))
    body["format_version"] = format_version
    body["chain"] = head if head is not None else signed_head(commune, signer)
    raw = crypto.canonical_json(body)
    for name_, data in (extra or {}).items():
        writer.zip.writestr(name_, data)
    return reseal(province, writer.finish(raw, crypto.sign(signer, raw)),
                  envelope if envelope is not None else min(format_version, 2))


def ledger_lines(db: Database) -> list[str]:
    """The register's whole ledger as bundle lines (canonical JSON)."""
    cols = [r[1] for r in db.query("PRAGMA table_info(ledger)") if r[1] != "id"]
    return [ledger.canonical(dict(zip(cols, row))) for row in
            db.query(f"SELECT {', '.join(cols)} FROM ledger WHERE unit_code = ? ORDER BY seq",
                     (db.get_setting("local_unit_code"),))]


def signed_head(db: Database, signer, seq: int | None = None, hash_: str | None = None) -> dict:
    """A chain head of the register's ledger (its end, or ``seq``/``hash_``), signed by ``signer``."""
    unit = db.get_setting("local_unit_code")
    end = ledger.head(db.conn, unit)
    body = chain.head_body(unit, end[0] if seq is None else seq, end[1] if hash_ is None else hash_,
                           "2026-03-02T10:00:00")
    return {**body, "signature": crypto.b64(crypto.sign(signer, crypto.canonical_json(body)))}
