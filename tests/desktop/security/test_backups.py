"""Who may restore a backup (issue #17, items 2 and 8): the permission is in the roles matrix; an
encrypted backup needs a leader or the administrator, an old unencrypted one the administrator;
a lost register is restored by proving the right against the backup itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.security import accounts, backups, roles
from desktop.security.roles import Role
from desktop.storage import backup
from desktop.storage.db import open_database
from desktop.workflow.demo import DEMO_PASSWORD, build_demo


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("mau") / "so.sqlite"
    db = open_database(path)
    build_demo(db, cases=12, today=date(2026, 11, 23))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def register(tmp_path, template):
    path = tmp_path / "so.sqlite"
    path.write_bytes(template.read_bytes())
    return path


@pytest.fixture
def made(register, tmp_path):
    """An encrypted backup and an old unencrypted one (as versions before this one wrote)."""
    db = open_database(register, create=False)
    try:
        sealed = backup.make_backup(db.conn, register, tmp_path / "usb", reason="daily")
        plain = backup.make_backup(db.conn, register, tmp_path / "cu", reason="daily", sealer=None)
    finally:
        db.close()
    return {"sealed": sealed, "plain": plain}


def logged_in(register: Path, login: str):
    db = open_database(register, create=False)
    accounts.login_user(db, login, DEMO_PASSWORD)
    return db


def test_the_matrix_says_who_backs_up_and_who_restores():
    assert {r for r in Role if roles.allows(r, "backup.restore")} == {Role.LEADER, Role.ADMIN}
    assert {r for r in Role if roles.allows(r, "backup.restore_plain")} == {Role.ADMIN}
    assert {r for r in Role if roles.allows(r, "backup.make")} == set(Role) - {Role.VIEWER}


@pytest.mark.parametrize("login, kind, allowed", [
    ("chutich", "sealed", True), ("quantri", "sealed", True), ("vanthu", "sealed", False),
    ("thuly", "sealed", False), ("chutich", "plain", False), ("quantri", "plain", True), ("vanthu", "plain", False)])
def test_who_may_restore_which_backup(register, made, tmp_path, login, kind, allowed):
    db = logged_in(register, login)
    try:
        if not allowed:
            with pytest.raises(UserError) as exc:
                backups.opener(db, made[kind])
            assert exc.value.code == "not_permitted" and "không được khôi phục" in exc.value.message
            return
        sealer = backups.opener(db, made[kind])
    finally:
        db.close()
    safety = backup.restore(made[kind], register, sealer=sealer, folder=tmp_path / "an-toan")
    assert safety is not None and safety.suffix == ".gtbk"


def test_a_lost_register_is_restored_by_proving_the_right_against_the_backup(register, made, tmp_path):
    register.write_bytes(b"")
    assert not backups.register_usable(register)
    with pytest.raises(UserError) as exc:
        backup.restore(made["sealed"], register, sealer=backups.offline_opener(made["sealed"], "vanthu", DEMO_PASSWORD))
    assert exc.value.code == "backup_no_key"
    with pytest.raises(UserError) as exc:   # an old plain backup: the administrator of that backup only
        backups.offline_opener(made["plain"], "chutich", DEMO_PASSWORD)
    assert exc.value.code == "not_permitted"
    with pytest.raises(UserError):
        backups.offline_opener(made["plain"], "quantri", "không phải mật khẩu")
    assert register.read_bytes() == b""
    backup.restore(made["sealed"], register, sealer=backups.offline_opener(made["sealed"], "chutich", DEMO_PASSWORD))
    db = open_database(register, create=False)
    assert db.scalar("SELECT count(*) FROM cases") == 12
    db.close()
    register.write_bytes(b"")
    backup.restore(made["plain"], register, sealer=backups.offline_opener(made["plain"], "quantri", DEMO_PASSWORD))
    assert backups.register_usable(register)


def test_a_backup_made_before_a_password_change_still_opens_with_the_key_in_hand(register, made, tmp_path):
    db = logged_in(register, "chutich")
    accounts.change_password(db, DEMO_PASSWORD, "bầu trời xanh ngắt mùa thu")
    accounts.login_user(db, "chutich", "bầu trời xanh ngắt mùa thu")
    sealer = backups.opener(db, made["sealed"])
    db.close()
    backup.restore(made["sealed"], register, sealer=sealer, folder=tmp_path / "an-toan")
