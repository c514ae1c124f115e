"""Units (the office and, at the province, every commune) and the officers who work or sign."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from datetime import date, datetime

from desktop.domain.records import Officer, OfficerRole, Unit
from desktop.errors import NotFound, UserError, ValidationError
from desktop.storage.db import Database

LOCAL_UNIT_KEY = "local_unit_code"
MODE_KEY = "register_mode"  # 'commune' (default) or 'province'


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")


_RANDOM_LOCK = threading.Lock()
_random_pool = b""
_random_pos = 0


def _forget_random_pool() -> None:
    """A forked child must never hand out its parent's remaining random bytes again, nor wait for
    a lock a thread of the parent held at the fork."""
    global _random_pool, _random_pos, _RANDOM_LOCK
    _random_pool, _random_pos = b"", 0
    _RANDOM_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_random_pool)


def _random_tail() -> bytearray:
    """Ten bytes from the operating system's CSPRNG, read 4 KiB at a time: one ``getrandom`` call
    per 400 ids (a call per id cost a bulk import about 8 % of its preparing time)."""
    global _random_pool, _random_pos
    with _RANDOM_LOCK:
        if _random_pos + 10 > len(_random_pool):
            _random_pool, _random_pos = os.urandom(4000), 0
        tail = bytearray(_random_pool[_random_pos:_random_pos + 10])
        _random_pos += 10
    return tail


def new_uuid() -> str:
    """A new record's global id: a UUID version 7 (RFC 9562 §5.7) as 32 hex digits.

    The first 48 bits are the Unix time in milliseconds, the other 74 free bits random, so ids
    are unique across registers without coordination (as version 4) yet grow with time: the
    unique indexes on ``uuid`` take new rows at their end instead of at random pages, which
    keeps bulk imports and a million-case register's inserts fast.
    """
    tail = _random_tail()  # 80 random bits; 74 are kept
    tail[0] = 0x70 | tail[0] & 0x0F   # version 7 in the high nibble of byte 6
    tail[2] = 0x80 | tail[2] & 0x3F   # variant 0b10 in the high bits of byte 8
    return ((time.time_ns() // 1_000_000).to_bytes(6, "big") + tail).hex()


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(
        id=row["id"], uuid=row["uuid"], code=row["code"], name=row["name"],
        governing_body=row["governing_body"], abbreviation=row["abbreviation"],
        place_name=row["place_name"], parent_code=row["parent_code"], level=row["level"],
        is_remote=bool(row["is_remote"]), unit_code=row["unit_code"], version=row["version"],
    )


def _officer(row: sqlite3.Row) -> Officer:
    return Officer(
        id=row["id"], uuid=row["uuid"], full_name=row["full_name"], title=row["title"],
        role=row["role"], can_sign=bool(row["can_sign"]), active=bool(row["active"]),
        unit_code=row["unit_code"], version=row["version"],
    )


def register_mode(db: Database) -> str:
    return db.get_setting(MODE_KEY, "commune") or "commune"


def local_unit_code(db: Database) -> str:
    code = db.get_setting(LOCAL_UNIT_KEY)
    if not code:
        raise UserError("no_unit", "Sổ chưa khai báo đơn vị. Hãy khai báo đơn vị trước (giaitrinh init).")
    return code


def has_local_unit(db: Database) -> bool:
    return bool(db.get_setting(LOCAL_UNIT_KEY))


def local_unit(db: Database) -> Unit:
    return get_unit(db, local_unit_code(db))


def get_unit(db: Database, code: str) -> Unit:
    row = db.one("SELECT * FROM units WHERE code = ?", (code,))
    if row is None:
        raise NotFound("unit_not_found", f"Không tìm thấy đơn vị có mã {code}.")
    return _unit(row)


def list_units(db: Database) -> list[Unit]:
    return [_unit(r) for r in db.query("SELECT * FROM units ORDER BY level, name")]


def save_unit(
    db: Database,
    *,
    code: str,
    name: str,
    governing_body: str = "",
    abbreviation: str = "UBND",
    place_name: str = "",
    parent_code: str | None = None,
    level: str = "commune",
    is_remote: bool = False,
    make_local: bool | None = None,
    mode: str | None = None,
) -> Unit:
    """Create or update a unit. The first unit of a register becomes its own (local) unit."""
    code, name = code.strip(), " ".join(name.split())
    errors = {}
    if not code:
        errors["code"] = "Chưa nhập mã đơn vị."
    if not name:
        errors["name"] = "Chưa nhập tên đơn vị."
    if not abbreviation.strip():
        errors["abbreviation"] = "Chưa nhập chữ viết tắt dùng trong số ký hiệu văn bản (ví dụ UBND)."
    elif any(ch.isspace() or ch in "/" for ch in abbreviation.strip()):
        errors["abbreviation"] = "Chữ viết tắt không được có dấu cách hoặc dấu gạch chéo."
    if errors:
        raise ValidationError(errors)
    _require_setup_or(db, "settings.edit")
    with db.write():
        existing = db.one("SELECT * FROM units WHERE code = ?", (code,))
        first = not db.get_setting(LOCAL_UNIT_KEY)
        owner = db.get_setting(LOCAL_UNIT_KEY) or code
        values = (name, governing_body.strip(), abbreviation.strip(), place_name.strip(),
                  parent_code, level, int(is_remote), now_iso())
        if existing:
            db.execute(
                "UPDATE units SET name=?, governing_body=?, abbreviation=?, place_name=?, parent_code=?, "
                "level=?, is_remote=?, updated_at=?, version=version+1 WHERE code=?",
                (*values, code),
            )
        else:
            db.execute(
                "INSERT INTO units(name, governing_body, abbreviation, place_name, parent_code, level, "
                "is_remote, updated_at, code, uuid, unit_code) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (*values, code, new_uuid(), code if (first or make_local) else owner),
            )
        if make_local or (first and make_local is None):
            db.set_setting(LOCAL_UNIT_KEY, code)
            if mode:
                db.set_setting(MODE_KEY, mode)
    return get_unit(db, code)


def _require_setup_or(db: Database, permission: str) -> None:
    """The unit and its officers are declared without a login while the register has no account
    (setup, ``desktop.security.accounts.in_setup``); afterwards by who holds ``permission``."""
    from desktop.security.accounts import require_setup_or

    require_setup_or(db, permission)


def list_officers(db: Database, *, active_only: bool = True, unit_code: str | None = None) -> list[Officer]:
    sql = "SELECT * FROM officers WHERE 1=1"
    params: list = []
    if active_only:
        sql += " AND active = 1"
    if unit_code:
        sql += " AND unit_code = ?"
        params.append(unit_code)
    sql += " ORDER BY CASE role WHEN 'head' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, full_name"
    return [_officer(r) for r in db.query(sql, params)]


def own_officers(db: Database, *, active_only: bool = True) -> list[Officer]:
    """This register's own unit's officers: who receives, handles and signs here. A province's
    register also holds the communes' officers that their bundles brought (for their names)."""
    code = db.get_setting(LOCAL_UNIT_KEY)
    return list_officers(db, active_only=active_only, unit_code=code) if code else []


