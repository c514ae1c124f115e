"""``giaitrinh verify``: SQLite integrity, the event chain, and each case against its last event."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from desktop.storage import cases as case_repo
from desktop.storage.db import Database
from desktop.storage.events import verify_chain
from desktop.workflow.engine import case_digest


@dataclass
class VerifyReport:
    integrity: str = "ok"
    events_checked: int = 0
    cases_checked: int = 0
    problems: list[str] = field(default_factory=list)  # Vietnamese, one per problem

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "integrity": self.integrity, "events_checked": self.events_checked,
                "cases_checked": self.cases_checked, "problems": self.problems}


def verify_register(db: Database, *, limit_problems: int = 200) -> VerifyReport:
    report = VerifyReport()
    rows = db.query("PRAGMA integrity_check")
    report.integrity = "; ".join(r[0] for r in rows)
    if report.integrity != "ok":
        report.problems.append(f"SQLite báo tệp sổ bị hỏng: {report.integrity}")
    fk = db.query("PRAGMA foreign_key_check")
    if fk:
        report.problems.append(f"Có {len(fk)} liên kết dữ liệu bị gãy (khóa ngoại).")
    report.events_checked, chain = verify_chain(db)
    report.problems.extend(p.message for p in chain[:limit_problems])
    # Each case must match the digest recorded by its latest event.
    cur = db.execute(
        "SELECT c.*, (SELECT e.data FROM events e WHERE e.case_uuid = c.uuid ORDER BY e.seq DESC LIMIT 1) AS last_data "
        "FROM cases c")


    for row in cur:
        report.cases_checked += 1
        if row["last_data"] is None:
            report.problems.append(f"Vụ việc {row['number']} không có sự kiện nào (bị thêm ngoài ứng dụng?).")
            continue
        recorded = json.loads(row["last_data"]).get("digest")
        if recorded and recorded != case_digest(case_repo.row_to_case(row)):
            report.problems.append(
                f"Vụ việc {row['number']} đã bị sửa ngoài ứng dụng (không khớp với sự kiện cuối cùng).")
        if len(report.problems) >= limit_problems:
            break
    return report
