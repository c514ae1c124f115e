"""kill -9 while saving: the record ledger is written in the same transaction as the records it
chains, so a register killed at any moment reopens with its ledger whole and ``verify`` clean."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.storage.db import open_database
from desktop.workflow.verify import verify_register

ROOT = Path(__file__).resolve().parents[3]

WRITER = r"""
import sys
from datetime import date
from desktop.storage.calendar_repo import add_day, remove_day
from desktop.storage.db import open_database
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, PersonInput, ReceptionInput, receive_case, record_reception

db = open_database(sys.argv[1], create=False)
from desktop.security.accounts import assume_role
today = date(2026, 11, 23)
print("ready", flush=True)
n = 0
while True:
    n += 1
    assume_role(db, "leader")
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 3, 2), summary=f"Vụ {n}",
                                      requesters=[PersonInput(f"Người {n}")]), today=today)
    act(db, case.uuid, "accept", effective_on=date(2026, 3, 3), today=today)
    record_reception(db, ReceptionInput(received_on=date(2026, 3, 4), person_uuid=PersonInput(f"Khách {n}"),
                                        content="Nội dung"), today=today)
    assume_role(db, "admin")
    add_day(db, date(2030, 1, 1 + n % 28), "off", "Nghỉ")
    remove_day(db, date(2030, 1, 1 + n % 28))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_while_saving_the_register_verifies_clean(tmp_path):
    from desktop.storage.units import save_unit

    path = tmp_path / "so.sqlite"
    db = open_database(path)
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng")
    db.close()
    for delay in (0.3, 0.7, 1.1, 0.5, 0.9):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(delay)  # let it write for a while, then kill it wherever it is
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        db = open_database(path, create=False)
        try:
            report = verify_register(db)
            assert report.ok, report.problems
        finally:
            db.close()
    db = open_database(path, create=False)
    try:
        assert db.scalar("SELECT count(*) FROM cases") > 0
    finally:
        db.close()
