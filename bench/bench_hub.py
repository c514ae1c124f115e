"""Benchmark of the national hub on PostgreSQL (issue #19). Not a timed test.

    .venv/bin/python -m bench.bench_hub --communes 60          # import, replays, the 60 communes' report
    .venv/bin/python -m bench.bench_hub --communes 60 --national   # then the 3,321-commune country (≈ 1M cases)
    .venv/bin/python -m bench.bench_hub --dsn "host=… dbname=…"   # an existing server (else a throwaway one)
    # the country in runs of at most ~10 minutes, its cluster kept in a folder between them:
    .venv/bin/python -m bench.bench_hub --communes 60 --national --cluster bench/out/pg --budget 300 --skip-import-figures
    .venv/bin/python -m bench.bench_hub --national-only --cluster bench/out/pg --budget 300 --repeat 1
    # (again until the country is whole; the run that makes it whole, or finds it so, times its report)

The communes' bundles are real bundles (zip, manifest, Ed25519 signature by each commune's own key,
X25519 + ChaCha20-Poly1305 to the province's key) made from one template commune: the demo register
(every kind, state path, reception, document) with its uuids and unit code rewritten per commune.

Figures, each against a baseline measured in the same run:
- import of every bundle (verify, the province's chain check of its record ledger and signed head,
  shape, and — each being its commune's first — COPY straight into the record tables and the
  ledger into ``hub.ledger``; one transaction per bundle) against
  raw ``COPY`` of the same rows, already in COPY format, into the very same tables (a second
  database with the hub's migrations: same partitions, keys and indexes) — target ≥ 50 %;
- importing everything again: refused as replays (the file hash is known) — target ≤ 10 % of the
  first import — and, for information, a forced re-merge (the staged merge) of a twentieth;
- the importer's peak memory after a quarter of the bundles and after all of them (flat: one bundle
  is in memory at a time);
- the six-month report (every form, a row per commune) of the imported communes and, with
  ``--national``, of the 3,321-commune country made from them in SQL (``multiply``): every row
  computed, every row kept, 1 % of the communes changed — target ≤ 5 s per form — beside raw
  ``GROUP BY``s of the cases and of the events per case.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
import uuid as uuidlib
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.storage import sync_repo  # noqa: E402
from desktop.storage.db import open_database  # noqa: E402
from desktop.storage.sync_repo import PeerKey  # noqa: E402
from desktop.sync import crypto, manifest  # noqa: E402
from desktop.sync.container import ArchiveWriter  # noqa: E402

PASS = "bench passphrase"
LEDGER_COLUMNS = ("unit_code", "seq", "province_code", "uuid", "tbl", "record_uuid", "version", "digest",
                  "prev_hash", "hash")
TEMPLATE_CODE = "T0000"
PROVINCE = "99"


def template(cases: int) -> dict[str, bytes]:
    """Type → JSON lines (bytes) of one commune: the demo register, uuids made "00000…"."""
    from desktop.workflow.demo import build_demo

    folder = Path(tempfile.mkdtemp(prefix="hub-template-"))
    db = open_database(folder / "mau.sqlite")
    build_demo(db, cases=cases, seed=2026, today=date(2026, 11, 23))
    code = db.get_setting("local_unit_code")
    out: dict[str, str] = {}
    for table in sync_repo.synced_tables(db):
        lines = []
        for uuid, _, text in sync_repo.changed_json(db, table, code, True):
            if text is None:  # a REAL or BLOB value: encoded by Python as the export does
                text = json.dumps(sync_repo.row_by_uuid(db, table, uuid), ensure_ascii=False,
                                  separators=(",", ":"))
            lines.append(text)
        out[table.name] = "".join(line + "\n" for line in lines)
    db.close()
    shutil.rmtree(folder, ignore_errors=True)
    # Every uuid (32 hex digits) becomes "00000" + 27 digits of its own hash, so one replace of
    # '"00000' per commune gives that commune its own uuids; the unit code likewise. A uuid quoted
    # inside a JSON text value (an event's own data: \"commitment_uuid\": \"…\") too, so that the
    # step adding a commitment names that commune's commitment.
    pattern = re.compile(r'"([0-9a-f]{32})(?=\\?")')
    uuids = {m for text in out.values() for m in pattern.findall(text)}
    remap = {u: "00000" + hashlib.sha256(u.encode()).hexdigest()[:27] for u in uuids}
    result = {}
    for name, text in out.items():
        text = pattern.sub(lambda m: '"' + remap[m.group(1)], text)
        result[name] = text.replace(f'"{code}"', f'"{TEMPLATE_CODE}"').encode("utf-8")
    return result


def commune_lines(tpl: dict[str, bytes], i: int) -> tuple[str, dict[str, bytes]]:
    """Commune ``i``'s parts: the template with its own unit code and uuid prefix, every line
    canonical JSON, and its record ledger made its own — each record's latest entry digests the
    record as this commune holds it, and the chain is linked again from the first entry — as the
    commune's own app would have chained those records (the import checks it, ``hub.chain``)."""
    from desktop.storage import ledger
    from hub.types import covered_columns

    code = f"C{i:04d}"
    parts = {t: data.replace(b'"00000', b'"%05x' % (i + 1)).replace(
        b'"' + TEMPLATE_CODE.encode() + b'"', b'"' + code.encode() + b'"') for t, data in tpl.items()}
    records = {t: [json.loads(line) for line in data.decode("utf-8").splitlines()] for t, data in parts.items()}
    columns = covered_columns()
    held = {(t, r["uuid"]): r for t, recs in records.items() if t != "ledger" for r in recs}
    entries = sorted(records.get("ledger", []), key=lambda e: e["seq"])
    last = {(e["tbl"], e["record_uuid"]): e["seq"] for e in entries}
    prev = ledger.GENESIS
    for e in entries:
        record = held.get((e["tbl"], e["record_uuid"]))
        if e["digest"] and record is not None and last[(e["tbl"], e["record_uuid"])] == e["seq"]:
            e["digest"] = ledger.record_digest(record, columns[e["tbl"]])
        e["prev_hash"] = prev
        e["hash"] = prev = ledger.link_hash(code, e["seq"], e["tbl"], e["record_uuid"], e["version"], e["digest"],
                                            prev)
    return code, {t: "".join(ledger.canonical(r) + "\n" for r in recs).encode("utf-8") for t, recs in records.items()}


