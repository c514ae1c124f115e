"""The core CLI end to end on a temporary register, as a separate process like an administrator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


PASSWORD = "mật khẩu thử dòng lệnh"


def run(*args: str, ok: bool = True, user: str = "chutich") -> subprocess.CompletedProcess:
    """The CLI as a script runs it: ``--user`` from GIAITRINH_USER, passwords from the environment."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), GIAITRINH_USER=user, GIAITRINH_PASSWORD=PASSWORD,
               GIAITRINH_NEW_PASSWORD=PASSWORD)
    proc = subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def init(db: str, code: str = "11230", name: str = "Ủy ban nhân dân xã Thụy Hùng") -> None:
    """``init`` (unit, head, administrator ``quantri``), then the head's account ``chutich``."""
    run("init", "--db", db, "--code", code, "--name", name, "--place", "Thụy Hùng", "--head", "Nguyễn Văn Hùng")
    run("user", "add", "--db", db, "--login", "chutich", "--role", "leader", "--officer", "Nguyễn Văn Hùng",
        user="quantri")


def test_register_end_to_end(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    init(db)
    out = run("case", "add", "--db", db, "--kind", "explanation", "--received", "13/02/2026", "--summary",
              "Giải trình việc cấp phép xây dựng", "--requester", "Trần Thị Đức", "--id-number", "034185001234",
              "--assignee", "Nguyễn Văn Hùng", "--json")
    case = json.loads(out.stdout)
    assert case["number"] == "01/2026" and case["due_on"] == "2026-02-27" and case["state"] == "received"
    run("case", "act", "--db", db, "01/2026", "accept", "--date", "20/02/2026")
    refused = run("case", "act", "--db", db, "01/2026", "close", "--date", "21/02/2026", ok=False)
    assert refused.returncode == 1 and "Không thể" in refused.stderr
    shown = json.loads(run("case", "show", "--db", db, "01/2026", "--json").stdout)
    assert shown["state"] == "accepted" and [e["action"] for e in shown["events"]] == ["receive", "accept"]
    assert {a["code"] for a in shown["allowed_actions"]} >= {"reply", "extend", "suspend"}

    found = json.loads(run("person", "find", "NGUYEN VAN DUC", "--db", db, "--json").stdout)
    assert found == []
    found = json.loads(run("person", "find", "tran thi duc", "--db", db, "--json").stdout)
    assert found[0]["full_name"] == "Trần Thị Đức"

    listed = json.loads(run("case", "list", "--db", db, "--text", "cap phep", "--json").stdout)
    assert [c["number"] for c in listed] == ["01/2026"]

    rec = json.loads(run("reception", "add", "--db", db, "--received", "02/03/2026", "--requester", "Lê Văn Tám",
                         "--content", "Kiến nghị sửa đường liên thôn", "--outcome", "accepted", "--case-kind", "petition",
                         "--json").stdout)
    assert rec["case_uuid"]
    assert len(json.loads(run("reception", "list", "--db", db, "--json").stdout)) == 1

    added = json.loads(run("calendar", "add", "--db", db, "07/03/2026", "work", "Làm bù", "--json", user="quantri").stdout)
    assert len(added["moved"]) == 2   # the two running deadlines after 07/03 come a day earlier
    cal = json.loads(run("calendar", "list", "--db", db, "--year", "2026", "--json").stdout)
    assert any(e["day"] == "2026-03-07" and e["kind"] == "work" for e in cal)

    board = json.loads(run("dashboard", "--db", db, "--today", "20/03/2026", "--json").stdout)
    assert board["overdue_count"] >= 1

    verified = json.loads(run("verify", "--db", db, "--json").stdout)
    # 3 steps, and the make-up day of 07/03 recounted the two deadlines it touched (one event each)
    assert verified["ok"] and verified["events_checked"] == 5


def test_deadline_without_a_database():
    out = json.loads(run("deadline", "--kind", "explanation", "--step", "notice", "--date", "13/02/2026", "--json").stdout)
    assert out["due"] == "2026-02-27" and "Tết" in out["trace"]
    assert "Điều 11" in out["citation"]


def test_errors_go_to_stderr_in_vietnamese(tmp_path):
    missing = run("case", "list", "--db", str(tmp_path / "none" / "x.sqlite"), ok=False)
    assert missing.returncode == 1 and missing.stderr.startswith("Lỗi:")
    db = str(tmp_path / "x.sqlite")
    init(db, "1", "UBND xã A")
    future = date.today().replace(year=date.today().year + 1).strftime("%d/%m/%Y")
    bad = run("case", "add", "--db", db, "--kind", "petition", "--received", future, "--summary", "x",
              "--requester", "A", ok=False)
    assert bad.returncode == 1 and "tương lai" in bad.stderr
    bad_id = run("case", "add", "--db", db, "--kind", "petition", "--summary", "x", "--requester", "A",
                 "--id-number", "12345", ok=False)
    assert "12 chữ số" in bad_id.stderr
    assert run("nonsense", ok=False).returncode == 2


def test_duplicates_are_offered_and_reveals_are_logged(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    init(db)
    args = ("case", "add", "--db", db, "--kind", "petition", "--received", "02/03/2026", "--summary",
            "Kiến nghị cán bộ địa chính nhận tiền", "--requester", "Trần Thị Đức", "--id-number", "034185001234")
    run(*args)
    second = run(*args, "--json")
    assert json.loads(second.stdout)["possible_duplicates"] == ["01/2026"]
    assert "có thể trùng vụ việc 01/2026" in second.stderr
    # A denouncer is sealed: a new person, never matched by number (the sealed one has none in clear).
    run("case", "add", "--db", db, "--kind", "denunciation", "--received", "02/03/2026", "--summary",
        "Tố cáo cán bộ địa chính nhận tiền", "--requester", "Lê Văn Tố", "--id-number", "034185009999")
    hidden = json.loads(run("case", "show", "--db", db, "03/2026", "--json").stdout)
    assert hidden["confidential"] and hidden["people"] == []
    no_reason = run("case", "show", "--db", db, "03/2026", "--json", "--reveal", ok=False)
    assert no_reason.returncode == 1 and "lý do" in no_reason.stderr
    shown = json.loads(run("case", "show", "--db", db, "03/2026", "--json", "--reveal", "--reason",
                           "Xác minh người tố cáo").stdout)
    assert shown["people"][0]["full_name"] == "Lê Văn Tố" and shown["people"][0]["id_number"] == "034185009999"
    assert shown["events"][-1]["action"] == "identity_revealed"
    import sqlite3

    log = sqlite3.connect(db).execute("SELECT actor, action, target FROM audit_log WHERE action LIKE 'reveal%'").fetchall()
    assert log == [("Nguyễn Văn Hùng", "reveal_denouncer", "03/2026"), ("Nguyễn Văn Hùng", "reveal_identity",
                                                                        shown["uuid"])]
    raw = sqlite3.connect(db).execute("SELECT full_name, id_number, sealed FROM persons WHERE sealed = 1").fetchall()
    assert raw == [("(giữ bí mật)", "", 1)]
