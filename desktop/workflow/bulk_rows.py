"""The rows a bulk import writes, built exactly as ``receive_case`` builds them, only faster.

Three helpers keep the per-case cost low without changing a byte of the result (the bulk tests
compare with ``receive_case``):

* ``FastText`` folds each distinct word once (``fold`` works word by word, so the folded text of
  a whole string is the folded words joined) and composes the search text as
  ``desktop.storage.search.case_search_text`` does;
* ``StepDeadlines`` computes a step's due date and trace as ``engine.compute_step_deadline``,
  with one calendar and a memo per (rule set, step, start day, variant);
* ``CaseRows`` turns one item into its case row, its people links and its hash-chained event.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from desktop.calendar.deadlines import compute_deadline
from desktop.calendar.workdays import WorkCalendar
from desktop.domain.names import name_key
from desktop.domain.text import digit_runs, fold
from desktop.rules.book import KIND_LABELS, RuleSet
from desktop.storage.events import HASHED_FIELDS, event_hash
from desktop.storage.search import _number_variants  # the one spelling of phone/ID variants
from desktop.storage.units import new_uuid, now_iso
from desktop.workflow.engine import DIGEST_FIELDS

if TYPE_CHECKING:  # pragma: no cover
    from desktop.workflow.bulk import BulkCase, _Importer


class FastText:
    """Folded search text with a per-word cache (a register's vocabulary is a few thousand words)."""

    def __init__(self, limit: int = 500_000) -> None:
        self._cache: dict[str, list[str]] = {}
        self._limit = limit

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        cache = self._cache
        for chunk in text.split():
            folded = cache.get(chunk)
            if folded is None:
                folded = fold(chunk).split()
                if len(cache) < self._limit:
                    cache[chunk] = folded
            out.extend(folded)
        return out

    def compose(self, texts: list[str], numbers: list[str]) -> str:
        """Same result as ``desktop.storage.search._compose``."""
        words: list[str] = []
        for text in texts:
            if text:
                words.extend(self.tokens(text))
        extra = list(digit_runs(words))
        for number in numbers:
            extra.extend(_number_variants(number))
        if extra:
            seen = set(words)
            for item in extra:
                if item not in seen:
                    seen.add(item)
                    words.append(item)
        return " ".join(words)


class StepDeadlines:
    """Due date and trace of a step started on a day, as ``engine.compute_step_deadline`` gives them."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._memo: dict[tuple, tuple[date | None, str]] = {}

    def __call__(self, rs: RuleSet, step_code: str, start_on: date, *, complex_: bool, remote: bool,
                 event_label: str = "Nhận") -> tuple[date | None, str]:
        key = (rs.id, step_code, start_on, complex_, remote, event_label)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        step = rs.steps[step_code]
        days = step.days_for(complex_=complex_, remote=remote)
        if days is None:
            result: tuple[date | None, str] = (None, f"{step.label}: không có thời hạn luật định ({step.citation}).")
        else:
            deadline = compute_deadline(self.calendar, start_on, days, step.day_kind, event_label=event_label)
            variant = " (vụ việc phức tạp)" if complex_ and step.variants.get("complex") else ""
            result = (deadline.due, f"{step.label}{variant} — {step.citation}. {deadline.trace}")
        self._memo[key] = result
        return result


def _label(names: list[str]) -> str:
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{names[0]} và {len(names) - 1} người khác"


class CaseRows:
    """The rows of one batch: cases, case_people links and 'receive' events, in import order."""

    columns = ("uuid", "unit_code", "number", "kind", "rules_id", "channel", "field", "summary", "content",
               "received_on", "learned_on", "state", "assignee_uuid", "is_complex", "is_remote", "confidential",
               "due_on", "due_step", "due_trace", "extensions", "requester_name", "requester_key", "search_text",
               "created_at", "updated_at", "version")
    event_columns = (*HASHED_FIELDS, "hash")

    def __init__(self, importer: _Importer, unit_code: str) -> None:
        self.imp = importer
        self.code = unit_code
        self.remote = bool(importer.unit.is_remote)
        self.stamp = now_iso()
        self.cases: list[tuple] = []
        self.links: list[tuple] = []
        self.events: list[tuple] = []
        self.numbering: dict[str, int] = {}

    def _number(self, year: int) -> str:
        key = f"case_seq:{self.code}:{year}"
        if key not in self.numbering:
            self.numbering[key] = int(self.imp.db.get_setting(key, "0") or 0)
        self.numbering[key] += 1
        return f"{self.numbering[key]:02d}/{year}"

    def add(self, item: BulkCase, people: dict[Any, tuple], prev_hash: str) -> str:
        """Queue one case; returns its event's hash (the next event's ``prev_hash``)."""
        imp = self.imp
        rs = imp.rules.for_case(item.kind, item.received_on)
        requesters = list(dict.fromkeys(people[p] for p in item.requesters))
        rep = people[item.representative] if item.representative is not None else None
        confidential = rs.confidential if item.confidential is None else item.confidential
        names = [p[1] for p in ([rep] if rep else []) + [p for p in requesters if not rep or p[0] != rep[0]]]
        number = self._number(item.received_on.year)
        shown_people = [] if confidential else [(p[1], p[2], p[3]) for p in requesters + ([rep] if rep else [])]
        texts, numbers = [number, item.summary, item.content], []
        for full_name, id_number, phone in shown_people:
            texts.extend((full_name or "", id_number or "", phone or ""))
            numbers.extend((id_number or "", phone or ""))
        text = imp.text.compose(texts, numbers)
        due, trace = imp.deadlines(rs, rs.initial_step, item.received_on, complex_=bool(item.is_complex),
                                   remote=self.remote)
        uuid = new_uuid()
        summary, content = " ".join(item.summary.split()), item.content.strip()
        received, learned = item.received_on.isoformat(), item.learned_on and item.learned_on.isoformat()
        self.cases.append((
            uuid, self.code, number, item.kind, rs.id, item.channel, item.field, summary, content, received, learned,
            rs.initial_state, item.assignee_uuid, int(item.is_complex), int(self.remote), int(confidential),
            due and due.isoformat(), rs.initial_step, trace, 0, "" if confidential else _label(names),
            name_key(names[0]) if names and not confidential else "", text, self.stamp, self.stamp, 1))
        for p in requesters:
            self.links.append((uuid, p[0], "requester", new_uuid(), self.code, self.stamp))
        if rep:
            self.links.append((uuid, rep[0], "representative", new_uuid(), self.code, self.stamp))
        # The digest as ``engine.case_digest`` computes it from the stored case (same types).
        digest_values = {
            "uuid": uuid, "number": number, "kind": item.kind, "rules_id": rs.id, "channel": item.channel,
            "field": item.field, "summary": summary, "content": content, "received_on": item.received_on,
            "learned_on": item.learned_on, "state": rs.initial_state, "assignee_uuid": item.assignee_uuid,
            "is_complex": bool(item.is_complex), "is_remote": self.remote, "confidential": bool(confidential),
            "due_on": due, "due_step": rs.initial_step, "paused_on": None, "extensions": 0, "satisfaction": None,
            "closed_on": None, "published_on": None, "version": 1,
        }
        payload = json.dumps([digest_values[f] for f in DIGEST_FIELDS], default=str, ensure_ascii=False)
        data: dict[str, Any] = {"starts_step": rs.initial_step, "due_on": due and due.isoformat(), "trace": trace,
                                "rules_id": rs.id, "citation": rs.steps[rs.initial_step].citation,
                                "digest": hashlib.sha256(payload.encode("utf-8")).hexdigest()}
        if rs.late_after_days and item.learned_on and \
                (item.received_on - item.learned_on).days > rs.late_after_days:
            data["late_complaint"] = True
        event = {
            "uuid": new_uuid(), "unit_code": self.code, "case_uuid": uuid, "seq": 1, "action": "receive",
            "from_state": None, "to_state": rs.initial_state, "actor": imp.actor, "at": imp.at,
            "effective_on": received, "note": f"Tiếp nhận {KIND_LABELS[item.kind].lower()}",
            "data": json.dumps(data, ensure_ascii=False, sort_keys=True, default=str), "prev_hash": prev_hash,
        }
        event["hash"] = event_hash(event)
        self.events.append(tuple(event[c] for c in self.event_columns))
        return event["hash"]

