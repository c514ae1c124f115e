"""docs/bundle-format.md is enough to check a bundle and its chains (issue #17, item 11).

The verifier below (``Reader``) was written from the document alone: it uses Python's
``hashlib``, ``json``, ``zipfile``, ``struct``, ``base64`` and the ``cryptography`` package, and
nothing of this project. The fixtures make a real bundle with the program (a commune with cases
that went through several steps, a reception, a commitment, calendar days, an issued document),
and give the reader only what a province officer would have: the bundle file, the province's
stored private key with its passphrase, and the commune's public key file.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import zipfile

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

# ==== the independent reader: written from docs/bundle-format.md only ============================

MAGIC = b"GIAITRINH-BUNDLE\n"
ZEROS = "0" * 64


class Refused(Exception):
    pass


def canonical(value) -> bytes:  # §0
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unlock(stored: bytes, passphrase: str):  # §4
    line, _, pem = stored.partition(b"\n")
    prefix, n, salt = line.split(b" ")
    assert prefix == b"giaitrinh-scrypt"
    key = Scrypt(salt=base64.b64decode(salt), length=32, n=int(n), r=8, p=1).derive(passphrase.encode("utf-8"))
    return serialization.load_pem_private_key(pem, password=key.hex().encode("ascii"))


def fingerprint(raw: bytes, purpose: str) -> str:  # §4
    digest = hashlib.sha256(b"giaitrinh-key-v1\0" + purpose.encode() + b"\0" + raw).digest()
    text = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def read_key_file(data: dict) -> tuple[str, bytes]:  # §4: (unit_code, signing public key)
    body = {k: v for k, v in data.items() if k != "signature"}
    raw = base64.b64decode(data["signing_public_key"])
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(data["signature"]), canonical(body))
    assert data["fingerprint"] == fingerprint(raw, "signing")
    return data["unit_code"], raw


class Reader:
    def __init__(self, province_private, commune_unit: str, commune_key: bytes) -> None:
        self.private = province_private
        self.unit = commune_unit
        self.key = Ed25519PublicKey.from_public_bytes(commune_key)

    def open(self, data: bytes) -> tuple[dict, dict[str, list[dict]]]:
        # §1 envelope
        if not data.startswith(MAGIC):
            raise Refused("magic")
        (size,) = struct.unpack(">I", data[17:21])
        if size > 16384:
            raise Refused("header too long")
        header_bytes = data[21:21 + size]
        header = json.loads(header_bytes)
        version = header["format_version"]
        if (version, header["cipher"]) not in ((1, "X25519-HKDF-SHA256-ChaCha20Poly1305"),
                                               (2, "X25519-HKDF-SHA256-ChaCha20Poly1305-STREAM")):
            raise Refused("version")
        own_public = self.private.public_key().public_bytes(serialization.Encoding.Raw,
                                                            serialization.PublicFormat.Raw)
        if header["recipient"] != fingerprint(own_public, "encryption"):
            raise Refused("recipient")
        ephemeral = base64.b64decode(header["ephemeral_public_key"])
        shared = self.private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + own_public,
                   info=b"giaitrinh bundle v%d" % version).derive(shared)
        ad, body = data[:21 + size], data[21 + size:]
        if version == 1:  # §1.1
            if header["ciphertext_size"] != len(body):
                raise Refused("size")
            archive = ChaCha20Poly1305(key).decrypt(base64.b64decode(header["nonce"]), body, ad)
        else:  # §1.2
            s = header["chunk_size"]
            if not 4096 <= s <= 16777216:
                raise Refused("chunk size")
            chunks = [body[i:i + s + 16] for i in range(0, len(body), s + 16)]
            if not chunks or len(chunks[-1]) < 16:
                raise Refused("last chunk")
            prefix = base64.b64decode(header["nonce_prefix"])
            plain = []
            for i, chunk in enumerate(chunks):
                nonce = prefix + struct.pack(">I", i) + (b"\x01" if i == len(chunks) - 1 else b"\x00")
                plain.append(ChaCha20Poly1305(key).decrypt(nonce, chunk, ad))
            archive = b"".join(plain)
        # §2 archive, §3 manifest
        zf = zipfile.ZipFile(io.BytesIO(archive))
        names = [i.filename for i in zf.infolist()]
        if len(names) != len(set(names)):
            raise Refused("duplicate member")
        manifest_bytes = zf.read("manifest.json")
        manifest = json.loads(manifest_bytes)
        if canonical(manifest) != manifest_bytes:
            raise Refused("manifest not canonical")
        self.key.verify(zf.read("manifest.sig"), manifest_bytes)
        if manifest["format"] != "giaitrinh-bundle" or manifest["format_version"] != version:
            raise Refused("manifest version")
        if manifest["issuer"]["unit_code"] != self.unit or manifest["recipient"] != header["recipient"]:
            raise Refused("issuer or recipient")
        files = manifest["files"] if version == 2 else []
        if [f["name"] for f in files] != sorted(f["name"] for f in files):
            raise Refused("files not sorted")
        listed = {p["name"] for p in manifest["parts"]} | {f["name"] for f in files}
        if set(names) - {"manifest.json", "manifest.sig"} != listed:
            raise Refused("members")
        self.files: dict[str, bytes] = {}
        for f in files:  # §2, §3: each carried file by its SHA-256
            content = zf.read(f["name"])
            if set(f) != {"name", "sha256", "size"} or f["name"] != "files/" + f["sha256"] \
                    or len(content) != f["size"] or sha(content) != f["sha256"]:
                raise Refused(f"{f['name']} hash")
            self.files[f["sha256"]] = content
        records: dict[str, list[dict]] = {}
        for part in manifest["parts"]:
            content = zf.read(part["name"])
            if len(content) != part["size"] or sha(content) != part["sha256"]:
                raise Refused(f"{part['name']} hash")
            lines = content.decode("utf-8").split("\n")
            if lines[-1] != "" or len(lines) - 1 != part["count"]:
                raise Refused(f"{part['name']} count")
            records[part["table"]] = []
            for line in lines[:-1]:
                record = json.loads(line)
                if canonical(record).decode("utf-8") != line:
                    raise Refused(f"{part['name']} line not canonical")
                records[part["table"]].append(record)
        return manifest, records

    def check_chains(self, manifest: dict, records: dict[str, list[dict]]) -> dict:
        """§7 with nothing held from earlier bundles, and §8; returns what was checked."""
        fields = {"uuid", "unit_code", "seq", "tbl", "record_uuid", "version", "digest", "prev_hash", "hash"}
        entries = sorted(records["ledger"], key=lambda e: e["seq"])
        prev_seq, prev_hash = 0, ZEROS
        digests: dict[tuple[str, str], set[str]] = {}
        for e in entries:  # 1, 2, 3 (held: nothing)
            if set(e) != fields or e["unit_code"] != self.unit:
                raise Refused("ledger entry shape")
            link = [e["unit_code"], e["seq"], e["tbl"], e["record_uuid"], e["version"], e["digest"], e["prev_hash"]]
            if sha(canonical(link)) != e["hash"]:
                raise Refused(f"ledger entry {e['seq']} hash")
            if e["seq"] != prev_seq + 1 or e["prev_hash"] != prev_hash:
                raise Refused(f"ledger entry {e['seq']} does not follow")
            prev_seq, prev_hash = e["seq"], e["hash"]
            digests.setdefault((e["tbl"], e["record_uuid"]), set()).add(e["digest"])
        head = manifest["chain"]  # 4
        body = {k: head[k] for k in ("format", "unit_code", "seq", "hash", "signed_at")}
        self.key.verify(base64.b64decode(head["signature"]), canonical(body))
        if body["format"] != "giaitrinh-chain-head" or (body["seq"], body["hash"]) != (prev_seq, prev_hash):
            raise Refused("head")
        columns = manifest["ledger_columns"]
        checked = 0
        owners: dict[str, str] = {}
        for table, rows in records.items():  # 5
            if table == "ledger":
                continue
            for r in rows:
                if r["unit_code"] != self.unit:
                    raise Refused(f"{table} {r['uuid']} of another unit")
                owners[r["uuid"]] = r["unit_code"]
                values = {c: float(f"{r[c]:.15g}") if isinstance(r[c], float) else r[c] for c in columns[table]}
                if sha(canonical(values)) not in digests.get((table, r["uuid"]), ()):
                    raise Refused(f"{table} {r['uuid']} does not match the ledger")
                checked += 1
        references = [("events", "case_uuid"), ("case_people", "case_uuid"), ("commitments", "case_uuid"),
                      ("documents", "case_uuid"), ("receptions", "case_uuid"), ("case_people", "person_uuid"),
                      ("reception_people", "person_uuid"), ("receptions", "person_uuid"),
                      ("reception_people", "reception_uuid"), ("cases", "reception_uuid"),
                      ("cases", "assignee_uuid"), ("receptions", "host_uuid"), ("documents", "signer_uuid")]
        for table, column in references:  # 6 (what the bundle itself holds)
            for r in records.get(table, ()):
                ref = r.get(column)
                if ref and ref in owners and owners[ref] != self.unit:
                    raise Refused(f"{table}.{column} points to another unit")
        named = set()  # §3, version 2: every attachment and issued document has its file
        for table in ("attachments", "documents"):
            for r in records.get(table, ()):
                if r.get("sha256") and "pdf" not in r:
                    if r["sha256"] not in self.files:
                        raise Refused(f"{table} {r['uuid']} without its file")
                    named.add(r["sha256"])
        if set(self.files) - named:
            raise Refused("a file no record names")
        last: dict[str, str] = {}
        events = 0
        for e in records["events"]:  # §8
            values = [e[k] for k in ("uuid", "unit_code", "case_uuid", "seq", "action", "from_state", "to_state",
                                     "actor", "at", "effective_on", "note", "data", "prev_hash")]
            text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != e["hash"]:
                raise Refused(f"event {e['uuid']} hash")
            if e["prev_hash"] != last.get(e["unit_code"], ZEROS):
                raise Refused(f"event {e['uuid']} does not follow")
            last[e["unit_code"]] = e["hash"]
            events += 1
        return {"entries": len(entries), "records": checked, "events": events, "files": len(self.files)}


# ==== fixtures: a real bundle made by the program ==================================================


@pytest.fixture
def made(tmp_path, monkeypatch):
    import sqlite3
    from datetime import date

    from desktop.documents import outgoing
    from desktop.storage.calendar_repo import add_day
    from desktop.storage.units import save_officer
    from desktop.sync import export, keys
    from desktop.workflow.engine import act
    from desktop.workflow.receive import CaseInput, PersonInput, ReceptionInput, receive_case, record_reception
    from tests.desktop.sync.conftest import make_register

    passphrase = "cụm mật khẩu của tỉnh"
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", passphrase)
    province = make_register(tmp_path / "tinh.sqlite", code="01", name="UBND tỉnh", mode="province")
    commune = make_register(tmp_path / "xa.sqlite", code="11230", name="UBND xã Thụy Hùng", mode="commune")
    for a, b in ((province, commune), (commune, province)):
        keys.ensure_keys(a)
        keys.import_key_file(b, keys.parse_key_file(keys.key_file_content(a)))
    today = date(2026, 11, 23)
    head = save_officer(commune, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head", can_sign=True)
    add_day(commune, date(2026, 12, 31), "off", "Nghỉ bù")        # the administrator's calendar
    from desktop.security import accounts

    accounts.assume_role(commune, "leader", officer_uuid=head.uuid)   # the head receives, acts, signs
    case = receive_case(commune, CaseInput(kind="explanation", received_on=date(2026, 2, 20), summary="Giải trình",
                                           content="Dòng một\nDòng hai \"trích dẫn\" \\ và \t tab",
                                           requesters=[PersonInput("Trần Thị Đức", phone="0912345678",
                                                                   address="Thôn Đông, xã Thụy Hùng")]), today=today)
    act(commune, case.uuid, "accept", effective_on=date(2026, 2, 25), today=today)
    act(commune, case.uuid, "reply", effective_on=date(2026, 2, 28), today=today)
    act(commune, case.uuid, "add_commitment", effective_on=date(2026, 3, 1), note="Sửa đường",
        today=today)
    record_reception(commune, ReceptionInput(received_on=date(2026, 3, 2), person_uuid=PersonInput("Phạm Văn Bình"),
                                             content="Kiến nghị", outcome="accepted", case_kind="petition"), today=today)
    doc = outgoing.draft(commune, case.uuid, outgoing.offered(commune, case.uuid)[0].kind, signer_uuid=head.uuid)
    doc = outgoing.edit(commune, doc.uuid, fields={     # no number while a blank is left (issue #16)
        "meeting_result": "Không tổ chức làm việc trực tiếp.", "legal_grounds": "Nghị định 59/2019/NĐ-CP.",
        "explanation": "Hồ sơ cấp phép đúng quy định."})
    issued = outgoing.issue(commune, doc.uuid, issued_on=date(2026, 3, 3), today=today)
    from desktop.workflow import attach

    scan = tmp_path / "don-goc.pdf"
    scan.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 9000)   # 2.3 MB: three chunks
    attach.attach_file(commune, scan, case_uuid=case.uuid, today=today)
    usb = tmp_path / "usb"
    usb.mkdir()
    bundle = export.export_bundle(commune, usb).path.read_bytes()
    key_file = json.loads(json.dumps(keys.key_file_content(commune)))
    stored = sqlite3.connect(province.path).execute(
        "SELECT private_key_pem FROM sync_own_keys WHERE purpose = 'encryption'").fetchone()[0]
    yield {"bundle": bundle, "key_file": key_file, "stored": stored, "passphrase": passphrase,
           "commune": commune, "province": province, "scan": scan.read_bytes(),
           "pdf": bytes(commune.scalar("SELECT pdf FROM documents WHERE uuid = ?", (issued.uuid,)))}
    commune.close()
    province.close()


def test_an_independent_reader_checks_a_real_bundle_and_its_chains(made):
    unit, public = read_key_file(made["key_file"])
    reader = Reader(unlock(made["stored"], made["passphrase"]), unit, public)
    manifest, records = reader.open(made["bundle"])
    checked = reader.check_chains(manifest, records)
    assert checked["entries"] >= checked["records"] > 10 and checked["events"] >= 5
    assert {"persons", "receptions", "commitments", "calendar_days", "documents", "events", "attachments"} <= {
        t for t, rows in records.items() if rows}
    assert manifest["format_version"] == 2 and checked["files"] == 2
    assert set(reader.files.values()) == {made["scan"], made["pdf"]}


def test_the_independent_reader_catches_what_the_program_catches(made):
    """A record changed and the bundle re-signed with the commune's own key: the chain tells."""
    from desktop.sync import crypto, keys
    from tests.desktop.sync import sync_bundle_tools as bt

    province, commune = made["province"], made["commune"]
    items = bt.members(bt.unseal(province, made["bundle"]))
    name = "records/persons.jsonl"
    rows = [json.loads(line) for line in items[name].decode().splitlines()]
    rows[0]["phone"] = "0999999999"
    items[name] = b"".join(canonical(r) + b"\n" for r in rows)
    m = json.loads(items["manifest.json"])
    for part in m["parts"]:
        if part["name"] == name:
            part["size"], part["sha256"] = len(items[name]), sha(items[name])
    items["manifest.json"] = canonical(m)
    items["manifest.sig"] = crypto.sign(keys.private_key(commune, "signing", None), items["manifest.json"])
    forged = bt.reseal(province, bt.rezip(items))
    unit, public = read_key_file(made["key_file"])
    reader = Reader(unlock(made["stored"], made["passphrase"]), unit, public)
    manifest, records = reader.open(forged)
    with pytest.raises(Refused, match="does not match the ledger"):
        reader.check_chains(manifest, records)
