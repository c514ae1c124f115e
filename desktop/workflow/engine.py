"""The state machine of every kind of case, enforced by the core.

An action is allowed only from the states its rule set lists (``resources/rules/procedures.json``);
anything else is refused with a Vietnamese message and changes nothing. Each step is one
transaction: the case row, its recomputed deadline and one hash-chained event. Deadlines are
never typed: they are computed when the triggering event happens and recomputed by extension,
suspension and resumption, each with its trace (DOMAIN.md §2).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from datetime import date
from typing import Any

from desktop.calendar.deadlines import compute_deadline, format_date
from desktop.calendar.workdays import WorkCalendar
from desktop.domain.records import Case
from desktop.domain.validation import check_not_future
from desktop.errors import TransitionNotAllowed, UserError, ValidationError
from desktop.reports import locks
from desktop.rules.book import Action, RuleSet, Step, default_rules
from desktop.security import require
from desktop.storage import cases as case_repo
from desktop.storage.calendar_repo import load_calendar
from desktop.storage.db import Database
from desktop.storage.events import insert_event
from desktop.storage.units import local_unit_code, new_uuid, now_iso
from desktop.workflow.effects import SATISFACTION, before_values, settling_changes, step_effects  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)


# Fields of a case covered by the digest stored in each event: a change to the case row made
# behind the app's back no longer matches its last event (``verify``).
DIGEST_FIELDS = ("uuid", "number", "kind", "rules_id", "channel", "field", "summary", "content", "received_on",
                 "learned_on", "state", "assignee_uuid", "is_complex", "is_remote", "confidential", "due_on",
                 "due_step", "paused_on", "extensions", "satisfaction", "closed_on", "published_on", "version")


_DIGEST_JSON = json.JSONEncoder(default=str, ensure_ascii=False)  # made once: json.dumps builds one per call


def case_digest(case: Case) -> str:
    values = asdict(case)
    return digest_of([values[f] for f in DIGEST_FIELDS])


def digest_of(values: list) -> str:
    """The digest of a case given its ``DIGEST_FIELDS`` values in order (dates as ``date``)."""
    return hashlib.sha256(_DIGEST_JSON.encode(values).encode("utf-8")).hexdigest()


def rules_of(case: Case) -> RuleSet:
    return default_rules().by_id(case.rules_id)


def complexity_level(case: Case) -> int:
    """0 simple, 1 complex, 2 especially complex (a case built without the column counts its flag)."""
    return max(int(case.complexity or 0), int(bool(case.is_complex)))


def allowed_actions(case: Case, on: date | None = None) -> list[Action]:
    """The actions the law allows from the case's current state on a day (today by default; a
    transition rule such as NĐ 155/2026 Art. 22 opens some only from a date): the UI offers only these."""
    rs = rules_of(case)
    on = on or date.today()
    level = complexity_level(case)
    out = []
    for action in rs.actions.values():
        if case.state not in action.from_states or not action.available_on(on):
            continue
        if action.extends_step:
            step = rs.steps[action.extends_step]
            if case.extensions >= step.max_extensions_for(level) or level < action.requires_complex:
                continue
        if action.sets_complex and level >= action.sets_complex:
            continue
        out.append(action)
    return out


def compute_step_deadline(db: Database, rs: RuleSet, case: Case, step_code: str, start_on: date, *,
                          extensions: int = 0, pauses: list[tuple[date, date]] | None = None,
                          is_complex: bool | None = None, event_label: str = "Sự kiện",
                          cal: WorkCalendar | None = None) -> tuple[date | None, str]:
    """Due date and trace for one step of a case, counted from the event that started it (over
    ``cal`` when a caller counting many cases loaded the register's calendar once)."""
    step: Step = rs.steps[step_code]
    level = complexity_level(case) if is_complex is None else int(is_complex)
    # extensions the case already has on record are recounted as granted; a new one was checked by ``act``
    days = step.period(extensions=extensions, level=level, remote=bool(case.is_remote),
                       strict=extensions > case.extensions)
    if days is None:
        return None, f"{step.label}: không có thời hạn luật định ({step.citation})."
    deadline = compute_deadline(cal or load_calendar(db), start_on, days, step.day_kind, pauses=pauses or (),
                                event_label=event_label)
    extra = f"; đã gia hạn {extensions} lần, mỗi lần {step.extension_days:02d} ngày" if extensions else ""
    return deadline.due, f"{step.heading(bool(level))}{extra}. {deadline.trace}"


# Timeline entries that record something beside the procedure: they never start, move or end a
# step, and a step's date is checked only against the steps before it.
NOTE_ACTIONS = frozenset({"assign", "correct", "undo", "document_issued", "document_voided", "deadline_recomputed",
                          "note", "reveal", "identity_revealed", "attach"})


def standing_steps(events: list, rs: RuleSet | None = None) -> list:
    """The events that still count: ``receive`` and the steps of the procedure (with ``rs``: only
    its actions, whatever other timeline entries exist), less those undone (``desktop.workflow.undo``
    appends an ``undo`` event naming the step it reverses)."""
    undone = {e.data.get("undoes") for e in events if e.action == "undo"}
    if rs is not None:
        return [e for e in events if (e.action == "receive" or e.action in rs.actions) and e.uuid not in undone]
    return [e for e in events if e.action not in NOTE_ACTIONS and e.uuid not in undone]


def _step_start(events: list, step_code: str, rs: RuleSet | None) -> tuple[date | None, str, list[tuple[date, date]]]:
    """When the running step started, the name of the event that started it, and its pauses."""
    start: date | None = None
    label = "Sự kiện"
    pauses: list[tuple[date, date]] = []
    paused_from: date | None = None
    for ev in standing_steps(events, rs):
        if ev.data.get("starts_step") == step_code:
            start, pauses, paused_from = ev.effective_on, [], None
            if ev.action == "receive":
                label = "Nhận"
            elif rs is not None and ev.action in rs.actions:
                label = rs.actions[ev.action].label
        elif ev.action == "suspend":
            paused_from = ev.effective_on
        elif ev.action == "resume" and paused_from is not None:
            pauses.append((paused_from, ev.effective_on))
            paused_from = None
    return start, label, pauses


def _check_dates(case: Case, effective_on: date, events: list, today: date | None) -> None:
    check_not_future("effective_on", effective_on, today=today, label="Ngày thực hiện")
    if effective_on < case.received_on:
        raise ValidationError({"effective_on": f"Ngày thực hiện {format_date(effective_on)} trước ngày tiếp nhận "
                                               f"{format_date(case.received_on)}."})
    steps = standing_steps(events, rules_of(case))
    if steps and effective_on < steps[-1].effective_on:
        raise ValidationError({"effective_on": f"Ngày thực hiện {format_date(effective_on)} trước bước liền trước "
                                               f"({format_date(steps[-1].effective_on)})."})


def is_owned(db: Database, case: Case) -> bool:
    """Whether this register's unit owns the case (at the province, communes' cases are not)."""
    return case.unit_code == local_unit_code(db)


def ensure_owned(db: Database, case: Case) -> None:
    """The province (or any register) never edits a record another unit owns."""
    if not is_owned(db, case):
        raise UserError("foreign_record", "Vụ việc này thuộc đơn vị khác: chỉ được xem, không được sửa.")


def act(db: Database, case_uuid: str, action_code: str, *, effective_on: date, note: str = "",
        ground: str | None = None, satisfaction: str | None = None, today: date | None = None,
        data: dict[str, Any] | None = None, correction_reason: str | None = None) -> Case:
    """Carry out one step of the procedure, or refuse it and change nothing. The logged-in officer
    acts (``case.act``: a handling officer on the cases assigned to him or her only).

    A step dated within a period whose report the province accepted needs ``correction_reason``
    and is recorded as a correction (``desktop.reports.locks``)."""
    case = case_repo.get_case(db, case_uuid)
    ensure_owned(db, case)
    require(db, "case.act", case=case)
    rs = rules_of(case)
    action = rs.action(action_code)
    state_label = rs.state_label(case.state)
    if case.state not in action.from_states:
        allowed = ", ".join(f"“{a.label}”" for a in allowed_actions(case)) or "không có bước nào"
        raise TransitionNotAllowed(
            "transition_not_allowed",
            f"Không thể “{action.label}” khi vụ việc đang ở trạng thái “{state_label}” ({action.citation}). "
            f"Các bước được phép: {allowed}.", action=action_code, state=case.state)
    if not action.available_on(effective_on):
        raise TransitionNotAllowed(
            "transition_not_allowed",
            f"“{action.label}” chỉ áp dụng từ ngày {format_date(action.available_from)} ({action.citation}).",
            action=action_code, state=case.state)
    note = note.strip()
    events = case_repo.list_events(db, case.uuid)
    _check_dates(case, effective_on, events, today)
    level = complexity_level(case)

    def deadline(step_code: str, start_on: date, label: str) -> tuple[date | None, str]:
        return compute_step_deadline(db, rs, case, step_code, start_on, event_label=label)

    last_suspend = next((e for e in reversed(standing_steps(events, rs)) if e.action == "suspend"), None)
    effects = step_effects(rs, action, case.state, effective_on, deadline=deadline, cal=load_calendar(db),
                           received_on=case.received_on, level=level, remote=bool(case.is_remote), data=data,
                           note=note, ground=ground, satisfaction=satisfaction,
                           previous_state=last_suspend.from_state if last_suspend else None)
    event_data: dict[str, Any] = {"citation": action.citation, **(data or {}),
                                  **{k: v for k, v in effects.data.items() if k != "citation"}}
    changes: dict[str, Any] = {"updated_at": now_iso(), **effects.changes}
    to_state = effects.to_state
    if action.extends_step:
        step = rs.steps[action.extends_step]
        if level < action.requires_complex:
            raise TransitionNotAllowed(
                "extension_needs_complexity",
                f"Chỉ gia hạn khi vụ việc đã được xác định là phức tạp hoặc đặc biệt phức tạp bằng văn bản "
                f"({action.citation}).")
        if case.extensions >= step.max_extensions_for(level):
            raise TransitionNotAllowed(
                "extension_limit",
                f"Đã gia hạn {case.extensions} lần; {step.citation} chỉ cho phép gia hạn "
                f"{step.max_extensions_for(level)} lần với vụ việc này.")
        if case.due_on and effective_on > case.due_on:
            raise TransitionNotAllowed(
                "extension_too_late",
                f"Đã quá hạn {format_date(case.due_on)}: phải gia hạn bằng văn bản trước khi hết thời hạn.")
        start, label, pauses = _step_start(events, action.extends_step, rs)
        due, trace = compute_step_deadline(db, rs, case, action.extends_step, start or effective_on,
                                           extensions=case.extensions + 1, pauses=pauses, event_label=label)
        changes.update(due_on=due and due.isoformat(), due_trace=trace, extensions=case.extensions + 1)
        event_data.update(due_on=due and due.isoformat(), trace=trace, extension=case.extensions + 1)
    if action.sets_complex and level >= action.sets_complex:
        raise TransitionNotAllowed(
            "already_complex", f"Vụ việc đã được xác định mức độ phức tạp này hoặc cao hơn ({action.citation}).",
            action=action_code, state=case.state)
    if action.sets_complex:
        changes["is_complex"] = action.sets_complex
        event_data["complexity"] = changes["is_complex"]
    if action.sets_complex and case.due_step and not case.paused_on:
        start, label, pauses = _step_start(events, case.due_step, rs)
        due, trace = compute_step_deadline(db, rs, case, case.due_step, start or effective_on,
                                           extensions=case.extensions, pauses=pauses,
                                           is_complex=changes["is_complex"], event_label=label)
        changes.update(due_on=due and due.isoformat(), due_trace=trace)
        event_data.update(due_on=due and due.isoformat(), trace=trace)
    if action.pauses:
        changes.update(paused_on=effective_on.isoformat(), due_on=None,
                       due_trace=f"Tạm đình chỉ từ ngày {format_date(effective_on)}: thời gian tạm đình chỉ không tính "
                                 f"vào thời hạn ({action.citation}).")
    if action.resumes and case.due_step:
        start, label, pauses = _step_start(events, case.due_step, rs)
        pauses.append(((case.paused_on or effective_on), effective_on))
        due, trace = compute_step_deadline(db, rs, case, case.due_step, start or case.received_on,
                                           extensions=case.extensions, pauses=pauses, event_label=label)
        changes.update(paused_on=None, due_on=due and due.isoformat(), due_trace=trace)
        event_data.update(due_on=due and due.isoformat(), trace=trace)
    changes.update(effects.settled)
    touched = locks.guard_case_change(db, case.unit_code, effective_on, correction_reason)
    event_data["before"] = before_values(asdict(case), changes)

    with db.write():
        if touched:
            locks.record_corrections(db, touched, case_uuid=case.uuid, action=action_code, effective_on=effective_on,
                                     reason=correction_reason or "")
        if action_code == "add_commitment":
            event_data["commitment_uuid"] = _add_commitment(db, case, note, event_data.get("commitment_due"))
        elif action_code == "complete_commitment":
            _complete_commitment(db, case, event_data.get("commitment_uuid"), effective_on, note)
        case_repo.update_case(db, case.uuid, changes)
        updated = case_repo.get_case(db, case.uuid)
        event_data["digest"] = case_digest(updated)
        insert_event(db, unit_code=case.unit_code, case_uuid=case.uuid, action=action_code, from_state=case.state,
                     to_state=to_state, effective_on=effective_on, note=note, data=event_data)
    log.info("case %s: %s (%s → %s)", case.number, action_code, case.state, to_state)
    return updated


def _add_commitment(db: Database, case: Case, content: str, due_on: str | None) -> str:
    if not content:
        raise ValidationError({"note": "Hãy ghi nội dung cam kết."})
    uuid = new_uuid()
    db.execute("INSERT INTO commitments(case_uuid, content, due_on, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?)",
               (case.uuid, content, due_on, uuid, case.unit_code, now_iso()))
    return uuid


def _complete_commitment(db: Database, case: Case, commitment_uuid: str | None, on: date, note: str) -> None:
    cur = db.execute(
        "UPDATE commitments SET status='done', done_on=?, note=?, updated_at=?, version=version+1 "
        "WHERE uuid=? AND case_uuid=? AND status='open'",
        (on.isoformat(), note, now_iso(), commitment_uuid or "", case.uuid))
    if cur.rowcount != 1:
        raise UserError("commitment_not_found", "Không tìm thấy cam kết đang theo dõi của vụ việc này.")


def complaint_is_late(case: Case) -> bool:
    """A complaint filed after its time limit is flagged: the office decides whether there was a
    good reason. First complaint: 90 days from learning of the decision (Luật Khiếu nại 2011,
    Art. 9); second complaint: 30 days (45 in remote areas) from the first decision or from the
    end of the first period (Art. 33(1))."""
    return rules_of(case).is_late(case.received_on, case.learned_on, bool(case.is_remote))


def late_complaint_note(case: Case) -> str | None:
    """The warning shown on a late complaint, in the words of its own rule (first: 90 days from
    learning of the decision, Art. 9; second: 30/45 days, Art. 33(1)), or None."""
    if not complaint_is_late(case):
        return None
    rs = rules_of(case)
    days = rs.late_limit(bool(case.is_remote))
    since = rs.late_label or "ngày biết được quyết định"
    return f"Khiếu nại gửi quá {days} ngày kể từ {since} ({rs.late_citation})."
