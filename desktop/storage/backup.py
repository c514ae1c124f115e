"""Backups of a register: written whole, checked, encrypted, kept in rotation, restored on request.

A backup is written with SQLite's online backup API into a ``.check`` file in the backup folder,
**checked** (SQLite's integrity check, the register's own unit, as many ledger entries as the
register held), then encrypted into ``<name>.partial`` and flushed to the device: only then is it
renamed to its final name. A full disk, a pulled USB stick or a killed program leaves at most a
``.partial`` file, which is never listed, never restored, and removed at the next backup (a
partial file once opened as an empty register and passed ``verify``; issue #17, item 8).

Every backup is encrypted by default (``sealer=REGISTER_KEY``): ``desktop.security.backups``
encrypts to the register's sealing key, so that only a leader or the administrator can restore it
(format in ``docs/security.md``). A register without a sealing key yet (no administrator) is
copied plain, with a warning in the log. ``restore`` tells a sealed backup by its first bytes,
not its name; ``sealer.open(backup, work)`` writes the plain register before its check. A sealed
backup ends in ``.gtbk``, a plain one (made by versions before encryption) in ``.sqlite``.

Rotation keeps every backup of the last 24 hours, the newest of each of the last ``days`` days, of each of the last ``weeks``
ISO weeks and of each of the last ``months`` months, plus the newest of all; others are removed.
Automatic backups are made when the window closes and once a day (``due_today``), and skipped when
the register has not changed since its newest backup (``unchanged_since``): a province's register
of a million cases takes minutes to copy and check, and closing the window after reading it must
not copy it again. The register's **mark** (``register_mark``) is a digest of what any change
moves: the highest row id of every table (the ledger's among them, which grows with every change
of a record with legal weight, issue #17 item 5), the settings, the schema version. Each backup
writes the mark it copied to ``<register>.last-backup`` in its folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from desktop.errors import UserError
from desktop.storage.disks import write_file

log = logging.getLogger(__name__)

PLAIN, SEALED = ".sqlite", ".gtbk"
REASONS = {"manual": "sao lưu thủ công", "close": "khi đóng chương trình", "daily": "hằng ngày",
           "before-restore": "trước khi khôi phục", "before-upgrade": "trước khi nâng cấp"}
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})-(?P<reason>[a-z-]+)(?P<ext>\.sqlite|\.gtbk)$")
SQLITE_MAGIC = b"SQLite format 3\x00"
SEALED_MAGIC = b"GIAITRINH-ENCRYPTED-BACKUP\n"   # desktop.security.files writes it
MARK_SUFFIX = ".last-backup"  # in the backup folder: the mark of the register its newest backup copied
REGISTER_KEY = "register-key"   # make_backup's default: encrypted to the register's own sealing key


class Sealer(Protocol):
    """Encrypts a backup file with the register key (provided by ``desktop.security``)."""

    def seal(self, src: Path, dst: Path) -> None: ...

    def open(self, src: Path, dst: Path) -> None: ...


def file_kind(path: Path) -> str:
    """'sealed', 'plain' (an SQLite file), 'empty' or 'other', from the file's first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(max(len(SQLITE_MAGIC), len(SEALED_MAGIC)))
    if not head:
        return "empty"
    if head.startswith(SEALED_MAGIC):
        return "sealed"
    return "plain" if head.startswith(SQLITE_MAGIC) else "other"


def register_sealer(conn: sqlite3.Connection) -> Sealer | None:
    """The sealer of the register open on ``conn`` (its own key; no login needed to encrypt)."""
    from desktop.security.backups import writer

    return writer(conn)


@dataclass(frozen=True)
class Policy:
    hours: int = 24          # every backup of the last day is kept (each close of the window makes one)
    days: int = 7
    weeks: int = 5
    months: int = 12


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str
    sealed: bool
    size: int

    @property
    def label(self) -> str:
        return (f"{self.taken_at:%d/%m/%Y %H:%M:%S} — {REASONS.get(self.reason, self.reason)}"
                f"{' (mã hóa)' if self.sealed else ''}, {self.size / 1024 / 1024:.1f} MB")


