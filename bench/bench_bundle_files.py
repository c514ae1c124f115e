"""Bundles that carry files (format version 2, issue #18): time and peak memory. Not a test.

    python -m bench.bench_bundle_files                          # 10,000 records, 100 then 500 scans
    python -m bench.bench_bundle_files --attachments 50 250     # quicker

A commune register of ``--records`` records (bench_sync's generator) gets N attachments of
realistic sizes (random, i.e. incompressible, like JPEG scans and PDFs: 30 KB to 4 MB, median
about 400 KB, seeded). For each N:

- **export** of a full bundle (records + every file, signed, encrypted in 1 MiB chunks, written,
  copy kept in the outbox) and **import** of it at the province (verify every chunk and hash,
  merge, store each file), each in its own child process;
- a **baseline** in the same run: a raw ZIP of the same records (deflate 1) and files (stored)
  read from the register and written, then copied to the "stick" (export side); the copy read
  back, every member read and the files inserted into a fresh SQLite table (import side);
- **peak memory**: each child's peak resident size (Linux ``VmHWM``, reset once the code is
  loaded, the register open and the key unlocked — scrypt's 128 MiB is by design and once per
  batch), beside an idle child that does nothing more. Flat means the peak does not grow with N
  (with the bundle's size).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid as uuidlib
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_sync import PASS, STAMP, fill  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def _admin(db):
    from desktop.security.accounts import assume_role

    assume_role(db, "admin")   # keys, export and import are the administrator's (issue #17)
    return db


def register(path: Path, code: str, name: str, mode: str):
    from desktop.storage import units as units_repo
    from desktop.storage.db import open_database
    from desktop.sync import keys

    db = open_database(path)
    units_repo.save_unit(db, code=code, name=name, level="province" if mode == "province" else "commune",
                         make_local=True, mode=mode)
    _admin(db)
    keys.ensure_keys(db, PASS)
    return db


def sizes(n: int, seed: int = 18) -> list[int]:
    rnd = random.Random(seed)
    return [int(min(4_000_000, max(30_000, rnd.lognormvariate(12.9, 0.9)))) for _ in range(n)]


def make_commune(work: Path, province_key: dict, records: int, attachments: int) -> Path:
    from desktop.storage import attachments as repo
    from desktop.sync import keys

    path = work / f"xa-{attachments}.sqlite"
    db = register(path, "90000", "UBND xã Đo Tệp", "commune")
    keys.import_key_file(db, keys.parse_key_file(province_key))
    fill(db, "90000", records)
    cases = [r[0] for r in db.query("SELECT uuid FROM cases ORDER BY id LIMIT ?", (attachments,))]
    rnd = random.Random(attachments)
    for i, size in enumerate(sizes(attachments)):
        data = rnd.randbytes(size)
        sha = hashlib.sha256(data).hexdigest()
        with db.write():
            repo.write_blob(db, sha, size, io.BytesIO(data))
            db.execute("INSERT INTO attachments(case_uuid, file_name, media_type, size, sha256, added_on, uuid, "
                       "unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                       (cases[i % len(cases)], f"scan-{i}.pdf", "application/pdf", size, sha, "2026-03-02",
                        uuidlib.uuid4().hex, "90000", STAMP))
    db.close()
    return path


# -- children: each measures itself -------------------------------------------------------------------

def _reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets the process's peak resident size (VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # pragma: no cover - not Linux: the peak then includes the start-up
        pass


def _peak_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:  # pragma: no cover
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child(argv: list[str]) -> None:
    os.environ.pop("GIAITRINH_TESTING", None)
    what, register_path, target = argv[0], Path(argv[1]), Path(argv[2])
    from desktop.storage.db import open_database

    from desktop.sync import export, importer, keys

    db = _admin(open_database(register_path))
    # The key is unlocked first (scrypt takes 128 MiB by design, issue #17) and the peak is
    # then reset, so what is measured is the export or import itself.
    key = keys.private_key(db, "encryption" if what == "import" else "signing", PASS)
    _reset_peak()
    start = time.perf_counter()
    out: dict = {}
    if what == "export":
        result = export.export_bundle(db, target, full=True, passphrase=PASS, signer=key)
        out = {"bytes": result.size, "files": len(result.manifest["files"])}
    elif what == "import":
        report = importer.apply(db, target, passphrase=PASS, private=key)
        out = {"stored": report.files["stored"], "bytes": report.files["bytes"]}
    elif what == "raw-export":
        from desktop.storage import sync_repo

        unit = db.get_setting("local_unit_code")
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as zf:
            for table in sync_repo.synced_tables(db):
                with zf.open(f"records/{table.name}.jsonl", "w", force_zip64=True) as member:
                    for _, _, text in sync_repo.changed_json(db, table, unit, True, ("pdf",)):
                        member.write((text or "{}").encode("utf-8") + b"\n")
            for sha, rowid in db.query("SELECT sha256, rowid FROM attachment_blobs"):
                info = zipfile.ZipInfo(f"files/{sha}")
                with zf.open(info, "w", force_zip64=True) as member, \
                        db.conn.blobopen("attachment_blobs", "data", rowid, readonly=True) as blob:
                    while chunk := blob.read(1 << 20):
                        member.write(chunk)
        stick = target.with_name(target.name + ".copy")
        shutil.copyfile(target, stick)
        out = {"bytes": stick.stat().st_size}
    elif what == "raw-import":
        scratch = sqlite3.connect(target.with_name("raw-import.sqlite"))
        scratch.execute("CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER, data BLOB)")
        copy = target.with_name("raw-import.zip")
        shutil.copyfile(target, copy)
        with zipfile.ZipFile(copy) as zf, scratch:
            for info in zf.infolist():
                if info.filename.startswith("files/"):
                    cur = scratch.execute("INSERT INTO blobs VALUES (?, ?, zeroblob(?))",
                                          (info.filename[6:], info.file_size, info.file_size))
                    with zf.open(info) as member, scratch.blobopen("blobs", "data", cur.lastrowid) as blob:
                        while chunk := member.read(1 << 20):
                            blob.write(chunk)
                else:
                    zf.read(info)
        out = {"bytes": copy.stat().st_size}
    out.update(seconds=round(time.perf_counter() - start, 2), peak_mib=_peak_mib())
    db.close()
    print(json.dumps(out))


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.bench_bundle_files", "--child", *map(str, args)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=10_000)
    p.add_argument("--attachments", type=int, nargs="+", default=[100, 500])
    p.add_argument("--child", nargs=3)
    args = p.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    os.environ.pop("GIAITRINH_TESTING", None)
    from desktop.sync import keys

    work = OUT / f"bundle-files-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    print(f"Bundles carrying files: {args.records:,} records; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores", flush=True)
    try:
        for n in args.attachments:
            province_path = work / f"tinh-{n}.sqlite"
            province = register(province_path, "01", "UBND tỉnh Đo", "province")
            province_key = keys.key_file_content(province, PASS)
            commune_path = make_commune(work, province_key, args.records, n)
            from desktop.storage.db import open_database

            commune = _admin(open_database(commune_path))
            keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(commune, PASS)))
            total = commune.scalar("SELECT sum(size) FROM attachment_blobs")
            commune.close()
            province.close()
            usb = work / f"usb-{n}"
            usb.mkdir()
            idle = run_child("idle", commune_path, usb)
            exp = run_child("export", commune_path, usb)
            bundle = next(usb.glob("*.gtb"))
            imp = run_child("import", province_path, bundle)
            raw_zip = usb / "raw.zip"
            raw_exp = run_child("raw-export", commune_path, raw_zip)
            raw_imp = run_child("raw-import", province_path, raw_zip)
            print(f"\n  {n} attachments, {total / 1e6:.0f} MB of files; bundle {exp['bytes'] / 1e6:.0f} MB "
                  f"({exp['files']} files)")
            print(f"    export  {exp['seconds']:7.2f} s   raw zip + copy   {raw_exp['seconds']:6.2f} s   "
                  f"x{exp['seconds'] / raw_exp['seconds']:.2f}   peak {exp['peak_mib']:6.1f} MiB "
                  f"(raw {raw_exp['peak_mib']:.1f}, idle {idle['peak_mib']:.1f})")
            print(f"    import  {imp['seconds']:7.2f} s   raw copy + unzip {raw_imp['seconds']:6.2f} s   "
                  f"x{imp['seconds'] / raw_imp['seconds']:.2f}   peak {imp['peak_mib']:6.1f} MiB "
                  f"(raw {raw_imp['peak_mib']:.1f}); {imp['stored']} files stored", flush=True)
            shutil.rmtree(usb, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
