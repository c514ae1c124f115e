"""Signed chain heads, and the import's checks of a commune's chain (issue #17, items 5 and 6).

A **head** commits to a unit's whole record ledger (``desktop/storage/ledger.py``): its last
entry's ``seq`` and ``hash``, signed with the register's Ed25519 signing key::

    head      = {"format": "giaitrinh-chain-head", "unit_code": …, "seq": n, "hash": "…", "signed_at": "…"}
    signature = Ed25519(canonical JSON of head)

The commune signs one at every export (it travels in the signed manifest, ``chain``) and at every
checkpoint (``giaitrinh verify --checkpoint``); the province keeps the one of each bundle it
imports. A history rewritten later, even with the app's own code, no longer holds the entry the
head names: ``verify`` says so, and so does the province at the next import, since the new chain
does not continue the one it holds.

At import, a commune is trusted only with its own records (``check_bundle``): every ledger entry
and every record is the issuing unit's; the entries continue the chain the province holds
(identical where they overlap); each record matches its latest entry; each reference (a case of
an event, a person of a link …) points to a record of the same unit; lines are canonical JSON.
Any failure refuses the whole bundle, with the first findings named in Vietnamese.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

from desktop.errors import UserError
from desktop.storage import ledger
from desktop.storage import sync_repo
from desktop.storage.db import Database
from desktop.sync import crypto, keys

log = logging.getLogger(__name__)

HEAD_FORMAT = "giaitrinh-chain-head"
SHOWN = 10  # findings named in a refusal

# References between records: (table, column) → referenced table. Each must stay within one unit.
REFERENCES = {
    ("events", "case_uuid"): "cases",
    ("case_people", "case_uuid"): "cases",
    ("case_people", "person_uuid"): "persons",
    ("reception_people", "reception_uuid"): "receptions",
    ("reception_people", "person_uuid"): "persons",
    ("receptions", "person_uuid"): "persons",
    ("receptions", "case_uuid"): "cases",
    ("receptions", "host_uuid"): "officers",
    ("cases", "assignee_uuid"): "officers",
    ("cases", "reception_uuid"): "receptions",
    ("commitments", "case_uuid"): "cases",
    ("documents", "case_uuid"): "cases",
    ("documents", "signer_uuid"): "officers",
}


def head_body(unit_code: str, seq: int, hash_: str, signed_at: str) -> dict:
    return {"format": HEAD_FORMAT, "unit_code": unit_code, "seq": seq, "hash": hash_, "signed_at": signed_at}


def sign_head(db: Database, signer, *, source: str) -> dict:
    """Sign the register's own chain head, keep it in ``ledger_heads``, return it with its signature."""
    unit_code = keys.local_unit(db)[0]
    seq, hash_ = ledger.head(db.conn, unit_code)
    body = head_body(unit_code, seq, hash_, keys.now_iso())
    signature = crypto.b64(crypto.sign(signer, crypto.canonical_json(body)))
    fp = keys.own_key(db, "signing").fingerprint
    with db.write():
        save_head(db, body, fp, signature, source)
    return {**body, "key_fingerprint": fp, "signature": signature}


def save_head(db: Database, body: dict, fingerprint: str, signature: str, source: str) -> None:
    db.execute("INSERT INTO ledger_heads(unit_code, seq, hash, signed_at, key_fingerprint, signature, source, "
               "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (body["unit_code"], body["seq"], body["hash"], body["signed_at"], fingerprint, signature, source,
                keys.now_iso()))


def checkpoint(db: Database, passphrase: str | None = None, signer=None) -> dict:
    """Sign and keep the current head (``giaitrinh verify --checkpoint``)."""
    keys.ensure_keys(db, passphrase)
    signer = signer or keys.private_key(db, "signing", passphrase)
    return sign_head(db, signer, source="checkpoint")


def _public_key(db: Database, unit_code: str, fingerprint: str) -> bytes | None:
    own = sync_repo.get_own_key(db, "signing")
    if own is not None and own.fingerprint == fingerprint:
        return own.public_key
    peer = sync_repo.get_peer_key(db, fingerprint)
    if peer is not None and peer.unit_code == unit_code:
        return peer.signing_key
    return None


