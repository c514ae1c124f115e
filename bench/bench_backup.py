"""Encrypted backups on the commune-scale register (issue #17, item 8), each beside a raw copy of
the same file measured in the same run:

* raw copy: ``shutil.copyfile`` of the register file (after a checkpoint) — the floor;
* plain backup: ``make_backup(..., sealer=None)`` — SQLite's backup API, fsync, integrity check,
  unit and record counts, rename (what versions before encryption wrote);
* encrypted backup: ``make_backup`` as the app calls it — the same, then ChaCha20-Poly1305 in
  1 MiB chunks to the register's key;
* restore, plain and encrypted (decrypt with the key in hand, check, safety copy, replace).

    python -m bench.bench_backup [--repeat 5]

Prints to stdout; nothing here is a test. Uses ``bench.bench_security.prepare`` (a copy of the
commune register with an administrator who made the register key, a leader and a sealed denouncer).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from bench.bench_security import PASSWORD, prepare
from bench.generate import OUT
from desktop.security import accounts, backups, files
from desktop.storage import backup
from desktop.storage.db import open_database


def median_ms(fn, repeat: int) -> float:
    values = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        values.append(time.perf_counter() - t)
    return statistics.median(values) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = OUT / f"backup-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        path = prepare(work)
        db = open_database(path)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        cases = db.scalar("SELECT count(*) FROM cases")
        counter = iter(range(10**6))

        def raw() -> None:
            shutil.copyfile(path, work / "raw.sqlite")

        def made(sealer) -> Path:
            return backup.make_backup(db.conn, path, work / "folder", sealer=sealer,
                                      now=__import__("datetime").datetime(2026, 1, 1, 0, 0, next(counter) % 60))

        # Interleaved, so that the machine's load drifts over all three alike.
        runs: dict[str, list[float]] = {"raw": [], "plain": [], "sealed": []}
        for _ in range(args.repeat):
            for name, fn in (("raw", raw), ("plain", lambda: made(None)), ("sealed", lambda: made(backup.REGISTER_KEY))):
                runs[name].append(median_ms(fn, 1))
        raw_ms, plain_ms, sealed_ms = (statistics.median(runs[k]) for k in ("raw", "plain", "sealed"))
        check = work / "check.sqlite"
        shutil.copyfile(work / "raw.sqlite", check)
        material = files.key_material(db)
        encrypt_ms = median_ms(lambda: files.encrypt_for(*material, check, work / "enc.gtbk"), args.repeat)
        accounts.login_user(db, "quantri", PASSWORD)
        plain_copy = made(None)
        sealed_copy = made(backup.REGISTER_KEY)
        opener = backups.opener(db, sealed_copy)
        db.close()
        target = work / "restored.sqlite"

        def restore(source: Path, sealer) -> None:
            shutil.copyfile(path, target)
            backup.restore(source, target, sealer=sealer, folder=work / "safety")

        restore_plain_ms = median_ms(lambda: restore(plain_copy, None), args.repeat)
        restore_sealed_ms = median_ms(lambda: restore(sealed_copy, opener), args.repeat)
        overhead = sealed_copy.stat().st_size - plain_copy.stat().st_size
        print(f"Backups of the commune register ({cases:,} cases, {size / 2**20:.1f} MiB), median of {args.repeat} runs:")
        rows = [("raw file copy (baseline)", raw_ms), ("plain backup: copy + check (before #17)", plain_ms),
                ("encrypted backup: copy + check + encrypt", sealed_ms), ("encryption alone (ChaCha20-Poly1305)",
                                                                           encrypt_ms),
                ("restore a plain backup (+ encrypted safety copy)", restore_plain_ms),
                ("restore an encrypted backup (+ safety copy)", restore_sealed_ms)]
        for name, ms in rows:
            print(f"  {name:<52} {ms:9.1f} ms   × {ms / raw_ms:5.1f} raw copy")
        print(f"  encrypted vs plain backup: × {sealed_ms / plain_ms:.2f}; "
              f"encryption {encrypt_ms / size * 2**20:.1f} ms/MiB; file {overhead:+,} bytes "
              f"({overhead / size * 100:.3f} %: header with the key holders' wraps, 16-byte tag per MiB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
