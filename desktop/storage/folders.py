"""Where the register lives: one folder for the office, shared by the computer's users.

A commune office often runs one PC under several Windows accounts. A register in each account's
own ``%LOCALAPPDATA%`` meant each account found an empty register (and the wizard invited a
second one), and a temporary or reset profile lost it with its backups. So the data folder is
chosen once per computer:

1. ``GIAITRINH_DATA_DIR`` in the environment (support, tests, a portable setup);
2. the machine's own setting, a small INI file next to the shared folder
   (``%ProgramData%\\SoGiaiTrinh\\giaitrinh.ini`` on Windows, written by the installer, which
   defaults to the shared folder; ``$XDG_CONFIG_DIRS``'s first folder — ``/etc/xdg`` —
   ``/SoGiaiTrinh/giaitrinh.ini`` on Linux)::

       [data]
       folder = %ProgramData%\\SoGiaiTrinh

3. otherwise the user's own data folder (``%LOCALAPPDATA%\\SoGiaiTrinh``, XDG on Linux), as before.

Who may act in a shared register is decided by the app's own accounts, not by Windows accounts.
Each user's QSettings keep only the last register that user opened (``ui.settings``).

Every function takes ``env`` and ``platform`` so the Windows rules are tested anywhere.
"""

from __future__ import annotations

import configparser
import logging
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

log = logging.getLogger(__name__)

APP_NAME = "SoGiaiTrinh"
REGISTER_NAME = "so-giai-trinh.sqlite"
MACHINE_CONFIG_NAME = "giaitrinh.ini"
DATA_DIR_ENV = "GIAITRINH_DATA_DIR"


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _platform(platform: str | None) -> str:
    return sys.platform if platform is None else platform


def _pure(platform: str) -> type[PurePath]:
    return PureWindowsPath if platform == "win32" else PurePosixPath


def _path(pure: PurePath) -> Path:
    return Path(str(pure))


def expand(text: str, env: Mapping[str, str] | None = None) -> str:
    """``%ProgramData%`` and ``$HOME`` / ``${HOME}`` from ``env``; unknown names stay as typed."""
    env = _env(env)
    lowered = {k.lower(): v for k, v in env.items()}   # Windows names ignore case
    text = re.sub(r"%([A-Za-z_][A-Za-z0-9_()]*)%", lambda m: lowered.get(m.group(1).lower(), m.group(0)), text)
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), m.group(0)), text)


def user_data_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """This user's own data folder (the default before a shared one is chosen)."""
    env, platform = _env(env), _platform(platform)
    if platform == "win32":
        base = env.get("LOCALAPPDATA") or str(PureWindowsPath(env.get("USERPROFILE", "C:\\")) / "AppData" / "Local")
        return _path(PureWindowsPath(base) / APP_NAME)
    if platform.startswith("linux"):
        base = env.get("XDG_DATA_HOME") or str(PurePosixPath(env.get("HOME", "~")) / ".local" / "share")
        return _path(PurePosixPath(base) / APP_NAME)
    from platformdirs import user_data_dir as platform_dir

    return Path(platform_dir(APP_NAME, appauthor=False))


def shared_data_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The folder every user of this computer can reach: ``%ProgramData%\\SoGiaiTrinh`` on
    Windows (``C:\\ProgramData``), ``/var/lib/SoGiaiTrinh`` elsewhere (an administrator creates it)."""
    env, platform = _env(env), _platform(platform)
    if platform == "win32":
        base = env.get("ProgramData") or env.get("PROGRAMDATA") or env.get("ALLUSERSPROFILE") or "C:\\ProgramData"
        return _path(PureWindowsPath(base) / APP_NAME)
    return Path("/var/lib") / APP_NAME


def machine_config_path(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The machine's own setting: next to the shared folder on Windows, in XDG's system
    configuration folder on Linux."""
    env, platform = _env(env), _platform(platform)
    if platform == "win32":
        return _path(PureWindowsPath(str(shared_data_dir(env, platform))) / MACHINE_CONFIG_NAME)
    # colon-separated by the XDG spec (os.pathsep when a Windows test simulates Linux with C:\ paths)
    first = (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep if sys.platform == "win32" else ":")[0]
    first = first or "/etc/xdg"
    return _path(PurePosixPath(first) / APP_NAME / MACHINE_CONFIG_NAME)


