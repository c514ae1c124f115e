"""The one way into a register's SQLite file.

``open_database`` opens the file, sets the pragmas a register of record needs (WAL, foreign keys,
synchronous FULL, a busy timeout), checks that this SQLite has FTS5, takes a backup with SQLite's
backup API when migrations are pending on an existing register, applies them and returns a
``Database``. There is no module-level connection: each thread opens its own.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.errors import UserError
from desktop.storage import ledger

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
COMPACT_FREE_SHARE = 0.25  # after migrations, VACUUM when this share of the file is free pages


def _map_sqlite_error(exc: sqlite3.Error) -> UserError | None:
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return UserError(
            "disk_full",
            "Ổ đĩa đã đầy nên không ghi được. Không có dữ liệu nào bị ghi dở; "
            "hãy giải phóng dung lượng rồi thử lại.",
        )
    if "database is locked" in text or "database is busy" in text:
        return UserError(
            "database_locked",
            "Sổ đang được một cửa sổ hoặc máy khác ghi. Vui lòng chờ giây lát rồi thử lại.",
        )
    if "readonly" in text or "read-only" in text:
        return UserError("database_readonly", "Tệp sổ chỉ cho phép đọc, không ghi được.")
    if "disk i/o error" in text:
        return UserError(
            "disk_io",
            "Không đọc hoặc ghi được tệp sổ (lỗi vào/ra của ổ đĩa). Việc vừa làm chưa được ghi. "
            "Thường do phần mềm diệt virus đang quét tệp sổ, ổ USB lỏng hoặc bị rút, hoặc ổ đĩa lỗi. "
            "Hãy thử lại; nếu lỗi lặp lại, thêm thư mục dữ liệu của Sổ Giải trình vào danh sách loại trừ "
            "của phần mềm diệt virus (xem hướng dẫn cài đặt).",
        )
    if "unable to open database file" in text:
        return UserError(
            "database_unreachable",
            "Không mở được tệp sổ: thư mục hoặc ổ đĩa chứa sổ không còn (USB đã rút, ổ mạng mất kết nối) "
            "hoặc tài khoản này không có quyền ghi vào đó.",
        )
    if "file is not a database" in text or "malformed" in text:
        return UserError("database_damaged", "Tệp sổ bị hỏng hoặc không phải là tệp sổ của Sổ Giải trình.")
    return None


IO_RETRIES = 3
IO_RETRY_PAUSE = 0.2  # seconds


def _retry_disk_io(action):
    """Run ``action``; on SQLite's "disk I/O error" — an antivirus briefly holding the register,
    its -wal or -shm file — wait a moment and try again (3 tries, 200 ms apart). Only for steps
    that change nothing when they fail: opening, and taking the write lock."""
    for attempt in range(1, IO_RETRIES + 1):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if attempt == IO_RETRIES or "disk i/o error" not in str(exc).lower():
                raise
            log.warning("disk I/O error (%s), retry %s/%s", exc, attempt, IO_RETRIES - 1)
            time.sleep(IO_RETRY_PAUSE)
    raise AssertionError("unreachable")  # pragma: no cover


def check_sqlite(conn: sqlite3.Connection) -> None:
    """Refuse to run on an SQLite without FTS5 (search needs it), with a clear message."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp._fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp._fts5_probe")
    except sqlite3.OperationalError as exc:  # pragma: no cover - depends on the build
        raise UserError(
            "sqlite_no_fts5",
            f"Phiên bản SQLite {sqlite3.sqlite_version} thiếu FTS5 nên không tìm kiếm được. "
            "Hãy cài bản Python có SQLite kèm FTS5.",
        ) from exc


