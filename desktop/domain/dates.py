"""Dates and timestamps as a clerk reads them (dd/mm/yyyy). Pure and light: no calendar import."""

from __future__ import annotations


def format_stamp(iso: str | None, *, with_time: bool = False) -> str:
    """An ISO date or timestamp as written in the office: "2026-11-23T14:20:53" → "23/11/2026"
    (or "23/11/2026 14:20" with ``with_time``); anything else is returned as it is."""
    if not iso or len(iso) < 10 or iso[4] != "-" or iso[7] != "-":
        return iso or ""
    day = f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"
    return f"{day} {iso[11:16]}" if with_time and len(iso) >= 16 else day
