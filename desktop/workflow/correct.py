"""Corrections of a saved case, person or reception, each with its reason and the old and new values.

Nothing is corrected silently: a correction is a hash-chained event ``correct`` on the case
timeline holding ``{"changes": {field: [old, new]}, "target": ..., "reason": ...}``. A person's
correction (a misspelt name, a wrong ID number) is written on every case of that person and a
reception's on its case, so each case's chain shows what its record said before. A person or a
reception without any case is corrected with an entry in the processing log (``audit_log``).

Dates: the day of receipt may be corrected only while the case still waits for its first step
(nothing was counted from it but the first deadline, which is recomputed with its trace); the
day the complainant learned of the decision may be corrected at any time (it only decides the
90-day flag, Luật Khiếu nại 2011 Art. 9). Every other date is the date of a step: a wrong step is
undone (``desktop.workflow.undo``) and recorded again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from desktop.calendar.deadlines import format_date
from desktop.domain.records import FIELDS, Case, Channel
from desktop.domain.validation import check_not_future
from desktop.errors import UserError, ValidationError
from desktop.security import require
from desktop.storage import cases as case_repo
from desktop.storage import receptions as reception_repo
from desktop.storage import search
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.storage.persons import get_person, save_person
from desktop.storage.units import local_unit_code, log_access, now_iso
from desktop.workflow.engine import case_digest, compute_step_deadline, ensure_owned, rules_of

log = logging.getLogger(__name__)

# What the window's edit form offers, with the Vietnamese name the timeline shows.
CASE_FIELDS = {"summary": "Tóm tắt", "content": "Nội dung", "field": "Lĩnh vực", "channel": "Hình thức tiếp nhận",
               "received_on": "Ngày tiếp nhận", "learned_on": "Ngày biết quyết định"}
PERSON_FIELDS = {"full_name": "Họ và tên", "id_kind": "Loại giấy tờ", "id_number": "Số giấy tờ",
                 "phone": "Điện thoại", "address": "Địa chỉ"}
RECEPTION_FIELDS = {"content": "Nội dung", "request": "Yêu cầu", "previous_handling": "Cơ quan đã giải quyết",
                    "notes": "Ghi chú", "people_count": "Số người", "guided_to": "Hướng dẫn đến",
                    "forwarded_to": "Chuyển đến", "follow_up": "Theo dõi kết quả"}
FIELD_LABELS = {**CASE_FIELDS, **PERSON_FIELDS, **RECEPTION_FIELDS}

_JSON = json.JSONEncoder(default=str, ensure_ascii=False)


@dataclass(frozen=True)
class Correction:
    """What changed, as the event holds it: field → (old, new), values as stored (ISO dates)."""
    changes: dict[str, tuple[Any, Any]]

    def describe(self) -> str:
        def show(v: Any) -> str:
            if v in (None, ""):
                return "(trống)"
            try:
                return format_date(date.fromisoformat(v)) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else str(v)
            except ValueError:
                return str(v)
        return "; ".join(f"{FIELD_LABELS.get(k, k)}: “{show(a)}” → “{show(b)}”" for k, (a, b) in self.changes.items())


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do đính chính (ví dụ: ghi nhầm khi tiếp nhận)."})
    return reason


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (_iso(old[k]), _iso(v)) for k, v in new.items() if _iso(old[k]) != _iso(v)}


def _record(db: Database, case: Case, *, target: str, target_uuid: str, correction: Correction, reason: str,
            effective_on: date) -> None:
    updated = case_repo.get_case(db, case.uuid)
    insert_event(db, unit_code=case.unit_code, case_uuid=case.uuid, action="correct", from_state=case.state,
                 to_state=case.state, effective_on=effective_on,
                 note=f"Đính chính: {correction.describe()}. Lý do: {reason}",
                 data={"target": target, "target_uuid": target_uuid, "reason": reason,
                       "changes": {k: list(v) for k, v in correction.changes.items()},
                       "digest": case_digest(updated)})


def _only_correctable(values: dict[str, Any], fields) -> None:
    """Refuse a field the law does not let this form correct (the edit forms offer only these)."""
    unknown = set(values) - set(fields)
    if unknown:
        raise UserError("not_correctable", f"Không đính chính được trường: {', '.join(sorted(unknown))}.")


# -- a case -------------------------------------------------------------------------------------
def correct_case(db: Database, case_uuid: str, values: dict[str, Any], *, reason: str,
                 today: date) -> Correction:
    """Correct the case's own fields (``CASE_FIELDS``); unchanged values are ignored."""
    _only_correctable(values, CASE_FIELDS)
    reason = _reason(reason)
    case = case_repo.get_case(db, case_uuid)
    ensure_owned(db, case)
    require(db, "case.correct", case=case)
    new = dict(values)
    if "summary" in new:
        new["summary"] = " ".join(str(new["summary"]).split())
    if "content" in new:
        new["content"] = str(new["content"]).strip()
    errors: dict[str, str] = {}
    if "summary" in new and not new["summary"]:
        errors["summary"] = "Tóm tắt nội dung không được để trống."
    if "field" in new and new["field"] not in FIELDS:
        errors["field"] = "Lĩnh vực không hợp lệ."
    if "channel" in new and new["channel"] not in {c.value for c in Channel}:
        errors["channel"] = "Hình thức tiếp nhận không hợp lệ."
    changes = _diff({k: getattr(case, k) for k in new}, new)
    events = case_repo.list_events(db, case.uuid)
    rs = rules_of(case)
    received = new.get("received_on", case.received_on)
    if "received_on" in changes:
        try:
            check_not_future("received_on", received, today=today, label="Ngày tiếp nhận")
        except ValidationError as exc:
            errors.update(exc.fields)
        steps = [e for e in events if e.action in rs.actions]
        if case.state != rs.initial_state or steps:
            errors["received_on"] = ("Chỉ đính chính ngày tiếp nhận khi vụ việc chưa qua bước nào: thời hạn các bước "
                                     "sau đã tính từ các bước trước. Hãy hoàn tác các bước đã ghi rồi sửa.")
    learned = new.get("learned_on", case.learned_on)
    if learned and received and learned > received:
        errors["learned_on"] = "Ngày biết được quyết định không thể sau ngày nhận đơn."
    if errors:
        raise ValidationError(errors)
    if not changes:
        raise UserError("nothing_changed", "Không có gì thay đổi để đính chính.")
    correction = Correction(changes)
    update: dict[str, Any] = {k: v[1] for k, v in changes.items()}
    update["updated_at"] = now_iso()
    if "received_on" in changes and case.due_step:
        due, trace = compute_step_deadline(db, rs, case, case.due_step, received, event_label="Nhận")
        update.update(due_on=due and due.isoformat(), due_trace=trace)
    with db.write():
        case_repo.update_case(db, case.uuid, update)
        if {"summary", "content"} & set(changes):
            row = db.one("SELECT id, number, summary, content, confidential FROM cases WHERE uuid = ?", (case.uuid,))
            text = search.case_search_text(number=row["number"], summary=row["summary"], content=row["content"],
                                           people=search.case_people(db, case.uuid),
                                           confidential=bool(row["confidential"]))
            search.set_search_text(db, "cases", row["id"], text)
        _record(db, case, target="case", target_uuid=case.uuid, correction=correction, reason=reason,
                effective_on=today)
    log.info("case %s corrected: %s", case.number, ", ".join(changes))
    return correction