class Database:
    """A register: one SQLite connection owned by one thread, plus the sqlite-utils view of it."""

    def __init__(self, path: Path | str, conn: sqlite3.Connection) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.conn = conn
        self._utils = None
        self._thread = threading.get_ident()
        # The logged-in officer (``desktop.security.Principal``), set by ``security.accounts``:
        # permission checks and every event's actor read it. A worker's connection copies it.
        self.principal = None
        self.closed = False

    @property
    def utils(self):
        """The sqlite-utils view of the connection, imported on first use (not at start-up)."""
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn)
        return self._utils

    # -- reading ---------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            mapped = _map_sqlite_error(exc)
            if mapped:
                raise mapped from exc
            raise

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        return self.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator["Database"]:
        """One all-or-nothing write. Nested calls join the outer transaction (a savepoint).

        ``BEGIN IMMEDIATE`` takes the write lock up front so two writers wait (busy timeout)
        instead of failing half-way. A full disk, a lock or any error rolls everything back.
        """
        if self.conn.in_transaction:
            name = f"sp_{id(object())}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        try:
            _retry_disk_io(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as exc:
            mapped = _map_sqlite_error(exc)
            if mapped:
                raise mapped from exc
            raise
        try:
            yield self
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            mapped = _map_sqlite_error(exc)
            if mapped:
                raise mapped from exc
            raise
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    # -- settings kept in the register (never in QSettings) ----------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else row[0]

    def set_setting(self, key: str, value: str) -> None:
        with self.write():
            self.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def close(self) -> None:
        self.closed = True
        try:
            self.conn.close()
        except sqlite3.Error:  # pragma: no cover
            log.exception("closing %s", self.path)

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(path: Path | str, *, any_thread: bool = False) -> sqlite3.Connection:
    """A raw connection with the register's pragmas (used by ``open_database`` and backups).
    ``any_thread``: usable from one thread after another (never two at once: the caller makes
    sure), e.g. the report view's connection, whose temporary facts outlive one worker task."""
    def attempt() -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=not any_thread)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if str(path) != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            ledger.register_functions(conn)  # the record ledger's triggers call them
            # Deleted or overwritten content is zeroed, not left in free pages: a sealed identity's
            # clear text never survives in the file (issue #17, DOMAIN.md §7).
            conn.execute("PRAGMA secure_delete = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    try:
        conn = _retry_disk_io(attempt)
    except sqlite3.Error as exc:
        mapped = _map_sqlite_error(exc)
        if mapped:
            raise mapped from exc
        raise UserError("database_open_failed", f"Không mở được tệp sổ {path}: {exc}") from exc
    return conn


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy a live register with SQLite's online backup API (consistent even under WAL)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    dest = sqlite3.connect(str(target))
    try:
        _owner_only(target)
        conn.backup(dest)
    finally:
        dest.close()
    return target


def _owner_only(path: Path) -> None:
    """A register and its copies are readable by their owner only (POSIX 0600; on Windows the
    profile folder's ACL does it, see ``desktop.security.files``)."""
    if os.name == "posix":
        os.chmod(path, 0o600)


def pending_upgrade(path: Path | str) -> list[str]:
    """The migrations an existing register still needs (``[]`` for a new or up-to-date file),
    read without changing the file: the window upgrades such a register on a worker, with a
    progress dialog, since a large one takes minutes (backup, migrations, VACUUM)."""
    from desktop.storage.migrations import pending_names

    p = Path(path)
    if str(path) == ":memory:" or not p.exists() or p.stat().st_size == 0:
        return []
    try:
        conn = sqlite3.connect(str(p))  # no pragmas: only reads
    except sqlite3.Error:
        return []  # open_database says what is wrong with the file
    try:
        return pending_names(conn) if _register_tables(conn) else []
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def _register_tables(conn: sqlite3.Connection) -> int:
    """How many tables the file has besides the bookkeeping ones (0: a new register)."""
    return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' "
                        "ESCAPE '\\'").fetchone()[0]


