"""What a template is filled with: the case, its people, its unit and what its timeline recorded.

The values are plain strings keyed by the placeholder names listed in
``resources/templates/README.md``. A denouncer's identity is secret (Luật Tố cáo 2018, Art. 9):
for a confidential case the requester's name, address and papers are left blank, to be written
by hand by the person entitled to know them.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from desktop.storage.db import Database

log = logging.getLogger(__name__)


def dmy(day: date | str | None) -> str:
    """05/02/2026 (inline dates in the body)."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _sentence(text: str) -> str:
    """A paragraph's last sentence ends with a full stop."""
    text = (text or "").strip()
    return text if not text or text.endswith((".", "!", "?", ":", ";")) else text + "."


def unit_dict(unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "governing_body": unit.governing_body,
            "abbreviation": unit.abbreviation, "place_name": unit.place_name}


def officer_dict(officer) -> dict[str, Any] | None:
    if officer is None:
        return None
    return {"uuid": officer.uuid, "full_name": officer.full_name, "title": officer.title, "role": officer.role}


def sex_of(person) -> str:
    """"male" / "female" / "": the person's recorded sex, else the citizen ID's 4th digit
    (DOMAIN.md §8: 0/1 male/female born in the 1900s, 2/3 in the 2000s … even = male)."""
    explicit = getattr(person, "sex", "") or ""
    if explicit in ("male", "female"):
        return explicit
    number = (getattr(person, "id_number", "") or "").strip()
    if getattr(person, "id_kind", "") in ("cccd", "") and len(number) == 12 and number.isdigit():
        return "male" if int(number[3]) % 2 == 0 else "female"
    return ""


def honorific(person) -> str:
    """"ông" / "bà" before a person's name; "ông (bà)" when the sex is unknown; none for an organisation."""
    if getattr(person, "kind", "person") == "organisation":
        return ""
    return {"male": "ông", "female": "bà"}.get(sex_of(person), "ông (bà)")


def requester_values(person) -> dict[str, str]:
    """{requester}: "ông Nguyễn Văn Ất" in a sentence, {requester_cap}: "Ông Nguyễn Văn Ất" to open a line."""
    title = honorific(person)
    name = person.full_name
    phrase = f"{title} {name}".strip()
    return {"requester_name": name, "requester_title": title, "requester": phrase,
            "requester_cap": phrase[:1].upper() + phrase[1:]}


def _ground(data: dict) -> str:
    """A ground of the law's closed list with its exact clause: "… (Nghị định 59/2019/NĐ-CP, Điều 5 khoản 2)"."""
    label = data.get("ground_label", "")
    citation = data.get("ground_citation", "")
    return f"{label} ({citation})" if label and citation and data.get("ground") != "other" else label


# What each timeline action leaves for the documents that follow it.
def _event_values(e, rs=None) -> dict[str, str]:
    data = e.data or {}
    out: dict[str, str] = {"event_on": e.effective_on.isoformat() if e.effective_on else ""}
    if e.action == "accept":
        out["accepted_on"] = dmy(e.effective_on)
        out["due_on"] = dmy(data.get("due_on"))  # the period the acceptance started
    elif e.action == "refuse":
        out["ground"] = _ground(data)
        out["reason"] = e.note
    elif e.action == "guide":
        out["guided_to"] = e.note
    elif e.action == "forward":
        out["forwarded_to"] = e.note
    elif e.action == "extend":
        out["reason"] = e.note
        out["extended_on"] = dmy(e.effective_on)
        out["extended_to"] = dmy(data.get("due_on"))
        days = data.get("days")
        if not days and rs is not None:
            step = rs.steps.get(rs.actions[e.action].extends_step) if e.action in rs.actions else None
            days = getattr(step, "extension_days", 0) or ""
        out["extension_days"] = f"{int(days):02d}" if str(days).isdigit() else ""
    elif e.action == "mark_complex":
        out["reason"] = e.note
        out["extended_on"] = dmy(e.effective_on)
        out["extended_to"] = dmy(data.get("due_on"))
    elif e.action == "suspend":
        out["paused_on"] = dmy(e.effective_on)
        out["reason"] = _ground(data) or e.note
    elif e.action == "resume":
        out["resumed_on"] = dmy(e.effective_on)
        out["reason"] = e.note
        out["due_on"] = dmy(data.get("due_on"))
    elif e.action in ("terminate", "withdraw"):
        out["closed_on"] = dmy(e.effective_on)
        out["reason"] = _ground(data) or e.note or (
            "người yêu cầu rút toàn bộ yêu cầu" if e.action == "withdraw" else "")
    elif e.action == "notify_dialogue":
        out["dialogue_on"] = dmy(data.get("dialogue_on"))
    elif e.action == "meet":
        out["meeting_on"] = dmy(e.effective_on)
        out["meeting_result"] = e.note
        for key in ("meeting_place", "meeting_time"):
            if data.get(key):
                out[key] = str(data[key])
    # A reply's note is a line of the timeline, not the written explanation: the reply document
    # carries its legal basis and substance in its own fields (NĐ 59/2019 Art. 12).
    return out