# -- a person -----------------------------------------------------------------------------------
def _person_cases(db: Database, person_uuid: str) -> list[str]:
    unit = local_unit_code(db)
    rows = db.query(
        "SELECT DISTINCT c.uuid FROM cases c WHERE c.unit_code = ? AND (c.uuid IN "
        "(SELECT case_uuid FROM case_people WHERE person_uuid = ?) OR c.uuid IN "
        "(SELECT case_uuid FROM receptions WHERE case_uuid IS NOT NULL AND (person_uuid = ? OR uuid IN "
        "(SELECT reception_uuid FROM reception_people WHERE person_uuid = ?)))) ORDER BY c.id",
        (unit, person_uuid, person_uuid, person_uuid))
    return [r[0] for r in rows]


def correct_person(db: Database, person_uuid: str, values: dict[str, Any], *, reason: str,
                   today: date) -> Correction:
    """Correct a person's name, ID, phone or address: one ``correct`` event on each of their cases."""
    _only_correctable(values, PERSON_FIELDS)
    reason = _reason(reason)
    person = get_person(db, person_uuid)
    for uuid in _person_cases(db, person.uuid):   # a handler corrects only the people of his or her cases
        require(db, "case.correct", case=case_repo.get_case(db, uuid))
    current = {k: getattr(person, k) for k in PERSON_FIELDS}
    with db.write():
        saved = save_person(db, uuid=person.uuid, kind=person.kind, representative=person.representative,
                            today=today, **{**current, **values})
        changes = _diff(current, {k: getattr(saved, k) for k in PERSON_FIELDS})
        if not changes:
            raise UserError("nothing_changed", "Không có gì thay đổi để đính chính.")
        correction = Correction(changes)
        cases = _person_cases(db, person.uuid)
        for uuid in cases:
            _record(db, case_repo.get_case(db, uuid), target="person", target_uuid=person.uuid,
                    correction=correction, reason=reason, effective_on=today)
        if not cases:
            log_access(db, "correct_person", target=person.uuid,
                       detail=_JSON.encode({"changes": changes, "reason": reason}))
    log.info("person %s corrected: %s (%d case(s))", person.uuid, ", ".join(changes), len(cases))
    return correction


