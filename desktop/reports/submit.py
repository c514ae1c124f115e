"""Issue, submit, accept, reopen; the province's completeness board and consolidation.

The approval model of DHIS2 (issue #14 items 8–9):

1. The commune **issues** a period's report: the BÁO CÁO gets its number in the outgoing register
   (documents engine), and ``report_issues`` keeps the figures exactly as computed with their
   SHA-256 digest and the corrections the report lists. The row is the commune's record, so the
   next signed bundle carries it to the province.
2. The province **accepts** (or **reopens**, with a reason) the report it imported: a
   ``report_reviews`` row, about that digest. The next signed receipt carries the decision back;
   on import the commune records it, and an accepted period is then locked (``locks``).
3. The province's **completeness** board: per commune and period, submitted on time / late /
   missing against the due date (by default the 17th of the period's last month, TT 06/2025 Art. 7(2)(a)).
4. **Consolidation**: the sum of the accepted commune reports (their figures as accepted) plus the
   province's own, a row per unit, and the communes missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from desktop.errors import UserError
from desktop.reports import locks, written
from desktop.reports.engine import TOTAL_KEY, FormReport, ReportRow, check_identities, figures_of, make_reports
from desktop.reports.forms import get_form
from desktop.reports.periods import Period, due_date
from desktop.storage.db import Database
from desktop.storage.units import local_unit, new_uuid, now_iso, register_mode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedReport:
    uuid: str
    unit_code: str
    period_code: str
    period_label: str
    period_start: date
    period_end: date
    revision: int
    figures: dict
    digest: str
    corrections: list
    issued_on: date
    issued_by: str
    document_uuid: str | None
    symbol: str
    decision: str | None = None        # accepted | reopened | None (not yet reviewed)
    decided_at: str | None = None
    reason: str = ""

    @property
    def period(self) -> Period:
        return Period(self.period_code, "stored", self.period_start, self.period_end, self.period_label)

    def as_dict(self) -> dict:
        return {"uuid": self.uuid, "unit_code": self.unit_code, "period": self.period_code,
                "period_label": self.period_label, "revision": self.revision, "digest": self.digest,
                "issued_on": self.issued_on.isoformat(), "symbol": self.symbol, "decision": self.decision,
                "decided_at": self.decided_at, "reason": self.reason, "corrections": len(self.corrections)}


def digest_of(unit_code: str, period: Period, figures: dict) -> str:
    canonical = json.dumps({"unit": unit_code, "period": period.code, "start": period.start.isoformat(),
                            "end": period.end.isoformat(), "figures": figures},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _issued(db: Database, row) -> IssuedReport:
    review = db.one("SELECT decision, decided_at, reason FROM report_reviews WHERE report_uuid = ? "
                    "ORDER BY decided_at DESC, id DESC LIMIT 1", (row["uuid"],))
    return IssuedReport(row["uuid"], row["unit_code"], row["period_code"], row["period_label"],
                        date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"]),
                        row["revision"], json.loads(row["figures"]), row["digest"], json.loads(row["corrections"]),
                        date.fromisoformat(row["issued_on"]), row["issued_by"], row["document_uuid"], row["symbol"],
                        review[0] if review else None, review[1] if review else None, review[2] if review else "")


def list_issued(db: Database, unit_code: str | None = None, period_code: str | None = None) -> list[IssuedReport]:
    where, params = [], []
    if unit_code:
        where.append("unit_code = ?")
        params.append(unit_code)
    if period_code:
        where.append("period_code = ?")
        params.append(period_code)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return [_issued(db, r) for r in db.query(f"SELECT * FROM report_issues {clause} "
                                             "ORDER BY period_end, unit_code, revision", params)]


def get_issued(db: Database, key: str) -> IssuedReport:
    row = db.one("SELECT * FROM report_issues WHERE uuid = ? OR symbol = ? ORDER BY id DESC LIMIT 1", (key, key))
    if row is None:
        raise UserError("report_not_found", f"Không tìm thấy báo cáo “{key}”.")
    return _issued(db, row)


def latest(db: Database, unit_code: str, period_code: str) -> IssuedReport | None:
    row = db.one("SELECT * FROM report_issues WHERE unit_code = ? AND period_code = ? ORDER BY revision DESC "
                 "LIMIT 1", (unit_code, period_code))
    return _issued(db, row) if row else None


@dataclass(frozen=True)
class ReportDue:
    """A report "Hôm nay" reminds of: its period, when it is due, how many days are left."""
    period: Period
    due_on: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    def text(self) -> str:
        """"Đến kỳ báo cáo 6 tháng đầu năm 2026: hạn nộp 17/06/2026 (còn 14 ngày)"."""
        left = self.days_left
        when = (f"còn {left} ngày" if left > 0 else "hôm nay là hạn cuối" if left == 0
                else f"đã quá hạn {-left} ngày")
        return f"Đến kỳ báo cáo {self.period.name.lower()}: hạn nộp {self.due_on:%d/%m/%Y} ({when})"

    def detail(self) -> str:
        if self.today <= self.period.end:
            return (f"Số liệu chốt đến hết ngày {self.period.end:%d/%m/%Y}; báo cáo ban hành được từ ngày "
                    f"{self.period.end + timedelta(days=1):%d/%m/%Y}.")
        return "Kỳ báo cáo đã chốt số liệu: lập, kiểm tra các biểu rồi trình Chủ tịch ban hành."


def report_due(db: Database, today: date) -> ReportDue | None:
    """The period's report "Hôm nay" reminds of (issue #14 item 11): from the scheme's reminder days
    (1/6 the six months, 1/12 the year) until this unit issues it (a reopened report is due again),
    the latest reminder started winning. Nothing for a register that holds nothing up to the
    period's cut-off (started after it: there is no report of it to make here)."""
    from desktop.reports.periods import period as period_of, scheme
    from desktop.storage.calendar_repo import load_calendar

    code_of = {"half": "H1", "half2": "H2", "nine": "9M", "year": "Y"}
    started = [(date(year, month, day), f"{year}-{code_of[kind]}")
               for year in (today.year, today.year - 1) for month, day, kind in scheme().reminders
               if kind in code_of and date(year, month, day) <= today]
    if not started:
        return None
    p = period_of(max(started)[1])
    try:
        unit = local_unit(db).code
    except UserError:
        return None
    issued = latest(db, unit, p.code)
    if issued is not None and issued.decision != "reopened":
        return None
    held = db.one("SELECT 1 FROM cases WHERE received_on <= ? UNION ALL SELECT 1 FROM receptions "
                  "WHERE received_on <= ? LIMIT 1", (p.end.isoformat(), p.end.isoformat()))
    if held is None:
        return None
    # the calendar only where the scheme counts working days (the default day needs none): this runs
    # after every save, for "Hôm nay" and the status bar
    cal = load_calendar(db) if scheme().due_day is None else None
    return ReportDue(p, due_date(p, cal), today)