def verify_heads(db: Database) -> list[str]:
    """Each kept head: its signature is good and the chain still holds the entry it names."""
    problems: list[str] = []
    if not db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_heads'"):
        return problems
    for row in db.query("SELECT * FROM ledger_heads ORDER BY unit_code, seq, id"):
        body = head_body(row["unit_code"], row["seq"], row["hash"], row["signed_at"])
        when = row["signed_at"][:16].replace("T", " ")
        public = _public_key(db, row["unit_code"], row["key_fingerprint"])
        try:
            signature = crypto.unb64(row["signature"], 64)
        except ValueError:
            signature = b""
        if public is None or not crypto.verify(public, signature, crypto.canonical_json(body)):
            problems.append(f"Đầu chuỗi đã ký lúc {when} của đơn vị {row['unit_code']} (mục số {row['seq']}) có chữ "
                            "ký không hợp lệ: đã bị sửa ngoài ứng dụng.")
            continue
        if row["seq"] == 0:
            continue
        entry = db.one("SELECT hash FROM ledger WHERE unit_code = ? AND seq = ?", (row["unit_code"], row["seq"]))
        if entry is None:
            have = ledger.head(db.conn, row["unit_code"])[0]  # looked up only here: a scan of 7M entries at 1M
            problems.append(f"Nhật ký toàn vẹn của đơn vị {row['unit_code']} chỉ còn {have} mục, ít hơn {row['seq']} "
                            f"mục đã ký lúc {when}: các thay đổi mới nhất đã bị xóa ngoài ứng dụng.")
        elif entry[0] != row["hash"]:
            problems.append(f"Nhật ký toàn vẹn của đơn vị {row['unit_code']} đã bị viết lại: mục số {row['seq']} khác "
                            f"với đầu chuỗi đã ký lúc {when}.")
    return problems


# -- import ---------------------------------------------------------------------------------------

def _refuse(code: str, what: str, findings: list[str]) -> UserError:
    shown = "; ".join(findings[:SHOWN]) + (f"; và {len(findings) - SHOWN} vấn đề khác" if len(findings) > SHOWN else "")
    return UserError(code, f"{what} Gói bị từ chối, sổ không thay đổi. Chi tiết: {shown}.", findings=findings[:50])


@dataclass
class ChainCheck:
    """What the import learnt from a bundle's chain: the new head and the deletions to apply."""
    head: dict | None = None
    new_entries: int = 0
    deleted: list[tuple[str, str]] = field(default_factory=list)   # (table, uuid) whose last entry deletes them


def parse_head(raw: object, unit_code: str) -> dict:
    if not isinstance(raw, dict):
        raise UserError("chain_missing", "Gói không có đầu chuỗi toàn vẹn đã ký (do phần mềm cũ xuất?). Hãy cập "
                        "nhật phần mềm ở xã rồi xuất lại gói. Gói bị từ chối, sổ không thay đổi.")
    body = {k: raw.get(k) for k in ("format", "unit_code", "seq", "hash", "signed_at")}
    ok = (body["format"] == HEAD_FORMAT and body["unit_code"] == unit_code and type(body["seq"]) is int
          and body["seq"] >= 0 and isinstance(body["hash"], str) and len(body["hash"]) == 64
          and isinstance(body["signed_at"], str) and isinstance(raw.get("signature"), str))
    if not ok:
        raise UserError("chain_bad_head", "Đầu chuỗi toàn vẹn trong bản kê của gói không hợp lệ. Gói bị từ chối, "
                        "sổ không thay đổi.")
    return {**body, "signature": raw["signature"]}


