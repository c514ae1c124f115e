"""Receive: a citizen at the desk (lượt tiếp) and a case of one kind, with its first deadline."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from dataclasses import field as dc_field
from datetime import date

from desktop.domain.names import name_key
from desktop.domain.records import FIELDS, Case, Channel, Reception, ReceptionKind
from desktop.domain.validation import check_not_future
from desktop.errors import UserError, ValidationError
from desktop.reports import locks
from desktop.rules.book import KIND_LABELS, default_rules
from desktop.security import require, sealing
from desktop.storage import cases as case_repo
from desktop.storage import receptions as reception_repo
from desktop.storage import search
from desktop.storage.calendar_repo import load_calendar
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.storage.persons import get_person
from desktop.storage.units import local_unit, now_iso, new_uuid
from desktop.workflow.engine import case_digest, compute_step_deadline
from desktop.workflow.reception_refusal import refusal

log = logging.getLogger(__name__)

OUTCOMES = {"recorded": "Ghi nhận", "accepted": "Tiếp nhận, thụ lý", "guided": "Hướng dẫn",
            "forwarded": "Chuyển đơn", "answered": "Trả lời trực tiếp", "refused": "Từ chối tiếp"}
# The receptions table (m0001) checks its outcome against the first five: a refusal is kept as a
# recorded visit whose note names the ground (``reception_refusal.Refusal.note``).
STORED_OUTCOME = {"refused": "recorded"}


@dataclass(frozen=True)
class PersonInput:
    """A person typed at the desk, created in the same transaction as the case or reception that
    names them (issue #17, item 7): a refused entry or a killed program leaves no orphan person.
    One whose ID number is already in the register is that person, not a duplicate."""
    full_name: str
    id_kind: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    kind: str = "person"
    representative: str = ""


def _person_uuid(db: Database, who: str | PersonInput | None, today: date | None, *,
                 protect: bool = False) -> str | None:
    """The uuid of ``who``: a uuid as it is, a ``PersonInput`` saved now (inside the caller's write),
    sealed as it is written when the law protects them (``protect``: a denouncer, Luật Tố cáo Art. 9)."""
    if who is None or isinstance(who, str):
        return who
    from desktop.storage.persons import find_by_id_number, save_person

    found = find_by_id_number(db, who.id_number) if who.id_number else None
    if found is not None:
        return found.uuid
    return save_person(db, full_name=who.full_name, id_kind=who.id_kind, id_number=who.id_number, phone=who.phone,
                       address=who.address, kind=who.kind, representative=who.representative, today=today,
                       protect=protect).uuid


@dataclass
class CaseInput:
    kind: str
    received_on: date
    summary: str
    requesters: list[str | PersonInput]   # person uuids, or people typed now (created with the case)
    content: str = ""
    channel: str = Channel.RECEPTION
    field: str = "other"
    representative_uuid: str | PersonInput | None = None
    representatives: list[str | PersonInput] = dc_field(default_factory=list)  # a group's other representatives
    assignee_uuid: str | None = None
    reception_uuid: str | None = None
    learned_on: date | None = None       # complaints: when the decision became known
    is_complex: bool = False
    confidential: bool | None = None     # default: the rule set's (denunciations are secret)


@dataclass
class ReceptionInput:
    received_on: date
    person_uuid: str | PersonInput | None   # a uuid, or a person typed now (created with the reception)
    content: str
    kind: str = ReceptionKind.REGULAR
    host_uuid: str | None = None
    by_deputy: bool = False
    people: list[tuple[str | PersonInput, bool]] = field(default_factory=list)   # (person, is representative)
    people_count: int = 1
    first_time: bool | None = None        # None: decided from the register
    case_kind: str = ""
    previous_handling: str = ""
    request: str = ""
    outcome: str = "recorded"
    within_competence: bool = True
    guided_to: str = ""
    forwarded_to: str = ""
    doc_ref: str = ""
    follow_up: str = ""
    notes: str = ""
    refusal_ground: str = ""              # outcome "refused": a ground of the reception rules in force
    # When the outcome is "accepted", a case of ``case_kind`` is opened with these:
    summary: str = ""
    field: str = "other"
    assignee_uuid: str | None = None
    learned_on: date | None = None


_CHANNELS = frozenset(c.value for c in Channel)


def case_errors(*, kind: str, summary: str, has_requesters: bool, field: str, channel: str,
                received_on: date | None, learned_on: date | None, today: date | None = None) -> dict[str, str]:
    """The field errors of a new case (Vietnamese), shared by ``receive_case`` and bulk import."""
    errors: dict[str, str] = {}
    if kind not in KIND_LABELS:
        errors["kind"] = "Chưa chọn loại vụ việc."
    if not summary.strip():
        errors["summary"] = "Chưa nhập tóm tắt nội dung."
    if not has_requesters:
        errors["requesters"] = "Chưa có người yêu cầu / người gửi đơn."
    if field not in FIELDS:
        errors["field"] = "Lĩnh vực không hợp lệ."
    if channel not in _CHANNELS:
        errors["channel"] = "Hình thức tiếp nhận không hợp lệ."
    if not isinstance(received_on, date):
        errors["received_on"] = "Chưa nhập ngày tiếp nhận."
        return errors
    try:
        check_not_future("received_on", received_on, today=today, label="Ngày tiếp nhận")
    except ValidationError as exc:
        errors.update(exc.fields)
    if learned_on and learned_on > received_on:
        errors["learned_on"] = "Ngày biết được quyết định không thể sau ngày nhận đơn."
    return errors


def receive_case(db: Database, data: CaseInput, *, today: date | None = None,
                 correction_reason: str | None = None) -> Case:
    """Open a case: validate, number it, compute its first deadline, index it, log the event.

    A case received within a period whose report the province accepted needs
    ``correction_reason`` and is recorded as a correction (``desktop.reports.locks``)."""
    require(db, "case.receive")
    rules = default_rules()
    errors = case_errors(kind=data.kind, summary=data.summary, has_requesters=bool(data.requesters),
                         field=data.field, channel=data.channel, received_on=data.received_on,
                         learned_on=data.learned_on, today=today)
    if errors:
        raise ValidationError(errors)
    rs = rules.for_case(data.kind, data.received_on)
    unit = local_unit(db)
    with db.write():  # the people typed now, the case and its first event: all or nothing
        return _receive_case(db, data, rs, unit, today, correction_reason)


def _receive_case(db: Database, data: CaseInput, rs, unit, today: date | None,
                  correction_reason: str | None = None) -> Case:
    confidential = rs.confidential if data.confidential is None else data.confidential
    people = [get_person(db, u) for u in dict.fromkeys(_person_uuid(db, p, today, protect=confidential)
                                                       for p in data.requesters)]
    rep_uuids = list(dict.fromkeys(_person_uuid(db, r, today, protect=confidential)
                                   for r in [*([data.representative_uuid] if data.representative_uuid else []),
                                             *data.representatives]))
    reps = [get_person(db, u) for u in rep_uuids]
    names = [p.full_name for p in reps + [p for p in people if p.uuid not in rep_uuids]]
    shown = "" if confidential else case_repo.requester_label(names)
    uuid = new_uuid()
    stamp = now_iso()
    touched = locks.guard_case_change(db, unit.code, data.received_on, correction_reason)
    with db.write():
        if touched:
            locks.record_corrections(db, touched, case_uuid=uuid, action="receive", effective_on=data.received_on,
                                     reason=correction_reason or "")
        number = case_repo.next_case_number(db, unit.code, data.received_on.year)
        # A denouncer's identity is secret (Luật Tố cáo 2018, Art. 9): not in the register's
        # columns and not searchable by name; it is shown only in the case, and revealing is logged.
        text = search.case_search_text(
            number=number, summary=data.summary, content=data.content,
            people=[] if confidential else [(p.full_name, p.id_number, p.phone) for p in people + reps])
        values = dict(
            uuid=uuid, unit_code=unit.code, number=number, kind=data.kind, rules_id=rs.id, channel=data.channel,
            field=data.field, summary=" ".join(data.summary.split()), content=data.content.strip(),
            received_on=data.received_on.isoformat(), learned_on=data.learned_on and data.learned_on.isoformat(),
            state=rs.initial_state, assignee_uuid=data.assignee_uuid, reception_uuid=data.reception_uuid,
            is_complex=int(data.is_complex), is_remote=int(unit.is_remote), confidential=int(confidential),
            requester_name=shown, requester_key=name_key(names[0]) if names and not confidential else "",
            search_text=text, created_at=stamp, updated_at=stamp, extensions=0,
        )
        # The first deadline is counted before the case is written, so that the case is written
        # once: one row and one ledger entry instead of an insert and an update (issue #17's save).
        draft = case_repo.row_to_case({**values, "id": 0, "due_on": None, "due_step": None, "due_trace": None,
                                       "paused_on": None, "satisfaction": None, "closed_on": None,
                                       "published_on": None, "version": 1})
        due, trace = compute_step_deadline(db, rs, draft, rs.initial_step, data.received_on, event_label="Nhận")
        values.update(due_on=due and due.isoformat(), due_step=rs.initial_step, due_trace=trace)
        case_id = case_repo.insert_case(db, values)
        search.fts_insert(db, "cases", case_id, text)
        # A representative is listed once, as representative (not also as a plain requester).
        for p in people:
            if p.uuid in rep_uuids:
                continue
            db.execute("INSERT INTO case_people(case_uuid, person_uuid, role, uuid, unit_code, updated_at) "
                       "VALUES (?,?,?,?,?,?)", (uuid, p.uuid, "requester", new_uuid(), unit.code, stamp))
        for r in reps:
            db.execute("INSERT OR IGNORE INTO case_people(case_uuid, person_uuid, role, uuid, unit_code, updated_at) "
                       "VALUES (?,?,?,?,?,?)", (uuid, r.uuid, "representative", new_uuid(), unit.code, stamp))
        if confidential:  # the denouncer's identity is sealed in the storage layer (desktop.security.sealing)
            sealing.seal_persons(db, list(dict.fromkeys([p.uuid for p in people] + rep_uuids)))
        case = case_repo.get_case(db, case_id)
        event_data = {"starts_step": rs.initial_step, "due_on": due and due.isoformat(), "trace": trace,
                      "rules_id": rs.id, "citation": rs.steps[rs.initial_step].citation, "digest": case_digest(case)}
        if rs.is_late(data.received_on, data.learned_on, bool(unit.is_remote)):
            event_data["late_complaint"] = True
        insert_event(db, unit_code=unit.code, case_uuid=uuid, action="receive", from_state=None,
                     to_state=rs.initial_state, effective_on=data.received_on,
                     note=f"Tiếp nhận {KIND_LABELS[data.kind].lower()}", data=event_data)
    log.info("received case %s (%s)", number, data.kind)
    return case


def _check_group(data: ReceptionInput) -> dict[str, str]:
    """Đoàn đông người (Luật Tiếp công dân 2013, Art. 29): 5–10 people choose 1–2
    representatives, more than 10 people at most 5."""
    reps = sum(1 for _, is_rep in data.people if is_rep)
    n = data.people_count
    if n < 5 or not data.people:
        return {}
    if reps == 0:
        return {"people": "Đoàn từ 05 người trở lên phải cử người đại diện (Luật Tiếp công dân 2013, Điều 29)."}
    if n <= 10 and reps > 2:
        return {"people": "Đoàn từ 05 đến 10 người cử 01 hoặc 02 người đại diện (Luật Tiếp công dân 2013, Điều 29)."}
    if n > 10 and reps > 5:
        return {"people": "Đoàn trên 10 người cử không quá 05 người đại diện (Luật Tiếp công dân 2013, Điều 29)."}
    return {}


def record_reception(db: Database, data: ReceptionInput, *,
                     today: date | None = None) -> tuple[Reception, Case | None]:
    """Write one line of the Sổ tiếp công dân; an accepted matter also opens its case, atomically."""
    require(db, "case.receive")
    errors: dict[str, str] = {}
    if data.kind not in {k.value for k in ReceptionKind}:
        errors["kind"] = "Hình thức tiếp không hợp lệ."
    if not data.content.strip():
        errors["content"] = "Chưa nhập nội dung vụ việc."
    if not data.person_uuid and not data.people:
        errors["person"] = "Chưa có công dân được tiếp."
    if data.people_count < max(1, len(data.people)):
        errors["people_count"] = "Số người không được ít hơn số người đã ghi tên."
    if data.outcome not in OUTCOMES:
        errors["outcome"] = "Kết quả xử lý không hợp lệ."
    if data.outcome == "guided" and not data.guided_to.strip():
        errors["guided_to"] = "Hãy ghi cơ quan có thẩm quyền đã hướng dẫn công dân đến."
    if data.outcome == "forwarded" and not data.forwarded_to.strip():
        errors["forwarded_to"] = "Hãy ghi cơ quan được chuyển đơn."
    if data.outcome == "accepted" and data.case_kind not in KIND_LABELS:
        errors["case_kind"] = "Chọn loại vụ việc để thụ lý."
    try:
        check_not_future("received_on", data.received_on, today=today, label="Ngày tiếp")
    except ValidationError as exc:
        errors.update(exc.fields)
    errors.update(_check_group(data))
    refused = None
    if data.outcome == "refused" and not errors:
        try:
            refused = refusal(default_rules(), load_calendar(db), data.received_on, data.refusal_ground)
        except UserError as exc:
            errors["refusal_ground"] = exc.message
    if errors:
        raise ValidationError(errors)
    if refused is not None:  # the ground and the written notice's deadline stay in the register's line
        data = replace(data, outcome=STORED_OUTCOME["refused"],
                       notes=" ".join(filter(None, [refused.note, data.notes.strip()])),
                       follow_up=" ".join(filter(None, [refused.follow_up, data.follow_up.strip()])))
    unit = local_unit(db)
    with db.write():  # the people typed now, the reception and its case: all or nothing
        return _record_reception(db, data, unit, today)


def _record_reception(db: Database, data: ReceptionInput, unit,
                      today: date | None) -> tuple[Reception, Case | None]:
    listed = [(_person_uuid(db, who, today), rep) for who, rep in data.people]
    data = replace(data, person_uuid=_person_uuid(db, data.person_uuid, today), people=listed)
    person_uuid = data.person_uuid or next((u for u, rep in data.people if rep), data.people[0][0])
    everyone = list(dict.fromkeys([person_uuid, *(u for u, _ in data.people)]))
    persons = [get_person(db, u) for u in everyone]
    first_time = data.first_time
    if first_time is None:
        first_time = not db.scalar("SELECT 1 FROM receptions WHERE person_uuid = ? LIMIT 1", (person_uuid,))
    uuid = new_uuid()
    text = search.reception_search_text(
        content=data.content, request=data.request, people=[(p.full_name, p.id_number, p.phone) for p in persons],
        confidential=default_rules().is_confidential(data.case_kind, data.received_on))
    with db.write():
        rid = reception_repo.insert_reception(db, dict(
            uuid=uuid, unit_code=unit.code, received_on=data.received_on.isoformat(), kind=data.kind,
            host_uuid=data.host_uuid, by_deputy=int(data.by_deputy), person_uuid=person_uuid,
            people_count=max(data.people_count, len(everyone)), first_time=int(first_time), case_kind=data.case_kind,
            content=data.content.strip(), previous_handling=data.previous_handling.strip(),
            request=data.request.strip(), outcome=data.outcome, within_competence=int(data.within_competence),
            guided_to=data.guided_to.strip(), forwarded_to=data.forwarded_to.strip(), doc_ref=data.doc_ref.strip(),
            follow_up=data.follow_up.strip(), notes=data.notes.strip(), search_text=text, updated_at=now_iso()))
        search.fts_insert(db, "receptions", rid, text)
        for u, is_rep in (data.people or [(person_uuid, False)]):
            db.execute("INSERT OR IGNORE INTO reception_people(reception_uuid, person_uuid, is_representative, uuid, "
                       "unit_code, updated_at) VALUES (?,?,?,?,?,?)",
                       (uuid, u, int(is_rep), new_uuid(), unit.code, now_iso()))
        case = None
        if data.outcome == "accepted":
            reps = [u for u, rep in data.people if rep]
            case = receive_case(db, CaseInput(
                kind=data.case_kind, received_on=data.received_on,
                summary=data.summary or data.content.strip().split("\n")[0][:200], content=data.content,
                requesters=everyone, representative_uuid=reps[0] if reps else None, representatives=reps[1:],
                channel=Channel.RECEPTION,
                field=data.field, assignee_uuid=data.assignee_uuid, reception_uuid=uuid,
                learned_on=data.learned_on), today=today)
            reception_repo.set_reception_case(db, uuid, case.uuid)
        if default_rules().is_confidential(data.case_kind, data.received_on):
            sealing.seal_persons(db, everyone)
    return reception_repo.get_reception(db, uuid), case
