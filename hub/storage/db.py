"""Connect to the hub's PostgreSQL server and bring its schema up to date.

The server is named by a libpq connection string (``--dsn`` or ``GIAITRINH_HUB_DSN``; the usual
``PG*`` variables fill what it leaves out). Migrations are numbered SQL files in
``hub/storage/migrations`` (``0001_hub.sql`` …), append-only like the register's, each applied in
its own transaction and recorded in ``hub.migrations``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from desktop.errors import UserError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DSN_VARIABLE = "GIAITRINH_HUB_DSN"


def migration_files() -> list[Path]:
    return sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))


def connect(dsn: str | None = None):
    """A connection (psycopg 3, not in autocommit): ``dsn``, else ``GIAITRINH_HUB_DSN``."""
    import psycopg

    dsn = dsn if dsn is not None else os.environ.get(DSN_VARIABLE, "")
    try:
        conn = psycopg.connect(dsn, application_name="giaitrinh-hub")
    except psycopg.OperationalError as exc:
        raise UserError("hub_unreachable", "Không kết nối được máy chủ PostgreSQL của hệ thống tổng hợp "
                        f"({_first_line(exc)}). Kiểm tra chuỗi kết nối (--dsn hoặc {DSN_VARIABLE}).") from exc
    # The merge runs a few statements per record type over small staging tables whose size the
    # planner cannot know: JIT compiling them cost 0.3 s a statement, ten times the work itself.
    conn.execute("SET jit = off")
    conn.commit()
    return conn


def second(conn):
    """Another connection to the same database (for a second thread), whose transactions each see
    one snapshot (repeatable read)."""
    return connect_again(*credentials(conn))


def credentials(conn) -> tuple[str, str | None]:
    """What ``connect_again`` needs to reach ``conn``'s database (from another process too)."""
    return conn.info.dsn, conn.info.password


def connect_again(dsn: str, password: str | None):
    import psycopg

    extra = {"password": password} if password else {}
    other = psycopg.connect(dsn, application_name="giaitrinh-hub", **extra)
    other.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    other.execute("SET jit = off")
    other.commit()
    return other


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def applied(conn) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('hub.migrations') IS NOT NULL")
        if not cur.fetchone()[0]:
            return []
        cur.execute("SELECT name FROM hub.migrations ORDER BY name")
        return [r[0] for r in cur.fetchall()]


def pending(conn, before: str | None = None) -> list[Path]:
    """The migrations not yet applied (only those named before ``before``, when given)."""
    done = set(applied(conn))
    return [p for p in migration_files() if p.stem not in done and (before is None or p.stem < before)]


def migrate(conn, before: str | None = None) -> list[str]:
    """Apply every pending migration, each in its own transaction (committed); the names applied.
    ``before``: stop short of the migration of that number (a hub of an older schema, for the
    tests that upgrade one)."""
    conn.rollback()
    names = []
    for path in pending(conn, before):
        with conn.transaction():
            with conn.cursor() as cur:
                cur.execute(path.read_text(encoding="utf-8"))
                cur.execute("CREATE TABLE IF NOT EXISTS hub.migrations "
                            "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
                cur.execute("INSERT INTO hub.migrations (name) VALUES (%s)", (path.stem,))
        conn.commit()
        log.info("hub migration applied: %s", path.stem)
        names.append(path.stem)
    conn.rollback()
    return names


def require_schema(conn) -> None:
    """Refuse to work on a server whose hub schema is missing or older than this program."""
    if not applied(conn):
        raise UserError("hub_not_initialised", "Cơ sở dữ liệu chưa được khởi tạo cho hệ thống tổng hợp: "
                        "hãy chạy “giaitrinh hub init” trước.")
    if pending(conn):
        raise UserError("hub_schema_old", "Cấu trúc cơ sở dữ liệu cũ hơn phần mềm: hãy chạy “giaitrinh hub init” "
                        "để nâng cấp.")
