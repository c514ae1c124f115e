"""Benchmark of sync bundles (issue #5), with its own data generator. Not a timed test.

    .venv/bin/python bench/bench_sync.py                 # full sizes: 100,000 / 100 × 10,000
    .venv/bin/python bench/bench_sync.py --scale 0.1     # a tenth of that

Figures reported:
- export of N changed records (signed, encrypted, written, copy kept) against a baseline that
  only JSON-encodes, deflates (level 1) and hashes the same rows already in memory — target ≤ 2×;
- import of B bundles into one province register against raw ``executemany`` of the same rows
  into a fresh register, one transaction per bundle — target ≥ 40 % of its throughput;
- a repeated import of all bundles (refused as replays: file hash known) — target ≤ 10 % of the
  first import — and, for information, a forced re-merge of all of them (every record compared).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid as uuidlib
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.errors import UserError  # noqa: E402
from desktop.security import accounts  # noqa: E402
from desktop.storage import sync_repo  # noqa: E402
from desktop.storage import units as units_repo  # noqa: E402
from desktop.storage.db import open_database  # noqa: E402
from desktop.sync import export, importer, keys  # noqa: E402

PASS = "bench passphrase"
STAMP = "2026-03-02T09:00:00"


def register(path: Path, code: str, name: str, mode: str):
    db = open_database(path)
    units_repo.save_unit(db, code=code, name=name, level="province" if mode == "province" else "commune",
                         make_local=True, mode=mode)
    accounts.assume_role(db, "admin")   # keys are the administrator's (roles matrix)
    keys.ensure_keys(db, PASS)
    return db


def fill(db, unit: str, records: int) -> None:
    """records ≈ 5 per case: a person, a case, its case_people link and two events."""
    n = max(1, records // 5)
    persons, cases, links, events = [], [], [], []
    for i in range(n):
        p, c = uuidlib.uuid4().hex, uuidlib.uuid4().hex
        persons.append((p, unit, 1, STAMP, f"Nguyễn Văn {i}", "cccd", f"0340900{i:05d}", f"09{i:08d}",
                        f"Thôn {i % 50}, xã {unit}", f"nguyen van {i} thon {i % 50}"))
        cases.append((c, unit, 1, STAMP, f"{i + 1}/2026", "explanation", "nd59-2019",
                      f"Đề nghị giải trình việc số {i}", "Nội dung chi tiết của yêu cầu giải trình " * 3,
                      "2026-03-02", "received", STAMP, f"de nghi giai trinh viec so {i}"))
        links.append((uuidlib.uuid4().hex, unit, 1, STAMP, c, p))
        prev = "0" * 64
        for seq in (1, 2):
            h = hashlib.sha256(f"{c}{seq}".encode()).hexdigest()
            events.append((uuidlib.uuid4().hex, unit, c, seq, "receive", "received", STAMP, "2026-03-02", prev, h))
            prev = h
    with db.write():
        c = db.conn
        c.executemany("INSERT INTO persons(uuid, unit_code, version, updated_at, full_name, id_kind, id_number, "
                      "phone, address, search_text) VALUES (?,?,?,?,?,?,?,?,?,?)", persons)
        c.executemany("INSERT INTO cases(uuid, unit_code, version, updated_at, number, kind, rules_id, summary, "
                      "content, received_on, state, created_at, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      cases)
        c.executemany("INSERT INTO case_people(uuid, unit_code, version, updated_at, case_uuid, person_uuid) "
                      "VALUES (?,?,?,?,?,?)", links)
        c.executemany("INSERT INTO events(uuid, unit_code, case_uuid, seq, action, to_state, at, effective_on, "
                      "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", events)


def rows_of(db, unit: str) -> list[tuple[sync_repo.SyncedTable, list[tuple]]]:
    return [(t, sync_repo.changed_rows(db, t, unit, True).fetchall()) for t in sync_repo.synced_tables(db)]


def baseline_export(tables) -> float:
    start = time.perf_counter()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for table, rows in tables:
        digest, comp = hashlib.sha256(), zlib.compressobj(1)
        data = ("\n".join(encode(dict(zip(table.columns, r))) for r in rows) + "\n").encode("utf-8")
        digest.update(data)
        comp.compress(data)
        comp.flush()
    return time.perf_counter() - start


def bench_export(work: Path, province, records: int) -> dict:
    db = register(work / "xa-export.sqlite", "90000", "UBND xã Đo Xuất", "commune")
    keys.import_key_file(db, keys.parse_key_file(keys.key_file_content(province, PASS)))
    fill(db, "90000", records)
    tables = rows_of(db, "90000")
    total = sum(len(r) for _, r in tables)
    base = min(baseline_export(tables) for _ in range(3))
    start = time.perf_counter()
    result = export.export_bundle(db, work / "out", passphrase=PASS)
    took = time.perf_counter() - start
    db.close()
    return {"records": total, "baseline_s": round(base, 3), "export_s": round(took, 3),
            "ratio": round(took / base, 2), "bundle_bytes": result.size, "target": "≤ 2.0"}


def bench_import(work: Path, province, bundles: int, per_bundle: int) -> dict:
    paths, raw_rows = [], []
    for i in range(bundles):
        code = f"{10000 + i}"
        db = register(work / f"xa-{code}.sqlite", code, f"UBND xã {code}", "commune")
        keys.import_key_file(db, keys.parse_key_file(keys.key_file_content(province, PASS)))
        keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(db, PASS)))
        fill(db, code, per_bundle)
        raw_rows.append(rows_of(db, code))
        paths.append(export.export_bundle(db, work / "usb", passphrase=PASS).path)
        db.close()
    total = sum(len(r) for b in raw_rows for _, r in b)

    raw = register(work / "raw.sqlite", "02", "UBND tỉnh Đối Chứng", "province")
    start = time.perf_counter()
    for bundle in raw_rows:
        with raw.write():
            for table, rows in bundle:
                sync_repo.insert_rows(raw, table, table.columns, rows)
    raw_s = time.perf_counter() - start
    raw.close()

    start = time.perf_counter()
    private = keys.private_key(province, "encryption", PASS)     # unlocked once for the batch
    for path in paths:
        importer.apply(province, path, private=private)
    import_s = time.perf_counter() - start
    imported = province.scalar("SELECT count(*) FROM cases") + province.scalar("SELECT count(*) FROM events") \
        + province.scalar("SELECT count(*) FROM persons") + province.scalar("SELECT count(*) FROM case_people")

    start = time.perf_counter()
    for path in paths:
        try:
            importer.apply(province, path, private=private)
        except UserError as exc:
            assert exc.code == "bundle_replay"
    replay_s = time.perf_counter() - start
    start = time.perf_counter()
    for path in paths:
        importer.apply(province, path, private=private, reimport=True)
    remerge_s = time.perf_counter() - start
    return {"bundles": bundles, "records": total, "imported_rows": imported, "raw_executemany_s": round(raw_s, 3),
            "import_s": round(import_s, 3), "throughput_vs_raw": f"{raw_s / import_s:.0%}", "target": "≥ 40 %",
            "repeat_import_s": round(replay_s, 3), "repeat_vs_first": f"{replay_s / import_s:.1%}",
            "repeat_target": "≤ 10 %", "forced_remerge_s": round(remerge_s, 3),
            "forced_remerge_vs_first": f"{remerge_s / import_s:.0%}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep the generated registers")
    args = parser.parse_args()
    os.environ.pop("GIAITRINH_TESTING", None)
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        province = register(work / "tinh.sqlite", "01", "UBND tỉnh Đo", "province")
        out = {"export": bench_export(work, province, int(100_000 * args.scale)),
               "import": bench_import(work, province, max(1, int(100 * args.scale)), 10_000)}
        province.close()
        print(json.dumps(out, ensure_ascii=False, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
