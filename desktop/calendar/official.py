"""The Government's yearly days off and make-up working days, shipped as data with their source.

The ``holidays`` package knows the public holidays of Bộ luật Lao động 2019 Art. 112 and some of
the swaps; it misses others (the 2026 New Year swap: Friday 02/01/2026 off, Saturday 10/01/2026
worked). ``resources/calendar/official-days.json`` lists each announced day with its source and a
confidence tag (DOMAIN.md §9), and a signed rules update can bring more (``desktop.rules.updates``).

A day whose status is uncertain (24/11 "Ngày Văn hóa Việt Nam"; Tết 2027 before its announcement)
counts as its listed kind until the administrator confirms or corrects it; the confirmation is
kept in the register (``desktop.storage.calendar_repo.confirm_day``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from desktop.errors import UserError
from desktop.resources import resource_path

KINDS = ("off", "work")


@dataclass(frozen=True)
class OfficialDay:
    day: date
    kind: str            # 'off' | 'work'
    name: str
    source: str
    confidence: str      # V | S | U
    uncertain: bool = False


def parse_days(items: Iterable[dict]) -> list[OfficialDay]:
    out = []
    for raw in items:
        try:
            day = date.fromisoformat(raw["day"])
            kind = raw["kind"]
            name = str(raw["name"]).strip()
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError("calendar_data_invalid", f"Dữ liệu lịch nghỉ không hợp lệ: {raw!r}") from exc
        if kind not in KINDS or not name:
            raise UserError("calendar_data_invalid", f"Dữ liệu lịch nghỉ không hợp lệ: {raw!r}")
        out.append(OfficialDay(day, kind, name, str(raw.get("source", "")), str(raw.get("confidence", "")),
                               raw.get("status") == "uncertain"))
    return out


def load_official_days(path: Path | None = None) -> list[OfficialDay]:
    path = path or resource_path("calendar", "official-days.json")
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError("calendar_data_unreadable", f"Không đọc được tệp lịch nghỉ: {exc}") from exc
    return parse_days(raw["days"])


@lru_cache(maxsize=1)
def shipped_days() -> tuple[OfficialDay, ...]:
    return tuple(load_official_days())


def merge(*layers: Iterable[OfficialDay]) -> dict[date, OfficialDay]:
    """Later layers win day by day (the shipped file, then imported updates in import order)."""
    out: dict[date, OfficialDay] = {}
    for layer in layers:
        for d in layer:
            out[d.day] = d
    return out


def resolve(days: Mapping[date, OfficialDay], decisions: Mapping[date, str]) -> dict[date, tuple[str, str]]:
    """Each official day's kind and name as the calendar counts it: an uncertain day as the
    administrator decided, else as listed."""
    out = {}
    for day, d in days.items():
        kind = decisions.get(day, d.kind) if d.uncertain else d.kind
        out[day] = (kind, d.name)
    return out
