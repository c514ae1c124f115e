"""``giaitrinh import-old`` as a separate process: preview, dry run, import, and the same file again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.workflow.old_register import samples

ROOT = Path(__file__).resolve().parents[3]


PASSWORD = "mật khẩu thử dòng lệnh"


def run(*args: str, ok: bool = True, user: str = "chutich") -> subprocess.CompletedProcess:
    """The CLI as a script runs it: the head's account, passwords from the environment."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), GIAITRINH_USER=user, GIAITRINH_PASSWORD=PASSWORD,
               GIAITRINH_NEW_PASSWORD=PASSWORD)
    proc = subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def init(db: str) -> None:
    """``init`` (unit, head, administrator ``quantri``), then the head's account ``chutich`` (a leader)."""
    run("init", "--db", db, "--code", "11230", "--name", "Ủy ban nhân dân xã Thụy Hùng", "--place", "Thụy Hùng",
        "--head", "Nguyễn Văn Hùng")
    run("user", "add", "--db", db, "--login", "chutich", "--role", "leader", "--officer", "Nguyễn Văn Hùng",
        user="quantri")


def test_import_old_end_to_end(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    init(db)
    xlsx = str(samples.write_xlsx(tmp_path / "so-cu.xlsx"))
    shown = run("import-old", xlsx, "--db", db, "--preview").stdout
    assert "dòng tiêu đề 4" in shown and "Họ tên người yêu cầu" in shown and "cột C “Họ và tên”" in shown
    assert "Dòng 6 cột D: Số CCCD / CMND: số CCCD lưu dạng số đã mất số 0 đầu: khôi phục thành 001203012345" in shown
    assert "Dòng 11 cột B" in shown and "[KHÔNG NHẬP]" in shown
    dry = json.loads(run("import-old", xlsx, "--db", db, "--dry-run", "--json").stdout)
    assert dry["dry_run"] and dry["imported"] == 4 and dry["numbers"] == ["01/2024", "04/2024"]
    done = run("import-old", xlsx, "--db", db).stdout
    assert "Đã nhập 4 vụ việc (số 01/2024 … 04/2024)" in done
    again = json.loads(run("import-old", xlsx, "--db", db, "--json").stdout)
    assert again["imported"] == 0 and again["counts"]["duplicate"] == 4
    listed = run("case", "list", "--db", db, "--json").stdout
    assert len(json.loads(listed)) == 4
    bad = run("import-old", xlsx, "--db", db, "--map", "full_name", ok=False)
    assert bad.returncode == 1 and "TRƯỜNG=CỘT" in bad.stderr


def test_publish_preview_and_make(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    init(db)
    run("import-old", str(samples.write_xlsx(tmp_path / "so-cu.xlsx")), "--db", db)
    shown = run("publish", "preview", "--period", "2024", "--db", db).stdout
    assert "1 vụ việc" in shown and "“Nguyễn Văn An” — Họ tên người dân" in shown
    made = json.loads(run("publish", "make", "--period", "Q1/2024", "--out", str(tmp_path / "ck"), "--db", db,
                          "--json").stdout)
    assert made["listed"] == 1 and made["newly_published"] == 1
    csv_text = (tmp_path / "ck" / "cong-khai-20240101-20240331.csv").read_bytes().decode("utf-8-sig")
    assert "Kiến nghị sửa đường liên thôn" in csv_text and "Nguyễn Văn An" not in csv_text
    bad = run("publish", "make", "--period", "quý một", "--out", str(tmp_path / "x"), "--db", db, ok=False)
    assert bad.returncode == 1 and "không hợp lệ" in bad.stderr
    rules = run("publish", "rules", "add", "liên thôn", "--reason", "thử", "--db", db).stdout
    assert "→ Kiến nghị sửa đường [đã ẩn]" in rules and "thêm --yes" in rules
    run("publish", "rules", "add", "liên thôn", "--reason", "thử", "--yes", "--db", db)
    listed = run("publish", "rules", "list", "--db", db).stdout
    assert "office_1" in listed and "Họ tên người dân" in listed


def test_attach_list_check_and_case_file(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    init(db)
    run("case", "add", "--db", db, "--kind", "petition", "--received", "02/03/2026", "--summary", "Kiến nghị sửa đường",
        "--requester", "Trần Thị Đức")
    scans = tmp_path / "scan"
    scans.mkdir()
    (scans / "trang-1.png").write_bytes(b"\x89PNG page one")
    (scans / "trang-2.png").write_bytes(b"\x89PNG page two")
    out = json.loads(run("attach", "01/2026", str(scans), "--db", db, "--json").stdout)
    assert len(out["added"]) == 2 and [a["file_name"] for a in out["attachments"]] == ["trang-1.png", "trang-2.png"]
    assert "khớp" in run("attach", "--check", "--db", db).stdout
    run("case-file", "01/2026", "--out", str(tmp_path / "hs.pdf"), "--db", db)
    assert (tmp_path / "hs.pdf").read_bytes().startswith(b"%PDF")
