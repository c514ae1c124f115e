"""Atomic entry (issue #17, item 7): a case or a reception and the people typed with it are one
transaction. A refused entry or a program killed half-way leaves no orphan person; persons left
alone by older versions stay in the register but are not exported."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.storage.db import open_database
from desktop.workflow.receive import CaseInput, PersonInput, ReceptionInput, receive_case, record_reception

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 23)


def _orphans(db) -> int:
    return db.scalar("SELECT count(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM case_people c WHERE "
                     "c.person_uuid = p.uuid) AND NOT EXISTS (SELECT 1 FROM reception_people r WHERE r.person_uuid "
                     "= p.uuid) AND NOT EXISTS (SELECT 1 FROM receptions r WHERE r.person_uuid = p.uuid)")


def test_a_case_creates_its_person_with_it(office):
    db = office["db"]
    case = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị",
                                      requesters=[PersonInput("Hoàng Văn Mới", id_kind="cccd",
                                                              id_number="034090004321")]), today=TODAY)
    people = db.query("SELECT p.full_name FROM case_people c JOIN persons p ON p.uuid = c.person_uuid "
                      "WHERE c.case_uuid = ?", (case.uuid,))
    assert [r[0] for r in people] == ["Hoàng Văn Mới"]
    # The same ID number again is that person, not a duplicate.
    receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 3), summary="Lần hai",
                               requesters=[PersonInput("Hoàng Văn Mới", id_number="034090004321")]), today=TODAY)
    assert db.scalar("SELECT count(*) FROM persons WHERE id_number = '034090004321'") == 1


@pytest.mark.parametrize("bad", ["case_summary", "reception_outcome", "accepted_case_kind", "bad_person"])
def test_a_refused_entry_leaves_no_person(office, bad):
    db = office["db"]
    before = db.scalar("SELECT count(*) FROM persons")
    person = PersonInput("Người Bị Từ Chối", phone="0912" if bad == "bad_person" else "")
    with pytest.raises(UserError):
        if bad in ("case_summary", "bad_person"):
            receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2),
                                       summary="" if bad == "case_summary" else "Kiến nghị", requesters=[person]), today=TODAY)
        else:
            record_reception(db, ReceptionInput(
                received_on=date(2026, 3, 2), person_uuid=person, content="Nội dung",
                outcome="forwarded" if bad == "reception_outcome" else "accepted",
                case_kind="" if bad == "reception_outcome" else "complaint_1",
                learned_on=date(2026, 3, 9) if bad == "accepted_case_kind" else None), today=TODAY)
    assert db.scalar("SELECT count(*) FROM persons") == before


KILLED = r"""
import os, signal, sys
from datetime import date
from desktop.storage import search
from desktop.storage.db import open_database
from desktop.workflow.receive import PersonInput, ReceptionInput, record_reception

db = open_database(sys.argv[1])
from desktop.security.accounts import assume_role
assume_role(db, "leader")
real = search.reception_search_text
def killed(**kw):  # the person is written, the reception not yet: the program dies here
    os.kill(os.getpid(), signal.SIGKILL)
search.reception_search_text = killed
record_reception(db, ReceptionInput(received_on=date(2026, 3, 2), person_uuid=PersonInput("Người Bị Kill"),
                                    content="Nội dung"), today=date(2026, 11, 23))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_kill_half_way_leaves_no_person(office):
    db = office["db"]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.scalar("SELECT count(*) FROM persons")
    done = subprocess.run([sys.executable, "-c", KILLED, str(db.path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    again = open_database(db.path, create=False)
    try:
        assert again.scalar("SELECT count(*) FROM persons") == before
        assert not again.scalar("SELECT count(*) FROM persons WHERE full_name = 'Người Bị Kill'")
    finally:
        again.close()


def test_orphan_persons_are_not_exported(tmp_path, monkeypatch):
    from desktop.storage.persons import save_person
    from desktop.sync import export, importer, keys
    from tests.desktop.sync.conftest import make_register

    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", "mật khẩu thử nghiệm")
    province = make_register(tmp_path / "tinh.sqlite", code="01", name="UBND tỉnh", mode="province")
    commune = make_register(tmp_path / "xa.sqlite", code="00001", name="UBND xã", mode="commune")
    for a, b in ((province, commune), (commune, province)):
        keys.ensure_keys(a)
        keys.import_key_file(b, keys.parse_key_file(keys.key_file_content(a)))
    from desktop.security.accounts import assume_role

    assume_role(commune, "leader")
    orphan = save_person(commune, full_name="Người Mồ Côi", address="Thôn cũ")  # as an old version left it
    receive_case(commune, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị",
                                    requesters=[PersonInput("Người Có Vụ Việc")]), today=TODAY)
    usb = tmp_path / "usb"
    usb.mkdir()
    result = export.export_bundle(commune, usb)
    assert result.counts["persons"] == 1
    importer.apply(province, result.path)
    assert province.scalar("SELECT count(*) FROM persons WHERE uuid = ?", (orphan.uuid,)) == 0
    assert province.scalar("SELECT count(*) FROM persons WHERE full_name = 'Người Có Vụ Việc'") == 1
    from desktop.workflow.verify import verify_register

    assert verify_register(province).ok and verify_register(commune).ok
    assert _orphans(commune) == 1  # kept at the commune, never sent
    province.close()
    commune.close()