def _failed(exc: BaseException, target: Path) -> UserError:
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in (28, 27) or "full" in text or "disk i/o" in text:
        why = "ổ đĩa hoặc USB đã đầy"
    else:
        why = f"lỗi khi ghi ({str(exc)[:120]})"
    return UserError("backup_failed", f"Không sao lưu được vào {target.parent}: {why}. Không có bản sao lưu dở nào "
                     "được giữ lại; sổ đang dùng không bị ảnh hưởng.", path=str(target))


def _new_private(path: Path) -> Path:
    """An empty file only its owner may read (the clear copies of the register made on the way)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    if os.name == "posix":
        os.chmod(path, 0o600)  # whatever the umask
    return path


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _expect(conn: sqlite3.Connection) -> dict:
    """What a copy of this register must hold at least (read before copying)."""
    unit = conn.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()
    has_ledger = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone()
    return {"unit": unit[0] if unit else None,
            "ledger": conn.execute("SELECT count(*) FROM ledger").fetchone()[0] if has_ledger else 0,
            "cases": conn.execute("SELECT count(*) FROM cases").fetchone()[0]}


def check_copy(path: Path, expect: dict | None = None) -> None:
    """A written copy is a whole register: SQLite header, integrity, its unit, its records."""
    if not path.exists() or path.stat().st_size == 0:
        raise UserError("backup_empty", f"Bản sao lưu {path.name} rỗng (0 byte), không dùng được.")
    with open(path, "rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise UserError("backup_damaged", f"Bản sao lưu {path.name} không phải là tệp sổ (hỏng hoặc sai mật khẩu).")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise UserError("backup_damaged", f"Bản sao lưu {path.name} bị hỏng: {result[:200]}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"settings", "units", "cases"} <= tables:
            raise UserError("backup_empty", f"Bản sao lưu {path.name} là một sổ trống, không có dữ liệu.")
        got = _expect(conn)
    except sqlite3.DatabaseError as exc:
        raise UserError("backup_damaged", f"Bản sao lưu {path.name} bị hỏng: {exc}") from exc
    finally:
        conn.close()
    if not got["unit"]:
        raise UserError("backup_empty", f"Bản sao lưu {path.name} là một sổ trống (chưa khai báo đơn vị).")
    if expect and expect.get("unit") and got["unit"] != expect["unit"]:
        raise UserError("backup_other_unit", f"Bản sao lưu {path.name} là sổ của đơn vị mã {got['unit']}, không phải "
                        f"của sổ này (mã {expect['unit']}): không khôi phục.")
    if expect and (got["ledger"] < expect["ledger"] or got["cases"] < expect["cases"]):
        raise UserError("backup_incomplete", f"Bản sao lưu {path.name} thiếu dữ liệu so với sổ đang dùng.")


def register_mark(conn: sqlite3.Connection) -> str:
    """A digest that changes whenever the register's content does (see the module's docstring).
    Cheap at any size: one index look-up per table, the settings table, two pragmas."""
    parts: list[object] = [conn.execute("PRAGMA schema_version").fetchone()[0],
                           conn.execute("PRAGMA user_version").fetchone()[0]]
    tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                          "ORDER BY name").fetchall()
    for name, sql in tables:
        text = (sql or "").upper()
        if text.startswith("CREATE VIRTUAL") or "WITHOUT ROWID" in text:
            continue  # FTS tables are seen through their shadow tables
        quoted = '"' + name.replace('"', '""') + '"'
        parts.append([name, conn.execute(f"SELECT max(rowid) FROM {quoted}").fetchone()[0]])
    if any(name == "settings" for name, _ in tables):
        parts.append(conn.execute("SELECT json_group_array(json_array(key, value)) FROM "
                                  "(SELECT key, value FROM settings ORDER BY key)").fetchone()[0])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def _mark_file(folder: Path, register: Path) -> Path:
    return Path(folder) / f"{Path(register).stem}{MARK_SUFFIX}"


def unchanged_since(conn: sqlite3.Connection, register: Path, folder: Path) -> Path | None:
    """The newest backup in ``folder`` when the register has not changed since it was copied
    (so an automatic backup would copy the same register again), else None."""
    try:
        noted = json.loads(_mark_file(folder, register).read_text(encoding="utf-8"))
        made = Path(folder) / noted["backup"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    newest = list_backups(folder, Path(register).stem)
    if not newest or newest[0].path != made or noted.get("mark") != register_mark(conn):
        return None
    return made


def _note_mark(folder: Path, register: Path, mark: str, target: Path) -> None:
    """Written after the backup is in place; losing it only costs one more backup."""
    note = _mark_file(folder, register)
    try:
        write_file(note, json.dumps({"mark": mark, "backup": target.name}).encode("utf-8"), private=True)
    except UserError as exc:
        log.warning("could not note the backup's mark in %s: %s", note, exc)


def backup_name(register: Path, reason: str, now: datetime, sealed: bool) -> str:
    return f"{register.stem}-{now:%Y%m%d-%H%M%S}-{reason}{SEALED if sealed else PLAIN}"


def make_backup(conn: sqlite3.Connection, register: Path, folder: Path, *, reason: str = "manual",
                sealer: Sealer | str | None = REGISTER_KEY, now: datetime | None = None) -> Path:
    """Copy the register open on ``conn`` into ``folder``, encrypted to its key (``sealer=None``:
    plain, for tests of old backups); the final file appears only once checked."""
    folder = Path(folder)
    now = now or datetime.now()
    if sealer == REGISTER_KEY:
        sealer = register_sealer(conn)
        if sealer is None:
            log.warning("register %s has no sealing key yet: backup written unencrypted", register)
    target = folder / backup_name(Path(register), reason, now, sealer is not None)
    tmp = target.with_name(target.name + ".partial")
    plain = target.with_name(target.name + ".check")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for pattern in ("*.partial", "*.check", "*.partial.tmp"):
            for stale in folder.glob(f"{Path(register).stem}-{pattern}"):
                stale.unlink(missing_ok=True)  # left by a backup that died
        expect = _expect(conn)
        mark = register_mark(conn)  # before the copy: a write in between only costs one more backup
        dest = sqlite3.connect(str(_new_private(plain)))
        try:
            conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        check_copy(plain, expect)
        if sealer is not None:
            sealer.seal(plain, tmp)
        else:
            os.replace(plain, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(folder)
        _note_mark(folder, Path(register), mark, target)
    except UserError:
        tmp.unlink(missing_ok=True)
        raise
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise _failed(exc, target) from exc
    finally:
        plain.unlink(missing_ok=True)
    log.info("backup written and checked: %s", target)
    return target


def list_backups(folder: Path, stem: str | None = None) -> list[BackupInfo]:
    """Finished backups in ``folder`` (of the register ``stem`` when given), newest first."""
    out = []
    folder = Path(folder)
    if not folder.is_dir():
        return out
    for path in folder.iterdir():
        m = _NAME.match(path.name)
        if not m or (stem and m["stem"] != stem) or not path.is_file():
            continue
        out.append(BackupInfo(path, datetime.strptime(m["stamp"], "%Y%m%d-%H%M%S"), m["reason"], m["ext"] == SEALED,
                              path.stat().st_size))
    return sorted(out, key=lambda b: b.taken_at, reverse=True)


def to_keep(backups: list[BackupInfo], policy: Policy, now: datetime) -> set[Path]:
    keep: set[Path] = set()
    if backups:
        keep.add(backups[0].path)
    seen_day, seen_week, seen_month = set(), set(), set()
    for b in backups:  # newest first: the first of each period is its newest
        day = b.taken_at.date()
        age = (now.date() - day).days
        week = day.isocalendar()[:2]
        month = (day.year, day.month)
        if now - b.taken_at < timedelta(hours=policy.hours):
            keep.add(b.path)
        if age < policy.days and day not in seen_day:
            keep.add(b.path)
        if age < policy.weeks * 7 and week not in seen_week:
            keep.add(b.path)
        if (now.year - day.year) * 12 + now.month - day.month < policy.months and month not in seen_month:
            keep.add(b.path)
        seen_day.add(day)
        seen_week.add(week)
        seen_month.add(month)
    return keep


def rotate(folder: Path, stem: str, policy: Policy = Policy(), now: datetime | None = None) -> list[Path]:
    """Remove the backups the policy does not keep; return them."""
    now = now or datetime.now()
    backups = list_backups(folder, stem)
    keep = to_keep(backups, policy, now)
    removed = []
    for b in backups:
        if b.path not in keep:
            try:
                b.path.unlink()
                removed.append(b.path)
            except OSError as exc:  # a read-only stick: keep going, the next rotation tries again
                log.warning("could not remove old backup %s: %s", b.path, exc)
    return removed


def due_today(folder: Path, stem: str, now: datetime | None = None) -> bool:
    """No backup of this register was made today (the daily one is due)."""
    today = (now or datetime.now()).date()
    return not any(b.taken_at.date() == today for b in list_backups(folder, stem))


def older_than_sent(backup: Path, register: Path) -> str | None:
    """A warning when ``backup`` holds less of the chain than the register already sent to the
    province: the province would refuse the next bundle (its chain no longer continues)."""
    try:
        old = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        cur = sqlite3.connect(f"file:{register}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        unit = cur.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()
        sent = cur.execute("SELECT max(seq), max(signed_at) FROM ledger_heads WHERE source = 'export' "
                           "AND unit_code = ?", (unit[0] if unit else None,)).fetchone()
        held = old.execute("SELECT max(seq) FROM ledger WHERE unit_code = ?", (unit[0] if unit else None,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        old.close()
        cur.close()
    if sent and sent[0] and (held[0] or 0) < sent[0]:
        return (f"Bản sao lưu này cũ hơn gói đã gửi tỉnh lúc {sent[1][:16].replace('T', ' ')}: sau khi khôi phục, "
                "tỉnh sẽ từ chối gói tiếp theo cho đến khi hai bên đối chiếu. Chỉ khôi phục khi sổ đang dùng đã hỏng.")
    return None


def unit_of(register: Path) -> str | None:
    """The unit code of the register file (None when missing, empty or unreadable)."""
    register = Path(register)
    if not register.exists() or register.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{register}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'local_unit_code'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def restore(backup: Path, register: Path, *, sealer: Sealer | None = None, folder: Path | None = None,
            now: datetime | None = None) -> Path | None:
    """Put ``backup`` in place of ``register`` (closed by the caller). The backup is opened
    (``sealer.open`` for an encrypted one) and checked first, and must be of the register's unit;
    the current register is itself backed up (``before-restore``, encrypted to its own key) unless
    it is missing or empty. Returns the path of that safety copy. Who may restore is decided by
    ``desktop.security.backups``, which builds the sealer."""
    backup, register = Path(backup), Path(register)
    if not _NAME.match(backup.name) and backup.suffix not in (PLAIN, SEALED):
        raise UserError("backup_unknown", f"{backup.name} không phải là bản sao lưu của Sổ Giải trình.")
    work = register.with_name(register.name + ".restoring")
    try:
        kind = file_kind(backup)
        if kind == "sealed":
            if sealer is None:
                raise UserError("backup_sealed", "Bản sao lưu này được mã hóa: chỉ lãnh đạo hoặc quản trị hệ thống "
                                                 "đăng nhập bằng mật khẩu mới khôi phục được.")
            sealer.open(backup, work)
        elif kind == "other":
            raise UserError("backup_damaged", f"Bản sao lưu {backup.name} bị hỏng hoặc không phải tệp sổ: không "
                                              "khôi phục. Sổ đang dùng không bị thay đổi.")
        else:
            with open(backup, "rb") as src, open(_new_private(work), "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        unit = unit_of(register)
        check_copy(work, {"unit": unit, "ledger": 0, "cases": 0} if unit else None)
        safety = None
        if register.exists() and register.stat().st_size > 0:
            conn = sqlite3.connect(str(register))
            try:
                safety = make_backup(conn, register, folder or backup.parent, reason="before-restore", now=now)
            finally:
                conn.close()
        for suffix in ("-wal", "-shm"):
            Path(str(register) + suffix).unlink(missing_ok=True)
        with open(work, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(work, register)
        _fsync_dir(register.parent)
    except OSError as exc:
        raise _failed(exc, register) from exc
    finally:
        work.unlink(missing_ok=True)
    log.info("register %s restored from %s", register, backup)
    return safety
