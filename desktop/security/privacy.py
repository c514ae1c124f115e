"""Personal-data duties of the register (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, NĐ 356/2025;
DOMAIN.md §7): the log of who viewed or exported a person's data, a person's data exported on
request, retention with anonymisation (a dry run first), and the 72-hour breach notice.

The retention period is the unit's archive rule: the administrator types it (years after a case
was closed); nothing here assumes one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from desktop.errors import NotFound, UserError, ValidationError
from desktop.security import require, sealing
from desktop.storage import search
from desktop.storage.units import local_unit, log_access, now_iso

ANONYMOUS = "(đã ẩn danh)"
BREACH_HOURS = 72


# -- the log ------------------------------------------------------------------------------------
def note_view(db, person_uuids, *, target: str = "") -> None:
    """Who saw which person's data (the case view, ``case show``, ``person find``): one line each."""
    for uuid in dict.fromkeys(person_uuids):
        log_access(db, "view_person", target=target or uuid, person_uuid=uuid)


@dataclass(frozen=True)
class AccessLine:
    at: str
    actor: str
    action: str
    target: str
    detail: str
    person_uuid: str


def access_log(db, *, person_uuid: str | None = None, limit: int = 500) -> list[AccessLine]:
    """The processing log, newest first (``audit.read``)."""
    require(db, "audit.read")
    sql, params = "SELECT at, actor, action, target, detail, person_uuid FROM audit_log", []
    if person_uuid:
        sql += " WHERE person_uuid = ?"
        params.append(person_uuid)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [AccessLine(*tuple(r)) for r in db.query(sql, params)]


# -- a person's data on request -------------------------------------------------------------------
def export_person(db, person_uuid: str) -> dict:
    """Everything the register holds about one person, for his or her request (``person.export``);
    a sealed identity is exported only as far as the exporting officer can open it (a leader or
    administrator logged in with a password). The export is logged."""
    who = require(db, "person.export")
    row = db.one("SELECT * FROM persons WHERE uuid = ?", (person_uuid,))
    if row is None:
        raise NotFound("person_not_found", "Không tìm thấy người này trong sổ.")
    person = {k: row[k] for k in ("uuid", "kind", "full_name", "id_kind", "id_number", "phone", "address",
                                  "representative", "unit_code", "updated_at")}
    if row["sealed"]:
        if who.seal_key is None:
            raise UserError("no_seal_key", "Danh tính người này được niêm phong: chỉ lãnh đạo hoặc quản trị đăng nhập "
                                           "bằng mật khẩu mới xuất được dữ liệu của họ.")
        person.update(sealing.open_values(row["seal"], person_uuid, who.seal_key))
    cases = [dict(r) for r in db.query(
        "SELECT c.number, c.kind, c.summary, c.content, c.received_on, c.state, c.closed_on, cp.role "
        "FROM case_people cp JOIN cases c ON c.uuid = cp.case_uuid WHERE cp.person_uuid = ? ORDER BY c.received_on",
        (person_uuid,))]
    receptions = [dict(r) for r in db.query(
        "SELECT r.received_on, r.kind, r.content, r.request, r.outcome FROM receptions r WHERE r.person_uuid = ? "
        "OR r.uuid IN (SELECT reception_uuid FROM reception_people WHERE person_uuid = ?) ORDER BY r.received_on",
        (person_uuid, person_uuid))]
    with db.write():
        log_access(db, "export_person", target=person_uuid, person_uuid=person_uuid)
    unit = local_unit(db)
    return {"format": "giaitrinh-person-data", "version": 1, "unit": {"code": unit.code, "name": unit.name},
            "exported_at": now_iso(), "exported_by": who.officer_name,
            "legal_basis": "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15; Nghị định 356/2025/NĐ-CP",
            "person": person, "cases": cases, "receptions": receptions,
            "processing_log": [asdict(a) for a in _person_log(db, person_uuid)]}


def _person_log(db, person_uuid: str) -> list[AccessLine]:
    return [AccessLine(*tuple(r)) for r in db.query(
        "SELECT at, actor, action, target, detail, person_uuid FROM audit_log WHERE person_uuid = ? ORDER BY id",
        (person_uuid,))]


def export_person_json(db, person_uuid: str) -> bytes:
    return json.dumps(export_person(db, person_uuid), ensure_ascii=False, indent=2, default=str).encode("utf-8")


# -- retention ----------------------------------------------------------------------------------
@dataclass
class RetentionPlan:
    cutoff: date
    dry_run: bool
    cases: list[str] = field(default_factory=list)     # numbers of the cases past the period
    persons: list[str] = field(default_factory=list)   # uuids of the persons anonymised (or to be)

    def __str__(self) -> str:
        verb = "Sẽ ẩn danh" if self.dry_run else "Đã ẩn danh"
        return (f"{verb} {len(self.persons)} người thuộc {len(self.cases)} vụ việc đã kết thúc trước ngày "
                f"{self.cutoff:%d/%m/%Y}.")


