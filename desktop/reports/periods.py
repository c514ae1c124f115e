"""Reporting periods as data (``resources/reports/periods.json``).

By default the cut-offs of Thông tư 06/2025/TT-TTCP Art. 7(1)(a), the same as NĐ 09/2019/NĐ-CP
Art. 12 (DOMAIN.md §6): figures run from the 15th of the month before the period to the 14th of its
last month; the year from 15/12 of the year before to 14/12. A commune's report is due at the
province by the 17th of the period's last month (TT 06/2025 Art. 7(2)(a)); the province may set an
earlier date (same point, last indent). A province that uses other dates gets its own entry in the
data file, keyed by its code; any date range is a period too. A period reads like
"6 tháng đầu năm 2026 (15/12/2025–14/6/2026)".

Codes (CLI, stored reports): ``2026-M03`` month, ``2026-Q1`` quarter, ``2026-H1`` / ``2026-H2``
six months, ``2026-9M`` nine months, ``2026-Y`` year, ``2026-01-01..2026-06-30`` a date range.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from desktop.errors import UserError
from desktop.resources import resource_path

ROMAN = ("I", "II", "III", "IV")
_CODE = re.compile(r"^(\d{4})-(M(\d{1,2})|Q([1-4])|H([12])|9M|Y)$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
KIND_OF_LETTER = {"M": "month", "Q": "quarter", "H": "half", "9M": "nine", "Y": "year"}


@dataclass(frozen=True)
class Period:
    code: str
    kind: str          # month | quarter | half | half2 | nine | year | range
    start: date
    end: date          # the cut-off day, counted in the period
    name: str          # "6 tháng đầu năm 2026"

    @property
    def label(self) -> str:
        """"6 tháng đầu năm 2026 (15/12/2025–14/6/2026)"."""
        if self.kind == "range":
            return self.name
        return f"{self.name} ({short_date(self.start)}–{short_date(self.end)})"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_dict(self) -> dict:
        return {"code": self.code, "kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "name": self.name, "label": self.label}


def short_date(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def long_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resource_path("reports", "periods.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Scheme:
    """The cut-offs one province uses."""

    basis: str
    start_day: int
    kinds: dict
    due_day: int | None                 # the report is due on this day of the cut-off's month …
    due_days: int                       # … or this many days after the cut-off
    due_day_kind: str                   # working | calendar (for due_days)
    due_basis: str
    reminders: tuple[tuple[int, int, str], ...]   # (month, day, period kind)


def scheme(province_code: str | None = None) -> Scheme:
    data = _data()
    raw = dict(data["default"])
    raw.update(data.get("provinces", {}).get(province_code or "", {}))
    reminders = tuple((int(r["from"][:2]), int(r["from"][3:]), r["kind"]) for r in raw.get("reminders", ()))
    due = raw.get("due") or {}
    if "day_of_last_month" in due:
        day, days, kind = int(due["day_of_last_month"]), 0, "calendar"
    elif "working_days_after_cutoff" in due:
        day, days, kind = None, int(due["working_days_after_cutoff"]), "working"
    else:
        day, days, kind = None, int(due.get("days_after_cutoff", 0)), "calendar"
    return Scheme(raw["basis"], int(raw["start_day"]), raw["kinds"], day, days, kind, due.get("basis", ""),
                  reminders)


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _span(sch: Scheme, year: int, end_month: int, months: int) -> tuple[date, date]:
    if sch.start_day <= 1:
        sy, sm = _add_months(year, end_month, -(months - 1))
        return date(sy, sm, 1), date(year, end_month, calendar.monthrange(year, end_month)[1])
    sy, sm = _add_months(year, end_month, -months)
    return date(sy, sm, sch.start_day), date(year, end_month, sch.start_day - 1)


def period(code: str, province_code: str | None = None) -> Period:
    """The period a code names (``2026-H1``, ``2026-M03``, ``2026-01-01..2026-06-30`` …)."""
    code = (code or "").strip().upper().replace("..", "..")
    ranged = _RANGE.match(code.lower())
    if ranged:
        try:
            start, end = date.fromisoformat(ranged.group(1)), date.fromisoformat(ranged.group(2))
        except ValueError:
            raise _bad(code) from None
        return date_range(start, end)
    match = _CODE.match(code)
    if not match:
        raise _bad(code)
    sch = scheme(province_code)
    year = int(match.group(1))
    if match.group(3):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            raise _bad(code)
        kind, end_month, months, fill = "month", month, 1, {"n": month}
    elif match.group(4):
        q = int(match.group(4))
        kind, end_month, months, fill = "quarter", q * 3, 3, {"roman": ROMAN[q - 1]}
    elif match.group(5):
        kind = "half" if match.group(5) == "1" else "half2"
        end_month, months, fill = sch.kinds[kind]["ends_month"], 6, {}
    elif match.group(2) == "9M":
        kind, end_month, months, fill = "nine", 9, 9, {}
    else:
        kind, end_month, months, fill = "year", 12, 12, {}
    start, end = _span(sch, year, end_month, months)
    name = sch.kinds[kind]["label"].format(year=year, **fill)
    return Period(f"{year}-{match.group(2)}", kind, start, end, name)


def date_range(start: date, end: date) -> Period:
    if end < start:
        raise UserError("period_bad_range", "Ngày kết thúc kỳ phải từ ngày bắt đầu trở đi.")
    return Period(f"{start.isoformat()}..{end.isoformat()}", "range", start, end,
                  f"Từ ngày {long_date(start)} đến ngày {long_date(end)}")


def _bad(code: str) -> UserError:
    return UserError("period_unknown",
                     f"Không hiểu kỳ báo cáo “{code}”. Ví dụ: 2026-H1 (6 tháng đầu năm), 2026-Y (năm), "
                     "2026-Q2 (quý), 2026-M03 (tháng), 2026-9M (9 tháng), 2026-H2 (6 tháng cuối năm), "
                     "hoặc 2026-01-01..2026-06-30.")


def periods_of_year(year: int, province_code: str | None = None) -> list[Period]:
    """Every standard period of a report year, in the order a clerk picks them."""
    codes = [f"{year}-H1", f"{year}-Y", f"{year}-9M", f"{year}-H2"]
    codes += [f"{year}-Q{q}" for q in range(1, 5)] + [f"{year}-M{m:02d}" for m in range(1, 13)]
    return [period(c, province_code) for c in codes]


def containing(day: date, kind: str = "half", province_code: str | None = None) -> Period:
    """The period of ``kind`` that holds ``day`` (e.g. the six months a case falls in)."""
    letter = {"month": "M", "quarter": "Q", "half": "H", "nine": "9M", "year": "Y"}[kind]
    for year in (day.year, day.year + 1):
        if letter == "M":
            candidates = [f"{year}-M{m:02d}" for m in range(1, 13)]
        elif letter == "Q":
            candidates = [f"{year}-Q{q}" for q in range(1, 5)]
        elif letter == "H":
            candidates = [f"{year}-H1", f"{year}-H2"]
        else:
            candidates = [f"{year}-{letter}"]
        for c in candidates:
            p = period(c, province_code)
            if p.contains(day):
                return p
    raise _bad(kind)  # pragma: no cover - every day is in some period


def due_date(p: Period, cal=None, province_code: str | None = None) -> date:
    """When the report of ``p`` is due at the province: by default the 17th of the cut-off's month
    (TT 06/2025/TT-TTCP Art. 7(2)(a): 17/6 for the six months, 17/12 for the year), the first such
    day on or after the cut-off for a period that ends later in its month (a date range, a province
    counting calendar months); or, where the province sets it so, the cut-off plus N (working) days."""
    sch = scheme(province_code)
    if sch.due_day is not None:
        year, month = p.end.year, p.end.month
        while True:
            day = date(year, month, min(sch.due_day, calendar.monthrange(year, month)[1]))
            if day >= p.end:
                return day
            year, month = _add_months(year, month, 1)
    if sch.due_day_kind == "working" and cal is not None:
        return cal.add_working_days(p.end, sch.due_days) if sch.due_days else p.end
    return p.end + timedelta(days=sch.due_days)


def reminder(today: date, province_code: str | None = None) -> Period | None:
    """The period whose report "Hôm nay" reminds of: from 1/6 the six months, from 1/12 the year,
    until the report's cut-off month has passed."""
    sch = scheme(province_code)
    for month, day, kind in sch.reminders:
        code = {"half": "H1", "year": "Y", "half2": "H2", "nine": "9M"}.get(kind)
        if not code:
            continue
        p = period(f"{today.year}-{code}", province_code)
        if date(today.year, month, day) <= today <= p.end + timedelta(days=20):
            return p
    return None
