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


def unit_dict(unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "governing_body": unit.governing_body,
            "abbreviation": unit.abbreviation, "place_name": unit.place_name}


def officer_dict(officer) -> dict[str, Any] | None:
    if officer is None:
        return None
    return {"uuid": officer.uuid, "full_name": officer.full_name, "title": officer.title, "role": officer.role}


# What each timeline action leaves for the documents that follow it.
def _from_events(events) -> dict[str, str]:
    ctx: dict[str, str] = {}
    for e in events:
        data = e.data or {}
        if e.action == "accept":
            ctx["accepted_on"] = dmy(e.effective_on)
        elif e.action == "refuse":
            ctx["ground"] = data.get("ground_label", "")
            ctx["reason"] = e.note
        elif e.action == "guide":
            ctx["guided_to"] = e.note
        elif e.action == "forward":
            ctx["forwarded_to"] = e.note
        elif e.action == "extend":
            ctx["reason"] = e.note
            if data.get("days"):
                ctx["extension_days"] = str(data["days"])
        elif e.action == "mark_complex":
            ctx["reason"] = e.note
        elif e.action == "suspend":
            ctx["paused_on"] = dmy(e.effective_on)
            ctx["reason"] = data.get("ground_label", "") or e.note
        elif e.action == "resume":
            ctx["resumed_on"] = dmy(e.effective_on)
            ctx["reason"] = e.note
        elif e.action in ("terminate", "withdraw"):
            ctx["closed_on"] = dmy(e.effective_on)
            ctx["reason"] = data.get("ground_label", "") or e.note or (
                "người yêu cầu rút toàn bộ yêu cầu" if e.action == "withdraw" else "")
        elif e.action == "meet":
            ctx["meeting_on"] = dmy(e.effective_on)
            ctx["meeting_result"] = e.note
            for key in ("meeting_place", "meeting_time"):
                if data.get(key):
                    ctx[key] = str(data[key])
        elif e.action == "reply":
            ctx["explanation"] = e.note
            ctx["answer"] = e.note
    return ctx


def case_context(db: Database, case_uuid: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """(context, case, unit as dict) for filling a template from a case in the register."""
    from desktop.storage import cases as case_repo
    from desktop.storage import units as unit_repo

    case = case_repo.get_case(db, case_uuid)
    unit = unit_repo.get_unit(db, case.unit_code)
    ctx: dict[str, Any] = {
        "case_number": case.number, "case_summary": case.summary.rstrip("."),
        "case_content": case.content or case.summary, "received_on": dmy(case.received_on),
        # before acceptance the running deadline is the acceptance step's, not the one a notice announces
        "due_on": dmy(case.due_on) if case.state != "received" else "", "paused_on": dmy(case.paused_on), "closed_on": dmy(case.closed_on),
        "unit_name": unit.name, "place": unit.place_name, "today": dmy(date.today()),
    }
    people = case_repo.case_people(db, case.uuid)
    requester = next((p.person for p in people if p.role == "representative"), None) or (
        people[0].person if people else None)
    if requester and not case.confidential:
        ctx.update(requester_name=requester.full_name, requester_address=requester.address,
                   requester_phone=requester.phone, requester_id=requester.id_number)
    if case.assignee_uuid:
        try:
            handler = unit_repo.get_officer(db, case.assignee_uuid)
            ctx.update(handler_name=handler.full_name, handler_title=handler.title)
        except Exception:  # an officer of another unit after sync: leave the blank
            log.info("assignee %s not found for case %s", case.assignee_uuid, case.number)
    ctx.update({k: v for k, v in _from_events(case_repo.list_events(db, case.uuid)).items() if v})
    return ctx, case, unit_dict(unit)


def default_signer(db: Database):
    """The head if there is one, else the first deputy who may sign."""
    from desktop.storage import units as unit_repo

    signers = unit_repo.signers(db)
    return signers[0] if signers else None