def retention(db, *, years: int, today: date | None = None, dry_run: bool = True) -> RetentionPlan:
    """Anonymise the people of the cases closed more than ``years`` years ago, who have no other
    case or reception within the period (``retention.run``). ``dry_run`` (the default) changes
    nothing and says what would be done. Cases, events and documents stay (their chain too)."""
    who = require(db, "retention.run")
    if years < 1:
        raise ValidationError({"years": "Thời hạn lưu trữ phải từ 01 năm trở lên (theo quy định lưu trữ của cơ quan)."})
    today = today or date.today()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    unit = local_unit(db).code
    old_cases = db.query("SELECT uuid, number FROM cases WHERE unit_code = ? AND closed_on IS NOT NULL AND closed_on < ?",
                         (unit, cutoff.isoformat()))
    plan = RetentionPlan(cutoff=cutoff, dry_run=dry_run, cases=[r["number"] for r in old_cases])
    if old_cases:
        rows = db.query(
            "SELECT DISTINCT p.uuid FROM persons p JOIN case_people cp ON cp.person_uuid = p.uuid "
            "JOIN cases c ON c.uuid = cp.case_uuid WHERE p.unit_code = ? AND c.closed_on IS NOT NULL "
            "AND c.closed_on < ? AND p.full_name <> ? AND NOT EXISTS ("
            " SELECT 1 FROM case_people cp2 JOIN cases c2 ON c2.uuid = cp2.case_uuid WHERE cp2.person_uuid = p.uuid "
            " AND (c2.closed_on IS NULL OR c2.closed_on >= ?)) AND NOT EXISTS ("
            " SELECT 1 FROM receptions r WHERE r.person_uuid = p.uuid AND r.received_on >= ?)",
            (unit, cutoff.isoformat(), ANONYMOUS, cutoff.isoformat(), cutoff.isoformat()))
        plan.persons = [r[0] for r in rows]
    if dry_run or not plan.persons:
        return plan
    with db.write():
        for uuid in plan.persons:
            row = db.one("SELECT id, search_text FROM persons WHERE uuid = ?", (uuid,))
            db.execute("UPDATE persons SET full_name = ?, id_kind = '', id_number = '', phone = '', address = '', "
                       "representative = '', search_text = '', name_key = '', sealed = 0, seal = '', "
                       "version = version + 1, updated_at = ? WHERE uuid = ?", (ANONYMOUS, now_iso(), uuid))
            if row["search_text"]:
                search.fts_delete(db, "persons", row["id"], row["search_text"])
            search.refresh_case_texts(db, person_uuid=uuid)
            search.refresh_reception_texts(db, person_uuid=uuid)
            db.execute("UPDATE cases SET requester_name = ?, requester_key = '' WHERE uuid IN ("
                       "SELECT case_uuid FROM case_people WHERE person_uuid = ?) AND requester_name <> ''",
                       (ANONYMOUS, uuid))
        log_access(db, "retention_anonymise", target=f"{len(plan.persons)} người",
                   detail=f"vụ việc kết thúc trước {cutoff.isoformat()}; {who.officer_name}")
    return plan


# -- the breach notice ------------------------------------------------------------------------------
def breach_notice(db, *, discovered_at: datetime, what: str, records: str = "", measures: str = "",
                  contact: str = "") -> str:
    """The notice of a personal-data breach, to be sent within 72 hours of its discovery
    (Luật 91/2025/QH15; NĐ 356/2025; DOMAIN.md §7): a filled template the office completes."""
    require(db, "audit.read")
    unit = local_unit(db)
    deadline = discovered_at + timedelta(hours=BREACH_HOURS)
    blank = "………………………………………………………………"
    return "\n".join([
        unit.name.upper(),
        "",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "THÔNG BÁO VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN",
        "(theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định số 356/2025/NĐ-CP)",
        "",
        "Kính gửi: Cơ quan chuyên trách bảo vệ dữ liệu cá nhân (Bộ Công an)",
        "",
        f"1. Bên kiểm soát và xử lý dữ liệu: {unit.name} (mã {unit.code}).",
        f"2. Thời điểm phát hiện vi phạm: {discovered_at:%H giờ %M ngày %d/%m/%Y}. "
        f"Hạn thông báo ({BREACH_HOURS} giờ): {deadline:%H giờ %M ngày %d/%m/%Y}.",
        f"3. Mô tả vi phạm (thời gian, địa điểm, hành vi, nguyên nhân): {what.strip() or blank}",
        f"4. Loại và số lượng dữ liệu cá nhân, chủ thể dữ liệu bị ảnh hưởng: {records.strip() or blank}",
        "   (Sổ theo dõi tiếp công dân, đơn thư: họ tên, số định danh, điện thoại, địa chỉ, nội dung đơn; "
        "danh tính người tố cáo được niêm phong.)",
        f"5. Biện pháp đã thực hiện để khắc phục, giảm thiểu tác hại: {measures.strip() or blank}",
        "6. Hậu quả có thể xảy ra và biện pháp dự kiến: " + blank,
        f"7. Người liên hệ: {contact.strip() or blank}",
        "",
        "Nếu thông báo sau thời hạn 72 giờ, nêu rõ lý do chậm: " + blank,
        "",
        f"{unit.place_name or '……'}, ngày {discovered_at:%d} tháng {discovered_at:%m} năm {discovered_at:%Y}",
        "NGƯỜI ĐỨNG ĐẦU CƠ QUAN",
        "(Ký, ghi rõ họ tên, đóng dấu)",
    ])
