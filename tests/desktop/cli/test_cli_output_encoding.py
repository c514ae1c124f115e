"""The CLI on a Windows code page: output redirected to a file, as cmd's ``>`` or PowerShell does.

Python is started as Windows starts it for a redirected program: no UTF-8 mode (``-X utf8=0``)
and the ANSI code page (``PYTHONIOENCODING=cp1252``), which has no "ổ", "ệ", "ầ". Every command
group, ``--help`` and ``--json`` included, must exit 0 and write UTF-8; ``case add`` must not
fail after saving (the clerk's retry would make a duplicate case).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CODE_PAGE = dict(PYTHONIOENCODING="cp1252", PYTHONUTF8="0", PYTHONPATH=str(ROOT))
# The CLI logs in (issue #17): the head's account, passwords from the environment as scripts do.
PASSWORD = "mật khẩu thử dòng lệnh"
LOGIN = dict(GIAITRINH_USER="chutich", GIAITRINH_PASSWORD=PASSWORD, GIAITRINH_NEW_PASSWORD=PASSWORD)


def run(tmp_path: Path, *args: str, code: int = 0, python: tuple[str, ...] = ("-m", "desktop.cli"),
        user: str = "chutich") -> tuple[str, str]:
    """Run with stdout and stderr redirected to files; return both, decoded as UTF-8."""
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8", "PYTHONIOENCODING")}
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.run([sys.executable, "-X", "utf8=0", *python, *args], cwd=ROOT, stdout=o, stderr=e,
                              env={**env, **CODE_PAGE, **LOGIN, "GIAITRINH_USER": user}, timeout=120)
    text_out, text_err = out.read_bytes().decode("utf-8"), err.read_bytes().decode("utf-8")
    assert "UnicodeEncodeError" not in text_err
    assert proc.returncode == code, text_err
    return text_out, text_err


def test_help_of_every_command_is_written_in_utf8(tmp_path):
    out, _ = run(tmp_path, "--help")
    assert "Sổ Giải trình — dòng lệnh" in out and "tạo sổ mới và khai báo đơn vị" in out
    # Every group and every subcommand's --help, in one process (each call enters main again).
    walk = (
        "import argparse, sys\n"
        "from desktop.cli import build_parser, main\n"
        "def paths(parser, prefix):\n"
        "    yield prefix\n"
        "    for action in parser._actions:\n"
        "        if isinstance(action, argparse._SubParsersAction):\n"
        "            for name, sub in action.choices.items():\n"
        "                yield from paths(sub, prefix + [name])\n"
        "seen = 0\n"
        "for path in paths(build_parser(), []):\n"
        "    try:\n"
        "        main(path + ['--help'])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (path, exc.code)\n"
        "    seen += 1\n"
        "print('helps:', seen)\n"
    )
    out, _ = run(tmp_path, "-c", walk, python=())
    assert int(out.rsplit("helps:", 1)[1]) >= 30
    for group in ("calendar", "doc", "case", "person", "reception", "keys", "bundle"):
        assert f"usage: giaitrinh {group}" in out


def test_every_group_writes_utf8_when_redirected_and_case_add_saves_once(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    run(tmp_path, "init", "--db", db, "--code", "11230", "--name", "Ủy ban nhân dân xã Thụy Hùng",
        "--place", "Thụy Hùng", "--head", "Nguyễn Văn Hùng")
    run(tmp_path, "user", "add", "--db", db, "--login", "chutich", "--role", "leader", "--officer",
        "Nguyễn Văn Hùng", user="quantri")
    out, _ = run(tmp_path, "case", "add", "--db", db, "--kind", "explanation", "--received", "13/02/2026",
                 "--summary", "Giải trình việc cấp phép xây dựng", "--requester", "Trần Thị Đức")
    assert "Đã tiếp nhận vụ việc số 01/2026" in out
    case = json.loads(run(tmp_path, "case", "add", "--db", db, "--kind", "petition", "--received", "16/02/2026",
                          "--summary", "Kiến nghị về đường điện", "--requester", "Lê Văn Ấn", "--json")[0])
    assert case["number"] == "02/2026" and case["kind_label"]
    listed = json.loads(run(tmp_path, "case", "list", "--db", db, "--json")[0])
    assert sorted(r["summary"] for r in listed) == ["Giải trình việc cấp phép xây dựng", "Kiến nghị về đường điện"]
    assert "Trần Thị Đức" in run(tmp_path, "case", "list", "--db", db)[0]
    assert "Giải trình" in run(tmp_path, "case", "show", "--db", db, "01/2026")[0]
    run(tmp_path, "case", "act", "--db", db, "01/2026", "accept", "--date", "20/02/2026")
    _, err = run(tmp_path, "case", "act", "--db", db, "01/2026", "close", "--date", "21/02/2026", code=1)
    assert err.startswith("Lỗi:")
    error = json.loads(run(tmp_path, "case", "show", "--db", db, "99/2026", "--json", code=1)[1])
    assert error["message"]
    assert "Trần Thị Đức" in run(tmp_path, "person", "find", "tran thi duc", "--db", db)[0]
    assert "ngày làm việc" in run(tmp_path, "deadline", "--kind", "explanation", "--step", "notice",
                                  "--date", "13/02/2026")[0]
    json.loads(run(tmp_path, "deadline", "--kind", "explanation", "--step", "notice", "--date", "13/02/2026",
                   "--json")[0])
    for args in (("dashboard",), ("verify",), ("calendar", "list"), ("reception", "list"), ("doc", "kinds"),
                 ("doc", "list"), ("keys", "show")):
        run(tmp_path, *args, "--db", db)
        json.loads(run(tmp_path, *args, "--db", db, "--json")[0])
    assert "quantri" in run(tmp_path, "user", "list", "--db", db, user="quantri")[0]
    _, err = run(tmp_path, "bundle", "inspect", "--db", db, str(tmp_path / "không-có.gtr"), code=1)
    assert err.startswith("Lỗi:") and "không-có.gtr" in err
    assert "Ủy ban nhân dân xã" in run(tmp_path, "demo", "--db", str(tmp_path / "mau.sqlite"))[0]


def test_a_reader_that_goes_away_does_not_turn_a_saved_case_into_a_failure(tmp_path):
    db = str(tmp_path / "xa.sqlite")
    run(tmp_path, "init", "--db", db, "--code", "11230", "--name", "Ủy ban nhân dân xã Thụy Hùng",
        "--place", "Thụy Hùng", "--head", "Nguyễn Văn Hùng")
    run(tmp_path, "user", "add", "--db", db, "--login", "chutich", "--role", "leader", "--officer",
        "Nguyễn Văn Hùng", user="quantri")
    env = {**os.environ, **CODE_PAGE, **LOGIN}
    # `giaitrinh case add … | more`, and the reader is closed before the command prints
    proc = subprocess.Popen([sys.executable, "-X", "utf8=0", "-m", "desktop.cli", "case", "add", "--db", db,
                             "--kind", "petition", "--received", "16/02/2026", "--summary", "Kiến nghị về đường điện",
                             "--requester", "Lê Văn Ấn", "--json"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err
    listed = json.loads(run(tmp_path, "case", "list", "--db", db, "--json")[0])
    assert [r["summary"] for r in listed] == ["Kiến nghị về đường điện"]   # saved once, reported saved