# -- a reception --------------------------------------------------------------------------------
def correct_reception(db: Database, reception_uuid: str, values: dict[str, Any], *, reason: str,
                      today: date) -> Correction:
    """Correct a line of the Sổ tiếp công dân; the event goes on the case it opened, if any."""
    _only_correctable(values, RECEPTION_FIELDS)
    reason = _reason(reason)
    rec = reception_repo.get_reception(db, reception_uuid)
    if rec.unit_code != local_unit_code(db):
        raise UserError("foreign_record", "Hồ sơ này thuộc đơn vị khác, chỉ được xem.")
    require(db, "case.correct", case=case_repo.get_case(db, rec.case_uuid) if rec.case_uuid else None)
    new = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    errors: dict[str, str] = {}
    if "content" in new and not new["content"]:
        errors["content"] = "Nội dung không được để trống."
    if "people_count" in new:
        named = len(reception_repo.reception_people(db, rec.uuid)) or 1
        if not isinstance(new["people_count"], int) or new["people_count"] < named:
            errors["people_count"] = f"Số người không được ít hơn số người đã ghi tên ({named})."
    if errors:
        raise ValidationError(errors)
    changes = _diff({k: getattr(rec, k) for k in new}, new)
    if not changes:
        raise UserError("nothing_changed", "Không có gì thay đổi để đính chính.")
    correction = Correction(changes)
    with db.write():
        sets = ", ".join(f"{k} = ?" for k in changes)
        db.execute(f"UPDATE receptions SET {sets}, updated_at = ?, version = version + 1 WHERE uuid = ?",
                   [v[1] for v in changes.values()] + [now_iso(), rec.uuid])
        if {"content", "request"} & set(changes):
            from desktop.rules.book import default_rules

            row = db.one("SELECT id, content, request FROM receptions WHERE uuid = ?", (rec.uuid,))
            text = search.reception_search_text(
                content=row["content"], request=row["request"],
                people=search.reception_people(db, rec.uuid, rec.person_uuid),
                confidential=default_rules().is_confidential(rec.case_kind, rec.received_on))
            search.set_search_text(db, "receptions", row["id"], text)
        if rec.case_uuid:
            _record(db, case_repo.get_case(db, rec.case_uuid), target="reception", target_uuid=rec.uuid,
                    correction=correction, reason=reason, effective_on=today)
        else:
            log_access(db, "correct_reception", target=rec.uuid,
                       detail=_JSON.encode({"changes": changes, "reason": reason}))
    log.info("reception %s corrected: %s", rec.uuid, ", ".join(changes))
    return correction
