"""Opening balances (kê khai đầu kỳ) of a register started mid-way.

The register knows only what was entered in it. An office that starts using it in the middle of a
reporting period declares, once per kind of case, how many petitions were still waiting to be
handled and how many accepted matters were still being resolved on the day it starts
(``as_of``). Reports of the period that holds that day count them as carried over (kỳ trước
chuyển sang) and, since the register never sees them end, as still pending at the cut-off. Who
entered them and when is kept; a balance is never edited, only shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.errors import UserError, ValidationError
from desktop.rules.book import KIND_LABELS
from desktop.storage.db import Database
from desktop.storage.units import local_unit_code, new_uuid, now_iso


@dataclass(frozen=True)
class Opening:
    uuid: str
    kind: str
    as_of: date
    unhandled: int
    unresolved: int
    note: str
    entered_by: str
    entered_at: str
    unit_code: str

    @property
    def label(self) -> str:
        return (f"Kê khai đầu kỳ ngày {self.as_of:%d/%m/%Y} ({KIND_LABELS.get(self.kind, self.kind)}): "
                f"{self.unhandled} đơn chưa xử lý, {self.unresolved} vụ việc đang giải quyết — "
                f"{self.entered_by}, {self.entered_at[:16].replace('T', ' ')}")


def _row(r) -> Opening:
    return Opening(r["uuid"], r["kind"], date.fromisoformat(r["as_of"]), r["unhandled"], r["unresolved"], r["note"],
                   r["entered_by"], r["entered_at"], r["unit_code"])


def list_openings(db: Database, unit_code: str | None = None) -> list[Opening]:
    code = unit_code or local_unit_code(db)
    return [_row(r) for r in db.query("SELECT * FROM report_openings WHERE unit_code = ? ORDER BY kind", (code,))]


def enter_opening(db: Database, *, kind: str, as_of: date, unhandled: int, unresolved: int,
                  note: str = "") -> Opening:
    """Declare the balance of one kind of case; refused if that kind was already declared. Like an
    import of the office's past (``cases.import``: the head or the administrator), recorded under
    the logged-in officer."""
    from desktop.security import require

    actor = require(db, "cases.import").officer_name
    errors = {}
    if kind not in KIND_LABELS:
        errors["kind"] = "Chưa chọn loại vụ việc."
    if not isinstance(unhandled, int) or unhandled < 0:
        errors["unhandled"] = "Số đơn chưa xử lý phải là số không âm."
    if not isinstance(unresolved, int) or unresolved < 0:
        errors["unresolved"] = "Số vụ việc đang giải quyết phải là số không âm."
    if errors:
        raise ValidationError(errors)
    code = local_unit_code(db)
    uuid = new_uuid()
    with db.write():
        if db.one("SELECT 1 FROM report_openings WHERE unit_code = ? AND kind = ?", (code, kind)):
            raise UserError("opening_exists", f"Đã kê khai đầu kỳ cho loại “{KIND_LABELS[kind]}”; "
                            "số kê khai chỉ nhập một lần và không sửa.")
        stamp = now_iso()
        db.execute("INSERT INTO report_openings(kind, as_of, unhandled, unresolved, note, entered_by, entered_at, "
                   "uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (kind, as_of.isoformat(), unhandled, unresolved, note.strip(), actor.strip(), stamp, uuid, code,
                    stamp))
    return _row(db.one("SELECT * FROM report_openings WHERE uuid = ?", (uuid,)))
