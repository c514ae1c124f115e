"""SQL of the ``accounts`` table (migration 0007); the rules live in ``desktop.security.accounts``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from desktop.storage.db import Database


@dataclass(frozen=True)
class Account:
    id: int
    uuid: str
    login: str
    officer_uuid: str
    officer_name: str
    role: str
    active: bool
    failed_count: int
    locked_until: str | None
    last_login_at: str | None
    unit_code: str
    has_password: bool
    has_key: bool


_SELECT = ("SELECT a.*, coalesce(o.full_name, '') AS officer_name FROM accounts a "
           "LEFT JOIN officers o ON o.uuid = a.officer_uuid")


def _account(row: sqlite3.Row) -> Account:
    return Account(id=row["id"], uuid=row["uuid"], login=row["login"], officer_uuid=row["officer_uuid"],
                   officer_name=row["officer_name"], role=row["role"], active=bool(row["active"]),
                   failed_count=row["failed_count"], locked_until=row["locked_until"],
                   last_login_at=row["last_login_at"], unit_code=row["unit_code"],
                   has_password=bool(row["password_hash"]), has_key=bool(row["key_wrap"]))


def count(db: Database, *, active_only: bool = False, role: str | None = None) -> int:
    sql, params = "SELECT count(*) FROM accounts WHERE 1=1", []
    if active_only:
        sql += " AND active = 1"
    if role:
        sql += " AND role = ?"
        params.append(role)
    return db.scalar(sql, params) or 0


def by_login(db: Database, login: str) -> Account | None:
    row = db.one(f"{_SELECT} WHERE a.login = ?", (login,))
    return _account(row) if row else None


def by_uuid(db: Database, uuid: str) -> Account | None:
    row = db.one(f"{_SELECT} WHERE a.uuid = ?", (uuid,))
    return _account(row) if row else None


def all_accounts(db: Database) -> list[Account]:
    return [_account(r) for r in db.query(f"{_SELECT} ORDER BY a.active DESC, a.login")]


def secret(db: Database, uuid: str) -> tuple[str, str]:
    """(password hash, wrapped key) of an account: read only by the login code."""
    row = db.one("SELECT password_hash, key_wrap FROM accounts WHERE uuid = ?", (uuid,))
    return (row[0], row[1]) if row else ("", "")


def insert(db: Database, **values) -> None:
    cols = list(values)
    db.execute(f"INSERT INTO accounts({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
               [values[c] for c in cols])


def update(db: Database, uuid: str, **values) -> None:
    sets = ", ".join(f"{c} = ?" for c in values)
    db.execute(f"UPDATE accounts SET {sets}, version = version + 1 WHERE uuid = ?", [*values.values(), uuid])