# -- the commune ------------------------------------------------------------------------------------

def prepare(db: Database, period: Period, *, signer_uuid: str | None = None):
    """The period's figures, the corrections to list, and the BÁO CÁO composed from them."""
    from desktop.storage.units import get_officer, signers

    unit = local_unit(db)
    reports = make_reports(db, period)
    pending = locks.pending_corrections(db, unit.code)
    lines = locks.corrected_figures(db, pending) if pending else []
    b = written.bundle(db, period, reports, corrections=lines, correction_notes=pending)
    officer = get_officer(db, signer_uuid) if signer_uuid else next(iter(signers(db)), None)
    return reports, pending, b, written.compose(b, officer)


def issue_report(db: Database, period: Period, *, issued_on: date | None = None,
                 today: date | None = None, signer_uuid: str | None = None) -> IssuedReport:
    """Issue the period's report: number the BÁO CÁO in the outgoing register and store its figures.

    Refused while an earlier issue of the same period stands (not reopened by the province), and
    before the period's cut-off has passed."""
    from desktop.documents import outgoing
    from desktop.security import require
    from desktop.storage import documents_repo

    actor = require(db, "document.issue").officer_name   # the head issues (and signs) the report
    today = today or date.today()
    unit = local_unit(db)
    unit_code = unit.code
    if today <= period.end:
        raise UserError("report_too_early", f"Kỳ {period.label} chưa kết thúc (ngày chốt số liệu "
                        f"{period.end:%d/%m/%Y}): chưa ban hành báo cáo được.")
    previous = latest(db, unit_code, period.code)
    if previous and previous.decision != "reopened":
        raise UserError("report_already_issued",
                        f"Đã ban hành báo cáo {previous.symbol} cho {period.label}"
                        + (" và tỉnh đã chấp nhận." if previous.decision == "accepted" else
                           "; chờ tỉnh xem xét. Chỉ ban hành lại khi tỉnh mở lại kỳ báo cáo."))
    reports, pending, b, doc = prepare(db, period, signer_uuid=signer_uuid)
    if doc.signer is None:
        raise UserError("document_no_signer", "Đơn vị chưa có người ký (Chủ tịch, Phó Chủ tịch): hãy khai báo trước.")
    figures = figures_of(reports)
    digest = digest_of(unit_code, period, figures)
    with db.write():
        draft = documents_repo.insert_draft(db, doc, issuer_code=unit_code, created_by=actor)
        record = outgoing.issue(db, draft.uuid, issued_on=issued_on or today, today=today)
        uuid = new_uuid()
        stamp = now_iso()
        db.execute(
            "INSERT INTO report_issues(period_code, period_start, period_end, period_label, revision, forms, figures, "
            "digest, corrections, issued_on, issued_by, document_uuid, symbol, uuid, unit_code, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (period.code, period.start.isoformat(), period.end.isoformat(), period.label,
             (previous.revision + 1) if previous else 1, json.dumps([r.form.id for r in reports]),
             json.dumps(figures, ensure_ascii=False, sort_keys=True), digest,
             json.dumps(pending, ensure_ascii=False), record.issued_on.isoformat(), actor, record.uuid,
             record.symbol, uuid, unit_code, stamp))
    log.info("issued report %s for %s (%s)", record.symbol, period.code, digest[:12])
    return get_issued(db, uuid)