def check_bundle(db: Database, bundle) -> ChainCheck:
    """Refuse (``UserError``) a bundle whose chain or records the province cannot trust."""
    m = bundle.manifest
    unit = m.unit_code
    head = parse_head(m.raw.get("chain"), unit)
    try:
        signature = crypto.unb64(head["signature"], 64)
    except ValueError:
        signature = b""
    body = head_body(unit, head["seq"], head["hash"], head["signed_at"])
    if not crypto.verify(bundle.peer.signing_key, signature, crypto.canonical_json(body)):
        raise UserError("chain_bad_head", "Chữ ký đầu chuỗi toàn vẹn của gói không khớp khóa đã đăng ký của xã. "
                        "Gói bị từ chối, sổ không thay đổi.")
    columns = ledger.covered_columns(db.conn)
    sent = m.raw.get("ledger_columns")
    if sent is not None and sent != {t: list(c) for t, c in columns.items() if t in sent}:
        raise UserError("chain_columns", "Xã dùng phiên bản phần mềm khác tỉnh (danh sách cột được bảo vệ khác "
                        "nhau). Hãy cập nhật phần mềm cho cùng phiên bản rồi xuất lại gói. Gói bị từ chối.")
    parts = {p.table: p for p in m.parts}
    findings: list[str] = []

    # 1. The ledger entries: canonical, the unit's own, chained, continuing what the province holds.
    entries: list[dict] = []
    plain = True   # no text of an entry holds a character JSON escapes
    if "ledger" in parts:
        records, lines = _aligned(bundle.records(parts["ledger"]), bundle.lines(parts["ledger"]))
        if not all(map(isinstance, records, repeat(dict))) or not ledger.canonical_matches(records, lines):
            raise _refuse("bundle_not_canonical", "Nhật ký toàn vẹn trong gói không ở dạng JSON chuẩn.",
                          ["dòng không ở dạng JSON chuẩn (khóa sắp xếp, không khoảng trắng, không mã thoát)"])
        entries = list(records)
        plain = not any("\\" in line for line in lines)   # canonical JSON escapes only with a backslash
    for e in ([] if _entries_shaped(entries, unit, columns) else entries):  # the loop names the first bad one
        if e.keys() != _ENTRY_KEYS or e["unit_code"] != unit:
            raise _refuse("chain_foreign", "Gói có mục nhật ký toàn vẹn không phải của xã gửi gói.",
                          [f"mục {str(e.get('seq'))[:12]} thuộc đơn vị {str(e.get('unit_code'))[:20]}"])
        record_uuid, digest = e["record_uuid"], e["digest"]
        shaped = (type(e["seq"]) is int and e["seq"] >= 1 and type(e["version"]) is int and e["tbl"] in columns
                  and type(e["uuid"]) is str and type(record_uuid) is str and type(digest) is str
                  and type(e["prev_hash"]) is str and type(e["hash"]) is str
                  and 0 < len(record_uuid) <= 64 and len(digest) in (0, 64))
        if not shaped:  # a name from a file never reaches SQL unless it is a covered table
            raise _refuse("chain_bad_entry", "Gói có mục nhật ký toàn vẹn sai định dạng.",
                          [f"mục {str(e.get('seq'))[:12]} ({str(e.get('tbl'))[:30]})"])
    entries.sort(key=lambda e: e["seq"])
    stored_seq, stored_hash = ledger.head(db.conn, unit)
    # Only an entry up to the stored head can be one the province holds already.
    held = [e["seq"] for e in entries if e["seq"] <= stored_seq]
    stored: dict[int, str] = {}
    for start in range(0, len(held), 900):
        chunk = held[start:start + 900]
        stored.update({s: h for s, h in db.query(
            "SELECT seq, hash FROM ledger WHERE unit_code = ? AND seq IN (%s)" % ",".join("?" * len(chunk)),
            [unit, *chunk])})
    prev_seq, prev_hash = None, None
    new = []
    for e, h in zip(entries, _link_hashes(entries, plain)):
        if h != e["hash"]:
            findings.append(f"mục số {e['seq']} của nhật ký toàn vẹn có mã băm sai")
            continue
        if prev_seq is not None and (e["seq"] != prev_seq + 1 or e["prev_hash"] != prev_hash):
            findings.append(f"mục số {e['seq']} không nối tiếp mục {prev_seq}")
        prev_seq, prev_hash = e["seq"], e["hash"]
        if e["seq"] in stored:
            if stored[e["seq"]] != e["hash"]:
                findings.append(f"mục số {e['seq']} khác với mục tỉnh đã nhận trước đây (lịch sử đã bị viết lại)")
        else:
            new.append(e)
    if findings:
        raise _refuse("chain_rewritten", f"Chuỗi toàn vẹn của {m.unit_name or unit} không khớp với chuỗi tỉnh "
                      "đang giữ: lịch sử của sổ xã đã bị viết lại, hoặc xã đã khôi phục sổ từ một bản sao lưu cũ hơn "
                      "gói đã gửi (khi đó hãy liên hệ tỉnh để đối chiếu).", findings)
    if new:
        first = new[0]
        expect_prev = stored_hash if first["seq"] == stored_seq + 1 else None
        if first["seq"] != stored_seq + 1 or first["prev_hash"] != expect_prev:
            raise _refuse("chain_rewritten", f"Chuỗi toàn vẹn của {m.unit_name or unit} không nối tiếp chuỗi tỉnh "
                          "đang giữ.", [f"tỉnh giữ đến mục số {stored_seq}, gói bắt đầu mục mới từ số {first['seq']}"])
    if new:
        named = (new[-1]["seq"], new[-1]["hash"])
    elif head["seq"] == 0:
        named = (0, ledger.GENESIS)
    else:  # a late bundle: its head is an entry the province already holds
        row = db.one("SELECT hash FROM ledger WHERE unit_code = ? AND seq = ?", (unit, head["seq"]))
        named = (head["seq"], row[0] if row else None)
    if (head["seq"], head["hash"]) != named:
        raise _refuse("chain_rewritten", "Đầu chuỗi đã ký trong gói không khớp nhật ký toàn vẹn.",
                      [f"đầu chuỗi ghi mục số {head['seq']}, nhật ký tỉnh giữ và trong gói kết thúc ở mục số "
                       f"{new[-1]['seq'] if new else stored_seq}"])

    # 2. The digests each record named in the bundle ever had in the unit's chain.
    known: dict[tuple[str, str], set[str]] = {}
    for e in entries:
        known.setdefault((e["tbl"], e["record_uuid"]), set()).add(e["digest"])
    out = ChainCheck(head=head, new_entries=len(new))
    out.deleted = sorted({(e["tbl"], e["record_uuid"]) for e in new if e["digest"] == ""})

    # 3. Every record: canonical, the unit's own, matching its latest entry.
    incoming: dict[str, dict[str, dict]] = {}
    for table, part in parts.items():
        if table == "ledger":
            continue
        cols = columns.get(table)
        rows = incoming.setdefault(table, {})
        lines_of: dict[str, str] = {}
        recs, lines = _aligned(bundle.records(part), bundle.lines(part))
        if not all(map(isinstance, recs, repeat(dict))):  # the merge rejects what is not an object
            kept = [i for i, record in enumerate(recs) if isinstance(record, dict)]
            recs, lines = [recs[i] for i in kept], [lines[i] for i in kept]
        if not ledger.canonical_matches(recs, lines):
            raise _refuse("bundle_not_canonical", "Gói có bản ghi không ở dạng JSON chuẩn.",
                          [f"{table}: dòng không ở dạng JSON chuẩn (khóa sắp xếp, không khoảng trắng, "
                           "không mã thoát chữ có dấu)"])
        uuids = list(map(dict.get, recs, repeat("uuid")))
        if _STR.issuperset(map(type, uuids)) and max(map(len, uuids), default=0) <= 64 and _only(
                map(dict.get, recs, repeat("unit_code")), unit):   # the usual part: every record the unit's own
            rows.update(zip(uuids, recs))
            lines_of.update(zip(uuids, lines))
            recs = ()
        for record, line in zip(recs, lines):
            uuid = str(record.get("uuid"))[:64]
            if record.get("unit_code") != unit:
                findings.append(f"{table} {uuid[:8]} thuộc đơn vị {str(record.get('unit_code'))[:20]}")
                continue
            rows[uuid] = record
            lines_of[uuid] = line
        if cols is None:
            continue  # a table the province lacks: the merge rejects its records
        actual: dict[str, str | None] = {}
        whole = frozenset(cols)
        covered: dict[str, dict] = {}     # records holding more than the covered columns: those columns
        for uuid, record in rows.items():
            if record.keys() == whole and uuid in lines_of:  # the canonical line is the digest's input
                actual[uuid] = ledger.sha256_hex(lines_of[uuid])
                continue
            actual[uuid] = None
            try:
                covered[uuid] = {c: record[c] for c in cols}
            except KeyError:
                pass
        actual.update(zip(covered, ledger.digest_each(list(covered.values()))))
        unmatched = [u for u, d in actual.items() if d is None or d not in known.get((table, u), ())]
        stored_digests = _stored_digests(db, unit, table, unmatched)
        for uuid in unmatched:
            have = stored_digests.get(uuid)
            if not have and (table, uuid) not in known:
                findings.append(f"{table} {uuid[:8]} không có trong nhật ký toàn vẹn của xã")
            elif actual[uuid] is None:
                findings.append(f"{table} {uuid[:8]} thiếu cột được bảo vệ")
            elif actual[uuid] not in (have or ()):
                findings.append(f"{table} {uuid[:8]} không khớp nhật ký toàn vẹn (đã bị sửa ngoài ứng dụng)")
    if findings:
        raise _refuse("chain_records", f"Gói của {m.unit_name or unit} có bản ghi không thuộc xã hoặc không khớp "
                      "chuỗi toàn vẹn.", findings)

    # 4. Entries of the unit's chain name only the unit's records; references stay within the unit.
    findings += _foreign_entries(db, unit, new)
    findings += _foreign_references(db, unit, incoming)
    if findings:
        raise _refuse("chain_cross_unit", f"Gói của {m.unit_name or unit} có sự kiện, liên kết hoặc thay đổi trên "
                      "bản ghi của đơn vị khác.", findings)
    return out


