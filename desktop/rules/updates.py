"""Signed rule and calendar updates: issued by the province (or the maintainers), imported by communes.

A new decree is a data change (STYLE.md): the province writes the new rule sets (the format of
``resources/rules/procedures.json``) and the announced calendar days (the format of
``resources/calendar/official-days.json``) into an update file signed with its Ed25519 key, the
same key communes already trust for bundles (``desktop.sync.keys``). A commune imports the file:
the signature is checked against the province key registered in its register (or a maintainers'
key shipped with the app, ``resources/keys/maintainers.json``), every rule is parsed and checked
as the shipped ones are (no "cần kiểm tra" in a citation), and the file is kept whole in the
register (``rule_updates``, m0010). From then on, cases received in the new rules' period use
them; cases already in the register keep the rule set they were received under (their
``rules_id``), so an import never changes an open case's rules.

Format (JSON, UTF-8)::

    {"format": "giaitrinh-rules-update", "format_version": 1, "uuid": …, "title": …,
     "issued_at": …, "issuer": {"role", "unit_code", "unit_name", "fingerprint"},
     "rule_sets": [...], "reception_rules": [...], "calendar_days": [...],
     "signature": base64 Ed25519 over the canonical JSON of everything else}
"""

from __future__ import annotations

import json
import logging
import uuid as uuidlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from desktop.calendar.official import parse_days
from desktop.errors import UserError
from desktop.resources import resource_path
from desktop.rules import book
from desktop.storage import rule_updates_repo as repo
from desktop.storage import sync_repo
from desktop.storage import units as units_repo
from desktop.storage.db import Database
from desktop.sync import crypto, keys
from desktop.sync.files import write_atomically

log = logging.getLogger(__name__)

FORMAT = "giaitrinh-rules-update"
FORMAT_VERSION = 1
MAX_FILE = 4 * 1024 * 1024


def _bad(detail: str) -> UserError:
    return UserError("bad_rules_update", f"Tệp cập nhật quy tắc không hợp lệ: {detail}.")


@dataclass(frozen=True)
class Signer:
    fingerprint: str
    public_key: bytes
    who: str   # "tỉnh", "nhóm bảo trì" or "sổ này"


def trusted_signers(db: Database, maintainers: Path | None = None) -> dict[str, Signer]:
    """The keys an update may be signed with: the province's active key registered in this register,
    this register's own key at a province (it applies its own update), the maintainers' shipped keys.
    A commune never trusts its own key: rules reach it from the province or the maintainers only."""
    out: dict[str, Signer] = {}
    for k in sync_repo.list_peer_keys(db, "province"):
        if k.active:
            out[k.fingerprint] = Signer(k.fingerprint, k.signing_key, f"tỉnh ({k.unit_name or k.unit_code})")
    own = sync_repo.get_own_key(db, "signing")
    if own is not None and keys.register_mode(db) == "province":  # a commune never trusts itself
        out[own.fingerprint] = Signer(own.fingerprint, own.public_key, "sổ này")
    path = maintainers or resource_path("keys", "maintainers.json")
    try:
        listed = json.loads(Path(path).read_text(encoding="utf-8")).get("keys", [])
    except (OSError, ValueError):
        listed = []
    for item in listed:
        try:
            raw = crypto.unb64(item["signing_public_key"], 32)
        except (KeyError, ValueError):
            continue
        fp = crypto.fingerprint(raw, "signing")
        out[fp] = Signer(fp, raw, f"nhóm bảo trì ({item.get('name', '')})")
    return out


# -- issuing ---------------------------------------------------------------------------------------

def build_update(db: Database, *, title: str, rule_sets: list | None = None, reception_rules: list | None = None,
                 calendar_days: list | None = None, passphrase: str | None = None,
                 issued_at: str | None = None) -> dict:
    """A signed update of this register's unit (a province, or the maintainers' register)."""
    title = " ".join((title or "").split())
    if not title:
        raise UserError("update_no_title", "Hãy đặt tên cho bản cập nhật (ví dụ: “Nghị định 155/2026/NĐ-CP”).")
    rule_sets, reception_rules, calendar_days = rule_sets or [], reception_rules or [], calendar_days or []
    if not (rule_sets or reception_rules or calendar_days):
        raise UserError("update_empty", "Bản cập nhật không có quy tắc hay ngày nghỉ nào.")
    _validate(rule_sets, reception_rules, calendar_days)
    key = keys.ensure_keys(db, passphrase)[0]
    code, name = keys.local_unit(db)
    body = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "uuid": uuidlib.uuid4().hex, "title": title,
        "issued_at": issued_at or datetime.now().isoformat(timespec="seconds"),
        "issuer": {"role": keys.register_mode(db), "unit_code": code, "unit_name": name,
                   "fingerprint": key.fingerprint},
        "rule_sets": rule_sets, "reception_rules": reception_rules, "calendar_days": calendar_days,
    }
    signer = keys.private_key(db, "signing", passphrase)
    return {**body, "signature": crypto.b64(crypto.sign(signer, crypto.canonical_json(body)))}


