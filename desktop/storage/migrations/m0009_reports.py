"""0009: reports — opening balances, issued reports with their figures, the province's reviews,
and corrections to locked periods (issue #14).

- ``report_openings``: kê khai đầu kỳ of a register started mid-way: per kind of case, how many
  petitions were not yet handled and how many accepted matters not yet resolved on ``as_of``;
  entered once, with who and when. The reports count them as carried over.
- ``report_issues``: a period's report as issued (BÁO CÁO, numbered in the outgoing register):
  its figures exactly as computed, their SHA-256 digest, and the corrections it lists. Owned by
  the commune, so it travels to the province in the next signed bundle like any record.
- ``report_reviews``: the province's decision on a report (accepted / reopened, with a reason).
  Made at the province, carried back to the commune in the signed receipt.
- ``report_manual_values``: the figures the register cannot count (money recovered, verdicts,
  people disciplined …), entered by hand per period, form, row and column, with who and when.
- two indexes on ``cases`` (closing and publication day) so that a period's report reads only the
  cases that matter to it.
- ``report_corrections``: a change to a case counted in a locked (accepted) period: allowed, but
  recorded with its reason; the next report lists them, original against corrected figures.
"""

from __future__ import annotations

NAME = "0009_reports"

_SYNCED = """
    uuid TEXT NOT NULL UNIQUE,
    unit_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
"""

STATEMENTS = [
    f"""CREATE TABLE report_openings (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                     -- kind of case (explanation, complaint_1 …)
        as_of TEXT NOT NULL,                    -- the day the register starts counting
        unhandled INTEGER NOT NULL DEFAULT 0 CHECK (unhandled >= 0),   -- đơn chưa xử lý
        unresolved INTEGER NOT NULL DEFAULT 0 CHECK (unresolved >= 0), -- đã thụ lý, chưa giải quyết
        note TEXT NOT NULL DEFAULT '',
        entered_by TEXT NOT NULL,
        entered_at TEXT NOT NULL,
        {_SYNCED},
        UNIQUE (unit_code, kind)
    )""",
    f"""CREATE TABLE report_issues (
        id INTEGER PRIMARY KEY,
        period_code TEXT NOT NULL,              -- 2026-H1, 2026-Y …
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        period_label TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1,    -- a period reopened by the province is issued again
        forms TEXT NOT NULL,                    -- JSON list of form ids
        figures TEXT NOT NULL,                  -- JSON: form id -> row key -> column number -> value
        digest TEXT NOT NULL,                   -- SHA-256 of the canonical figures
        corrections TEXT NOT NULL DEFAULT '[]', -- JSON: corrections to earlier periods it lists
        issued_on TEXT NOT NULL,
        issued_by TEXT NOT NULL DEFAULT '',
        document_uuid TEXT,                     -- the BÁO CÁO in the outgoing register
        symbol TEXT NOT NULL DEFAULT '',        -- "05/BC-UBND"
        {_SYNCED},
        UNIQUE (unit_code, period_code, revision)
    )""",
    "CREATE INDEX report_issues_period ON report_issues(period_code, unit_code)",
    f"""CREATE TABLE report_reviews (
        id INTEGER PRIMARY KEY,
        report_uuid TEXT NOT NULL,
        report_unit TEXT NOT NULL,              -- the commune whose report it is
        period_code TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'reopened')),
        digest TEXT NOT NULL,                   -- the figures' digest the decision is about
        reason TEXT NOT NULL DEFAULT '',
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        {_SYNCED}
    )""",
    "CREATE INDEX report_reviews_report ON report_reviews(report_uuid, decided_at)",
    f"""CREATE TABLE report_manual_values (
        id INTEGER PRIMARY KEY,
        period_code TEXT NOT NULL,
        form_id TEXT NOT NULL,
        row_key TEXT NOT NULL,
        no INTEGER NOT NULL,
        value REAL NOT NULL,
        entered_by TEXT NOT NULL DEFAULT '',
        entered_at TEXT NOT NULL,
        {_SYNCED},
        UNIQUE (unit_code, period_code, form_id, row_key, no)
    )""",
    f"""CREATE TABLE report_corrections (
        id INTEGER PRIMARY KEY,
        case_uuid TEXT NOT NULL,
        report_uuid TEXT NOT NULL,              -- the accepted report whose period the change touches
        period_code TEXT NOT NULL,
        action TEXT NOT NULL,                   -- the step recorded (receive, accept, reply …)
        effective_on TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        {_SYNCED}
    )""",
    "CREATE INDEX report_corrections_period ON report_corrections(unit_code, period_code)",
    # A period's report reads only the cases still open or settled since its start: found through
    # these instead of a scan of the whole register (a province holds millions of settled cases).
    "CREATE INDEX cases_closed ON cases(closed_on)",
    "CREATE INDEX cases_published ON cases(published_on) WHERE published_on IS NOT NULL",
]


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    for statement in STATEMENTS:
        db.execute(statement)
