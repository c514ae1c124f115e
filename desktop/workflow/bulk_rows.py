"""The rows a bulk import writes, built exactly as ``receive_case`` builds them, only faster.

Three helpers keep the per-case cost low without changing a byte of the result (the bulk tests
compare with ``receive_case``):

* ``FastText`` folds each distinct word once (``fold`` works word by word, so the folded text of
  a whole string is the folded words joined) and composes the search text as
  ``desktop.storage.search.case_search_text`` does;
* ``StepDeadlines`` computes a step's due date and trace as ``engine.compute_step_deadline``,
  with one calendar and a memo per (rule set, step, start day, variant);
* ``CaseRows`` turns one item into its case row, its people links and its events, drafted:
  ``finish_events`` gives each event its place in the unit's hash chain where the batch is
  written (the writer owns the chain's end).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from desktop.calendar.deadlines import compute_deadline
from desktop.calendar.workdays import WorkCalendar
from desktop.domain.names import name_key
from desktop.domain.text import fold
from desktop.rules.book import KIND_LABELS, RuleSet, default_rules
from desktop.storage.events import HASHED_FIELDS, event_data_json, row_hash
from desktop.storage.search import compose_words
from desktop.storage.units import new_uuid, now_iso
from desktop.errors import ValidationError
from desktop.workflow.effects import before_values, check_step_input, step_effects
from desktop.workflow.engine import DIGEST_FIELDS, digest_of

if TYPE_CHECKING:  # pragma: no cover
    from desktop.workflow.bulk import BulkCase, _Importer




class FastText:
    """Folded search text with a per-word cache (a register's vocabulary is a few thousand words),
    and memoised name keys (names repeat: a few tens of thousands of combinations)."""

    def __init__(self, limit: int = 500_000) -> None:
        self._cache: dict[str, list[str]] = {}
        self._keys: dict[str, str] = {}
        self._limit = limit

    def name_key(self, full_name: str) -> str:
        key = self._keys.get(full_name)
        if key is None:
            key = name_key(full_name)
            if len(self._keys) < self._limit:
                self._keys[full_name] = key
        return key

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        cache = self._cache
        for chunk in text.split():
            folded = cache.get(chunk)
            if folded is None:
                if chunk.isascii() and chunk.isalnum():
                    folded = [chunk.lower()]          # IDs, phones, numbers: nothing to fold, never cached
                    out.extend(folded)
                    continue
                folded = fold(chunk).split()
                if len(cache) < self._limit:
                    cache[chunk] = folded
            out.extend(folded)
        return out

    def compose(self, texts: list[str], numbers: list[str], *, unique: bool = False) -> str:
        """Same result as ``desktop.storage.search._compose``, with the cached folding."""
        return compose_words(self.tokens(" ".join(texts)), numbers, unique=unique)


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
            result = (deadline.due, f"{step.heading(complex_)}. {deadline.trace}")
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
               "created_at", "updated_at", "version", "satisfaction", "closed_on", "published_on")
    event_columns = (*HASHED_FIELDS, "hash")  # finish_events gives the rows in this order

    def __init__(self, importer: _Importer, unit_code: str) -> None:
        self.imp = importer
        self.code = unit_code
        self.remote = bool(importer.unit.is_remote)
        self.stamp = now_iso()
        self.cases: list[tuple] = []
        self.links: list[tuple] = []
        self.events: list[tuple] = []
        self.numbering_before: dict[str, int] = {}
        self.keys: list[tuple] = []

    def add(self, item: BulkCase, people: dict[Any, tuple]) -> None:
        """Queue one case, its links and its drafted events."""
        imp = self.imp
        rs = imp.rules.for_case(item.kind, item.received_on)
        requesters = list(dict.fromkeys(people[p] for p in item.requesters))
        rep = people[item.representative] if item.representative is not None else None
        confidential = rs.confidential if item.confidential is None else item.confidential
        names = [p[1] for p in ([rep] if rep else []) + [p for p in requesters if not rep or p[0] != rep[0]]]
        number = imp.next_number(item.received_on.year, self.numbering_before)
        shown_people = [] if confidential else [(p[1], p[2], p[3]) for p in requesters + ([rep] if rep else [])]
        texts, numbers = [number, item.summary, item.content], []
        for full_name, id_number, phone in shown_people:
            texts.extend((full_name or "", id_number or "", phone or ""))
            numbers.extend((id_number or "", phone or ""))
        text = imp.text.compose(texts, numbers, unique=True)
        due, trace = imp.deadlines(rs, rs.initial_step, item.received_on, complex_=bool(item.is_complex),
                                   remote=self.remote)
        uuid = new_uuid()
        summary, content = " ".join(item.summary.split()), item.content.strip()
        # The case as ``engine.case_digest`` sees it (same types), updated step by step.
        case = {
            "uuid": uuid, "number": number, "kind": item.kind, "rules_id": rs.id, "channel": item.channel,
            "field": item.field, "summary": summary, "content": content, "received_on": item.received_on,
            "learned_on": item.learned_on, "state": rs.initial_state, "assignee_uuid": item.assignee_uuid,
            "is_complex": bool(item.is_complex), "is_remote": self.remote, "confidential": bool(confidential),
            "due_on": due, "due_step": rs.initial_step, "paused_on": None, "extensions": 0, "satisfaction": None,
            "closed_on": None, "published_on": None, "version": 1, "due_trace": trace,
        }
        data: dict[str, Any] = {"starts_step": rs.initial_step, "due_on": due and due.isoformat(), "trace": trace,
                                "rules_id": rs.id, "citation": rs.steps[rs.initial_step].citation}
        if rs.is_late(item.received_on, item.learned_on, bool(self.remote)):
            data["late_complaint"] = True
        self._event(case, 1, "receive", None, item.received_on, f"Tiếp nhận {KIND_LABELS[item.kind].lower()}", data)
        for seq, step in enumerate(item.history, start=2):
            self._step(rs, case, seq, step)
        d = _iso(case["due_on"])
        self.cases.append((
            uuid, self.code, number, item.kind, rs.id, item.channel, item.field, summary, content,
            item.received_on.isoformat(), item.learned_on and item.learned_on.isoformat(), case["state"],
            item.assignee_uuid, int(item.is_complex), int(self.remote), int(confidential), d,
            case["due_step"], case["due_trace"], 0, "" if confidential else _label(names),
            imp.text.name_key(names[0]) if names and not confidential else "", text, self.stamp, self.stamp, case["version"],
            _iso(case["satisfaction"]), _iso(case["closed_on"]), _iso(case["published_on"])))
        if item.import_key:
            self.keys.append((item.import_key, uuid, self.stamp))
        for p in requesters:
            if rep and p[0] == rep[0]:
                continue  # listed once, as representative (as ``receive_case`` does)
            self.links.append((uuid, p[0], "requester", new_uuid(), self.code, self.stamp))
        if rep:
            self.links.append((uuid, rep[0], "representative", new_uuid(), self.code, self.stamp))

    def _step(self, rs: RuleSet, case: dict, seq: int, step) -> None:
        """One later step, changing the case as ``engine.act`` does (``effects.step_effects``, which
        both use; bulk import takes only the steps ``check_history`` allows)."""
        action = rs.actions[step.action]

        def deadline(step_code: str, start_on: date, label: str) -> tuple[date | None, str]:
            return self.imp.deadlines(rs, step_code, start_on, complex_=case["is_complex"], remote=self.remote,
                                      event_label=label)

        from_state = case["state"]
        effects = step_effects(rs, action, from_state, step.effective_on, deadline=deadline,
                               cal=self.imp.deadlines.calendar, received_on=case["received_on"],
                               level=int(case["is_complex"]), remote=self.remote, note=step.note.strip(),
                               ground=step.ground, satisfaction=step.satisfaction)
        changes = {**effects.changes, **effects.settled}
        effects.data["before"] = before_values(case, changes)
        case.update(changes)
        case["version"] += 1
        self._event(case, seq, step.action, from_state, step.effective_on, step.note.strip(), effects.data)

    def _event(self, case: dict, seq: int, action: str, from_state: str | None, on: date, note: str,
               data: dict[str, Any]) -> None:
        """Draft an event: its fields and its data, with the digest of the case as it now stands."""
        data["digest"] = digest_of([case[f] for f in DIGEST_FIELDS])
        # Its JSON is written here, where the batch is prepared: only the chain waits for the writer,
        # and a string travels to the helper process faster than the dict it encodes.
        self.events.append((new_uuid(), self.code, case["uuid"], seq, action, from_state, case["state"],
                            self.imp.actor, self.imp.at, on.isoformat(), note, event_data_json(data)))


def finish_people(people: list[tuple], text: FastText) -> list[tuple]:
    """New people's rows (``PERSON_COLUMNS``) with their search text, as ``search.person_search_text``
    composes it. The writer does this: it balances the work of the two processes of a large import."""
    return [(*row, text.compose([row[0], row[3], row[4], row[5]], [row[3], row[4]])) for row in people]


# A new person's row as the import prepares it; the writer appends "search_text" (``finish_people``).
PERSON_COLUMNS = ("full_name", "kind", "id_kind", "id_number", "phone", "address", "name_key", "uuid", "unit_code",
                  "updated_at", "search_text")


def finish_events(drafts: list[tuple], prev_hash: str) -> tuple[list[tuple], str]:
    """The rows of drafted events (``CaseRows.event_columns``, their JSON data already written),
    chained from ``prev_hash`` as ``storage.events.insert_event`` chains them; and the chain's new end."""
    rows = []
    for draft in drafts:
        row = (*draft, prev_hash)
        prev_hash = row_hash(row)
        rows.append((*row, prev_hash))
    return rows, prev_hash


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


# Steps a bulk import replays as ``engine.act`` would: accept, refuse (with its ground), guide,
# forward, reply, withdraw, terminate, close (with satisfaction), publish. Extensions, pauses,
# complexity and commitments need the engine, case by case.


def check_history(item: BulkCase, today: date) -> dict[str, str]:
    """Field errors of an item's later steps, in the engine's words (Vietnamese)."""
    rs = default_rules().for_case(item.kind, item.received_on)
    state, last = rs.initial_state, item.received_on
    for n, step in enumerate(item.history, start=1):
        action = rs.actions.get(step.action)
        where = f"Bước {n} ({step.action})"
        if action is None:
            return {"history": f"{where}: thủ tục “{rs.label}” không có bước này."}
        if action.extends_step or action.pauses or action.resumes or action.sets_complex or \
                step.action in ("add_commitment", "complete_commitment"):
            return {"history": f"{where}: bước “{action.label}” không nhập hàng loạt được, hãy ghi trong ứng dụng."}
        if state not in action.from_states:
            return {"history": f"{where}: không thể “{action.label}” khi vụ việc đang ở trạng thái "
                               f"“{rs.state_label(state)}”."}
        if not isinstance(step.effective_on, date) or step.effective_on < last or step.effective_on > today:
            return {"history": f"{where}: ngày thực hiện phải từ ngày của bước trước đến hôm nay."}
        if not action.available_on(step.effective_on):  # a transition rule (NĐ 155/2026 Art. 22)
            return {"history": f"{where}: bước “{action.label}” chỉ áp dụng từ ngày "
                               f"{action.available_from:%d/%m/%Y} ({action.citation})."}
        if action.requires_date:  # a dialogue notice needs its dialogue day: the engine checks it
            return {"history": f"{where}: bước “{action.label}” không nhập hàng loạt được, hãy ghi trong ứng dụng."}
        if action.requires_ground and step.ground not in {g.code for g in rs.grounds[action.requires_ground]}:
            return {"history": f"{where}: chưa chọn lý do theo quy định."}
        try:  # the engine's own checks of a step's input (``effects``)
            check_step_input(rs, action, note=step.note.strip(), ground=step.ground, satisfaction=step.satisfaction)
        except ValidationError as exc:
            return {"history": f"{where}: {' '.join(exc.fields.values())}"}
        state = state if action.to_state is None else action.to_state
        last = step.effective_on
    return {}

