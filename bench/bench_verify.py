"""How long ``giaitrinh verify`` takes: the full check against SQLite's own ``integrity_check`` of
the same file in the same run, and the quick check after a day's work (issue #20, item 2).

    python -m bench.bench_verify --db FILE [--day 200] [--keep]

Works on a copy of ``FILE`` (e.g. ``bench/out/province-1000000.sqlite``): times ``PRAGMA
integrity_check`` alone (the baseline), the full check (``verify_register``, which runs its own
``integrity_check`` meanwhile), and ``integrity_check`` alone again: the ratio is the full check's
wall time against the mean of the two baselines around it (the machine's load and the file's share
of the page cache move during a run; both baselines are printed, with the load average and the CPU
time of each step, the helper process's included). Then it signs a verified checkpoint, does a
day's work — ``--day`` cases changed, half received, half moved a step, through the app's own
functions — and times the quick check (``verify``). Prints to stdout; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.generate import log_in_as_head
from desktop.security import accounts
from desktop.storage.db import open_database
from desktop.sync import keys, verified
from desktop.workflow.verify import verify, verify_register

PASSPHRASE = "cụm mật khẩu của bộ đo"


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def cpu_seconds() -> float:
    """CPU time of this process and of its ended children (the full check's helper process)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(fn):
    """(value, wall seconds, CPU seconds, load average before)."""
    load = os.getloadavg()[0]
    cpu = cpu_seconds()
    value, wall = timed(fn)
    return value, wall, cpu_seconds() - cpu, load


def day_of_work(db, n: int, today: date) -> int:
    """``n`` cases changed the way a day changes them: half received, half moved on by a step."""
    from desktop.workflow.engine import act, allowed_actions
    from desktop.storage.cases import get_case
    from desktop.workflow.receive import CaseInput, receive_case
    from desktop.workflow.sample import Sampler

    sample = Sampler(7, today=today)
    person = db.scalar("SELECT uuid FROM persons WHERE id_number <> '' ORDER BY id DESC LIMIT 1")
    moved = 0
    for (uuid,) in db.query("SELECT uuid FROM cases WHERE closed_on IS NULL ORDER BY id DESC LIMIT ?", (n * 4,)):
        case = get_case(db, uuid)
        for action in allowed_actions(case, today):
            try:
                act(db, uuid, action.code, effective_on=today, note="bench", today=today)
            except Exception:  # noqa: BLE001 - a step that needs more input: try the next one
                continue
            moved += 1
            break
        if moved >= n - n // 2:
            break
    for _ in range(n // 2):
        summary, content = sample.matter("petition", "land")
        receive_case(db, CaseInput(kind="petition", received_on=today, summary=summary, content=content,
                                   requesters=[person], field="land"), today=today)
    return n // 2 + moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--day", type=int, default=200, help="cases changed between checkpoint and quick check")
    parser.add_argument("--skip-full", action="store_true",
                        help="leave out integrity_check and the full check: the day's work and the quick check only")
    parser.add_argument("--in-place", action="store_true",
                        help="work on FILE itself (a copy made for the bench: a 1M register is 9 GB)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("GIAITRINH_KEY_PASSPHRASE", PASSPHRASE)
    work = Path(tempfile.mkdtemp(prefix="bench-verify-", dir=args.db.parent))
    try:
        copy = args.db if args.in_place else work / args.db.name
        if not args.in_place:
            shutil.copy(args.db, copy)
        db = open_database(copy)
        try:
            today = date.fromisoformat(db.get_setting("bench_today") or date.today().isoformat())
            cases = db.scalar("SELECT count(*) FROM cases")
            print(f"verify on a copy of {args.db.name}: {cases:,} cases, "
                  f"{db.scalar('SELECT max(id) FROM ledger'):,} ledger entries, "
                  f"{db.scalar('SELECT max(id) FROM events'):,} events")
            if not args.skip_full:
                rows, base1, cpu1, load1 = measured(lambda: db.query("PRAGMA integrity_check"))
                print(f"  integrity_check alone (baseline 1) {base1:8.2f} s   cpu {cpu1:7.2f} s   load {load1:.2f}   "
                      f"({rows[0][0]})")
                report, full, cpu, load = measured(lambda: verify_register(db))
                print(f"  full verify                        {full:8.2f} s   cpu {cpu:7.2f} s   load {load:.2f}   "
                      f"(ok={report.ok}, {report.ledger_entries:,} entries, {report.events_checked:,} events)")
                for part, seconds in report.seconds.items():
                    print(f"      {part:<44} {seconds:8.2f} s")
                for part, seconds in report.cpu.items():
                    print(f"      cpu, {part:<39} {seconds:8.2f} s")
                rows, base2, cpu2, load2 = measured(lambda: db.query("PRAGMA integrity_check"))
                print(f"  integrity_check alone (baseline 2) {base2:8.2f} s   cpu {cpu2:7.2f} s   load {load2:.2f}   "
                      f"({rows[0][0]})")
                base = (base1 + base2) / 2
                print(f"  full verify = {full / base:.2f} × integrity_check (mean of the baselines; "
                      f"{full / base1:.2f} × the first, {full / base2:.2f} × the second)")
            accounts.assume_role(db, "admin")
            keys.ensure_keys(db)
            signer = keys.private_key(db, "signing", None)
            _, sign = timed(lambda: verified.sign(db, signer, full=True))
            print(f"  signing the verified checkpoint    {sign:8.2f} s")
            log_in_as_head(db)
            changed, work_s = timed(lambda: day_of_work(db, args.day, today))
            print(f"  a day's work: {changed} cases changed in {work_s:.1f} s")
        finally:
            db.close()
        # The quick check as the CLI runs it: a fresh process's first open of the register.
        def quick_run():
            d = open_database(copy)
            try:
                return verify(d)
            finally:
                d.close()
        report, quick = timed(quick_run)
        print(f"  quick verify after the day (open + check) {quick:6.2f} s   mode={report.mode} ok={report.ok} "
              f"({report.ledger_entries} entries, {report.records_checked} records, {report.events_checked} events, "
              f"{report.cases_checked} cases)")
        if args.keep:
            print(f"  copy kept: {copy}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
