"""Accounts on a real register: the first administrator, logins with a pause after failed tries,
weak passwords refused in Vietnamese, disabling, and the actor of every event."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest

from desktop.errors import UserError, ValidationError
from desktop.security import accounts, passwords
from desktop.storage.units import save_officer, save_unit

GOOD = "trời hôm nay thật đẹp"


@pytest.fixture
def unit(db):
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    clerk = save_officer(db, full_name="Lê Thị Mai", title="Công chức Văn phòng - Thống kê")
    return {"db": db, "head": head, "clerk": clerk}


@pytest.fixture
def admin(unit):
    db = unit["db"]
    accounts.create_first_admin(db, login="quantri", password=GOOD, full_name="Đỗ Văn Quản")
    return unit


@pytest.mark.parametrize(("password", "login", "words"), [
    ("ngan", "mai", "quá ngắn"),
    ("123456789012", "mai", "dãy số"),
    ("password2026", "mai", "phổ biến"),
    ("matkhau2026!!", "mai", "phổ biến"),
    ("Mật khẩu 123", "mai", "phổ biến"),
    ("aaaaaaaaaaaa", "mai", "ít ký tự"),
    ("mai.lt-ubnd-2026", "mai.lt", "tên đăng nhập"),
])
def test_weak_passwords_are_refused_in_vietnamese(password, login, words):
    with pytest.raises(ValidationError) as exc:
        passwords.check_strength(password, login)
    assert words in exc.value.fields["password"]


def test_a_good_password_is_hashed_with_argon2id_and_verified():
    passwords.check_strength(GOOD, "mai")
    stored = passwords.hash_password(GOOD)
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert passwords.verify_password(stored, GOOD) and not passwords.verify_password(stored, GOOD + "!")
    assert not passwords.verify_password("", GOOD)


def test_the_first_account_is_the_administrator_and_logs_in(unit):
    db = unit["db"]
    with pytest.raises(UserError) as exc:
        accounts.create_account(db, login="mai", password=GOOD, role="handler", officer_uuid=unit["clerk"].uuid)
    assert exc.value.code == "no_accounts"
    with pytest.raises(ValidationError):  # weak: refused, nothing written
        accounts.create_first_admin(db, login="quantri", password="quantri123", full_name="Đỗ Văn Quản")
    assert accounts.in_setup(db) and db.scalar("SELECT count(*) FROM officers") == 2
    who = accounts.create_first_admin(db, login="QuanTri", password=GOOD, full_name="Đỗ Văn Quản")
    assert (who.login, who.role, who.officer_name) == ("quantri", "admin", "Đỗ Văn Quản")
    stored = db.scalar("SELECT password_hash FROM accounts WHERE login = 'quantri'")
    assert stored.startswith("$argon2id$")
    # Setup is over: officers are now declared by who may (the administrator here).
    accounts.logout(db)
    with pytest.raises(UserError) as exc:
        save_officer(db, full_name="Người lạ")
    assert exc.value.code == "not_permitted"


def test_login_pauses_after_failed_tries_and_an_unknown_login_says_the_same(admin):
    db = admin["db"]
    accounts.create_account(db, login="mai", password=GOOD, role="handler", officer_uuid=admin["clerk"].uuid)
    accounts.logout(db)
    now = datetime(2026, 3, 2, 8, 0, 0)
    unknown = pytest.raises(UserError)
    with unknown as exc:
        accounts.login_user(db, "khong-co", GOOD, now=now)
    assert exc.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."
    for _ in range(accounts.FREE_TRIES):
        with pytest.raises(UserError) as exc:
            accounts.login_user(db, "mai", "sai mật khẩu", now=now)
        assert exc.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."
    with pytest.raises(UserError) as exc:
        accounts.login_user(db, "mai", "sai mật khẩu", now=now)
    assert exc.value.code == "account_paused" and "30 giây" in exc.value.message
    with pytest.raises(UserError) as exc:  # the right password waits for the pause too
        accounts.login_user(db, "mai", GOOD, now=now + timedelta(seconds=10))
    assert exc.value.code == "account_paused" and "còn 20 giây" in exc.value.message
    with pytest.raises(UserError) as exc:  # the next failure doubles the pause
        accounts.login_user(db, "mai", "sai nữa rồi", now=now + timedelta(seconds=31))
    assert "60 giây" in exc.value.message
    who = accounts.login_user(db, "mai", GOOD, now=now + timedelta(seconds=92))
    assert who.officer_name == "Lê Thị Mai" and db.principal is who
    row = db.one("SELECT failed_count, locked_until, last_login_at FROM accounts WHERE login = 'mai'")
    assert tuple(row) == (0, None, "2026-03-02T08:01:32")
    failures = db.scalar("SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND target = 'mai'")
    assert failures == 4


def test_login_takes_less_than_half_a_second(admin):
    db = admin["db"]
    accounts.logout(db)
    started = time.perf_counter()
    accounts.login_user(db, "quantri", GOOD)
    assert time.perf_counter() - started < 2.0  # the bench holds the 0.5 s figure; this catches a 10× slip


def test_disabled_accounts_cannot_log_in_and_the_last_administrator_stays(admin):
    db = admin["db"]
    accounts.create_account(db, login="mai", password=GOOD, role="handler", officer_uuid=admin["clerk"].uuid)
    with pytest.raises(UserError) as exc:
        accounts.set_active(db, "quantri", False)
    assert exc.value.code == "cannot_disable_self"
    with pytest.raises(UserError) as exc:
        accounts.set_role(db, "quantri", "leader")
    assert exc.value.code == "last_admin"
    accounts.set_active(db, "mai", False)
    accounts.logout(db)
    with pytest.raises(UserError) as exc:
        accounts.login_user(db, "mai", GOOD)
    assert exc.value.code == "account_disabled"
    accounts.login_user(db, "quantri", GOOD)
    accounts.set_active(db, "mai", True)
    accounts.set_password(db, "mai", "một mật khẩu mới khác")
    accounts.logout(db)
    assert accounts.login_user(db, "mai", "một mật khẩu mới khác").role == "handler"
    with pytest.raises(ValidationError) as exc:
        accounts.change_password(db, "không phải mật khẩu cũ", "mật khẩu mới thứ ba")
    assert "hiện tại không đúng" in exc.value.fields["old_password"]
    accounts.change_password(db, "một mật khẩu mới khác", "mật khẩu mới thứ ba")
    accounts.logout(db)
    accounts.login_user(db, "mai", "mật khẩu mới thứ ba")


def test_login_names_are_checked_and_unique(admin):
    db = admin["db"]
    for bad in ("", "a", "Lê Mai", "mai/lt", "x" * 40):
        with pytest.raises(ValidationError) as exc:
            accounts.create_account(db, login=bad, password=GOOD, role="handler", officer_uuid=admin["clerk"].uuid)
        assert "Tên đăng nhập" in exc.value.fields["login"]
    accounts.create_account(db, login="mai", password=GOOD, role="handler", officer_uuid=admin["clerk"].uuid)
    with pytest.raises(ValidationError) as exc:
        accounts.create_account(db, login="MAI", password=GOOD, role="reception", officer_uuid=admin["clerk"].uuid)
    assert "đã có người dùng" in exc.value.fields["login"]


def test_every_event_names_the_logged_in_officer(admin):
    from desktop.storage.cases import list_events
    from desktop.storage.persons import save_person
    from desktop.workflow.engine import act
    from desktop.workflow.receive import CaseInput, receive_case

    db = admin["db"]
    accounts.create_account(db, login="mai", password=GOOD, role="reception", officer_uuid=admin["clerk"].uuid)
    accounts.create_account(db, login="hung", password=GOOD, role="leader", officer_uuid=admin["head"].uuid)
    accounts.login_user(db, "mai", GOOD)
    person = save_person(db, full_name="Trần Thị Đức")
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 3, 2), summary="Giải trình",
                                      requesters=[person.uuid]), today=date(2026, 3, 2))
    accounts.login_user(db, "hung", GOOD)
    act(db, case.uuid, "accept", effective_on=date(2026, 3, 3), today=date(2026, 3, 3))
    assert [(e.action, e.actor) for e in list_events(db, case.uuid)] == [
        ("receive", "Lê Thị Mai"), ("accept", "Nguyễn Văn Hùng")]