_SHARED = ("accepted_on", "meeting_on", "meeting_result", "meeting_place", "meeting_time", "guided_to",
           "forwarded_to")


def events_context(events, notifies: tuple[str, ...] = (), rs=None) -> dict[str, str]:
    """Facts of the timeline every document may cite (acceptance day, meeting), then the values of
    the last event of ``notifies``: a notice's reason and dates come from the event it notifies,
    never from whichever step happened last."""
    ctx: dict[str, str] = {}
    for e in events:
        ctx.update({k: v for k, v in _event_values(e, rs).items() if k in _SHARED and v})
    notified = [e for e in events if e.action in notifies]
    if notified:
        ctx.update({k: v for k, v in _event_values(notified[-1], rs).items() if v})
    return ctx


def case_context(db: Database, case_uuid: str, notifies: tuple[str, ...] = ()) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """(context, case, unit as dict) for filling a template from a case in the register."""
    from desktop.storage import cases as case_repo
    from desktop.storage import units as unit_repo

    case = case_repo.get_case(db, case_uuid)
    unit = unit_repo.get_unit(db, case.unit_code)
    ctx: dict[str, Any] = {
        "case_number": case.number, "case_summary": case.summary.rstrip("."),
        "case_content": _sentence(case.content or case.summary), "received_on": dmy(case.received_on),
        # before acceptance the running deadline is the acceptance step's, not the one a notice announces
        "due_on": dmy(case.due_on) if case.state != "received" else "", "paused_on": dmy(case.paused_on), "closed_on": dmy(case.closed_on),
        "unit_name": unit.name, "place": unit.place_name, "today": dmy(date.today()),
        "document_date": case.received_on.isoformat() if case.received_on else "",
    }
    rs = _rules_of(case)
    if rs is not None and "explain" in rs.steps:
        ctx["explain_days"] = f"{rs.steps['explain'].days:02d}" if rs.steps["explain"].days else ""
    people = case_repo.case_people(db, case.uuid)
    requester = next((p.person for p in people if p.role == "representative"), None) or (
        people[0].person if people else None)
    if case.confidential:
        ctx["confidential"] = "1"   # the requester's lines stay dotted, to be written by hand
    elif requester:
        ctx.update(requester_address=requester.address, requester_phone=requester.phone,
                   requester_id=requester.id_number, **requester_values(requester))
    if case.assignee_uuid:
        try:
            handler = unit_repo.get_officer(db, case.assignee_uuid)
            ctx.update(handler_name=handler.full_name, handler_title=handler.title)
        except Exception:  # an officer of another unit after sync: leave the blank
            log.info("assignee %s not found for case %s", case.assignee_uuid, case.number)
    ctx.update(events_context(case_repo.list_events(db, case.uuid), notifies, rs))
    return ctx, case, unit_dict(unit)


def _rules_of(case):
    try:
        from desktop.workflow.engine import rules_of

        return rules_of(case)
    except Exception:  # noqa: BLE001 - a case of a kind without rules: no periods to quote
        log.info("no rules for case %s", case.number)
        return None


def default_signer(db: Database):
    """The head if there is one, else the first deputy who may sign."""
    from desktop.storage import units as unit_repo

    signers = unit_repo.signers(db)
    return signers[0] if signers else None
