"""Set up a private virtual environment and run the app or the test suite.

The README's two commands call this file, so a fresh clone needs nothing but Python 3.11+:

    python3 installer/bootstrap.py run     # set up, then start the app
    python3 installer/bootstrap.py test    # set up, then run every test headless

The environment lives in ``.venv`` at the repository root. It is (re)installed only when
``pyproject.toml`` changed since the last install, so the second start is immediate.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".giaitrinh-installed"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_stamp(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {extras}"


def ensure_env(extras: str) -> Path:
    if sys.version_info < (3, 11):
        sys.exit("Sổ Giải trình cần Python 3.11 trở lên (đang chạy %s)." % sys.version.split()[0])
    python = _venv_python()
    if not python.exists():
        print("Đang tạo môi trường Python riêng trong .venv …", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = _wanted_stamp(extras)
    have = STAMP.read_text(encoding="utf-8") if STAMP.exists() else ""
    # The test environment is a superset of the run environment, so "run" accepts either.
    same_deps = have.split(" ")[0] == wanted.split(" ")[0]
    have_extras = set(have.split(" ")[1].split(",")) if " " in have else set()
    if not (same_deps and set(filter(None, extras.split(","))) <= have_extras):
        print("Đang cài đặt các thư viện cần thiết …", flush=True)
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        subprocess.check_call(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target]
        )
        STAMP.write_text(wanted, encoding="utf-8")
    return python


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    rest = argv[1:]
    os.chdir(ROOT)
    if command == "run":
        python = ensure_env("")
        return subprocess.call([str(python), "-m", "ui.launch", *rest])
    if command == "test":
        # "build" too: the suite builds the frozen app once and runs its --self-test.
        python = ensure_env("test,build")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return subprocess.call([str(python), "-m", "pytest", *rest], env=env)
    if command == "cli":
        python = ensure_env("")
        return subprocess.call([str(python), "-m", "ui.launch", *rest])
    if command == "setup":
        ensure_env(rest[0] if rest else "test,build")
        return 0
    print("Cách dùng: python3 installer/bootstrap.py run|test|setup [tham số …]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