_ENTRY_KEYS = frozenset(("uuid", "unit_code", "seq", "tbl", "record_uuid", "version", "digest", "prev_hash", "hash"))


_ENTRY_VALUES = itemgetter("unit_code", "seq", "version", "tbl", "uuid", "record_uuid", "digest", "prev_hash", "hash")
_INT, _STR = frozenset({int}), frozenset({str})


def _entries_shaped(entries: list[dict], unit: str, columns: dict) -> bool:
    """True when every entry passes the checks of ``check_bundle``'s loop over the entries (the
    same tests, made a column at a time); False sends that loop to find and name the first that
    does not."""
    if not entries:
        return True
    try:
        if not _NINE.issuperset(map(len, entries)):
            return False
        units, seqs, versions, tbls, *texts = zip(*map(_ENTRY_VALUES, entries))  # KeyError: a key missing
        record_uuids, digests = texts[1], texts[2]
        return (_only(units, unit) and _INT.issuperset(map(type, seqs)) and min(seqs) >= 1
                and _INT.issuperset(map(type, versions)) and columns.keys() >= set(tbls)
                and all(_STR.issuperset(map(type, t)) for t in texts)
                and min(map(len, record_uuids)) > 0 and max(map(len, record_uuids)) <= 64
                and _DIGEST_LENGTHS.issuperset(map(len, digests)))
    except (KeyError, TypeError):
        return False


