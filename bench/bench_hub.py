"""Benchmark of the national hub on PostgreSQL (issue #19). Not a timed test.

    .venv/bin/python -m bench.bench_hub                       # 3,321 communes × 300 cases ≈ 1M cases
    .venv/bin/python -m bench.bench_hub --communes 200        # a smaller country
    .venv/bin/python -m bench.bench_hub --dsn "host=… dbname=…"   # an existing server (else a throwaway one)

The communes' bundles are real bundles (zip, manifest, Ed25519 signature by each commune's own key,
X25519 + ChaCha20-Poly1305 to the province's key) made from one template commune: the demo register
(every kind, state path, reception, document) with its uuids and unit code rewritten per commune.

Figures, each against a baseline measured in the same run:
- import of every bundle (verify, COPY into staging, set-based merge, one transaction per bundle)
  against raw ``COPY`` of the same rows, already in COPY format, into tables of the same shape and
  indexes — target ≥ 50 % of its throughput;
- importing everything again: refused as replays (the file hash is known) — target ≤ 10 % of the
  first import — and, for information, a forced re-merge of all of them;
- the importer's peak memory after a tenth of the bundles and after all of them (flat: one bundle
  is in memory at a time);
- a six-month report for the nation (every form, a row per commune) — target ≤ 5 s per form —
  beside a raw ``GROUP BY`` over the same case rows.
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
    # '"00000' per commune gives that commune its own uuids; the unit code likewise.
    uuids = {m for text in out.values() for m in re.findall(r'"([0-9a-f]{32})"', text)}
    remap = {u: "00000" + hashlib.sha256(u.encode()).hexdigest()[:27] for u in uuids}
    pattern = re.compile(r'"([0-9a-f]{32})"')
    result = {}
    for name, text in out.items():
        text = pattern.sub(lambda m: '"' + remap[m.group(1)] + '"', text)
        result[name] = text.replace(f'"{code}"', f'"{TEMPLATE_CODE}"').encode("utf-8")
    return result


def commune_lines(tpl: dict[str, bytes], i: int) -> tuple[str, dict[str, bytes]]:
    code = f"C{i:04d}"
    return code, {t: data.replace(b'"00000', b'"%05x' % (i + 1)).replace(
        b'"' + TEMPLATE_CODE.encode() + b'"', b'"' + code.encode() + b'"') for t, data in tpl.items()}


def make_bundles(tpl, communes: int, folder: Path, recipient) -> list[tuple[Path, PeerKey]]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
        raw = crypto.canonical_json(body)
        sealed = crypto.seal(writer.finish(raw, key.sign(raw)), recipient.public_raw, manifest.FORMAT_VERSION)
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
        rows: dict[str, list[str]] = {"cases": [], "events": [], "records": []}
        for name, data in parts.items():
            t = types[name]
            for line in data.decode("utf-8").splitlines():
                rec = json.loads(line)
                escaped = line.replace("\\", "\\\\")
                version = rec.get("version", 0) if t.versioned else 0
                if t.partitioned:
                    rows[t.target].append(f"{code}\t{rec[t.year_key][:4]}\t{rec['uuid']}\t{PROVINCE}\t{version}"
                                          f"\t{escaped}\n")
                else:
                    rows["records"].append(f"{code}\t{name}\t{rec['uuid']}\t{PROVINCE}\t{version}\t{escaped}\n")
        yield rows


def report_figures(conn) -> None:
    from desktop.reports.periods import period
    from hub.reports import HubReportRun, Scope

    p = period("2026-H1")
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    conn.commit()
    start = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("SELECT unit_code, data->>'kind', count(*) FROM hub.cases "
                    "WHERE data->>'received_on' BETWEEN %s AND %s GROUP BY 1, 2",
                    (p.start.isoformat(), p.end.isoformat()))
        cur.fetchall()
    raw = time.perf_counter() - start
    conn.rollback()
    start = time.perf_counter()
    run = HubReportRun(conn, p, Scope("nation", "", "Toàn quốc"))
    facts = time.perf_counter() - start
    times = []
    for form in run.forms():
        start = time.perf_counter()
        run.compute(form)
        times.append((form.code, time.perf_counter() - start))
    run.close()
    per_form = (facts + sum(t for _, t in times)) / len(times)
    print(f"national report {p.label}: facts {facts:.2f} s once, then "
          + ", ".join(f"{code} {t:.2f} s" for code, t in times)
          + f"; {per_form:.2f} s per form with the facts shared (target ≤ 5 s); raw GROUP BY of the cases {raw:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--cases", type=int, default=300, help="cases per commune (the demo template)")
    parser.add_argument("--dsn", default=None, help="an existing server's database (else a throwaway cluster)")
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
            cluster = Cluster(Path(tempfile.mkdtemp(prefix="hub-bench-pg-"))).start()
            with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE hub_bench")
            dsn = cluster.dsn("hub_bench")
        else:
            dsn = args.dsn
        conn = hub_db.connect(dsn)
        hub_db.migrate(conn)

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
        # (a second database with the hub's migrations: same partitions, keys and indexes).
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS hub_bench_raw")
            admin.execute("CREATE DATABASE hub_bench_raw")
        raw_dsn = psycopg.conninfo.make_conninfo(dsn, dbname="hub_bench_raw")
        raw_conn = hub_db.connect(raw_dsn)
        hub_db.migrate(raw_conn)
        copy_time = 0.0
        for per in raw_copy_rows(tpl, args.communes):
            start = time.perf_counter()
            with raw_conn.transaction(), raw_conn.cursor() as cur:
                for target, lines in per.items():
                    cols = ("unit_code, tbl, uuid, province_code, version, data" if target == "records"
                            else "unit_code, year, uuid, province_code, version, data")
                    with cur.copy(f"COPY hub.{target} ({cols}) FROM STDIN") as cp:
                        cp.write("".join(lines).encode("utf-8"))
            copy_time += time.perf_counter() - start
        raw_conn.close()
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("DROP DATABASE hub_bench_raw")
        raw_rate = rows / copy_time
        print(f"raw COPY baseline: {copy_time:.1f} s, {raw_rate:,.0f} rows/s")

        keyring = Keyring(default=PASS)
        paths = [p for p, _ in bundles]
        tenth = max(1, len(paths) // 10)
        start = time.perf_counter()
        results = import_files(conn, paths[:tenth], keyring=keyring)
        rss_tenth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results += import_files(conn, paths[tenth:], keyring=keyring)
        import_time = time.perf_counter() - start
        rss_all = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        refused = [r for r in results if not getattr(r, "applied", False)]
        assert not refused, refused[:3]
        rate = rows / import_time
        print(f"import: {import_time:.1f} s, {rate:,.0f} rows/s = {rate / raw_rate:.0%} of raw COPY "
              f"(target ≥ 50 %); peak memory {rss_tenth:,.0f} MiB after a tenth, {rss_all:,.0f} MiB after all")

        start = time.perf_counter()
        again = import_files(conn, paths, keyring=keyring)
        replay_time = time.perf_counter() - start
        assert all(r.replay for r in again)
        print(f"import again (replays): {replay_time:.2f} s = {replay_time / import_time:.1%} of the first "
              "(target ≤ 10 %)")
        sample = paths[: max(1, len(paths) // 20)]
        start = time.perf_counter()
        forced = import_files(conn, sample, keyring=keyring, reimport=True)
        forced_time = (time.perf_counter() - start) * len(paths) / len(sample)
        assert all(r.totals()["new"] == 0 for r in forced)
        print(f"forced re-merge (every record compared, for information, from {len(sample)} bundles): "
              f"{forced_time:.1f} s for all = {forced_time / import_time:.0%} of the first")
        report_figures(conn)
        conn.close()
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
