"""``giaitrinh import-old`` as a separate process: preview, dry run, import, and the same file again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.workflow.old_register import samples

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_import_old_end_to_end(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    run("init", "--db", db, "--code", "11230", "--name", "Ủy ban nhân dân xã Thụy Hùng", "--place", "Thụy Hùng",
        "--head", "Nguyễn Văn Hùng")
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
