"""Case-file figures of issue #18, each beside a baseline measured in the same run.

    python -m bench.bench_casefile              # 10,000 rows, 10,000 attachments
    python -m bench.bench_casefile --rows 2000 --attachments 2000   # quicker

1. An old register of ``--rows`` rows in .xlsx (written with the quirks: text, Excel and serial
   dates, names in capitals, ID numbers and phones stored as numbers) read, mapped, previewed
   and imported: target ≤ 10 s for 10,000 rows. Raw baseline, in each run: openpyxl's read-only
   reader and one ``executemany`` of the same rows into a bare table. Printed with it: the CPU
   time (this process and the bulk path's helper process) and, once, the bulk import alone of the
   same cases already parsed. ``--repeat N`` runs the figure N times, each printed.
2. Register pages (200 cases, newest first, at several depths) and accent-insensitive searches,
   on two copies of the same register, one with ``--attachments`` files attached (small scans,
   one event each), measured in alternation (five rounds, medians): target "no slower", i.e. a
   ratio with/without ≤ 1.2 at the median (noise on a shared machine).

Prints to stdout; nothing here is a test. Registers go to ``bench/out/casefile-*``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

from desktop.storage import search
from desktop.storage.cases import page_cases
from desktop.storage.db import open_database
from desktop.storage.units import save_officer, save_unit
from desktop.workflow import attach
from desktop.workflow.bulk import bulk_import_cases
from desktop.workflow.old_register import mapping, samples, sheet
from desktop.workflow.old_register.importer import import_rows, preview

OUT = Path(__file__).resolve().parent / "out"
TODAY = date(2026, 11, 23)
QUERIES = ("nguyen van", "dat dai", "xay dung", "tran thi", "kien nghi sua duong", "le")


def _office(db) -> None:
    from desktop.security.accounts import assume_role

    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    assume_role(db, "leader", officer_uuid=head.uuid)


def _login_again(db) -> None:
    from desktop.security.accounts import assume_role

    assume_role(db, "leader", officer_uuid=db.scalar("SELECT uuid FROM officers WHERE role = 'head' LIMIT 1"))


def _median(fn, repeat: int = 15) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the bulk path's helper)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def raw_baseline(xlsx: Path, path: Path) -> float:
    """The least an import can do: openpyxl's read-only reader gives every row's values, and one
    ``executemany`` stores them as they are in a bare table, in one transaction."""
    import sqlite3

    from openpyxl import load_workbook

    t0 = time.perf_counter()
    wb = load_workbook(xlsx, read_only=True, data_only=True)
    rows = [tuple(None if v is None else str(v) for v in r[:10]) + (None,) * (10 - len(r[:10]))
            for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE raw (" + ", ".join(f"c{i} TEXT" for i in range(10)) + ")")
    with conn:
        conn.executemany(f"INSERT INTO raw VALUES ({','.join('?' * 10)})", rows)
    conn.close()
    return time.perf_counter() - t0


def bench_old_register(work: Path, rows: int, repeat: int = 1) -> Path:
    print(f"\n1. Old register of {rows:,} rows (.xlsx): read, map, preview, import "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    xlsx = samples.write_xlsx(work / "so-cu.xlsx", samples.large_rows(rows, today=TODAY), merged_date_rows=(0, 2))
    print(f"    file: {xlsx.stat().st_size / 1e6:.1f} MB")
    target = 10.0 * rows / 10_000
    for run in range(1, repeat + 1):
        raw = raw_baseline(xlsx, work / f"raw-{run}.sqlite")
        db = open_database(work / f"old-{run}.sqlite")
        _office(db)
        c0, t0 = _cpu(), time.perf_counter()
        data = sheet.read_file(xlsx)
        t1 = time.perf_counter()
        m = mapping.resolve(data, db)
        pv = preview(db, data, m, today=TODAY, source=str(xlsx))
        t2 = time.perf_counter()
        summary = import_rows(db, pv, today=TODAY)
        t3, c3 = time.perf_counter(), _cpu()
        db.close()
        total = t3 - t0
        print(f"    run {run} (load {os.getloadavg()[0]:.1f}): read {t1 - t0:.2f} s, map + preview {t2 - t1:.2f} s, "
              f"import {t3 - t2:.2f} s ({summary.imported:,} imported; {summary.counts})")
        print(f"  old register, {rows:,} rows, run {run}    {total:6.2f} s (CPU {c3 - c0:.2f} s)  raw baseline "
              f"(openpyxl read-only + executemany) {raw:5.2f} s  x{total / raw:.1f}  target <= {target:.0f} s  "
              f"{'ok' if total <= target else 'MISSED'}", flush=True)
    register = work / "old-1.sqlite"
    base = open_database(work / "baseline.sqlite")
    _office(base)
    items = pv.items()
    b0 = time.perf_counter()
    bulk_import_cases(base, items, today=TODAY)
    baseline = time.perf_counter() - b0
    base.close()
    print(f"    the bulk import alone of the same cases, already parsed (in process, batches of 2,000): "
          f"{baseline:.2f} s")
    # The read alone, with openpyxl's own read-only cell loop (how it read before) and with the
    # single lxml pass ``sheet._fast_values`` (issue #18), in the same run.
    fast_read = _median(lambda: sheet.read_file(xlsx), repeat=3)
    kept = sheet._fast_values

    def openpyxl_loop(wb, ws):
        raise sheet._NoFastPath

    sheet._fast_values = openpyxl_loop
    try:
        slow_read = _median(lambda: sheet.read_file(xlsx), repeat=3)
    finally:
        sheet._fast_values = kept
    print(f"    read only: openpyxl's cell loop {slow_read:.2f} s, one lxml pass {fast_read:.2f} s "
          f"(x{slow_read / fast_read:.1f} faster)")
    return register


def _reads(db) -> dict[str, float]:
    total = db.scalar("SELECT count(*) FROM cases")
    out = {}
    for depth in (0, total // 2, max(0, total - 250)):
        cursor = tuple(db.one("SELECT received_on, id FROM cases ORDER BY received_on DESC, id DESC LIMIT 1 "
                              "OFFSET ?", (depth,))) if depth else None
        out[f"page at {depth:,}"] = _median(lambda: page_cases(db, after=cursor, limit=200))
    for q in QUERIES:
        out[f"search “{q}”"] = _median(lambda: search.search_case_ids(db, q, limit=200))
    return out


def bench_with_attachments(register: Path, work: Path, n: int, rounds: int = 5) -> None:
    """Pages and search on two copies of the same register, one with ``n`` attachments, measured
    in alternation (``rounds`` times each, the median kept): measured one after the other, the
    two halves met different loads on a shared machine (x2.04 one way in one run, x0.57 the other
    way in the next)."""
    print(f"\n2. Register pages and search, without and with {n:,} attachments", flush=True)
    plain_path, path = work / "plain.sqlite", work / "attached.sqlite"
    shutil.copy(register, plain_path)
    shutil.copy(register, path)
    db = open_database(path)
    _login_again(db)
    cases = [r[0] for r in db.query("SELECT uuid FROM cases ORDER BY id")]
    folder = work / "scans"
    folder.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    with db.write():  # one transaction for the benchmark's setup (each attach alone is its own in the app)
        for i in range(n):
            f = folder / f"scan-{i:05d}.jpg"
            f.write_bytes(b"\xff\xd8\xff" + os.urandom(2048 + (i % 7) * 512))
            attach.attach_file(db, f, case_uuid=cases[i % len(cases)], today=TODAY)
    setup = time.perf_counter() - t0
    size = db.scalar("SELECT sum(size) FROM attachment_blobs") / 1e6
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as the window's checkpointer leaves a quiet register
    print(f"    attached {n:,} files ({size:.0f} MB) in {setup:.1f} s")
    plain = open_database(plain_path)
    _login_again(plain)
    _reads(plain)   # warm both page caches
    _reads(db)
    samples: dict[str, tuple[list[float], list[float]]] = {}
    for _ in range(rounds):
        for key, value in _reads(plain).items():
            samples.setdefault(key, ([], []))[0].append(value)
        for key, value in _reads(db).items():
            samples[key][1].append(value)
    plain.close()
    db.close()
    worst = 0.0
    ratios = []
    for key, (without, with_) in samples.items():
        a, b = statistics.median(without), statistics.median(with_)
        ratios.append(b / a)
        worst = max(worst, b / a)
        print(f"    {key:<32} without {a * 1000:7.2f} ms   with {b * 1000:7.2f} ms   x{b / a:.2f}")
    med = statistics.median(ratios)
    ok = med <= 1.2
    print(f"  pages and search with attachments   median ratio x{med:.2f} (worst x{worst:.2f}; {rounds} alternating "
          f"rounds)  target <= x1.2  {'ok' if ok else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--attachments", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=1, help="runs of the old-register figure (each printed)")
    args = p.parse_args(argv)
    work = OUT / f"casefile-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        register = bench_old_register(work, args.rows, args.repeat)
        if args.attachments:
            bench_with_attachments(register, work, args.attachments)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
