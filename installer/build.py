"""Build the frozen app (one folder) and smoke-test it; on Windows also the installer.

    python installer/build.py                 # dist/giaitrinh/, then dist/giaitrinh/giaitrinh --self-test
    python installer/build.py --no-test       # build only
    python installer/build.py --installer     # Windows: also run Inno Setup (ISCC.exe) on windows/giaitrinh.iss
    python installer/build.py --installer-only  # Windows: Inno Setup on the folder already built

Needs the ``build`` extra (``pip install -e .[build]``). Output goes to ``dist/`` and ``build/``
(both git-ignored).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "giaitrinh.spec"
ISS = ROOT / "installer" / "windows" / "giaitrinh.iss"


# The one-folder build holds one program per way of starting it (STYLE.md §15):
CLI_NAME = "giaitrinh"   # a console program: `giaitrinh <command>` prints in the console it runs in;
                         # with no arguments it opens the window, as everywhere
GUI_NAME = "giaitrinhw"  # Windows only: the window program the Start menu and desktop shortcuts start.
                         # A Windows window program has no console: run from cmd, it would print nothing


def programs(windows: bool) -> list[tuple[str, bool]]:
    """(name, console) of each program the build makes, for Windows or for the other systems."""
    return [(CLI_NAME, True)] + ([(GUI_NAME, False)] if windows else [])


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


ICON = ROOT / "resources" / "icons" / "giaitrinh.ico"   # drawn by installer/make_icon.py


def version_numbers(text: str) -> tuple[int, int, int, int]:
    """``0.1.0`` → (0, 1, 0, 0): the four numbers of a Windows version resource."""
    import re

    numbers = [int(m.group()) if (m := re.match(r"\d+", part)) else 0 for part in text.split(".")[:4]]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def version_resource(text: str | None = None) -> str:
    """The Windows version resource of both programs, in PyInstaller's version-file format, from
    pyproject's version (Explorer's Properties → Details; antivirus programs trust a program
    that names itself a little more)."""
    text = text or version()
    numbers = version_numbers(text)
    strings = {
        "CompanyName": "Sổ Giải trình", "FileDescription": "Sổ Giải trình — sổ theo dõi tiếp công dân, "
        "khiếu nại, tố cáo, kiến nghị, phản ánh và yêu cầu giải trình", "FileVersion": text,
        "InternalName": "giaitrinh", "LegalCopyright": "Giấy phép MIT", "OriginalFilename": "giaitrinh.exe",
        "ProductName": "Sổ Giải trình", "ProductVersion": text,
    }
    pairs = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return (
        "VSVersionInfo(\n"
        f"  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,\n"
        "                    fileType=0x1, subtype=0x0, date=(0, 0)),\n"
        "  kids=[\n"
        "    StringFileInfo([StringTable('042a04b0', [\n"   # Vietnamese, Unicode
        f"{pairs}])]),\n"
        "    VarFileInfo([VarStruct('Translation', [0x042a, 1200])])\n"
        "  ]\n"
        ")\n"
    )


def frozen_program(dist: Path, name: str = CLI_NAME) -> Path:
    return dist / "giaitrinh" / (f"{name}.exe" if sys.platform == "win32" else name)


def build(dist: Path, work: Path) -> Path:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    print("→", " ".join(cmd), flush=True)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    print(f"built in {time.perf_counter() - started:.0f} s: {frozen_program(dist)}", flush=True)
    return frozen_program(dist)


def self_test(program: Path, timeout: int = 120) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([str(program), "--self-test"], env=env, timeout=timeout, capture_output=True, text=True)
    print(result.stdout, result.stderr, sep="", flush=True)
    return result.returncode


def installer(dist: Path) -> None:
    iscc = shutil.which("ISCC") or shutil.which("iscc")
    default = Path(os.environ.get("ProgramFiles(x86)", "C:\\Program Files (x86)")) / "Inno Setup 6" / "ISCC.exe"
    if not iscc and default.exists():
        iscc = str(default)
    if not iscc:
        sys.exit("Inno Setup (ISCC.exe) not found: install Inno Setup 6 and put it on PATH.")
    subprocess.run([iscc, f"/DAppVersion={version()}", f"/DSourceDir={dist / 'giaitrinh'}",
                    f"/O{dist}", str(ISS)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    parser.add_argument("--no-test", action="store_true")
    parser.add_argument("--installer", action="store_true")
    parser.add_argument("--installer-only", action="store_true")
    args = parser.parse_args(argv)
    if args.installer_only:
        installer(args.dist)
        return 0
    program = build(args.dist, args.work)
    if not args.no_test:
        code = self_test(program)
        if code:
            print(f"self-test failed with exit code {code}", file=sys.stderr)
            return code
    if args.installer:
        installer(args.dist)
    return 0


if __name__ == "__main__":
    sys.exit(main())