def signers(db: Database) -> list[Officer]:
    """Head first, then deputies of this unit: who may sign its documents (TM. / KT.)."""
    return [o for o in own_officers(db) if o.can_sign]


def get_officer(db: Database, uuid: str) -> Officer:
    row = db.one("SELECT * FROM officers WHERE uuid = ?", (uuid,))
    if row is None:
        raise NotFound("officer_not_found", "Không tìm thấy cán bộ.")
    return _officer(row)


def find_officer(db: Database, name_or_uuid: str) -> Officer:
    """An officer by uuid or by exact (case-insensitive) name, for the CLI."""
    row = db.one("SELECT * FROM officers WHERE uuid = ? OR lower(full_name) = lower(?)", (name_or_uuid, name_or_uuid))
    if row is None:
        raise NotFound("officer_not_found", f"Không tìm thấy cán bộ “{name_or_uuid}”.")
    return _officer(row)


def save_officer(
    db: Database,
    *,
    full_name: str,
    title: str = "",
    role: str = OfficerRole.OFFICER,
    can_sign: bool | None = None,
    active: bool = True,
    uuid: str | None = None,
) -> Officer:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError({"full_name": "Chưa nhập họ tên cán bộ."})
    if role not in {r.value for r in OfficerRole}:
        raise ValidationError({"role": "Vai trò không hợp lệ."})
    if can_sign is None:
        can_sign = role in (OfficerRole.HEAD, OfficerRole.DEPUTY)
    unit_code = local_unit_code(db)
    _require_setup_or(db, "settings.edit")
    with db.write():
        if uuid:
            cur = db.execute(
                "UPDATE officers SET full_name=?, title=?, role=?, can_sign=?, active=?, updated_at=?, "
                "version=version+1 WHERE uuid=? AND unit_code=?",
                (full_name, title.strip(), role, int(can_sign), int(active), now_iso(), uuid, unit_code),
            )
            if cur.rowcount == 0:
                raise NotFound("officer_not_found", "Không tìm thấy cán bộ của đơn vị để sửa.")
        else:
            uuid = new_uuid()
            db.execute(
                "INSERT INTO officers(full_name, title, role, can_sign, active, uuid, unit_code, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (full_name, title.strip(), role, int(can_sign), int(active), uuid, unit_code, now_iso()),
            )
    return get_officer(db, uuid)


def log_access(db: Database, action: str, *, actor: str | None = None, target: str = "", detail: str = "",
               officer_uuid: str | None = None, person_uuid: str = "") -> None:
    """Personal-data processing log (Luật 91/2025/QH15, NĐ 356/2025; DOMAIN.md §7): who (the
    logged-in officer unless named), did what, to which record or person."""
    who = getattr(db, "principal", None)
    if actor is None:
        actor = who.officer_name if who else ""
    if officer_uuid is None:
        officer_uuid = who.officer_uuid if who else ""
    with db.write():
        db.execute(
            "INSERT INTO audit_log(at, actor, action, target, detail, officer_uuid, person_uuid) "
            "VALUES (?,?,?,?,?,?,?)",
            (now_iso(), actor, action, target, detail, officer_uuid, person_uuid),
        )


# -- the head's periodic reception day -----------------------------------------------------------
# Luật Tiếp công dân 2013, Art. 15: the chair of a commune receives citizens in person at least one
# day a week. The office fixes the weekday; when it falls on a day off, the session moves to the
# next working day.
HEAD_DAY_KEY = "head_reception_weekday"


def head_reception_weekday(db: Database) -> int | None:
    value = db.get_setting(HEAD_DAY_KEY)
    return int(value) if value not in (None, "") else None


def set_head_reception_weekday(db: Database, weekday: int | None) -> None:
    if weekday is not None and weekday not in range(5):
        raise ValidationError({"head_day": "Ngày tiếp công dân định kỳ phải là một ngày từ thứ Hai đến thứ Sáu."})
    _require_setup_or(db, "settings.edit")
    db.set_setting(HEAD_DAY_KEY, "" if weekday is None else str(weekday))
