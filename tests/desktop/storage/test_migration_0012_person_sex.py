"""0012 adds ``persons.sex`` to a released register (schema 0006) and loses nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.documents.context import honorific
from desktop.errors import ValidationError
from desktop.storage.db import open_database
from desktop.storage.persons import get_person, save_person

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_0006_register_gains_an_empty_sex_and_keeps_its_people(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    raw = sqlite3.connect(path)
    before = raw.execute("SELECT uuid, full_name, id_number, version FROM persons ORDER BY id").fetchall()
    raw.close()
    assert before

    db = open_database(path)
    try:
        after = db.query("SELECT uuid, full_name, id_number, version, sex FROM persons ORDER BY id")
        assert [tuple(r)[:4] for r in after] == before
        assert {r["sex"] for r in after} == {""}
        with pytest.raises(sqlite3.IntegrityError):
            db.conn.execute("UPDATE persons SET sex = 'x' WHERE uuid = ?", (before[0][0],))
        # an old person without a recorded sex: "Ông (bà)" or the citizen ID's digit decides
        person = get_person(db, before[0][0])
        assert honorific(person) in ("ông", "bà", "ông (bà)")
        from desktop.security import accounts

        accounts.assume_role(db, "reception")   # the clerk at the desk corrects the person
        updated = save_person(db, uuid=person.uuid, full_name=person.full_name, id_kind=person.id_kind,
                              id_number=person.id_number, phone=person.phone, address=person.address, sex="female")
        assert updated.sex == "female" and honorific(updated) == "bà"
        again = save_person(db, uuid=person.uuid, full_name=person.full_name, id_kind=person.id_kind,
                            id_number=person.id_number, phone=person.phone, address=person.address)
        assert again.sex == "female", "saving without a sex keeps the one recorded"
    finally:
        db.close()


def test_a_bad_sex_is_a_validation_error(db, login):
    from desktop.storage.units import save_unit

    save_unit(db, code="12345", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    login("reception")
    with pytest.raises(ValidationError) as info:
        save_person(db, full_name="Nguyễn Văn A", sex="nam")
    assert "sex" in info.value.fields
    assert save_person(db, full_name="Nguyễn Văn A", sex="male").sex == "male"
