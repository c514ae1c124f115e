"""``giaitrinh verify`` as an administrator runs it: a clean register, a signed checkpoint, then an
edit behind the app named in Vietnamese with exit code 3."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from desktop.workflow.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=180)


def test_verify_checkpoint_and_a_finding(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    assert run("demo", "--db", db, "--cases", "20").returncode == 0
    admin = {"GIAITRINH_USER": "quantri", "GIAITRINH_PASSWORD": DEMO_PASSWORD}  # the demo's administrator
    clean = run("verify", "--db", db, "--checkpoint", "--json", env={"GIAITRINH_KEY_PASSPHRASE": "mật khẩu thử", **admin})
    assert clean.returncode == 0, clean.stderr
    report = json.loads(clean.stdout)
    assert report["ok"] and report["records_checked"] > 20 and report["checkpoint"]["seq"] == report["ledger_entries"]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER ledger_au_cases")
    conn.execute("UPDATE cases SET summary = 'sửa lén' WHERE id = 1")
    number = conn.execute("SELECT number FROM cases WHERE id = 1").fetchone()[0]
    conn.close()
    found = run("verify", "--db", db, env=admin)
    assert found.returncode == 3
    assert "Phát hiện vấn đề" in found.stdout and f"Vụ việc {number}" in found.stdout
    assert "đã bị gỡ ngoài ứng dụng" in found.stdout


def test_verify_after_a_checkpoint_is_quick_and_full_on_demand(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    assert run("demo", "--db", db, "--cases", "20").returncode == 0
    admin = {"GIAITRINH_USER": "quantri", "GIAITRINH_PASSWORD": DEMO_PASSWORD,
             "GIAITRINH_KEY_PASSPHRASE": "mật khẩu thử nghiệm dài"}
    first = json.loads(run("verify", "--db", db, "--checkpoint", "--json", env=admin).stdout)
    assert first["mode"] == "full" and first["ok"]
    quick = run("verify", "--db", db, "--json", env=admin)
    assert quick.returncode == 0, quick.stderr
    report = json.loads(quick.stdout)
    assert report["mode"] == "quick" and report["ok"] and report["since"]
    assert report["ledger_entries"] < first["ledger_entries"] // 10  # only what came after (a login at most)
    text = run("verify", "--db", db, env=admin).stdout
    assert "Kiểm tra nhanh" in text and "--full" in text
    full = json.loads(run("verify", "--db", db, "--full", "--json", env=admin).stdout)
    assert full["mode"] == "full" and full["ok"] and full["ledger_entries"] >= first["ledger_entries"]
