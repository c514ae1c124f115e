"""Locked periods and corrections (the approval model of DHIS2, issue #14 item 8).

Once the province accepts a commune's report, the commune's period is locked: a later step whose
legal date falls on or before the period's cut-off changes figures the province accepted. It is
allowed — the register must tell the truth — but only with a reason, and it is recorded as a
correction (``report_corrections``) in the same transaction. The next report lists the
corrections not listed before, with the figures as accepted against the figures now.
A province's "reopen" unlocks the period; the commune then issues it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from desktop.errors import UserError
from desktop.storage.db import Database
from desktop.storage.units import new_uuid, now_iso


@dataclass(frozen=True)
class LockedReport:
    uuid: str
    unit_code: str
    period_code: str
    period_label: str
    start: date
    end: date
    symbol: str
    accepted_at: str


def _latest_decisions_sql() -> str:
    # the latest review of each report (accepted or reopened)
    return """SELECT r.report_uuid, r.decision, r.decided_at, r.reason FROM report_reviews r
              WHERE r.id = (SELECT r2.id FROM report_reviews r2 WHERE r2.report_uuid = r.report_uuid
                            ORDER BY r2.decided_at DESC, r2.id DESC LIMIT 1)"""


def locked_reports(db: Database, unit_code: str) -> list[LockedReport]:
    rows = db.query(f"""SELECT i.uuid, i.unit_code, i.period_code, i.period_label, i.period_start, i.period_end,
                               i.symbol, d.decided_at
                        FROM report_issues i JOIN ({_latest_decisions_sql()}) d ON d.report_uuid = i.uuid
                        WHERE i.unit_code = ? AND d.decision = 'accepted' ORDER BY i.period_end""", (unit_code,))
    return [LockedReport(r[0], r[1], r[2], r[3], date.fromisoformat(r[4]), date.fromisoformat(r[5]), r[6], r[7])
            for r in rows]


def touched_reports(db: Database, unit_code: str, effective_on: date) -> list[LockedReport]:
    """The accepted reports whose figures a step dated ``effective_on`` changes: every locked period
    whose cut-off is on or after that day (a step before the period changes its carried-over)."""
    return [r for r in locked_reports(db, unit_code) if effective_on <= r.end]


def lock_message(reports: list[LockedReport]) -> str:
    names = "; ".join(f"{r.period_label} (báo cáo {r.symbol or 'đã ban hành'}, tỉnh chấp nhận "
                      f"{r.accepted_at[:10]})" for r in reports)
    return (f"Kỳ báo cáo đã khóa: {names}. Bước này làm thay đổi số liệu tỉnh đã chấp nhận; vẫn ghi được "
            "nhưng phải nêu lý do điều chỉnh, và báo cáo kỳ sau sẽ liệt kê điều chỉnh này.")


def guard_case_change(db: Database, unit_code: str, effective_on: date, reason: str | None) -> list[LockedReport]:
    """Refuse a change to a locked period without a reason; return the locked reports it touches."""
    if not db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_reviews'"):
        return []
    touched = touched_reports(db, unit_code, effective_on)
    if touched and not (reason or "").strip():
        raise UserError("period_locked", lock_message(touched), periods=[r.period_code for r in touched])
    return touched


def record_corrections(db: Database, touched: list[LockedReport], *, case_uuid: str, action: str,
                       effective_on: date, reason: str) -> None:
    """Write one correction per touched report (call inside the step's ``db.write()``), under the
    logged-in officer."""
    from desktop.security import actor_name

    actor = actor_name(db)
    stamp = now_iso()
    for report in touched:
        db.execute("INSERT INTO report_corrections(case_uuid, report_uuid, period_code, action, effective_on, reason, "
                   "actor, at, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (case_uuid, report.uuid, report.period_code, action, effective_on.isoformat(), reason.strip(),
                    actor, stamp, new_uuid(), report.unit_code, stamp))


def guard_manual(db: Database, period) -> None:
    """Hand-entered figures of a locked period cannot change silently either: reopen first."""
    from desktop.storage.units import local_unit_code

    for report in locked_reports(db, local_unit_code(db)):
        if report.period_code == period.code:
            raise UserError("period_locked", f"Kỳ {report.period_label} đã được tỉnh chấp nhận: số liệu nhập tay "
                            "không sửa được. Đề nghị tỉnh mở lại kỳ báo cáo nếu cần sửa.")


@dataclass(frozen=True)
class CorrectionLine:
    """One figure of an accepted report that changed since: as accepted, and as it is now."""

    period_label: str
    symbol: str
    form: str
    no: int
    label: str
    original: int | float | None
    corrected: int | float | None


def pending_corrections(db: Database, unit_code: str) -> list[dict]:
    """Corrections not yet listed by an issued report of the unit."""
    listed: set[str] = set()
    for (text,) in db.query("SELECT corrections FROM report_issues WHERE unit_code = ?", (unit_code,)):
        listed.update(c["uuid"] for c in json.loads(text or "[]"))
    rows = db.query("SELECT c.*, k.number FROM report_corrections c LEFT JOIN cases k ON k.uuid = c.case_uuid "
                    "WHERE c.unit_code = ? ORDER BY c.id", (unit_code,))
    return [{"uuid": r["uuid"], "report_uuid": r["report_uuid"], "period_code": r["period_code"],
             "case_uuid": r["case_uuid"], "case_number": r["number"] or "", "action": r["action"],
             "effective_on": r["effective_on"], "reason": r["reason"], "actor": r["actor"], "at": r["at"]}
            for r in rows if r["uuid"] not in listed]


def corrected_figures(db: Database, corrections: list[dict]) -> list[CorrectionLine]:
    """For each accepted report the corrections touch: every figure that differs now."""
    from desktop.reports.engine import make_reports
    from desktop.reports.forms import get_form
    from desktop.reports.periods import Period

    out: list[CorrectionLine] = []
    for report_uuid in dict.fromkeys(c["report_uuid"] for c in corrections):
        row = db.one("SELECT * FROM report_issues WHERE uuid = ?", (report_uuid,))
        if row is None:
            continue
        period = Period(row["period_code"], "stored", date.fromisoformat(row["period_start"]),
                        date.fromisoformat(row["period_end"]), row["period_label"])
        stored = json.loads(row["figures"])
        now = {r.form.id: r for r in make_reports(db, period, list(stored), unit_code=row["unit_code"])}
        for form_id, rows in stored.items():
            report = now.get(form_id)
            if report is None:
                continue
            current = {r.key: r.values for r in report.all_rows()}
            form = get_form(form_id)
            for key, values in rows.items():
                for no_text, original in values.items():
                    corrected = current.get(key, {}).get(int(no_text))
                    if corrected != original:
                        out.append(CorrectionLine(row["period_label"], row["symbol"], form.code, int(no_text),
                                                  form.leaf(int(no_text)).label, original, corrected))
    return out