def write_update(path: Path, content: dict) -> Path:
    return write_atomically(Path(path), json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8"))


def read_json_list(path: Path, key: str) -> list:
    """A list from a JSON file the issuer edits: ``{"<key>": [...]}`` or a bare list."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError("bad_input_file", f"Không đọc được tệp {Path(path).name}: {exc}") from exc
    if isinstance(data, dict):
        data = data.get(key, [])
    if not isinstance(data, list):
        raise UserError("bad_input_file", f"Tệp {Path(path).name} phải chứa danh sách “{key}”.")
    return data


def _validate(rule_sets: list, reception_rules: list, calendar_days: list) -> tuple:
    try:
        parsed, reception = book.parse_rule_sets(rule_sets, reception_rules)
        days = parse_days(calendar_days)
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad(f"quy tắc thiếu hoặc sai trường ({exc})") from exc
    return parsed, reception, days


# -- importing -------------------------------------------------------------------------------------

def read_update(path: Path) -> dict:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE:
            raise _bad("tệp quá lớn")
        data = json.loads(path.read_text(encoding="utf-8"))
    except UserError:
        raise
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _bad("không đọc được tệp") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad("không phải tệp cập nhật quy tắc của Sổ Giải trình")
    if data.get("format_version") != FORMAT_VERSION:
        raise _bad("phiên bản tệp không được hỗ trợ")
    return data


def verify_update(db: Database, data: dict, *, maintainers: Path | None = None) -> Signer:
    """The trusted signer of an update, or a refusal naming what is wrong."""
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        signature = crypto.unb64(data["signature"], 64)
        fp = str(data["issuer"]["fingerprint"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad("thiếu chữ ký hoặc thông tin người ký") from exc
    signer = trusted_signers(db, maintainers).get(fp)
    if signer is None:
        revoked = sync_repo.get_peer_key(db, fp)
        if revoked is not None and revoked.revoked_at:
            raise UserError("update_key_revoked", f"Tệp được ký bằng khóa {fp} đã bị thu hồi; không nhập.")
        raise UserError("update_untrusted",
                        f"Tệp được ký bằng khóa {fp}, không phải khóa của tỉnh đã đăng ký trong sổ "
                        "(giaitrinh keys import) hay của nhóm bảo trì. Không nhập.")
    if not crypto.verify(signer.public_key, signature, crypto.canonical_json(body)):
        raise UserError("update_bad_signature", "Chữ ký của tệp cập nhật không đúng (tệp đã bị sửa?). Không nhập.")
    return signer


@dataclass(frozen=True)
class ImportResult:
    uuid: str
    title: str
    signer: str
    rule_sets: tuple[str, ...]
    calendar_days: int
    already: bool = False


def import_update(db: Database, path: Path, *, maintainers: Path | None = None) -> ImportResult:
    """Check and keep a signed update; its rule sets apply to cases received in their period.
    The administrator's work (``settings.edit``); recorded under the logged-in officer."""
    from desktop.security import actor_name, require

    require(db, "settings.edit")
    data = read_update(path)
    signer = verify_update(db, data, maintainers=maintainers)
    parsed, reception, days = _validate(data.get("rule_sets", []), data.get("reception_rules", []),
                                        data.get("calendar_days", []))
    uid = str(data.get("uuid", ""))
    if not uid:
        raise _bad("thiếu mã bản cập nhật")
    existing = repo.get_update(db, uid)
    if existing is not None:
        return ImportResult(uid, existing.title, signer.who, tuple(rs.id for rs in parsed), len(days), already=True)
    _check_ids(db, parsed)
    body = {k: v for k, v in data.items() if k != "signature"}
    with db.write():
        repo.insert_update(db, uuid=uid, title=str(data.get("title", "")), issued_at=str(data.get("issued_at", "")),
                           issuer_code=str(data["issuer"].get("unit_code", "")),
                           issuer_name=str(data["issuer"].get("unit_name", "")), fingerprint=signer.fingerprint,
                           body_json=json.dumps(body, ensure_ascii=False), signature=data["signature"],
                           imported_at=datetime.now().isoformat(timespec="seconds"), imported_by=actor_name(db))
        units_repo.log_access(db, "rules_update_imported", target=uid,
                              detail=f"{data.get('title', '')} — {signer.who}")
    book.install(parsed, reception)
    log.info("rules update %s imported: %d rule sets, %d calendar days", uid, len(parsed), len(days))
    return ImportResult(uid, str(data.get("title", "")), signer.who, tuple(rs.id for rs in parsed), len(days))


def _check_ids(db: Database, parsed) -> None:
    """A rule set id names one content forever: cases store it (``rules_id``)."""
    known = {rs.id: rs for rs in book.default_rules().rule_sets}
    for upd in repo.list_updates(db):
        for rs in book.parse_rule_sets(upd.body.get("rule_sets", []))[0]:
            known[rs.id] = rs
    for rs in parsed:
        if rs.id in known and known[rs.id] != rs:
            raise UserError("update_id_clash",
                            f"Bộ quy tắc “{rs.id}” đã có trong sổ với nội dung khác; bản cập nhật phải dùng mã mới "
                            "(vụ việc đã tiếp nhận giữ nguyên quy tắc cũ).")


def activate(db: Database) -> int:
    """Install the rule sets of every update this register imported (when the register is opened)."""
    count = 0
    for upd in repo.list_updates(db):
        try:
            parsed, reception = book.parse_rule_sets(upd.body.get("rule_sets", []), upd.body.get("reception_rules", []))
        except UserError as exc:  # kept for the record, but a broken set never applies
            log.warning("rules update %s not applied: %s", upd.uuid, exc)
            continue
        book.install(parsed, reception)
        count += len(parsed)
    return count


def update_calendar_days(db: Database) -> list[list]:
    """The announced days of each imported update, in import order (``calendar_repo`` merges them)."""
    out = []
    for upd in repo.list_updates(db):
        try:
            out.append(parse_days(upd.body.get("calendar_days", [])))
        except UserError:
            continue
    return out


# -- what is in force ------------------------------------------------------------------------------

@dataclass(frozen=True)
class InForce:
    kind: str
    kind_label: str
    rules_id: str
    label: str
    effective_from: date
    effective_to: date | None
    basis: str
    confidence: str
    confidence_label: str
    source: str
    origin: str   # "Kèm theo phần mềm" or the update's title


def rules_in_force(db: Database | None, on: date | None = None) -> list[InForce]:
    """Every rule set (and reception rule) with its sources and in-force dates; with ``on``, only
    those that apply to matters received that day. For the settings page and ``rules list``."""
    rb = book.default_rules()
    origin = {}
    if db is not None:
        for upd in repo.list_updates(db):
            for raw in upd.body.get("rule_sets", []) + upd.body.get("reception_rules", []):
                origin[raw.get("id")] = upd.title
    rows = []
    for rs in rb.rule_sets:
        if on and not rs.applies_on(on):
            continue
        if on and rb.for_case(rs.kind, on).id != rs.id:
            continue  # overtaken by an imported set
        rows.append(InForce(rs.kind, book.KIND_LABELS.get(rs.kind, rs.kind), rs.id, rs.label, rs.effective_from,
                            rs.effective_to, rs.basis, rs.confidence, book.CONFIDENCE.get(rs.confidence, ""),
                            rs.source, origin.get(rs.id, "Kèm theo phần mềm")))
    for rr in rb.reception:
        if on and (not rr.applies_on(on) or rb.reception_for(on).id != rr.id):
            continue
        rows.append(InForce("reception", "Tiếp công dân", rr.id, rr.label, rr.effective_from, rr.effective_to,
                            rr.basis, rr.confidence, book.CONFIDENCE.get(rr.confidence, ""), rr.source,
                            origin.get(rr.id, "Kèm theo phần mềm")))
    return rows