def render(db: Database, report: IssuedReport, fmt: str = "pdf") -> bytes:
    """The issued report again, from its stored figures (the BÁO CÁO as numbered, the forms as issued)."""
    from desktop.storage import documents_repo

    doc = documents_repo.get_document(db, report.document_uuid).document if report.document_uuid else None
    reports = stored_reports(db, report)
    b = written.bundle(db, report.period, reports, unit_code=report.unit_code)
    if doc is None:
        doc = written.compose(b)
    return written.render_pdf(doc, b) if fmt == "pdf" else written.render_docx(doc, b)


def stored_reports(db: Database, report: IssuedReport) -> list[FormReport]:
    from desktop.storage.units import get_unit

    try:
        name = get_unit(db, report.unit_code).name
    except UserError:
        name = report.unit_code
    out = []
    for form_id, rows in report.figures.items():
        form = get_form(form_id)
        built = [ReportRow(key, name if key == report.unit_code else ("Tổng cộng" if key == TOTAL_KEY else key),
                           {int(k): v for k, v in values.items()}) for key, values in rows.items()]
        total = next((r for r in built if r.key == TOTAL_KEY), None)
        out.append(FormReport(form, report.period, report.unit_code, name,
                              tuple(r for r in built if r.key != TOTAL_KEY), total))
    return out


# -- the province -----------------------------------------------------------------------------------

def _review(db: Database, key: str, decision: str, *, reason: str = "") -> IssuedReport:
    from desktop.security import require

    actor = require(db, "report.accept").officer_name
    if register_mode(db) != "province":
        raise UserError("wrong_mode", "Chỉ sổ cấp tỉnh mới chấp nhận hoặc mở lại báo cáo của xã.")
    report = get_issued(db, key)
    own = local_unit(db).code
    if report.unit_code == own:
        raise UserError("report_own", "Đây là báo cáo của chính đơn vị tổng hợp, không tự chấp nhận.")
    if decision == "reopened" and not reason.strip():
        raise UserError("report_reopen_reason", "Hãy ghi lý do mở lại kỳ báo cáo.")
    if decision == "accepted" and report.decision == "accepted":
        raise UserError("report_already_accepted", f"Báo cáo {report.symbol} đã được chấp nhận.")
    if decision == "reopened" and report.decision != "accepted":
        raise UserError("report_not_accepted", f"Báo cáo {report.symbol} chưa được chấp nhận nên không cần mở lại.")
    stamp = now_iso()
    with db.write():
        db.execute("INSERT INTO report_reviews(report_uuid, report_unit, period_code, decision, digest, reason, "
                   "decided_by, decided_at, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (report.uuid, report.unit_code, report.period_code, decision, report.digest, reason.strip(), actor,
                    stamp, new_uuid(), own, stamp))
    return get_issued(db, report.uuid)


def accept(db: Database, key: str, *, reason: str = "") -> IssuedReport:
    return _review(db, key, "accepted", reason=reason)


def reopen(db: Database, key: str, *, reason: str) -> IssuedReport:
    return _review(db, key, "reopened", reason=reason)


def reviews_for_receipt(db: Database, unit_code: str) -> list[dict]:
    """The province's decisions on a commune's reports, for the signed receipt."""
    rows = db.query("SELECT * FROM report_reviews WHERE report_unit = ? ORDER BY decided_at, id", (unit_code,))
    return [{"uuid": r["uuid"], "report_uuid": r["report_uuid"], "period_code": r["period_code"],
             "decision": r["decision"], "digest": r["digest"], "reason": r["reason"], "decided_by": r["decided_by"],
             "decided_at": r["decided_at"], "unit_code": r["unit_code"]} for r in rows]


