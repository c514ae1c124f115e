"""Search benchmark over a generated register (default 1,000,000 cases).

    python -m bench.bench_search [--cases N] [--db FILE] [--incremental] [--runs R] [--persons N]

Builds (or reuses) a register filled with realistic Vietnamese names, numbers and summaries,
then times ``search_case_ids`` for whole-word queries and for names being typed (prefixes), and
prints p50 / p95 / max in milliseconds next to the targets (whole word ≤ 20 ms p95, typing
≤ 100 ms p95). ``--incremental`` indexes row by row in batches, as daily work does, instead of
one ``rebuild`` after the import. Not a timed test: run it by hand on the office's hardware.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from desktop.storage.db import open_database
from desktop.storage.duplicates import find_person_duplicates
from desktop.storage.search import (
    case_search_text,
    fts_insert,
    person_search_text,
    rebuild,
    search_case_ids,
    search_persons,
)

# Family names with their rough share in Vietnam (Nguyễn about 38 %).
FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3), ("Phan", 4),
          ("Vũ", 3), ("Võ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1),
          ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Đoàn", 1), ("Lương", 1)]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Hữu", "Quang", "Thu", "Xuân", "Hồng", "Công",
          "Đình", "Kim", "Bảo", "Gia", "Anh", "Trọng", "Mạnh", "Thuỳ"]
GIVEN = ["An", "Anh", "Ánh", "Bình", "Cường", "Dũng", "Dung", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hiếu",
         "Hoa", "Hòa", "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam",
         "Ngọc", "Nhung", "Phong", "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy",
         "Trang", "Trung", "Tuấn", "Tú", "Vân", "Việt", "Yến", "Đạt", "Điệp", "Đông", "Duy", "Khoa"]
SUBJECTS = ["cấp giấy chứng nhận quyền sử dụng đất", "tranh chấp ranh giới thửa đất", "bồi thường giải phóng mặt bằng",
            "xây dựng trái phép", "ô nhiễm môi trường chăn nuôi", "tiếng ồn xưởng gỗ", "đường thôn xuống cấp",
            "cống thoát nước bị tắc", "chế độ người có công", "trợ cấp bảo trợ xã hội", "hộ nghèo",
            "đăng ký khai sinh", "chứng thực hợp đồng", "thái độ cán bộ tiếp dân", "thu phí chợ",
            "cho thuê đất công ích", "lấn chiếm hành lang giao thông", "điện chiếu sáng", "nước sinh hoạt",
            "quản lý nghĩa trang", "giao đất làm nhà ở", "thu hồi đất nông nghiệp", "quyết định xử phạt hành chính"]
VERBS = ["Đề nghị giải quyết", "Khiếu nại về", "Phản ánh tình trạng", "Kiến nghị xem xét", "Yêu cầu giải trình về",
         "Tố cáo sai phạm trong", "Đề nghị kiểm tra", "Phản ánh việc chậm"]
PLACES = ["thôn Đông", "thôn Tây", "thôn Thượng", "thôn Hạ", "xóm Mới", "xóm Chùa", "khu Bắc", "khu Nam",
          "thôn Lương Điền", "thôn Quảng Bá", "thôn Ngọc Lâm", "thôn Phú Xuân"]


def random_name(rng: random.Random) -> str:
    family = rng.choices([f for f, _ in FAMILY], weights=[w for _, w in FAMILY])[0]
    return f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def generate(path: Path, cases: int, *, incremental: bool, seed: int = 2026) -> None:
    rng = random.Random(seed)
    db = open_database(path)
    start = time.perf_counter()
    batch: list[tuple] = []
    year = 2018

    def flush() -> None:
        with db.write():
            first = db.scalar("SELECT COALESCE(MAX(id), 0) FROM cases") + 1
            db.conn.executemany(
                "INSERT INTO cases(id, uuid, unit_code, version, updated_at, created_at, number, kind, rules_id, "
                "summary, content, received_on, state, search_text) "
                "VALUES (?, ?, 'X', 1, '2026-01-01', '2026-01-01', ?, 'petition', 'r', ?, '', ?, 'received', ?)",
                [(first + i, *row) for i, row in enumerate(batch)],
            )
            if incremental:
                for i, row in enumerate(batch):
                    fts_insert(db, "cases", first + i, row[-1])
        batch.clear()

    for n in range(1, cases + 1):
        people = [(random_name(rng), f"0{rng.randint(1, 96):02d}{rng.randint(0, 3)}{rng.randint(0, 10**8 - 1):08d}",
                   f"09{rng.randint(0, 10**8 - 1):08d}") for _ in range(1 if rng.random() < 0.9 else 3)]
        summary = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} tại {rng.choice(PLACES)}"
        number = f"{n % 5000 + 1}/{year + n * 9 // cases}"
        text = case_search_text(number=number, summary=summary, content="", people=people)
        received = f"{year + n * 9 // cases}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        batch.append((f"case-{n}", number, summary, received, text))
        if len(batch) >= 20000:
            flush()
    if batch:
        flush()
    if not incremental:
        rebuild(db, "cases")
    db.execute("ANALYZE")
    print(f"generated {cases:,} cases in {time.perf_counter() - start:.1f} s -> {path.stat().st_size / 2**20:.0f} MiB")
    db.close()


WHOLE_WORDS = ["nguyen van duc", "tran thi lan", "Lê Minh Tuấn", "đất đai", "giấy chứng nhận", "ô nhiễm",
               "thôn Lương Điền", "trợ cấp bảo trợ", "Khiếu nại", "1234/2024", "chiếu sáng xóm chùa",
               "Đinh Kim Điệp", "thu phí chợ", "hộ nghèo", "nghĩa trang", "xử phạt hành chính"]
TYPING = ["ng", "ngu", "nguy", "nguye", "nguyen", "nguyen v", "nguyen va", "nguyen van", "nguyen van d",
          "nguyen van du", "tr", "tra", "tran t", "tran thi h", "tran thi hu", "le", "le m", "le minh t",
          "ph", "pha", "phan", "th", "thu", "dang", "dang van", "dang van a", "hoang", "hoang t", "09",
          "0912", "091234"]


def generate_persons(db, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        name = random_name(rng)
        id_number = f"0{rng.randint(1, 96):02d}{rng.randint(0, 3)}{rng.randint(0, 10**8 - 1):08d}"
        phone = f"09{rng.randint(0, 10**8 - 1):08d}"
        address = f"{rng.choice(PLACES)}, xã Thụy Hùng"
        text = person_search_text(full_name=name, id_number=id_number, phone=phone, address=address)
        rows.append((f"person-{i}", name, id_number, phone, address, text))
    with db.write():
        db.conn.executemany(
            "INSERT INTO persons(uuid, unit_code, updated_at, full_name, id_number, phone, address, search_text) "
            "VALUES (?, 'X', '2026-01-01', ?, ?, ?, ?, ?)", rows)
    rebuild(db, "persons")


PERSON_QUERIES = ["ng", "nguyen", "nguyen van a", "tran thi h", "0912", "dang van an"]


def _timed(label: str, calls, runs: int, target: float) -> None:
    values = []
    for _ in range(runs):
        for call in calls:
            t0 = time.perf_counter()
            call()
            values.append((time.perf_counter() - t0) * 1000)
    values.sort()
    p95 = values[int(len(values) * 0.95) - 1]
    print(f"{label:11s} n={len(values):4d}  p50={statistics.median(values):6.1f} ms  p95={p95:6.1f} ms  "
          f"max={values[-1]:6.1f} ms  target p95 <= {target:.0f} ms  {'OK' if p95 <= target else 'SLOW'}")


def measure_persons(path: Path, count: int, runs: int) -> None:
    db = open_database(path)
    if not db.scalar("SELECT COUNT(*) FROM persons"):
        generate_persons(db, count)
    _timed("persons", [lambda q=q: search_persons(db, q) for q in PERSON_QUERIES], runs, 100.0)
    _timed("duplicates", [lambda: find_person_duplicates(db, full_name="Nguyễn Văn An", phone="0912345678"),
                          lambda: find_person_duplicates(db, full_name="Lý Kim Điệp", id_number="001203012345")],
           runs, 100.0)
    db.close()


def measure(path: Path, runs: int) -> None:
    db = open_database(path, migrate=False)
    for label, queries, target in (("whole word", WHOLE_WORDS, 20.0), ("typing", TYPING, 100.0)):
        timings: list[tuple[float, str]] = []
        for _ in range(runs):
            for query in queries:
                t0 = time.perf_counter()
                ids = search_case_ids(db, query)
                if ids:  # the second page too: keyset paging must be as fast as the first
                    search_case_ids(db, query, before_id=ids[-1])
                timings.append(((time.perf_counter() - t0) * 1000 / (2 if ids else 1), query))
        values = sorted(t for t, _ in timings)
        p95 = values[int(len(values) * 0.95) - 1]
        slowest = sorted(timings, reverse=True)[:3]
        print(f"{label:11s} n={len(values):4d}  p50={statistics.median(values):6.1f} ms  p95={p95:6.1f} ms  "
              f"max={values[-1]:6.1f} ms  target p95 <= {target:.0f} ms  {'OK' if p95 <= target else 'SLOW'}")
        print("            slowest: " + ", ".join(f"{q!r} {t:.1f} ms" for t, q in slowest))
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="reuse or create this file")
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--persons", type=int, default=0, help="also time person search over N people")
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"bench-search-{args.cases}.sqlite"
    if not path.exists():
        generate(path, args.cases, incremental=args.incremental)
    measure(path, args.runs)
    if args.persons:
        measure_persons(path.with_name(f"bench-persons-{args.persons}.sqlite"), args.persons, args.runs)


if __name__ == "__main__":
    main()