_NINE, _DIGEST_LENGTHS = frozenset({len(_ENTRY_KEYS)}), frozenset({0, 64})


def _only(values, unit: str) -> bool:
    """Every value is ``unit`` (and there is one)."""
    try:
        return set(values) == {unit}
    except TypeError:   # an unhashable value: not the unit
        return False


def _link_hashes(entries: list[dict], plain: bool) -> list[str]:
    """``ledger.link_hash`` of each entry (its values text and whole numbers: checked). ``plain``:
    no text holds a character canonical JSON escapes, so each is written between quotes as it is,
    which is what ``canonical`` writes for it (the same bytes, without the encoder's walk)."""
    if not plain:
        return [ledger.link_hash(e["unit_code"], e["seq"], e["tbl"], e["record_uuid"], e["version"], e["digest"],
                                 e["prev_hash"]) for e in entries]
    sha256 = hashlib.sha256
    return [sha256(f'["{e["unit_code"]}",{e["seq"]},"{e["tbl"]}","{e["record_uuid"]}",{e["version"]},'
                   f'"{e["digest"]}","{e["prev_hash"]}"]'.encode("utf-8")).hexdigest() for e in entries]


def _aligned(records: list, lines: list[str]) -> tuple[list, list[str]]:
    """A part's records and lines, pair by pair (as ``zip`` pairs them)."""
    n = min(len(records), len(lines))
    return (records, lines) if len(records) == len(lines) else (records[:n], lines[:n])


