"""Sealed identities on a real register: a denouncer's fields never sit clear in the database, its
index or its bundles; a reveal needs the role, the key and a reason, lasts a limited time, is
logged and is an event of the case's chain."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest

from desktop.errors import UserError, ValidationError
from desktop.security import accounts, sealing
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception

PASSWORD = "mật khẩu của lãnh đạo xã"
TODAY = date(2026, 3, 2)
NAME, ID, PHONE = "Trần Thị Tố Cáo", "034185001234", "0912345678"


@pytest.fixture
def office(db):
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    clerk = save_officer(db, full_name="Lê Thị Mai", title="Văn thư")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    accounts.create_account(db, login="hung", password=PASSWORD, role="leader", officer_uuid=head.uuid)
    accounts.create_account(db, login="mai", password=PASSWORD, role="reception", officer_uuid=clerk.uuid)
    accounts.login_user(db, "mai", PASSWORD)
    person = save_person(db, full_name=NAME, id_kind="cccd", id_number=ID, phone=PHONE, address="Thôn Đông",
                         protect=True)  # entered for a denunciation: sealed as it is written
    case = receive_case(db, CaseInput(kind="denunciation", received_on=TODAY, summary="Tố cáo cán bộ nhận tiền",
                                      requesters=[person.uuid]), today=TODAY)
    return {"db": db, "person": person, "case": case}


def _everything(db) -> str:
    """Every text of every table and of the file itself, as an attacker with the file reads it."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.path.read_bytes().decode("utf-8", "ignore")


def test_a_denouncer_is_sealed_in_the_storage_layer(office):
    db, person = office["db"], office["person"]
    row = db.one("SELECT full_name, id_number, phone, address, search_text, name_key, sealed, seal FROM persons "
                 "WHERE uuid = ?", (person.uuid,))
    assert row["sealed"] == 1 and row["full_name"] == sealing.PLACEHOLDER
    assert (row["id_number"], row["phone"], row["address"], row["search_text"], row["name_key"]) == ("",) * 5
    assert row["seal"].startswith("s1.") and NAME not in row["seal"]
    from desktop.storage.search import search_persons

    assert search_persons(db, "to cao") == [] and search_persons(db, ID) == []
    assert not db.query("SELECT rowid FROM persons_fts WHERE persons_fts MATCH 'cao'")
    text = _everything(db)
    assert NAME not in text and ID not in text and PHONE not in text and "tran thi to cao" not in text


def test_a_reception_of_a_denunciation_seals_everyone_received(office):
    db = office["db"]
    other = save_person(db, full_name="Phạm Văn Đi Cùng", phone="0987654321")
    record_reception(db, ReceptionInput(received_on=TODAY, person_uuid=other.uuid, content="Tố cáo sai phạm",
                                        case_kind="denunciation", outcome="accepted", summary="Tố cáo"), today=TODAY)
    assert db.scalar("SELECT sealed FROM persons WHERE uuid = ?", (other.uuid,)) == 1
    assert "Phạm Văn Đi Cùng" not in db.query("SELECT group_concat(full_name || phone || search_text) FROM persons")[0][0]
    from desktop.storage.search import search_persons

    assert search_persons(db, "di cung") == []


def test_reveal_needs_the_role_the_key_and_a_reason(office):
    db, person, case = office["db"], office["person"], office["case"]
    with pytest.raises(UserError) as exc:  # the reception clerk
        sealing.reveal(db, person.uuid, "Xác minh đơn", case_uuid=case.uuid)
    assert exc.value.code == "not_permitted"
    accounts.assume_role(db, "leader")  # a leader without the key (never logged in with a password)
    with pytest.raises(UserError) as exc:
        sealing.reveal(db, person.uuid, "Xác minh đơn", case_uuid=case.uuid)
    assert exc.value.code == "no_seal_key"
    accounts.login_user(db, "hung", PASSWORD)
    with pytest.raises(ValidationError):
        sealing.reveal(db, person.uuid, "  ", case_uuid=case.uuid)
    events_before = db.scalar("SELECT count(*) FROM events")
    now = datetime(2026, 3, 2, 9, 0)
    started = time.perf_counter()
    opened = sealing.reveal(db, person.uuid, "Xác minh người tố cáo theo Điều 9", case_uuid=case.uuid, now=now)
    elapsed = time.perf_counter() - started
    assert (opened.full_name, opened.id_number, opened.phone) == (NAME, ID, PHONE)
    assert opened.until == "2026-03-02T09:10:00" and elapsed < 0.5
    assert db.scalar("SELECT count(*) FROM events") == events_before + 1
    from desktop.storage.cases import list_events
    from desktop.workflow.verify import verify_register

    last = list_events(db, case.uuid)[-1]
    assert last.action == "identity_revealed" and last.actor == "Nguyễn Văn Hùng" and "Điều 9" in last.note
    assert verify_register(db).ok
    shown = sealing.reveals_of_case(db, case.uuid)
    assert [(r.officer_name, r.reason, r.at) for r in shown] == [
        ("Nguyễn Văn Hùng", "Xác minh người tố cáo theo Điều 9", "2026-03-02T09:00:00")]
    assert sealing.revealed(db, person.uuid, now=now + timedelta(minutes=5)).full_name == NAME
    assert sealing.revealed(db, person.uuid, now=now + timedelta(minutes=11)) is None  # it lapsed
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'reveal_identity' AND person_uuid = ?",
                     (person.uuid,)) == 1


