"""Redaction of text going public: rules as data, a visible "[đã ẩn]" where text was removed.

Built-in rules live in ``resources/publication/redaction.json`` (the people of each case —
names and addresses, matched with or without diacritics —, ID numbers, phones, e-mails, names
after "ông/bà …"); the office adds its own free-text rules, each with its reason, to the
register (``redaction_rules``). Every removal is recorded (rule, reason, what was removed) so
that the preview can show the clerk what the public will not see, and why.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from desktop.errors import UserError
from desktop.security.principal import require
from desktop.resources import resource_path
from desktop.storage.db import Database
from desktop.storage.units import now_iso

MIN_NAME_LENGTH = 4  # a "name" shorter than this (a single letter, "An") is not searched in free text


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str            # people_names | people_addresses | pattern
    reason: str
    pattern: str = ""
    group: int = 0
    active: bool = True
    office: bool = False  # added by the office (in the register), not built in
    ignore_case: bool = True


@dataclass
class Removal:
    rule: str
    reason: str
    removed: str
    where: str           # "01/2026 · Nội dung"


@dataclass
class Redactor:
    rules: list[Rule]
    placeholder: str = "[đã ẩn]"
    removals: list[Removal] = field(default_factory=list)

    def redact(self, text: str, *, people: list[tuple[str, str, str, str]] = (), where: str = "",
               secret: bool = False) -> str:
        """``text`` with every match of an active rule replaced by the placeholder.

        ``people``: (full name, ID number, phone, address) of the case's people, removed by name
        and address wherever they occur; ``secret``: a denunciation — what is removed is not
        repeated in the preview either.
        """
        if not text:
            return text
        spans: list[tuple[int, int, Rule]] = []
        for rule in self.rules:
            if not rule.active:
                continue
            if rule.kind == "people_names":
                needles = [p[0] for p in people] + [w for p in people for w in _name_parts(p[0])]
            elif rule.kind == "people_addresses":
                needles = [p[3] for p in people]
            else:
                needles = []
            for needle in needles:
                spans += [(a, b, rule) for a, b in folded_spans(text, needle)]
            if rule.kind == "pattern":
                for m in _compiled(rule.pattern, rule.ignore_case).finditer(text):
                    a, b = m.span(rule.group)
                    if b > a:
                        spans.append((a, b, rule))
        for p in people:  # a case's own ID numbers and phones, however written
            for value in (p[1], p[2]):
                spans += [(a, b, Rule("own_numbers", "pattern", "Số giấy tờ, số điện thoại của người trong vụ việc"))
                          for a, b in folded_spans(text, value)]
        if not spans:
            return text
        spans.sort(key=lambda s: (s[0], -s[1]))
        out, pos = [], 0
        for a, b, rule in spans:
            if a < pos:      # inside a span already removed
                if b > pos:  # reaching past it: extend the removal
                    self.removals[-1].removed += text[pos:b]
                    pos = b
                continue
            out.append(text[pos:a])
            out.append(self.placeholder)
            self.removals.append(Removal(rule.code, rule.reason, "(giữ bí mật)" if secret else text[a:b], where))
            pos = b
        out.append(text[pos:])
        return re.sub(rf"(?:{re.escape(self.placeholder)}\s*){{2,}}", self.placeholder + " ", "".join(out)).strip()

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.removals:
            out[r.rule] = out.get(r.rule, 0) + 1
        return out


def _name_parts(full_name: str) -> list[str]:
    """A name's given name with the middle name ("Văn An"): text often says "anh Văn An"."""
    words = full_name.split()
    return [" ".join(words[-2:])] if len(words) >= 3 else []


@lru_cache(maxsize=256)
def _compiled(pattern: str, ignore_case: bool = True) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
    return base.lower() if base.isalnum() else " "


def folded_spans(text: str, needle: str) -> list[tuple[int, int]]:
    """Where ``needle`` occurs in ``text``, comparing both without diacritics, case or punctuation
    (whole words only); spans are of the original ``text``."""
    n = " ".join("".join(_fold_char(c) for c in needle).split())
    if len(n.replace(" ", "")) < MIN_NAME_LENGTH and not n.isdigit():
        return []
    digits = n.replace(" ", "").isdigit()
    folded, index = [], []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        if digits and f == " " and ch in " .-":
            continue  # "0912 345 678" is the number 0912345678
        for c in f:
            if c == " " and folded and folded[-1] == " ":
                continue
            folded.append(c)
            index.append(i)
    hay = "".join(folded)
    if digits:
        n = n.replace(" ", "")
    out = []
    for m in re.finditer(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])", hay):
        out.append((index[m.start()], index[m.end() - 1] + 1))
    return out


def built_in() -> tuple[str, list[Rule]]:
    data = json.loads(resource_path("publication", "redaction.json").read_text(encoding="utf-8"))
    rules = [Rule(r["code"], r["kind"], r["reason"], r.get("pattern", ""), r.get("group", 0), r.get("active", True),
                  ignore_case=r.get("ignore_case", True)) for r in data["rules"]]
    return data.get("placeholder", "[đã ẩn]"), rules


def office_rules(db: Database) -> list[Rule]:
    return [Rule(f"office_{r['id']}", "pattern", r["reason"], r["pattern"], 0, bool(r["active"]), True)
            for r in db.query("SELECT * FROM redaction_rules ORDER BY id")]


def redactor(db: Database) -> Redactor:
    placeholder, rules = built_in()
    return Redactor(rules + office_rules(db), placeholder)


def check_pattern(pattern: str) -> None:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise UserError("bad_pattern", f"Mẫu “{pattern}” không hợp lệ: {exc}.") from exc
    if compiled.fullmatch(""):
        raise UserError("bad_pattern", "Mẫu này khớp cả chuỗi rỗng: sẽ ẩn khắp nơi. Hãy viết cụ thể hơn.")


def add_rule(db: Database, pattern: str, reason: str) -> Rule:
    """An office rule: a regular expression (case-insensitive) and why it is hidden."""
    require(db, "document.issue")
    check_pattern(pattern)
    if not reason.strip():
        raise UserError("reason_required", "Hãy ghi lý do ẩn (ví dụ: tên thôn có một hộ).")
    with db.write():
        cur = db.execute("INSERT INTO redaction_rules(pattern, reason, created_at) VALUES (?,?,?)",
                         (pattern, reason.strip(), now_iso()))
    return Rule(f"office_{cur.lastrowid}", "pattern", reason.strip(), pattern, 0, True, True)


def remove_rule(db: Database, rule_id: int) -> None:
    require(db, "document.issue")
    with db.write():
        if db.execute("DELETE FROM redaction_rules WHERE id = ?", (rule_id,)).rowcount != 1:
            raise UserError("rule_not_found", f"Không có quy tắc ẩn số {rule_id}.")


def preview_rule(pattern: str, texts: list[tuple[str, str]], limit: int = 50) -> list[tuple[str, str, str]]:
    """What a new rule would hide in ``texts`` ((where, text) pairs): (where, before, after)."""
    check_pattern(pattern)
    r = Redactor([Rule("new", "pattern", "", pattern)])
    out = []
    for where, text in texts:
        after = r.redact(text, where=where)
        if after != text:
            out.append((where, text, after))
            if len(out) >= limit:
                break
    return out