def compact_if_sparse(db: Database, share: float = COMPACT_FREE_SHARE) -> bool:
    """VACUUM when ``share`` of the file or more is free pages (a migration that rebuilt a table
    leaves the old pages free); True when it did. SQLite would reuse them for new rows anyway, so a
    disk without room for the copy VACUUM needs only skips it, with a log line."""
    total = db.scalar("PRAGMA page_count") or 0
    free = db.scalar("PRAGMA freelist_count") or 0
    if not total or free / total < share:
        return False
    try:
        db.execute("VACUUM")
    except (UserError, sqlite3.Error) as exc:
        log.warning("VACUUM skipped (%s free pages of %s): %s", free, total, exc)
        return False
    log.info("VACUUM after migrations: %s free pages of %s given back", free, total)
    return True


def _restore_index_merging(db: Database) -> None:
    """An import that was killed left its search indexes without merging: merge as usual again."""
    from desktop.storage import search

    stuck = search.merging_deferred(db)
    if stuck:
        log.warning("search index merging was left deferred for %s; restoring", stuck)
        search.restore_merging(db, stuck)


def _activate_rule_updates(db: Database) -> None:
    """The rule sets of the signed updates this register imported apply from now on (m0010)."""
    from desktop.rules.updates import activate

    activate(db)


def _ensure_ledger(db: Database, *, upgraded: bool) -> None:
    """Put back the record ledger's triggers of any table that lacks them. After a migration that
    rebuilt a table this is expected; otherwise someone dropped them behind the app, which is
    logged (``verify`` reports it) — the edits made meanwhile no longer match the ledger anyway."""
    restored = ledger.ensure(db.conn)
    if restored and not upgraded:
        log.warning("record ledger triggers were missing and were put back: %s", ", ".join(restored))
        with db.write():
            db.execute("INSERT INTO audit_log(at, actor, action, target, detail) VALUES (?, '', ?, ?, '')",
                       (datetime.now().isoformat(timespec="seconds"), "ledger_triggers_restored",
                        ", ".join(restored)))


def open_database(path: Path | str, *, create: bool = True, migrate: bool = True,
                  any_thread: bool = False) -> Database:
    """Open (or create) a register file and bring its schema up to date."""
    from desktop.storage.migrations import migrations, pending_names

    p = Path(path)
    if str(path) != ":memory:":
        from desktop.storage.disks import refuse_network_location

        refuse_network_location(p)  # WAL over a share is unsafe: refused, see desktop/storage/disks.py
        if not p.exists() and not create:
            raise UserError("database_missing", f"Không tìm thấy tệp sổ: {p}")
        if not create and p.stat().st_size == 0:  # never made into a new, empty register that verifies clean
            raise UserError("register_empty", f"Tệp sổ {p.name} rỗng (0 byte): đây không phải là sổ, có thể là bản "
                            "sao lưu bị ghi dở (ổ đĩa đầy). Hãy dùng bản sao lưu khác.")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a drive letter that is gone, a folder this account may not write
            from desktop.storage.disks import file_error

            raise file_error(exc, p) from exc
    new_file = str(path) != ":memory:" and not p.exists()
    conn = connect(path, any_thread=any_thread)
    if new_file:
        conn.execute("PRAGMA user_version")  # creates the file
        _owner_only(p)
    try:
        check_sqlite(conn)
        db = Database(path, conn)
        if migrate:
            pending = pending_names(conn)
            if pending:
                existing = _register_tables(conn)
                if existing and str(path) != ":memory:":
                    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                    target = p.parent / "backups" / f"{p.stem}-{stamp}-before-{pending[0]}.sqlite"
                    backup_to(conn, target)
                    from desktop.security.backups import seal_copy

                    target = seal_copy(conn, target)  # encrypted to the register's key, as every backup
                    log.info("backup before migration %s: %s", pending[0], target)
                migrations().apply(db.utils)
                if existing and str(path) != ":memory:":
                    compact_if_sparse(db)
            _ensure_ledger(db, upgraded=bool(pending))
            _restore_index_merging(db)
            _activate_rule_updates(db)
    except sqlite3.Error as exc:
        conn.close()
        mapped = _map_sqlite_error(exc)
        if mapped:
            raise mapped from exc
        raise
    except BaseException:
        conn.close()
        raise
    return db