def chain_head(parts: dict[str, bytes], code: str, key) -> dict:
    """The commune's signed chain head over its ledger's last entry (``desktop.sync.chain``)."""
    from desktop.storage import ledger
    from desktop.sync import chain

    lines = parts.get("ledger", b"").decode("utf-8").splitlines()
    end = json.loads(lines[-1]) if lines else {"seq": 0, "hash": ledger.GENESIS}
    body = chain.head_body(code, end["seq"], end["hash"], "2026-12-01T09:00:00")
    return {**body, "signature": crypto.b64(key.sign(crypto.canonical_json(body)))}


def make_bundles(tpl, communes: int, folder: Path, recipient) -> list[tuple[Path, PeerKey]]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hub.types import covered_columns

    made = []
    for i in range(communes):
        code, parts = commune_lines(tpl, i)
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        fp = crypto.fingerprint(public, "signing")
        writer = ArchiveWriter()
        for table, data in parts.items():
            writer.add_part(table, data.decode("utf-8").splitlines())
        body = manifest.build(bundle_id=uuidlib.uuid4().hex, unit_code=code, unit_name=f"UBND xã {code}",
                              key_fingerprint=fp, recipient=recipient.fingerprint, sequence=1,
                              previous_sha256=None, kind="full", period_from=None, period_to="2026-12-01T09:00:00",
                              period_label="bench", created_at="2026-12-01T09:00:00", app_version="bench",
                              parts=[p.as_dict() for p in writer.parts])
        body["chain"] = chain_head(parts, code, key)
        body["ledger_columns"] = {t: list(c) for t, c in covered_columns().items()}
        raw = crypto.canonical_json(body)
        sealed = crypto.seal_stream(writer.finish(raw, key.sign(raw)), recipient.public_raw)   # format 2
        path = folder / f"{code}.gtb"
        path.write_bytes(sealed)
        made.append((path, PeerKey(0, fp, "commune", code, f"UBND xã {code}", public, None, None,
                                   "2026-12-01T09:00:00", None, "")))
    return made