def test_the_key_follows_password_changes_and_new_leaders(office):
    db, person = office["db"], office["person"]
    accounts.login_user(db, "quantri", PASSWORD)
    deputy = save_officer(db, full_name="Phạm Thị Lan", title="Phó Chủ tịch", role="deputy")
    accounts.create_account(db, login="lan", password="mật khẩu của phó chủ tịch", role="leader",
                            officer_uuid=deputy.uuid)
    accounts.set_password(db, "hung", "mật khẩu mới của chủ tịch")
    for login, password in (("lan", "mật khẩu của phó chủ tịch"), ("hung", "mật khẩu mới của chủ tịch")):
        accounts.login_user(db, login, password)
        assert sealing.reveal(db, person.uuid, "Kiểm tra khóa mới").full_name == NAME
    accounts.change_password(db, "mật khẩu mới của chủ tịch", "mật khẩu thứ ba của chủ tịch")
    accounts.login_user(db, "hung", "mật khẩu thứ ba của chủ tịch")
    assert sealing.reveal(db, person.uuid, "Kiểm tra lần nữa").full_name == NAME
    assert db.scalar("SELECT key_wrap FROM accounts WHERE login = 'mai'") == ""  # a clerk never holds it


def test_an_upgraded_register_seals_its_denouncers_when_its_administrator_is_made(tmp_path):
    import shutil
    from pathlib import Path

    from desktop.storage.db import open_database

    path = tmp_path / "r.sqlite"
    shutil.copy(Path(__file__).resolve().parents[2] / "fixtures" / "register-0006.sqlite", path)
    db = open_database(path)
    try:
        clear = db.scalar("SELECT count(DISTINCT cp.person_uuid) FROM case_people cp JOIN cases c "
                          "ON c.uuid = cp.case_uuid WHERE c.confidential = 1")
        assert clear > 0 and db.scalar("SELECT count(*) FROM persons WHERE sealed = 1") == 0
        accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
        assert db.scalar("SELECT count(*) FROM persons WHERE sealed = 1") >= clear
        assert db.scalar("SELECT count(*) FROM persons p JOIN case_people cp ON cp.person_uuid = p.uuid JOIN cases c "
                         "ON c.uuid = cp.case_uuid WHERE c.confidential = 1 AND p.sealed = 0") == 0
    finally:
        db.close()


def test_the_sync_keys_unlock_with_the_administrators_login(office):
    from desktop.security import keyring
    from desktop.sync import keys

    db = office["db"]
    with pytest.raises(UserError):
        keyring.ensure_passphrase(db)  # the reception clerk
    accounts.login_user(db, "quantri", PASSWORD)
    secret = keyring.ensure_passphrase(db)
    assert len(secret) >= 40 and secret not in db.get_setting(keyring.SETTING)
    keys.ensure_keys(db, secret)
    assert keys.private_key(db, "signing", secret) is not None
    accounts.login_user(db, "hung", PASSWORD)  # a leader unlocks them too, typing nothing
    assert keyring.passphrase(db) == secret
    accounts.login_user(db, "mai", PASSWORD)
    assert keyring.passphrase(db) is None


def test_a_weak_key_passphrase_is_refused_when_first_set():
    from desktop.sync import crypto

    with pytest.raises(ValidationError) as exc:
        crypto.generate("signing", "123456")
    assert "quá ngắn" in exc.value.fields["passphrase"]
