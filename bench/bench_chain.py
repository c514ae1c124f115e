"""Benchmark of the record ledger (issue #17, item 5). Not a timed test.

    .venv/bin/python bench/bench_chain.py                # a commune: 5,000 cases
    .venv/bin/python bench/bench_chain.py --cases 1000

Figures, each against a baseline measured in the same run on the same register:
- one interactive save (``receive_case``: case, people, event, index, and now 3–4 ledger entries)
  against the same save with the ledger's triggers dropped — target ≤ 1.3× (wall, synchronous
  FULL as in use) and, for information, the CPU time of both;
- ``verify`` of the whole register against ``PRAGMA integrity_check`` alone, and its time per
  thousand records at two sizes (proportional, never quadratic);
- the ledger's share of the file (bytes per case).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.security.accounts import assume_role  # noqa: E402
from desktop.storage import ledger  # noqa: E402
from desktop.storage.db import open_database  # noqa: E402
from desktop.workflow.demo import build_demo  # noqa: E402
from desktop.workflow.receive import CaseInput, receive_case  # noqa: E402
from desktop.workflow.verify import verify_register  # noqa: E402

TODAY = date(2026, 11, 23)


def saves(dbs: list, n: int) -> list[tuple[float, float]]:
    """Median wall and CPU seconds of one ``receive_case`` on each register, the saves interleaved
    (a, b, a, b …) so that the machine's load weighs on both alike."""
    def save(db) -> None:
        person = db.scalar("SELECT uuid FROM persons LIMIT 1")
        receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Kiến nghị về đường",
                                   content="Nội dung kiến nghị " * 30, requesters=[person]), today=TODAY)

    for db in dbs:
        save(db)
    wall: list[list[float]] = [[] for _ in dbs]
    cpu: list[list[float]] = [[] for _ in dbs]
    for _ in range(n):
        for i, db in enumerate(dbs):
            t, c = time.perf_counter(), time.process_time()
            save(db)
            wall[i].append(time.perf_counter() - t)
            cpu[i].append(time.process_time() - c)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(wall, cpu)]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-chain-"))
    try:
        path = work / "so.sqlite"
        db = open_database(path)
        started = time.perf_counter()
        build_demo(db, cases=args.cases, today=TODAY)
        print(f"register: {db.scalar('SELECT count(*) FROM cases'):,} cases, "
              f"{db.scalar('SELECT count(*) FROM ledger'):,} ledger entries (built in "
              f"{time.perf_counter() - started:.0f} s)")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = work / "khong-so-cai.sqlite"
        shutil.copy(path, copy)

        # 1. Interactive save, with the ledger and with its triggers dropped (a copy of the register).
        bare = open_database(copy, create=False)
        assume_role(db, "leader")
        assume_role(bare, "leader")
        for (name,) in bare.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger\\_a%' "
                                  "ESCAPE '\\'"):
            bare.execute(f'DROP TRIGGER "{name}"')
        with_ledger, without = saves([db, bare], 60)
        bare.close()
        print(f"save (median): {with_ledger[0] * 1000:.2f} ms with the ledger, {without[0] * 1000:.2f} ms without "
              f"→ x{with_ledger[0] / without[0]:.2f} (target <= 1.3); CPU {with_ledger[1] * 1000:.2f} ms vs "
              f"{without[1] * 1000:.2f} ms")

        # 2. verify, against integrity_check alone, at this size and at a quarter of it.
        full = min(timed(lambda: verify_register(db)) for _ in range(2))
        check = min(timed(lambda: db.query("PRAGMA integrity_check")) for _ in range(2))
        records = db.scalar("SELECT count(*) FROM ledger")
        small_db = open_database(work / "nho.sqlite")
        build_demo(small_db, cases=max(args.cases // 4, 50), today=TODAY)
        small = min(timed(lambda: verify_register(small_db)) for _ in range(2))
        small_records = small_db.scalar("SELECT count(*) FROM ledger")
        small_db.close()
        print(f"verify: {full:.2f} s for {records:,} entries ({full / records * 1000 * 1000:.0f} ms per 1,000; "
              f"integrity_check alone {check:.2f} s); quarter size {small:.2f} s for {small_records:,} "
              f"({small / small_records * 1000 * 1000:.0f} ms per 1,000)")

        # 3. Size.
        rows = db.query("SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE '%ledger%' GROUP BY name") \
            if db.scalar("SELECT count(*) FROM pragma_module_list WHERE name = 'dbstat'") else []
        cases = db.scalar("SELECT count(*) FROM cases")
        total = sum(r[1] for r in rows)
        if rows:
            print(f"ledger size: {total / cases:,.0f} bytes per case ("
                  + ", ".join(f"{r[0]} {r[1] / cases:,.0f}" for r in rows) + ")")
        assert verify_register(db).ok and ledger.head(db.conn, db.get_setting("local_unit_code"))[0] == records
        db.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