def machine_data_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path | None:
    """The data folder the machine's setting names, or None (no setting, or one not readable)."""
    env, platform = _env(env), _platform(platform)
    path = machine_config_path(env, platform)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8-sig") as fh:   # Inno Setup may write a BOM
            parser.read_file(fh)
    except FileNotFoundError:
        return None
    except (OSError, configparser.Error, UnicodeDecodeError) as exc:
        log.warning("machine setting %s unreadable, using the user's folder: %s", path, exc)
        return None
    folder = parser.get("data", "folder", fallback="").strip()
    if not folder:
        return None
    return _path(_pure(platform)(expand(folder, env)))


def data_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The data folder in force (see the module's docstring for the order)."""
    env, platform = _env(env), _platform(platform)
    if env.get(DATA_DIR_ENV):
        return _path(_pure(platform)(expand(env[DATA_DIR_ENV], env)))
    return machine_data_dir(env, platform) or user_data_dir(env, platform)


def uses_shared_folder(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    env, platform = _env(env), _platform(platform)
    return data_dir(env, platform) != user_data_dir(env, platform)


def default_register_path(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The register opened when none is named: the CLI's and the window's default alike."""
    return data_dir(env, platform) / REGISTER_NAME


def choose_machine_data_dir(folder: Path, env: Mapping[str, str] | None = None,
                            platform: str | None = None) -> Path:
    """Record ``folder`` as this computer's data folder (the machine setting); returns the
    setting's file. Raises a ``UserError`` where the user may not write it."""
    from desktop.errors import UserError

    path = machine_config_path(env, platform)
    parser = configparser.ConfigParser(interpolation=None)
    parser["data"] = {"folder": str(folder)}
    try:
        Path(str(folder)).mkdir(parents=True, exist_ok=True)
        if _platform(platform) == "win32" and sys.platform == "win32":  # pragma: no cover - Windows only
            share_with_users(Path(str(folder)))
        Path(str(path)).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("; Thư mục dữ liệu dùng chung của Sổ Giải trình trên máy này (mọi người dùng).\n")
            parser.write(fh)
    except OSError as exc:
        raise UserError("machine_setting_denied",
                        f"Không ghi được thiết lập của máy ({path}): tài khoản này không có quyền. "
                        "Hãy nhờ người quản trị máy cài lại Sổ Giải trình với thư mục dữ liệu dùng chung.") from exc
    log.info("machine data folder set to %s (%s)", folder, path)
    return path


USERS_SID = "*S-1-5-32-545"   # BUILTIN\Users, whatever the language of Windows


def share_with_users(folder: Path) -> bool:  # pragma: no cover - Windows only
    """Let every user of the PC change what is in ``folder`` (the register, its -wal and lock
    files, backups). Under ``C:\\ProgramData`` a folder a user creates is otherwise theirs alone:
    the next Windows account could read the register but not write it. The installer does the
    same with ``Permissions: users-modify``. False (logged) when Windows refused."""
    import subprocess

    try:
        done = subprocess.run(["icacls", str(folder), "/grant", f"{USERS_SID}:(OI)(CI)M", "/T", "/C", "/Q"],
                              capture_output=True, text=True, timeout=60,
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not share %s with the PC's users: %s", folder, exc)
        return False
    if done.returncode:
        log.warning("icacls on %s failed (%s): %s", folder, done.returncode, done.stdout + done.stderr)
    return done.returncode == 0


def temporary_profile(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Windows logged the user on with a temporary profile (``C:\\Users\\TEMP``,
    ``TEMP.MAY-XA``, ``TEMP.DOMAIN.001``, after a damaged profile): all it holds is deleted at
    sign-out."""
    env, platform = _env(env), _platform(platform)
    if platform != "win32":
        return False
    profile = env.get("USERPROFILE", "")
    name = PureWindowsPath(profile).name.upper() if profile else ""
    return name == "TEMP" or name.startswith("TEMP.")


def inside_profile(path: Path, env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """``path`` lies inside the user's own profile (lost with a temporary profile)."""
    env, platform = _env(env), _platform(platform)
    profile = env.get("USERPROFILE" if platform == "win32" else "HOME", "")
    if not profile:
        return False
    pure = _pure(platform)
    norm = (lambda p: str(p).lower()) if platform == "win32" else str
    try:
        pure(norm(str(path))).relative_to(pure(norm(profile)))
    except ValueError:
        return False
    return True
