"""``giaitrinh verify``: SQLite integrity, the record ledger and its signed heads, the event chain,
and each case against its last event. Each finding is one Vietnamese sentence naming the record
and what is wrong with it (issue #17, item 5)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from desktop.errors import UserError
from desktop.storage import cases as case_repo
from desktop.storage import ledger
from desktop.storage.db import Database
from desktop.storage.events import verify_chain
from desktop.workflow.engine import case_digest

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class VerifyReport:
    integrity: str = "ok"
    events_checked: int = 0
    cases_checked: int = 0
    ledger_entries: int = 0
    records_checked: int = 0
    problems: list[str] = field(default_factory=list)  # Vietnamese, one per problem

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "integrity": self.integrity, "events_checked": self.events_checked,
                "cases_checked": self.cases_checked, "ledger_entries": self.ledger_entries,
                "records_checked": self.records_checked, "problems": self.problems}


def check_register_file(path: Path | str) -> None:
    """Refuse what cannot be a register before opening it: opening would make a zero-byte or
    missing file a new, empty register that verifies clean (a backup cut short by a full disk)."""
    p = Path(path)
    if not p.exists():
        raise UserError("register_missing", f"Không tìm thấy tệp sổ {p.name}.")
    size = p.stat().st_size
    if size == 0:
        raise UserError("register_empty", f"Tệp sổ {p.name} rỗng (0 byte): đây không phải là sổ, có thể là bản "
                        "sao lưu bị ghi dở (ổ đĩa đầy). Hãy dùng bản sao lưu khác.")
    with open(p, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise UserError("register_not_sqlite", f"Tệp {p.name} không phải là tệp sổ của Sổ Giải trình (hỏng hoặc "
                        "không đúng loại tệp).")


def _empty_register(db: Database) -> bool:
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "units" not in tables:
        return True
    return not db.get_setting("local_unit_code") and not db.scalar("SELECT count(*) FROM units")


def _restored_triggers(db: Database) -> list[str]:
    return [f"Bộ ghi nhật ký toàn vẹn của bảng {r['target']} đã bị gỡ ngoài ứng dụng; phần mềm đã cài lại lúc "
            f"{r['at'][:16].replace('T', ' ')}. Mọi thay đổi làm trong lúc đó được báo riêng bên dưới."
            for r in db.query("SELECT at, target FROM audit_log WHERE action = 'ledger_triggers_restored' ORDER BY id")]


def _document_files(db: Database) -> list[str]:
    """An issued document's stored PDF must still be the file whose SHA-256 was recorded (the
    ledger covers the hash; this covers the bytes)."""
    out = []
    for uuid, symbol, pdf, sha in db.execute("SELECT uuid, symbol, pdf, sha256 FROM documents WHERE pdf IS NOT NULL"):
        if hashlib.sha256(pdf).hexdigest() != sha:
            out.append(f"Văn bản {symbol or uuid[:8]}: tệp PDF lưu trong sổ không còn là tệp đã ban hành (mã băm "
                       "SHA-256 không khớp), đã bị thay ngoài ứng dụng.")
    return out


def verify_register(db: Database, *, limit_problems: int = 200) -> VerifyReport:
    from desktop.sync.chain import verify_heads

    report = VerifyReport()
    rows = db.query("PRAGMA integrity_check")
    report.integrity = "; ".join(r[0] for r in rows)
    if report.integrity != "ok":
        report.problems.append(f"SQLite báo tệp sổ bị hỏng: {report.integrity}")
    if _empty_register(db):
        report.problems.append("Sổ trống: chưa khai báo đơn vị và không có dữ liệu nào. Nếu đây là bản sao lưu "
                               "hoặc sổ đang dùng thì tệp đã bị hỏng hoặc bị thay.")
        return report
    fk = db.query("PRAGMA foreign_key_check")
    if fk:
        report.problems.append(f"Có {len(fk)} liên kết dữ liệu bị gãy (khóa ngoại).")
    report.problems.extend(_restored_triggers(db))
    report.ledger_entries, report.records_checked, findings = ledger.verify_ledger(db.conn, limit=limit_problems)
    report.problems.extend(f.message for f in findings)
    report.problems.extend(verify_heads(db))
    report.problems.extend(_document_files(db))
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
    del report.problems[limit_problems:]
    return report
