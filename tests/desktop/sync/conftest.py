"""Fixtures for sync tests: a commune register, a province register, keys exchanged, and rows
inserted with plain SQL (independent of the workflow layer)."""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from pathlib import Path

import pytest

from desktop.security import accounts
from desktop.storage import units as units_repo
from desktop.storage.db import Database, open_database
from desktop.sync import keys

PASS = "mật khẩu thử nghiệm"
NOW = "2026-03-02T09:00:00"


ADMIN_PASSWORD = "mật khẩu quản trị thử"


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", PASS)
    monkeypatch.setenv("GIAITRINH_USER", "quantri")  # every register's administrator, for the CLI
    monkeypatch.setenv("GIAITRINH_PASSWORD", ADMIN_PASSWORD)
    return PASS


def make_register(path: Path, *, code: str, name: str, mode: str) -> Database:
    db = open_database(path)
    level = "province" if mode == "province" else "commune"
    units_repo.save_unit(db, code=code, name=name, level=level, make_local=True, mode=mode)
    if mode == "province":
        db.set_setting("register_mode", "province")
    # keys, bundles and receipts are the administrator's
    accounts.assume_role(db, "admin", login="quantri", password=ADMIN_PASSWORD)
    return db


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """The logical content of every table: compared before/after a refused import."""
    out = {}
    for (name,) in db.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                            "AND name NOT LIKE '%fts%' ORDER BY name"):
        out[name] = sorted(tuple(map(repr, r)) for r in db.query(f'SELECT * FROM "{name}"'))
    return out


def file_digest(db: Database) -> str:
    """Content of the province file (checkpointed), as bytes hashed."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(Path(db.path).read_bytes()).hexdigest()


class Data:
    """Inserts register rows with plain SQL, owned by the register's own unit."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.unit = db.get_setting("local_unit_code")
        self.n = 0

    def _uuid(self) -> str:
        return uuidlib.uuid4().hex

    def person(self, name: str = "Nguyễn Văn An", **extra) -> str:
        u = self._uuid()
        with self.db.write():
            self.db.execute(
                "INSERT INTO persons(uuid, unit_code, version, updated_at, full_name, id_kind, id_number, phone, "
                "address) VALUES (?,?,?,?,?,?,?,?,?)",
                (u, self.unit, 1, NOW, name, "cccd", extra.get("id_number", "034090001234"),
                 extra.get("phone", "0912345678"), "Thôn Đông, xã Thụy Hùng"))
        return u

    def case(self, person_uuid: str | None = None, summary: str = "Đề nghị giải trình việc thu phí",
             events: int = 2) -> str:
        u = self._uuid()
        self.n += 1
        with self.db.write():
            self.db.execute(
                "INSERT INTO cases(uuid, unit_code, version, updated_at, number, kind, rules_id, summary, content, "
                "received_on, state, created_at, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (u, self.unit, 1, NOW, f"{self.n}/2026", "explanation", "nd59-2019", summary,
                 "Nội dung chi tiết", "2026-03-02", "received", NOW, "de nghi giai trinh"))
            if person_uuid:
                self.db.execute(
                    "INSERT INTO case_people(uuid, unit_code, version, updated_at, case_uuid, person_uuid) "
                    "VALUES (?,?,?,?,?,?)", (self._uuid(), self.unit, 1, NOW, u, person_uuid))
            prev = "0" * 64
            for seq in range(1, events + 1):
                h = hashlib.sha256(f"{u}{seq}".encode()).hexdigest()
                self.db.execute(
                    "INSERT INTO events(uuid, unit_code, case_uuid, seq, action, to_state, at, effective_on, "
                    "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (self._uuid(), self.unit, u, seq, "receive", "received", NOW, "2026-03-02", prev, h))
                prev = h
        return u

    def touch_case(self, case_uuid: str, summary: str) -> None:
        with self.db.write():
            self.db.execute("UPDATE cases SET summary = ?, version = version + 1, updated_at = ? WHERE uuid = ?",
                            (summary, NOW, case_uuid))

    def populate(self, cases: int = 5) -> list[str]:
        out = []
        for i in range(cases):
            out.append(self.case(self.person(f"Người số {i}"), f"Vụ việc số {i}"))
        return out


@pytest.fixture
def province(tmp_path) -> Database:
    db = make_register(tmp_path / "tinh.sqlite", code="01", name="UBND tỉnh Thử Nghiệm", mode="province")
    keys.ensure_keys(db)
    yield db
    db.close()


@pytest.fixture
def commune_factory(tmp_path, province):
    made = []

    def make(code: str = "00001", name: str = "UBND xã Thụy Hùng", register: bool = True) -> Database:
        db = make_register(tmp_path / f"xa-{code}.sqlite", code=code, name=name, mode="commune")
        keys.ensure_keys(db)
        keys.import_key_file(db, keys.parse_key_file(keys.key_file_content(province)))
        if register:
            keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(db)))
        made.append(db)
        return db

    yield make
    for db in made:
        db.close()


@pytest.fixture
def commune(commune_factory) -> Database:
    return commune_factory()


@pytest.fixture
def data(commune) -> Data:
    return Data(commune)


@pytest.fixture
def outdir(tmp_path) -> Path:
    d = tmp_path / "usb"
    d.mkdir()
    return d
