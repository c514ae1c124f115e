"""What accounts and the record ledger cost the core figures (issue #17): one save and the
dashboard, measured in ONE run, interleaved, on copies of the commune register, in variants:

- ``today``: this tree as it is (logged in as the head; the ledger's triggers chain each row);
- ``bare``: this tree with the ledger's triggers dropped from its copy and the permission check
  (``require``) made a no-op: what the save costs without the accounts/ledger work, with every
  other issue's work since (search terms, report locks, attachments, ...) kept;
- ``old``: the code before accounts landed (``--old-tree``: a checkout of 65b6a77) on its own
  commune register, built by that tree's ``bench.generate`` (same seed, same scale);
- any other tree given as ``--tree NAME=PATH`` (e.g. ``before=`` a checkout of main before a
  change, to measure the change in the same run), on its own generated register likewise.

Each variant runs in its own worker process (started in its tree, so it imports that tree's
code); the parent sends rounds in rotating order (``--rounds`` × ``--per-round`` samples per
figure and variant) so the machine's noise falls on every variant alike, and measures the raw
baselines itself in the same rounds: a one-row commit (WAL, synchronous FULL, as the register)
and the raw overdue count of ``bench.run``.

    python -m bench.bench_core_cost --old-tree ../giaitrinh-65b6a77 [--tree before=../main-before]
                                    [--rounds 25 --per-round 10]

The worker part imports only what both trees have (``open_database``, ``receive_case``,
``dashboard``, ``Sampler``), so this file runs unchanged against the old tree. Prints to stdout;
nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# -- the worker: one variant, in its own tree's code -----------------------------------------------

def worker(path: str, variant: str) -> None:
    import inspect
    from datetime import date

    from desktop.storage.cases import dashboard
    from desktop.storage.db import open_database
    from desktop.workflow import receive
    from desktop.workflow.sample import Sampler

    db = open_database(path)
    try:
        from desktop.security import accounts
    except ImportError:  # the tree before accounts: no login, a free-text actor
        accounts = None
    if accounts is not None:
        head = db.scalar("SELECT uuid FROM officers WHERE role = 'head' ORDER BY id LIMIT 1")
        accounts.assume_role(db, "leader", officer_uuid=head)
    if variant == "bare":
        for (name,) in db.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger%'"):
            db.execute(f'DROP TRIGGER "{name}"')
        receive.require = lambda *a, **k: None
    extra = {"actor": "Đo hiệu năng"} if "actor" in inspect.signature(receive.receive_case).parameters else {}
    person = db.scalar("SELECT uuid FROM persons WHERE id_number <> '' ORDER BY id DESC LIMIT 1")
    day = date.today()
    board_day = date.fromisoformat(db.get_setting("bench_today") or day.isoformat())
    sample = Sampler(7, today=day)

    def save() -> None:
        summary, content = sample.matter("petition", "land")
        receive.receive_case(db, receive.CaseInput(kind="petition", received_on=day, summary=summary,
                                                   content=content, requesters=[person], field="land"),
                             today=day, **extra)

    def board() -> None:
        dashboard(db, board_day)

    actions = {"save": save, "dash": board}
    for _ in range(5):  # warm the calendar, the rules and the page cache
        save()
        board()
    import desktop

    print(json.dumps({"ready": str(Path(desktop.__file__).parent.parent), "ledger": db.scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger%'")}), flush=True)
    for line in sys.stdin:
        what, n = json.loads(line)
        if what == "quit":
            break
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            actions[what]()
            out.append(time.perf_counter() - t0)
        print(json.dumps(out), flush=True)
    db.close()


# -- the parent: registers, workers, rounds, figures -----------------------------------------------

class Worker:
    def __init__(self, name: str, tree: Path, path: Path) -> None:
        self.name = name
        env = dict(os.environ, PYTHONPATH=str(tree))
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", str(path), name],
                                     cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = json.loads(self.proc.stdout.readline() or "null")
        if not ready:
            raise RuntimeError(f"worker {name} did not start")
        print(f"  {name:<6} code of {ready['ready']}, {ready['ledger']} ledger triggers, register {path.name}",
              flush=True)
        self.samples: dict[str, list[float]] = {"save": [], "dash": []}

    def run(self, what: str, n: int) -> None:
        self.proc.stdin.write(json.dumps([what, n]) + "\n")
        self.proc.stdin.flush()
        self.samples[what] += json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.write(json.dumps(["quit", 0]) + "\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _copy(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copy(f"{src}{suffix}", f"{dst}{suffix}")
    return dst


def _tree_register(tree: Path) -> Path:
    out = subprocess.run([sys.executable, "-m", "bench.generate", "--scale", "commune"], cwd=tree,
                         env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True, text=True, check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def stats(values: list[float]) -> tuple[float, float, float]:
    s = sorted(values)
    return statistics.median(s), s[max(0, int(round(len(s) * 0.95)) - 1)], s[-1]


def show(label: str, values: list[float]) -> tuple[float, float, float]:
    p50, p95, top = stats(values)
    print(f"  {label:<28} p50 {p50 * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms  max {top * 1000:7.2f} ms  "
          f"(n={len(values)})", flush=True)
    return p50, p95, top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old-tree", help="a checkout of the code before accounts (65b6a77)")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                        help="another tree measured as variant NAME on its own generated register")
    parser.add_argument("--register", help="this tree's commune register (default: bench.generate's)")
    parser.add_argument("--old-register", help="the old tree's commune register (default: its bench.generate's)")
    parser.add_argument("--work", help="where the copies go (default: bench/out/core-cost-PID)")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    from bench.generate import OUT, generate

    work = Path(args.work) if args.work else OUT / f"core-cost-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    register = Path(args.register) if args.register else generate("commune")
    trees = {"today": (ROOT, register), "bare": (ROOT, register)}
    for spec in args.tree:
        name, _, where = spec.partition("=")
        trees[name] = (Path(where).resolve(), _tree_register(Path(where).resolve()))
    if args.old_tree:
        old = Path(args.old_tree).resolve()
        trees["old"] = (old, Path(args.old_register) if args.old_register else _tree_register(old))
    print(f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores; {args.rounds} rounds × {args.per_round} "
          "samples per figure and variant, variants in rotating order", flush=True)
    workers: list[Worker] = []
    raw_commit: list[float] = []
    raw_count: list[float] = []
    try:
        for name, (tree, src) in trees.items():
            workers.append(Worker(name, tree, _copy(src, work / f"{name}.sqlite")))
        one = sqlite3.connect(work / "one-row.sqlite", isolation_level=None)
        one.execute("PRAGMA journal_mode = WAL")
        one.execute("PRAGMA synchronous = FULL")
        one.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT)")
        reader = sqlite3.connect(work / "today.sqlite")
        board_day = reader.execute("SELECT value FROM settings WHERE key = 'bench_today'").fetchone()[0]

        def raw() -> None:
            for _ in range(args.per_round):
                t0 = time.perf_counter()
                one.execute("BEGIN")
                one.execute("INSERT INTO t(payload) VALUES (?)", ("x" * 700,))
                one.execute("COMMIT")
                raw_commit.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                reader.execute("SELECT count(*) FROM cases WHERE due_on < ?", (board_day,)).fetchone()
                raw_count.append(time.perf_counter() - t0)

        for r in range(args.rounds):
            order = workers[r % len(workers):] + workers[:r % len(workers)]
            raw()
            for w in order:
                w.run("save", args.per_round)
            for w in order:
                w.run("dash", args.per_round)
        one.close()
        reader.close()
        print("\nRaw baselines (same run, same rounds):")
        base = show("one-row commit", raw_commit)
        show("raw overdue count", raw_count)
        figures = {}
        for what, label in (("save", "save (receive_case)"), ("dash", "dashboard")):
            print(f"\n{label}:")
            for w in workers:
                figures[w.name, what] = show(w.name, w.samples[what])
        print("\nRatios (p50 / p95):")
        names = [w.name for w in workers]
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
        for what in ("save", "dash"):
            for a, b in pairs:
                x, y = figures[a, what], figures[b, what]
                print(f"  {what:<5} {a:>5} / {b:<5} ×{x[0] / y[0]:.2f} / ×{x[1] / y[1]:.2f}")
            if args.old_tree:
                t, bare, old = (figures[v, what][0] for v in ("today", "bare", "old"))
                if t > old:
                    print(f"  {what:<5} of today's extra {1000 * (t - old):.2f} ms over old (p50): accounts/ledger "
                          f"{1000 * (t - bare):.2f} ms ({(t - bare) / (t - old):.0%}), other issues' work "
                          f"{1000 * (bare - old):.2f} ms ({(bare - old) / (t - old):.0%})")
        print(f"\n  save p50 over the one-row commit: " + ", ".join(
            f"{w.name} ×{figures[w.name, 'save'][0] / base[0]:.1f}" for w in workers))
    finally:
        for w in workers:
            try:
                w.close()
            except (OSError, subprocess.TimeoutExpired, ValueError):
                w.proc.kill()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