def raw_copy_rows(tpl, communes: int) -> tuple[float, int]:
    """The baseline's rows per commune, in COPY text format, made outside the timing."""
    from hub.types import by_name

    types = by_name()
    for i in range(communes):
        code, parts = commune_lines(tpl, i)
        rows: dict[str, list[str]] = {"cases": [], "events": [], "records": [], "ledger": []}
        for name, data in parts.items():
            t = types[name]
            for line in data.decode("utf-8").splitlines():
                rec = json.loads(line)
                if name == "ledger":    # the hub keeps the chain typed (hub.ledger, migration 0004)
                    rows["ledger"].append("\t".join(PROVINCE if k == "province_code" else str(rec[k])
                                                     for k in LEDGER_COLUMNS) + "\n")
                    continue
                escaped = line.replace("\\", "\\\\")
                version = rec.get("version", 0) if t.versioned else 0
                if t.partitioned:
                    rows[t.target].append(f"{code}\t{rec[t.year_key][:4]}\t{rec['uuid']}\t{PROVINCE}\t{version}"
                                          f"\t{escaped}\n")
                else:
                    rows["records"].append(f"{code}\t{name}\t{rec['uuid']}\t{PROVINCE}\t{version}\t{escaped}\n")
        yield rows


def _load() -> str:
    """The machine's load averages (1, 5, 15 minutes), printed beside each figure."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


NATIONAL_UNITS = 3321
PROVINCES = 63


def multiply(conn, sample: int, units: int = NATIONAL_UNITS, budget: float | None = None) -> bool:
    """Make the country from the ``sample`` communes imported through real bundles: every other
    commune's rows are one sample commune's rows with its unit code and uuid prefix changed, done in
    SQL (INSERT … SELECT) — exactly the rows the importer writes for that commune's bundle, since
    every bench commune is the template with its own code and uuid prefix (``commune_lines``). The
    communes are spread over 63 provinces. The record ledger (``tbl = 'ledger'``, which no report
    reads) is left out of the copies to keep the database within this machine's disk and time.
    ``budget``: seconds after which it stops between two steps; False then (a next run goes on)."""
    start = time.perf_counter()
    step = 250
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM hub.units WHERE level = 'commune'")
        made = cur.fetchone()[0]           # an interrupted run goes on where it stopped
        for first in range(max(sample, made), units, step):
            dst = list(range(first, min(units, first + step)))
            mapping = [(f"C{j % sample:04d}", f"C{j:04d}", b"%05x" % (j % sample + 1), b"%05x" % (j + 1),
                        f"{j % PROVINCES + 1:02d}") for j in dst]
            cur.execute("CREATE TEMP TABLE nat_map (src text, dst text, src_prefix text, dst_prefix text, "
                        "province text) ON COMMIT DROP")
            cur.executemany("INSERT INTO nat_map VALUES (%s, %s, %s, %s, %s)",
                            [(a, b_, c.decode(), d.decode(), e) for a, b_, c, d, e in mapping])
            cur.execute("INSERT INTO hub.units (unit_code, province_code, name, level) "
                        "SELECT dst, province, 'UBND xã ' || dst, 'commune' FROM nat_map")
            renamed = ("replace(replace(t.data::text, '\"' || m.src_prefix, '\"' || m.dst_prefix), "
                       "'\"' || m.src || '\"', '\"' || m.dst || '\"')::jsonb")
            for table, key in (("cases", "year"), ("events", "year"), ("records", "tbl")):
                skip = " AND t.tbl <> 'ledger'" if table == "records" else ""
                cur.execute(f"""
                    INSERT INTO hub.{table} (unit_code, {key}, uuid, province_code, version, data)
                    SELECT m.dst, t.{key}, m.dst_prefix || substr(t.uuid, 6), m.province, t.version, {renamed}
                    FROM hub.{table} t JOIN nat_map m ON m.src = t.unit_code WHERE true{skip}""")
            conn.commit()
            print(f"  … {dst[-1] + 1} communes ({time.perf_counter() - start:.0f} s)", flush=True)
            if budget is not None and dst[-1] + 1 < units and time.perf_counter() - start > budget:
                print(f"stopped at {dst[-1] + 1:,} communes after {budget:.0f} s: run again with --national-only")
                return False
        cur.execute("ANALYZE")
        cur.execute("SELECT (SELECT count(*) FROM hub.cases), (SELECT count(*) FROM hub.events), "
                    "(SELECT count(*) FROM hub.records), pg_size_pretty(pg_database_size(current_database()))")
        cases, events, other, size = cur.fetchone()
    conn.commit()
    print(f"national database: {units:,} communes in {PROVINCES} provinces, {cases:,} cases, {events:,} events, "
          f"{other:,} other records, {size}: {sample} communes imported from real bundles, the other "
          f"{units - sample:,} copied from them in SQL (new unit code and uuids; ledger rows not copied) "
          f"in {time.perf_counter() - start:.0f} s")
    return True


def _report_run(conn, p, changed_share: float = 0.0, seed: int = 0) -> tuple[float, float, list, bool]:
    """One national report of every form: (seconds to open the run: the kept rows read, the others
    computed and kept; seconds for all forms; per form; every commune's row the same)."""
    import random

    from hub.reports import HubReportRun, Scope

    if changed_share:
        # As after new bundles from that share of the communes: their kept rows no longer count.
        with conn.cursor() as cur:
            cur.execute("SELECT unit_code FROM hub.units WHERE level = 'commune' ORDER BY 1")
            units = [r[0] for r in cur.fetchall()]
            picked = random.Random(seed).sample(units, max(1, round(len(units) * changed_share)))
            cur.execute("DELETE FROM hub.report_rows WHERE unit_code = ANY(%s)", (picked,))
        conn.commit()
    start = time.perf_counter()
    run = HubReportRun(conn, p, Scope("nation", "", "Toàn quốc"))
    opened = time.perf_counter() - start
    times, same = [], True
    for form in run.forms():
        start = time.perf_counter()
        report = run.compute(form)
        times.append((form.code, time.perf_counter() - start))
        # Every bench commune holds the template's records: each commune's row is the same.
        same = same and all(r.values == report.rows[0].values for r in report.rows)
    start = time.perf_counter()
    run.close()
    opened += time.perf_counter() - start
    return opened, sum(t for _, t in times), times, same


def report_figures(conn, repeat: int = 1, label: str = "national") -> None:
    from desktop.reports.periods import period

    p = period("2026-H1")
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    conn.commit()
    spread: dict[str, list[float]] = {}
    for i in range(repeat):
        with conn.cursor() as cur:
            start = time.perf_counter()
            cur.execute("SELECT unit_code, data->>'kind', count(*) FROM hub.cases "
                        "WHERE data->>'received_on' BETWEEN %s AND %s GROUP BY 1, 2",
                        (p.start.isoformat(), p.end.isoformat()))
            cur.fetchall()
            cases_raw = time.perf_counter() - start
            start = time.perf_counter()
            cur.execute("SELECT count(*) FROM (SELECT unit_code, data->>'case_uuid', count(*) FROM hub.events "
                        "WHERE data->>'effective_on' <= %s GROUP BY 1, 2) x", (p.end.isoformat(),))
            cur.fetchall()
            events_raw = time.perf_counter() - start
            cur.execute("DELETE FROM hub.report_rows")
        conn.commit()
        print(f"{label} report {p.label}, run {i + 1}: raw GROUP BY of the cases {cases_raw:.2f} s, "
              f"of the events per case {events_raw:.2f} s; load average {_load()}", flush=True)
        for name, share in (("every row computed", 0.0), ("every row kept", None), ("1 % of communes changed", 0.01)):
            opened, forms, times, same = _report_run(conn, p, share or 0.0, seed=i)
            n = len(times)
            per_form = (opened + forms) / n
            alone = opened + max(t for _, t in times)
            spread.setdefault(name, []).append(per_form)
            spread.setdefault(name + " (one form alone)", []).append(alone)
            print(f"  {name}: {opened:.2f} s to read or compute the rows, then "
                  + ", ".join(f"{code} {t:.2f} s" for code, t in times)
                  + f"; {per_form:.2f} s per form over the {n} forms, {alone:.2f} s for one form alone "
                  f"(target ≤ 5 s); every commune's row the same: {'yes' if same else 'NO'}", flush=True)
    if repeat > 1:
        print(f"{label} report over {repeat} runs (seconds per form): "
              + "; ".join(f"{k} {min(v):.2f}–{max(v):.2f}" for k, v in spread.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--cases", type=int, default=300, help="cases per commune (the demo template)")
    parser.add_argument("--dsn", default=None, help="an existing server's database (else a throwaway cluster)")
    parser.add_argument("--national", action="store_true",
                        help=f"after the import, copy the imported communes in SQL up to {NATIONAL_UNITS:,} communes "
                             "and time the national report there")
    parser.add_argument("--units", type=int, default=NATIONAL_UNITS, help="communes of the country (with --national)")
    parser.add_argument("--repeat", type=int, default=3, help="national report timings (with --national)")
    parser.add_argument("--skip-import-figures", action="store_true",
                        help="no replay and forced re-merge figures (with --national, to save time)")
    parser.add_argument("--cluster", type=Path, default=None,
                        help="keep the throwaway cluster in this folder (made if absent, started again if present): "
                             "a national run split into several runs")
    parser.add_argument("--national-only", action="store_true",
                        help="no import: go on making the country from the communes an earlier run imported "
                             "(--cluster or --dsn), then, once it is whole, time its report")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds after which making the country stops (run again with --national-only)")
    args = parser.parse_args(argv)

    import psycopg
    import psycopg.conninfo

    from hub.devserver import Cluster
    from hub.importer import Keyring, import_files
    from hub.storage import db as hub_db
    from hub.storage import registry

    work = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    cluster = None
    try:
        if args.dsn is None:
            root = args.cluster.resolve() if args.cluster else Path(tempfile.mkdtemp(prefix="hub-bench-pg-"))
            if args.cluster is not None and (root / "data").exists():
                cluster = Cluster(root).restart()
            else:
                root.mkdir(parents=True, exist_ok=True)
                cluster = Cluster(root).start()
                with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
                    admin.execute("CREATE DATABASE hub_bench")
            dsn = cluster.dsn("hub_bench")
        else:
            dsn = args.dsn
        conn = hub_db.connect(dsn)
        hub_db.migrate(conn)
        if args.national_only:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM hub.bundles")    # the communes imported from bundles
                sample = cur.fetchone()[0]
                cur.execute("SELECT count(*) FROM hub.units WHERE level = 'commune'")
                whole = cur.fetchone()[0] >= args.units
            conn.rollback()
            if whole or multiply(conn, sample, args.units, budget=args.budget):
                report_figures(conn, repeat=args.repeat)
            conn.close()
            return 0

        t0 = time.perf_counter()
        tpl = template(args.cases)
        per_commune = sum(d.count(b"\n") for d in tpl.values())
        recipient = crypto.generate("encryption", PASS)
        bundles_dir = work / "bundles"
        bundles_dir.mkdir()
        bundles = make_bundles(tpl, args.communes, bundles_dir, recipient)
        with conn.transaction(), conn.cursor() as cur:
            registry.upsert_unit(cur, PROVINCE, PROVINCE, "UBND tỉnh Bench", "province")
            registry.upsert_recipient(cur, recipient.fingerprint, PROVINCE, recipient.public_raw,
                                      recipient.private_pem)
            for _, peer in bundles:
                registry.upsert_unit(cur, peer.unit_code, PROVINCE, peer.unit_name, "commune")
                registry.save_peer(cur, peer, PROVINCE)
        rows = per_commune * args.communes
        cases = tpl["cases"].count(b"\n") * args.communes
        size = sum(p.stat().st_size for p, _ in bundles)
        print(f"{args.communes} communes, {cases:,} cases, {rows:,} records, {size / 2**20:,.0f} MiB of bundles "
              f"(made in {time.perf_counter() - t0:.0f} s)")

        # Baseline: raw COPY of the same rows, already in COPY format, into the very same tables
        # (a second database with the hub's migrations: same partitions, keys and indexes). The
        # machine's load changes by the minute, so the baseline and the import take turns, a
        # quarter of the communes each time: both see the same load.
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS hub_bench_raw")
            admin.execute("CREATE DATABASE hub_bench_raw")
        raw_dsn = psycopg.conninfo.make_conninfo(dsn, dbname="hub_bench_raw")
        raw_conn = hub_db.connect(raw_dsn)
        hub_db.migrate(raw_conn)
        keyring = Keyring(default=PASS)
        paths = [p for p, _ in bundles]
        turn = max(1, -(-len(paths) // 4))
        copy_time = import_time = 0.0
        turns: list[tuple[float, float]] = []
        results = []
        rss_first = 0.0
        raw_rows = raw_copy_rows(tpl, args.communes)
        for first in range(0, len(paths), turn):
            # The baseline's rows, made outside the timing, wait in files (not in this process's memory).
            slice_files = []
            for n in range(len(paths[first:first + turn])):
                per = {}
                for target, lines in next(raw_rows).items():
                    per[target] = work / f"raw-{first + n}-{target}.copy"
                    per[target].write_bytes("".join(lines).encode("utf-8"))
                slice_files.append(per)
            start = time.perf_counter()
            for per in slice_files:
                with raw_conn.transaction(), raw_conn.cursor() as cur:
                    for target, file in per.items():
                        cols = {"records": "unit_code, tbl, uuid, province_code, version, data",
                                "ledger": ", ".join(LEDGER_COLUMNS)}.get(
                                    target, "unit_code, year, uuid, province_code, version, data")
                        with cur.copy(f"COPY hub.{target} ({cols}) FROM STDIN") as cp:
                            cp.write(file.read_bytes())
            turn_copy = time.perf_counter() - start
            copy_time += turn_copy
            for per in slice_files:
                for file in per.values():
                    file.unlink()
            start = time.perf_counter()
            results += import_files(conn, paths[first:first + turn], keyring=keyring)
            import_time += time.perf_counter() - start
            turns.append((turn_copy, time.perf_counter() - start))
            rss_first = rss_first or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        raw_conn.close()
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("DROP DATABASE hub_bench_raw")
        raw_rate = rows / copy_time
        print(f"raw COPY baseline: {copy_time:.1f} s, {raw_rate:,.0f} rows/s; import, turn by turn: "
              + ", ".join(f"{c / i:.0%}" for c, i in turns) + " of raw COPY")
        rss_all = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rss_workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024   # the preparing workers
        refused = [r for r in results if not getattr(r, "applied", False)]
        assert not refused, refused[:3]
        rate = rows / import_time
        print(f"import: {import_time:.1f} s, {rate:,.0f} rows/s = {rate / raw_rate:.0%} of raw COPY "
              f"(target ≥ 50 %; the two took turns, a quarter of the communes each); peak memory "
              f"{rss_first:,.0f} MiB after the first quarter, {rss_all:,.0f} MiB after all; the largest "
              f"preparing worker {rss_workers:,.0f} MiB; load average {_load()}")

        report_figures(conn, label=f"{args.communes}-commune")
        if args.national and multiply(conn, args.communes, args.units, budget=args.budget):
            report_figures(conn, repeat=args.repeat)
        if args.skip_import_figures:
            return 0
        start = time.perf_counter()
        again = import_files(conn, paths, keyring=keyring)
        replay_time = time.perf_counter() - start
        assert all(r.replay for r in again)
        print(f"import again (replays): {replay_time:.2f} s = {replay_time / import_time:.1%} of the first "
              f"(target ≤ 10 %); load average {_load()}")
        sample = paths[: max(1, len(paths) // 20)]
        start = time.perf_counter()
        forced = import_files(conn, sample, keyring=keyring, reimport=True)
        forced_time = (time.perf_counter() - start) * len(paths) / len(sample)
        assert all(r.totals()["new"] == 0 for r in forced)
        print(f"forced re-merge (every record compared, for information, from {len(sample)} bundles): "
              f"{forced_time:.1f} s for all = {forced_time / import_time:.0%} of the first")
        conn.close()
    finally:
        if cluster is not None:
            cluster.stop()
            if args.cluster is None:
                shutil.rmtree(cluster.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