def apply_receipt_reviews(db: Database, items: object) -> int:
    """At the commune, inside the receipt's transaction: record the province's decisions (the receipt's
    signature was checked). A decision about figures other than those issued is refused."""
    if not items:
        return 0
    if not isinstance(items, list):
        raise UserError("bad_receipt", "Biên nhận không hợp lệ: danh sách quyết định về báo cáo sai định dạng.")
    added = 0
    own = local_unit(db).code
    for item in items:
        if not isinstance(item, dict) or item.get("decision") not in ("accepted", "reopened"):
            raise UserError("bad_receipt", "Biên nhận không hợp lệ: quyết định về báo cáo sai định dạng.")
        row = db.one("SELECT unit_code, digest FROM report_issues WHERE uuid = ?", (str(item.get("report_uuid")),))
        if row is None or row[0] != own:
            continue
        if row[1] != item.get("digest"):
            raise UserError("bad_receipt", "Biên nhận chấp nhận số liệu khác với báo cáo đã ban hành: không ghi nhận.")
        cur = db.execute(
            "INSERT OR IGNORE INTO report_reviews(report_uuid, report_unit, period_code, decision, digest, reason, "
            "decided_by, decided_at, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (item["report_uuid"], own, str(item.get("period_code", "")), item["decision"], item["digest"],
             str(item.get("reason", "")), str(item.get("decided_by", "")), str(item.get("decided_at", "")),
             str(item.get("uuid")), str(item.get("unit_code", "")), now_iso()))
        added += cur.rowcount
    return added


@dataclass(frozen=True)
class Completeness:
    unit_code: str
    unit_name: str
    status: str          # on_time | late | missing
    due_on: date
    report: IssuedReport | None

    @property
    def label(self) -> str:
        base = {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa nộp"}[self.status]
        if self.report and self.report.decision:
            base += {"accepted": ", đã chấp nhận", "reopened": ", đã mở lại"}[self.report.decision]
        elif self.report:
            base += ", chờ xem xét"
        return base

    def as_dict(self) -> dict:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "status": self.status,
                "label": self.label, "due_on": self.due_on.isoformat(),
                "report": self.report.as_dict() if self.report else None}


def completeness(db: Database, period: Period) -> list[Completeness]:
    """Per commune the province knows: the period's report on time, late or missing."""
    from desktop.storage.calendar_repo import load_calendar
    from desktop.storage.sync_repo import communes_known

    due = due_date(period, load_calendar(db))
    out = []
    for code, name in communes_known(db):
        report = latest(db, code, period.code)
        status = "missing" if report is None else ("on_time" if report.issued_on <= due else "late")
        out.append(Completeness(code, name, status, due, report))
    return out


@dataclass(frozen=True)
class Consolidation:
    period: Period
    reports: list[FormReport]           # a row per unit, then the total
    missing: list[tuple[str, str]]      # communes without an accepted report
    included: list[tuple[str, str]]


def consolidate(db: Database, period: Period) -> Consolidation:
    """The province's report: each accepted commune report's figures, its own, and their sum."""
    unit = local_unit(db)
    own = {r.form.id: r for r in make_reports(db, period) if r.form.rows == "unit"}
    included, missing, stored = [], [], []
    for item in completeness(db, period):
        accepted = next((r for r in reversed(list_issued(db, item.unit_code, period.code))
                         if r.decision == "accepted"), None)
        if accepted is None:
            missing.append((item.unit_code, item.unit_name))
        else:
            included.append((item.unit_code, item.unit_name))
            stored.append((item.unit_name, accepted))
    out = []
    for form_id, mine in own.items():
        rows = []
        for name, report in stored:
            values = report.figures.get(form_id, {}).get(report.unit_code)
            if values is not None:
                rows.append(ReportRow(report.unit_code, name, {int(k): v for k, v in values.items()}))
        rows.append(ReportRow(unit.code, f"{unit.name} (đơn vị tổng hợp)", mine.main_row().values))
        total: dict[int, int | None] = {}
        for leaf in mine.form.leaves():
            values = [r.values.get(leaf.no) for r in rows]
            known = [v for v in values if v is not None]
            total[leaf.no] = sum(known) if known else None
        report = FormReport(mine.form, period, unit.code, unit.name, tuple(rows),
                            ReportRow(TOTAL_KEY, "Tổng cộng", total))
        warnings = check_identities(report)
        out.append(FormReport(report.form, period, unit.code, unit.name, report.rows, report.total,
                              tuple(warnings)))
    return Consolidation(period, out, missing, included)
