"""Migration 0007 on the last released register (schema 0006): accounts appear, empty; nothing is
lost; the register is in setup until its administrator exists, and the CLI says so in Vietnamese."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.security import accounts
from desktop.storage.db import open_database
from desktop.workflow.verify import verify_register

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
TABLES = ("cases", "events", "persons", "receptions", "documents", "calendar_days", "officers", "units", "audit_log")
PASSWORD = "Sổ của xã Thụy Hùng 2026"


@pytest.fixture
def upgraded(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    raw = sqlite3.connect(path)
    before = {t: raw.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
    raw.close()
    db = open_database(path)
    yield path, db, before
    db.close()


def test_0007_adds_accounts_and_loses_nothing(upgraded):
    path, db, before = upgraded
    assert db.scalar("SELECT count(*) FROM accounts") == 0
    for table, rows in before.items():
        after = db.query(f"SELECT * FROM {table} ORDER BY rowid")
        # persons and audit_log gained columns (sealed, seal / officer_uuid, person_uuid) at the end
        assert [tuple(r)[:len(rows[0])] if rows else tuple(r) for r in after] == rows, table
    assert db.scalar("SELECT count(*) FROM persons WHERE sealed <> 0 OR seal <> ''") == 0
    assert {r[1] for r in db.query("PRAGMA table_info(identity_reveals)")} >= {"person_uuid", "officer_uuid", "reason",
                                                                                "until"}
    assert len(list((path.parent / "backups").glob("register-*-before-0007_accounts.sqlite"))) == 1
    assert verify_register(db).ok


def test_an_upgraded_register_leads_to_its_administrator(upgraded):
    _, db, _ = upgraded
    assert accounts.in_setup(db)
    with pytest.raises(UserError) as exc:
        accounts.login_user(db, "quantri", PASSWORD)
    assert exc.value.code == "no_accounts" and "tài khoản quản trị" in exc.value.message
    # Nothing of the register's work is possible before someone logs in.
    from desktop.workflow.engine import act

    case = db.scalar("SELECT uuid FROM cases WHERE state = 'received' LIMIT 1")
    from datetime import date

    with pytest.raises(UserError) as exc:
        act(db, case, "accept", effective_on=date(2026, 11, 23), today=date(2026, 11, 23))
    assert exc.value.code == "not_permitted" and "Chưa đăng nhập" in exc.value.message
    office = db.scalar("SELECT uuid FROM officers WHERE role = 'officer' ORDER BY id LIMIT 1")
    who = accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="", officer_uuid=office)
    assert who.role == "admin" and db.principal == who and not accounts.in_setup(db)
    with pytest.raises(UserError) as exc:
        accounts.create_first_admin(db, login="khac", password=PASSWORD, full_name="Người khác")
    assert exc.value.code == "already_has_accounts"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("GIAITRINH_")}
    full.update(PYTHONPATH=str(ROOT), GIAITRINH_TESTING="1", **env)
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=full, timeout=120, stdin=subprocess.DEVNULL)


def test_the_cli_says_in_vietnamese_how_to_create_the_administrator(upgraded):
    path, db, _ = upgraded
    db.close()
    refused = run("case", "list", "--db", str(path), "--user", "quantri", GIAITRINH_PASSWORD=PASSWORD)
    assert refused.returncode == 1
    assert "chưa có tài khoản" in refused.stderr and "giaitrinh user add" in refused.stderr
    assert "--role admin" in refused.stderr
    handler = run("user", "add", "--db", str(path), "--login", "mai", "--role", "handler", "--name", "Lê Thị Mai",
                  GIAITRINH_NEW_PASSWORD=PASSWORD)
    assert handler.returncode == 1 and "quản trị hệ thống" in handler.stderr
    made = run("user", "add", "--db", str(path), "--login", "quantri", "--role", "admin", "--name",
               "Lê Thị Mai", GIAITRINH_NEW_PASSWORD=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert "Đã tạo tài khoản quantri" in made.stdout
    listed = run("case", "list", "--db", str(path), "--user", "quantri", GIAITRINH_PASSWORD=PASSWORD)
    assert listed.returncode == 0, listed.stderr
    anonymous = run("case", "list", "--db", str(path))
    assert anonymous.returncode == 1 and "--user" in anonymous.stderr
    wrong = run("case", "list", "--db", str(path), "--user", "quantri", GIAITRINH_PASSWORD="sai mật khẩu rồi")
    assert wrong.returncode == 1 and "không đúng" in wrong.stderr
