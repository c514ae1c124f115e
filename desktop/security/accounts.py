"""Accounts: the first administrator, adding users, logging in with a pause after failed tries,
changing passwords, disabling (issue #17, item 1).

An account belongs to one officer of the register's own unit and has one role
(``desktop.security.roles``). ``login`` checks the password and sets ``db.principal``, which every
permission check and every event's actor read. A register without any account (a new one, or one
upgraded from schema 0006) is in setup: only the unit, its officers and the first administrator
may be declared, and ``no_accounts`` tells how to create the administrator.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from desktop.errors import NotFound, UserError, ValidationError
from desktop.security import passwords, roles, sealing
from desktop.security.principal import NotPermitted, Principal, current, require
from desktop.storage import accounts_repo as repo
from desktop.storage.accounts_repo import Account
from desktop.storage.db import Database
from desktop.storage.units import get_officer, local_unit_code, log_access, new_uuid, now_iso

log = logging.getLogger(__name__)

FREE_TRIES = 2               # failed logins before the account pauses
FIRST_PAUSE_S = 30           # then 30 s, doubling with each further failure …
MAX_PAUSE_S = 15 * 60        # … up to 15 minutes
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

NO_ACCOUNTS_MESSAGE = ("Sổ chưa có tài khoản nào (sổ mới hoặc vừa nâng cấp). Quản trị viên hãy tạo tài khoản "
                       "quản trị trước: giaitrinh user add --db TỆP --login TÊN --role admin --name \"HỌ TÊN\" "
                       "(hoặc mở sổ bằng cửa sổ ứng dụng).")


def has_accounts(db: Database) -> bool:
    return repo.count(db) > 0


def in_setup(db: Database) -> bool:
    """A register nobody can log in to yet: its unit, officers and first administrator are declared
    without a login (the wizard, ``giaitrinh init``, or after the upgrade from 0006)."""
    return not has_accounts(db)


def require_setup_or(db: Database, permission: str) -> Principal | None:
    """``require(permission)``, except while the register is in setup."""
    if in_setup(db) and current(db) is None:
        return None
    return require(db, permission)


def require_accounts(db: Database) -> None:
    if in_setup(db):
        raise UserError("no_accounts", NO_ACCOUNTS_MESSAGE)


# -- creating -----------------------------------------------------------------------------------
def check_login(login: str) -> str:
    login = login.strip().lower()
    if not LOGIN_RE.match(login):
        raise ValidationError({"login": "Tên đăng nhập gồm 2–32 chữ cái không dấu, chữ số, dấu chấm, gạch ngang "
                                        "hoặc gạch dưới, bắt đầu bằng chữ hoặc số (ví dụ: mai.lt)."})
    return login


def _officer_for(db: Database, officer_uuid: str | None, full_name: str | None, title: str, role: str) -> str:
    from desktop.storage.units import save_officer

    if officer_uuid:
        officer = get_officer(db, officer_uuid)
        if officer.unit_code != local_unit_code(db):
            raise ValidationError({"officer": "Tài khoản chỉ dành cho cán bộ của đơn vị mình."})
        return officer.uuid
    if not (full_name or "").strip():
        raise ValidationError({"officer": "Chưa chọn cán bộ hoặc nhập họ tên người dùng tài khoản."})
    officer_role = "head" if role == roles.Role.LEADER and not title.strip().lower().startswith("phó") else (
        "deputy" if role == roles.Role.LEADER else "officer")
    return save_officer(db, full_name=full_name or "", title=title, role=officer_role).uuid


def create_account(db: Database, *, login: str, password: str | None, role: str, officer_uuid: str | None = None,
                   full_name: str | None = None, title: str = "") -> Account:
    """Add a user. The administrator does it; while the register has no account, only the first
    administrator may be created (by anyone at the PC: that is the setup). ``password=None`` makes
    an account that cannot log in (``assume_role`` uses it for tools and tests)."""
    first = in_setup(db)
    if first:
        if role != roles.Role.ADMIN:
            raise UserError("no_accounts", "Tài khoản đầu tiên của sổ phải là tài khoản quản trị hệ thống.")
    else:
        require(db, "users.manage")
    login = check_login(login)
    if role not in roles.MATRIX:
        raise ValidationError({"role": "Vai trò không hợp lệ."})
    if password is not None:
        passwords.check_strength(password, login)
    if repo.by_login(db, login):
        raise ValidationError({"login": f"Tên đăng nhập “{login}” đã có người dùng."})
    stamp = now_iso()
    with db.write():
        officer = _officer_for(db, officer_uuid, full_name, title, role)
        uuid = new_uuid()
        # The register's sealing key is made with its first administrator; later key holders get
        # it from the administrator who creates them (unwrapped at his or her login).
        private = sealing.create_register_key(db) if first and sealing.public_key(db) is None else \
            getattr(current(db), "seal_key", None)
        repo.insert(db, uuid=uuid, unit_code=local_unit_code(db), login=login, officer_uuid=officer, role=role,
                    password_hash=passwords.hash_password(password) if password is not None else "",
                    key_wrap=sealing.grant_key(db, uuid, role, password, private),
                    created_at=stamp, updated_at=stamp)
        log_access(db, "account_created", actor=_who(db), target=login, detail=role)
        if first:
            sealing.seal_pending(db)  # a register upgraded from 0006: its denouncers are sealed now
    log.info("account %s created (%s)", login, role)
    return repo.by_login(db, login)


def _who(db: Database) -> str:
    p = current(db)
    return p.officer_name if p else "(cài đặt ban đầu)"


def create_first_admin(db: Database, *, login: str, password: str, full_name: str,
                       title: str = "Quản trị hệ thống", officer_uuid: str | None = None) -> Principal:
    """The setup's last step: the administrator's account, then logged in."""
    if not in_setup(db):
        raise UserError("already_has_accounts", "Sổ đã có tài khoản quản trị; hãy đăng nhập để thêm người dùng.")
    account = create_account(db, login=login, password=password, role=roles.Role.ADMIN, officer_uuid=officer_uuid,
                             full_name=full_name, title=title)
    return login_user(db, account.login, password)


# -- logging in ---------------------------------------------------------------------------------
def _pause_for(failures: int) -> int:
    if failures <= FREE_TRIES:
        return 0
    return min(MAX_PAUSE_S, FIRST_PAUSE_S * 2 ** (failures - FREE_TRIES - 1))


def _principal(db: Database, account: Account, seal_key=None) -> Principal:
    return Principal(account_uuid=account.uuid, login=account.login, officer_uuid=account.officer_uuid,
                     officer_name=account.officer_name, role=account.role, unit_code=account.unit_code,
                     seal_key=seal_key)


def login_user(db: Database, login: str, password: str, *, now: datetime | None = None) -> Principal:
    """Check a login and password; on success set and return ``db.principal``.

    A wrong password counts; after ``FREE_TRIES`` the account pauses 30 s, doubling to 15 min, and
    a correct password is refused during the pause. An unknown login costs the same time as a
    known one and gets the same message."""
    require_accounts(db)
    now = now or datetime.now()
    wrong = UserError("login_failed", "Tên đăng nhập hoặc mật khẩu không đúng.")
    account = repo.by_login(db, (login or "").strip().lower())
    if account is None:
        passwords.burn_time(password)
        raise wrong
    if not account.active:
        passwords.burn_time(password)
        raise UserError("account_disabled", "Tài khoản này đã bị khóa. Hãy liên hệ quản trị hệ thống.")
    if account.locked_until and now < datetime.fromisoformat(account.locked_until):
        until = datetime.fromisoformat(account.locked_until)
        raise UserError("account_paused",
                        f"Đăng nhập sai nhiều lần: tài khoản tạm dừng đến {until:%H:%M:%S} "
                        f"(còn {max(1, int((until - now).total_seconds()))} giây). Hãy thử lại sau.")
    stored, wrap = repo.secret(db, account.uuid)
    if not passwords.verify_password(stored, password):
        failures = account.failed_count + 1
        pause = _pause_for(failures)
        with db.write():
            repo.update(db, account.uuid, failed_count=failures, updated_at=now_iso(),
                        locked_until=(now + timedelta(seconds=pause)).isoformat(timespec="seconds") if pause else None)
            log_access(db, "login_failed", actor=account.officer_name, target=account.login, detail=str(failures))
        if pause:
            raise UserError("account_paused", f"Sai mật khẩu {failures} lần: tài khoản tạm dừng {pause} giây "
                                              "trước khi được thử lại.")
        raise wrong
    seal_key = sealing.unwrap(wrap, password, account.uuid) if wrap else None
    with db.write():
        changes = dict(failed_count=0, locked_until=None, last_login_at=now.isoformat(timespec="seconds"),
                       updated_at=now_iso())
        if passwords.needs_rehash(stored):
            changes["password_hash"] = passwords.hash_password(password)
        repo.update(db, account.uuid, **changes)
        log_access(db, "login", actor=account.officer_name, target=account.login, officer_uuid=account.officer_uuid)
    db.principal = _principal(db, account, seal_key)
    return db.principal


def logout(db: Database) -> None:
    db.principal = None


def assume_role(db: Database, role: str, *, officer_uuid: str | None = None, login: str | None = None,
                password: str | None = None) -> Principal:
    """Act as an account of ``role`` without a password, creating it when missing (an account
    that cannot log in, unless ``password`` is given: tests of the CLI log in with it). Only for
    code that builds a register in-process: the demo, the bench generator, the fixtures builder
    and tests; never reachable from the CLI or the window."""
    if role not in roles.MATRIX:
        raise ValidationError({"role": "Vai trò không hợp lệ."})
    from desktop.storage.units import save_officer

    unit = local_unit_code(db)
    if officer_uuid is None:
        names = {roles.Role.LEADER: ("Chủ tịch (thử)", "head"), roles.Role.ADMIN: ("Quản trị (thử)", "officer"),
                 roles.Role.RECEPTION: ("Văn thư (thử)", "officer"), roles.Role.HANDLER: ("Thụ lý (thử)", "officer"),
                 roles.Role.VIEWER: ("Người xem (thử)", "officer")}
        name, officer_role = names[role]
        row = db.one("SELECT uuid FROM officers WHERE full_name = ? AND unit_code = ?", (name, unit))
        if row:
            officer_uuid = row[0]
        else:
            saved, db.principal = db.principal, None
            try:
                with db.write():
                    officer_uuid = _insert_officer(db, name, officer_role, unit)
            finally:
                db.principal = saved
    if login:
        row = db.one("SELECT uuid FROM accounts WHERE login = ? AND officer_uuid = ? AND role = ?",
                     (login, officer_uuid, role))
    else:
        row = db.one("SELECT uuid FROM accounts WHERE officer_uuid = ? AND role = ? AND active = 1 ORDER BY id LIMIT 1",
                     (officer_uuid, role))
    if row is None:
        login = login or f"{role}-{officer_uuid[-8:]}"
        stamp = now_iso()
        with db.write():
            uuid = new_uuid()
            repo.insert(db, uuid=uuid, unit_code=unit, login=login, officer_uuid=officer_uuid, role=role,
                        password_hash=passwords.hash_password(password) if password else "",
                        created_at=stamp, updated_at=stamp)
        account = repo.by_uuid(db, uuid)
    else:
        account = repo.by_uuid(db, row[0])
    db.principal = _principal(db, account)
    return db.principal


def _insert_officer(db: Database, name: str, officer_role: str, unit: str) -> str:
    uuid = new_uuid()
    db.execute("INSERT INTO officers(full_name, title, role, can_sign, active, uuid, unit_code, updated_at) "
               "VALUES (?,?,?,?,?,?,?,?)", (name, "", officer_role, int(officer_role != "officer"), 1, uuid, unit,
                                            now_iso()))
    return uuid


# -- managing -----------------------------------------------------------------------------------
def list_accounts(db: Database) -> list[Account]:
    require(db, "users.manage")
    return repo.all_accounts(db)


def get_account(db: Database, login: str) -> Account:
    account = repo.by_login(db, login.strip().lower())
    if account is None:
        raise NotFound("account_not_found", f"Không có tài khoản “{login}”.")
    return account


def change_password(db: Database, old_password: str, new_password: str) -> None:
    """The logged-in user changes his or her own password (the old one is asked again)."""
    who = current(db)
    if who is None:
        raise NotPermitted("Chưa đăng nhập: hãy đăng nhập để đổi mật khẩu.")
    stored, wrap = repo.secret(db, who.account_uuid)
    if not passwords.verify_password(stored, old_password):
        raise ValidationError({"old_password": "Mật khẩu hiện tại không đúng."})
    passwords.check_strength(new_password, who.login, field="new_password")
    _store_password(db, who.account_uuid, new_password, who)


def set_password(db: Database, login: str, new_password: str) -> Account:
    """The administrator sets a user's password (forgotten password, first password); the pause
    after failed tries ends."""
    admin = require(db, "users.manage")
    account = get_account(db, login)
    passwords.check_strength(new_password, account.login, field="new_password")
    _store_password(db, account.uuid, new_password, admin)
    return repo.by_uuid(db, account.uuid)


def _store_password(db: Database, account_uuid: str, new_password: str, by: Principal) -> None:
    account = repo.by_uuid(db, account_uuid)
    with db.write():
        # The sealing key is wrapped again under the new password by whoever holds it now (the
        # user, or the administrator who sets it); without it the account loses the key.
        repo.update(db, account_uuid, password_hash=passwords.hash_password(new_password), failed_count=0,
                    locked_until=None, updated_at=now_iso(),
                    key_wrap=sealing.grant_key(db, account_uuid, account.role, new_password, by.seal_key))
        log_access(db, "password_set", actor=by.officer_name, target=account.login, officer_uuid=by.officer_uuid)


def set_active(db: Database, login: str, active: bool) -> Account:
    """Disable (or enable again) an account; the last active administrator stays."""
    admin = require(db, "users.manage")
    account = get_account(db, login)
    if not active:
        if account.uuid == admin.account_uuid:
            raise UserError("cannot_disable_self", "Không thể tự khóa tài khoản đang đăng nhập.")
        if account.role == roles.Role.ADMIN and repo.count(db, active_only=True, role=roles.Role.ADMIN) <= 1:
            raise UserError("last_admin", "Đây là tài khoản quản trị cuối cùng: hãy tạo tài khoản quản trị khác trước.")
    with db.write():
        repo.update(db, account.uuid, active=int(active), updated_at=now_iso(), failed_count=0, locked_until=None)
        log_access(db, "account_enabled" if active else "account_disabled", actor=admin.officer_name,
                   target=account.login, officer_uuid=admin.officer_uuid)
    return repo.by_uuid(db, account.uuid)


def set_role(db: Database, login: str, role: str) -> Account:
    admin = require(db, "users.manage")
    account = get_account(db, login)
    if role not in roles.MATRIX:
        raise ValidationError({"role": "Vai trò không hợp lệ."})
    if account.role == roles.Role.ADMIN and role != roles.Role.ADMIN and \
            repo.count(db, active_only=True, role=roles.Role.ADMIN) <= 1:
        raise UserError("last_admin", "Đây là tài khoản quản trị cuối cùng: hãy tạo tài khoản quản trị khác trước.")
    with db.write():
        changes = {} if role in roles.KEY_HOLDERS else {"key_wrap": ""}  # a key holder gets it with a new password
        repo.update(db, account.uuid, role=role, updated_at=now_iso(), **changes)
        log_access(db, "account_role", actor=admin.officer_name, target=account.login, detail=role,
                   officer_uuid=admin.officer_uuid)
    return repo.by_uuid(db, account.uuid)
