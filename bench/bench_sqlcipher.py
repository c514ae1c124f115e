"""Raw query timings on a register, with the standard ``sqlite3`` or with ``sqlcipher3`` (the
register copied into an encrypted SQLCipher database first). Standalone (no project import), so
that it runs under an interpreter that only has ``sqlcipher3``:

    python bench/bench_sqlcipher.py REGISTER sqlite3|sqlcipher3 WORKDIR
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from pathlib import Path

KEY = "x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'"  # a raw 256-bit key


def timed(fn, repeat: int = 15) -> float:
    fn()
    values = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        values.append(time.perf_counter() - t)
    return statistics.median(values)


def main() -> None:
    source, driver, work = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    mod = importlib.import_module("sqlcipher3.dbapi2" if driver == "sqlcipher3" else "sqlite3")
    path = work / f"raw-{driver}.sqlite"
    path.unlink(missing_ok=True)
    if driver == "sqlcipher3":
        conn = mod.connect(str(source))
        conn.execute(f"ATTACH DATABASE '{path}' AS enc KEY \"{KEY}\"")
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute("DETACH DATABASE enc")
        conn.close()
    else:
        import shutil

        shutil.copy(source, path)

    def connect():
        c = mod.connect(str(path), isolation_level=None)
        if driver == "sqlcipher3":
            c.execute(f"PRAGMA key = \"{KEY}\"")
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")
        return c

    t = time.perf_counter()
    conn = connect()
    conn.execute("SELECT count(*) FROM cases").fetchone()
    opened = time.perf_counter() - t
    fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'cases_fts'").fetchone() is not None
    page = timed(lambda: conn.execute("SELECT * FROM cases WHERE id < (SELECT max(id) - 2000 FROM cases) "
                                      "ORDER BY id DESC LIMIT 200").fetchall())
    search = timed(lambda: conn.execute("SELECT rowid FROM cases_fts WHERE cases_fts MATCH 'dat dai' "
                                        "ORDER BY rowid DESC LIMIT 50").fetchall())
    board = timed(lambda: [conn.execute(q).fetchone() for q in (
        "SELECT count(*) FROM cases WHERE due_on < date('now')",
        "SELECT count(*) FROM cases WHERE due_on BETWEEN date('now') AND date('now', '+7 day')",
        "SELECT assignee_uuid, count(*) FROM cases WHERE closed_on IS NULL GROUP BY assignee_uuid")])
    conn.execute("CREATE TABLE IF NOT EXISTS bench_rows(id INTEGER PRIMARY KEY, v TEXT)")

    def save():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_rows(v) VALUES ('một dòng')")
        conn.execute("COMMIT")

    commit = timed(save, 30)
    conn.close()
    size = path.stat().st_size / 2**20
    print(f"  {driver:<11} open {opened * 1000:6.1f} ms | page of 200 {page * 1000:6.2f} ms | search "
          f"{search * 1000:6.2f} ms | dashboard {board * 1000:6.2f} ms | one-row commit {commit * 1000:6.2f} ms | "
          f"{size:5.1f} MiB | FTS5 {'yes' if fts else 'no'}")


if __name__ == "__main__":
    main()