def _stored_digests(db: Database, unit: str, table: str, uuids: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for start in range(0, len(uuids), 900):
        chunk = uuids[start:start + 900]
        for ruuid, digest in db.query(
                "SELECT record_uuid, digest FROM ledger WHERE unit_code = ? AND tbl = ? AND record_uuid IN "
                f"({','.join('?' * len(chunk))})", [unit, table, *chunk]):
            out.setdefault(ruuid, set()).add(digest)
    return out


def _owners(db: Database, table: str, uuids: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    items = sorted(uuids)
    for start in range(0, len(items), 900):
        chunk = items[start:start + 900]
        for uuid, owner in db.query(f'SELECT uuid, unit_code FROM "{table}" WHERE uuid IN '
                                    f"({','.join('?' * len(chunk))})", chunk):
            out[uuid] = owner
    return out


def _foreign_entries(db: Database, unit: str, entries: list[dict]) -> list[str]:
    wanted: dict[str, set[str]] = {}
    for e in entries:
        wanted.setdefault(e["tbl"], set()).add(e["record_uuid"])
    found = []
    for table, uuids in wanted.items():
        if not db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)):
            continue
        for uuid, owner in _owners(db, table, uuids).items():
            if owner != unit:
                found.append(f"nhật ký của xã ghi thay đổi trên {table} {uuid[:8]} của đơn vị {owner}")
    return found


def _foreign_references(db: Database, unit: str, incoming: dict[str, dict[str, dict]]) -> list[str]:
    found = []
    for (table, column), target in REFERENCES.items():
        rows = incoming.get(table)
        if not rows:
            continue
        refs = {r[column] for r in rows.values() if isinstance(r.get(column), str) and r[column]}
        if not refs:
            continue
        in_bundle = incoming.get(target, {})
        outside = {u for u in refs if u not in in_bundle}
        owners = {u: in_bundle[u].get("unit_code") for u in refs if u in in_bundle}
        owners.update(_owners(db, target, outside) if outside else {})
        for uuid, record in rows.items():
            ref = record.get(column)
            if isinstance(ref, str) and ref and ref in owners and owners[ref] != unit:
                found.append(f"{table} {uuid[:8]} trỏ tới {target} {ref[:8]} của đơn vị {owners[ref]}")
    return found


def apply_deletions(db: Database, unit: str, deleted: list[tuple[str, str]]) -> int:
    """Remove at the province the records the commune deleted, whose last entry in the unit's
    chain is a deletion (inside the import's transaction, after the merge)."""
    names = {t.name for t in sync_repo.synced_tables(db)}
    count = 0
    for table, uuid in deleted:
        last = db.one("SELECT digest FROM ledger WHERE unit_code = ? AND tbl = ? AND record_uuid = ? "
                      "ORDER BY seq DESC LIMIT 1", (unit, table, uuid))
        if table in names and table != "ledger" and last is not None and last[0] == "":
            count += db.execute(f'DELETE FROM "{table}" WHERE uuid = ? AND unit_code = ?', (uuid, unit)).rowcount
    return count


def record_import(db: Database, bundle, check: ChainCheck) -> None:
    """Keep the bundle's signed head at the province (inside the import's transaction)."""
    if check.head is None:
        return
    body = {k: check.head[k] for k in ("unit_code", "seq", "hash", "signed_at")}
    save_head(db, body, bundle.peer.fingerprint, check.head["signature"], "import")


def manifest_fields(db: Database, signer) -> dict:
    """What an export adds to its manifest: the signed head and the covered columns."""
    head = sign_head(db, signer, source="export")
    return {"chain": head, "ledger_columns": {t: list(c) for t, c in ledger.covered_columns(db.conn).items()}}


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
