"""Benchmark registers: a commune (5,000 cases) and a province (1,000,000 cases).

    python -m bench.generate --scale commune|province [--force]

Cases carry realistic Vietnamese names, citizen IDs, phones, addresses and texts
(``desktop.workflow.sample``), are received over the years before today in date order and go
in through the workflow's bulk path (``bulk_import_cases``: numbering, deadlines, the event
chain, search indexes built in bulk). The file is cached under ``bench/out/`` (git-ignored) and
reused until ``--force``. Prints progress and timings on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from desktop.security import accounts
from desktop.storage.db import open_database
from desktop.storage.units import save_officer, save_unit
from desktop.rules.book import default_rules
from desktop.workflow.bulk import BulkCase, BulkPerson, BulkStep, bulk_import_cases
from desktop.workflow.sample import Sampler

OUT = Path(__file__).resolve().parent / "out"
SCALES = {"commune": 5_000, "province": 1_000_000}
YEARS = {"commune": 2, "province": 7}
KINDS = (("petition", 25), ("feedback", 24), ("explanation", 14), ("complaint_1", 18), ("complaint_2", 5),
         ("denunciation", 14))
CHANNELS = ("reception", "reception", "mail", "mail", "online", "forwarded")
DONE_KEY = "bench_generated"


def register_path(scale: str) -> Path:
    return OUT / f"{scale}-{SCALES[scale]}.sqlite"


def setup_office(db, sample: Sampler) -> list[str]:
    """The unit, its head, deputies and officers; returns the uuids cases are assigned to."""
    u = sample.unit
    save_unit(db, code=u["code"], name=u["name"], abbreviation=u["abbreviation"], place_name=u["place_name"])
    uuids = [save_officer(db, full_name=sample.full_name()[0], title="Chủ tịch", role="head").uuid]
    uuids += [save_officer(db, full_name=sample.full_name()[0], title="Phó Chủ tịch", role="deputy").uuid
              for _ in range(2)]
    uuids += [save_officer(db, full_name=sample.full_name()[0], title="Chuyên viên").uuid for _ in range(5)]
    log_in_as_head(db)
    return uuids


def log_in_as_head(db) -> None:
    """The benchmarks act as the head (a leader may do every step on every case)."""
    head = db.scalar("SELECT uuid FROM officers WHERE role = 'head' ORDER BY id LIMIT 1")
    accounts.assume_role(db, "leader", officer_uuid=head)


class Timed:
    """Wraps an item generator and adds up the time spent producing items (to leave it out)."""

    def __init__(self, items: Iterator[BulkCase], count: int) -> None:
        self.items, self.seconds, self.count = items, 0.0, count

    def __len__(self) -> int:  # the import knows how large it is (helper, deferred index merging)
        return self.count

    def __iter__(self) -> Iterator[BulkCase]:
        while True:
            t0 = time.perf_counter()
            try:
                item = next(self.items)
            except StopIteration:
                self.seconds += time.perf_counter() - t0
                return
            self.seconds += time.perf_counter() - t0
            yield item


def bench_items(n: int, *, sample: Sampler, officers: list[str], today: date, years: int) -> Iterator[BulkCase]:
    """``n`` cases received in date order over ``years`` years up to ``today`` (weekdays only)."""
    rng = sample.rng
    kinds, weights = zip(*KINDS)
    start = today - timedelta(days=365 * years)
    span = (today - start).days
    recent: list[tuple] = []  # (SamplePerson, BulkPerson) of the last few hundred requesters
    for i in range(n):
        day = start + timedelta(days=span * i // n)
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        kind = rng.choices(kinds, weights)[0]
        field = sample.field()
        if recent and rng.random() < 0.12:
            pairs = [rng.choice(recent)]       # a citizen who comes back
        else:
            count = 1 if rng.random() < 0.9 else rng.randint(2, 4)
            pairs = [(p, _bulk_person(p)) for p in (sample.person() for _ in range(count))]
            recent = (recent + pairs)[-500:]
        people = [b for _, b in pairs]
        summary, content = sample.matter(kind, field, requester=pairs[0][0])
        learned = day - timedelta(days=rng.choice((10, 25, 40, 60, 85, 100))) if kind.startswith("complaint") else None
        yield BulkCase(kind=kind, received_on=day, summary=summary, content=content, requesters=people,
                       channel=rng.choice(CHANNELS), field=field, assignee_uuid=rng.choice(officers),
                       learned_on=learned, representative=people[0] if len(people) > 1 else None,
                       is_complex=rng.random() < 0.05, history=history(sample, kind, day, today))


def history(sample: Sampler, kind: str, day: date, today: date) -> tuple[BulkStep, ...]:
    """What became of a case by ``today``: old ones are mostly settled, recent ones still open."""
    rng, age = sample.rng, (today - day).days
    rs = default_rules().for_case(kind, day)
    later = lambda lo, hi: min(today, day + timedelta(days=rng.randint(lo, hi)))  # noqa: E731
    r = rng.random()
    if age <= 30:
        return () if r < 0.6 else (BulkStep("accept", later(1, 4)),)
    if age <= 90 and r < 0.5:
        return () if r < 0.1 else (BulkStep("accept", later(1, 4)),)
    if r < 0.03:
        return ()                                   # never answered: overdue
    if r < 0.07:
        return (BulkStep("accept", later(1, 4)),)   # still being handled
    if r < 0.15:
        ground = next(g.code for g in rs.grounds["refusal"] if g.code != "other")
        return (BulkStep("refuse", later(2, 9), ground=ground),)
    if r < 0.21:
        code = "guide" if "guide" in rs.actions else "forward"
        return (BulkStep(code, later(1, 6), note=sample.guided_to()),)
    if r < 0.24:
        return (BulkStep("withdraw", later(3, 20)),)
    accepted, replied = later(1, 4), later(10, 40)
    steps = [BulkStep("accept", accepted), BulkStep("reply", replied, note=sample.reply_note()),
             BulkStep("close", min(today, replied + timedelta(days=rng.randint(2, 15))),
                      satisfaction=rng.choice(("satisfied", "satisfied", "satisfied", "partly", "unsatisfied",
                                               "unknown")))]
    if rng.random() < 0.3:
        steps.append(BulkStep("publish", steps[-1].effective_on))
    return tuple(steps)


def _bulk_person(p) -> BulkPerson:
    return BulkPerson(p.full_name, id_number=p.id_number, phone=p.phone, address=p.address)


def _stderr_progress(label: str):
    started = time.perf_counter()

    def report(done: int, total: int) -> None:
        if done == total or done % 50_000 < 5_000:
            rate = done / max(time.perf_counter() - started, 1e-9)
            print(f"\r{label}: {done:>9,} / {total:,}  ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)
    return report


def generate(scale: str, *, force: bool = False, seed: int = 2026) -> Path:
    """Build (or reuse) the register of a scale; returns its path."""
    path = register_path(scale)
    if path.exists() and not force:
        db = open_database(path)
        try:
            if db.get_setting(DONE_KEY):
                return path
        finally:
            db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    n, today = SCALES[scale], date.today()
    sample = Sampler(seed, today=today)
    db = open_database(path)
    try:
        officers = setup_office(db, sample)
        items = Timed(bench_items(n, sample=sample, officers=officers, today=today, years=YEARS[scale]), n)
        t0 = time.perf_counter()
        bulk_import_cases(db, items, today=today,
                          progress=_stderr_progress(f"{scale}: import"))
        total = time.perf_counter() - t0
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.set_setting(DONE_KEY, f"{n} cases, seed {seed}, {today.isoformat()}")
        db.set_setting("bench_today", today.isoformat())
        db.set_setting("bench_import_seconds", f"{total - items.seconds:.1f}")
        print(f"{scale}: {n:,} cases in {total:.0f} s ({items.seconds:.0f} s of it generating the data) "
              f"→ {path.stat().st_size / 2**20:,.0f} MiB", file=sys.stderr)
    finally:
        db.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a benchmark register under bench/out/.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="commune")
    parser.add_argument("--force", action="store_true", help="rebuild even if a cached register exists")
    args = parser.parse_args()
    print(generate(args.scale, force=args.force))


if __name__ == "__main__":
    main()
