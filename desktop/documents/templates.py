"""Document templates as data (``resources/templates/*.json``), filled from a case.

Each template names its kind, the procedure and case states in which it is offered, the type
code and name, the summary, the body paragraphs with ``{placeholders}``, "Nơi nhận", how it is
signed, and its legal basis. A clerk or the province may adjust the wording without code; a
value the register does not know is left as a dotted blank to fill in by hand.
"""

from __future__ import annotations

import json
import logging
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from desktop.documents.model import Document, Paragraph, Signer, nfc
from desktop.errors import UserError
from desktop.resources import resource_path

log = logging.getLogger(__name__)

BLANK = "…………"
SIGN_MODES = ("personal", "collective", "officer")


@dataclass(frozen=True)
class Template:
    kind: str
    label: str                      # shown in the UI: "Thông báo thụ lý yêu cầu giải trình"
    procedure: str                  # explanation | reception | complaint | denunciation | petition
    case_kinds: tuple[str, ...]     # case kinds it applies to
    offered_in: tuple[str, ...]     # case states in which it is offered
    type_code: str
    type_name: str
    summary: str
    body: tuple[str, ...]
    recipients: tuple[str, ...]
    addressees: tuple[str, ...] = ()
    sign: str = "personal"
    signer_title: str = ""          # for sign == "officer": "NGƯỜI TIẾP NHẬN"
    counter_signer: str = ""        # minutes: the other side's title; name from {requester_name}
    legal_basis: tuple[str, ...] = ()
    archive_unit: str = ""
    after_action: str = ""          # offered only once the timeline holds this action (resume)


class _Blanks(dict):
    def __missing__(self, key: str) -> str:
        return BLANK


_FIELD = re.compile(r"\{([a-z_0-9]+)\}")


def _from_json(data: dict[str, Any]) -> Template:
    try:
        t = Template(
            kind=data["kind"], label=data["label"], procedure=data["procedure"],
            case_kinds=tuple(data.get("case_kinds", ())), offered_in=tuple(data.get("offered_in", ())),
            type_code=data.get("type_code", ""), type_name=data.get("type_name", ""),
            summary=data.get("summary", ""), body=tuple(data["body"]),
            recipients=tuple(data.get("recipients", ())), addressees=tuple(data.get("addressees", ())),
            sign=data.get("sign", "personal"), signer_title=data.get("signer_title", ""),
            counter_signer=data.get("counter_signer", ""), legal_basis=tuple(data.get("legal_basis", ())),
            archive_unit=data.get("archive_unit", ""), after_action=data.get("after_action", ""),
        )
    except KeyError as exc:
        raise UserError("template_invalid", f"Mẫu văn bản thiếu trường {exc.args[0]}.") from exc
    if t.sign not in SIGN_MODES:
        raise UserError("template_invalid", f"Mẫu {t.kind}: cách ký \"{t.sign}\" không hợp lệ.")
    for text in (t.summary, *t.body, *t.recipients, *t.addressees):
        for name in string.Formatter().parse(text):
            if name[1] is not None and not _FIELD.fullmatch("{" + name[1] + "}"):
                raise UserError("template_invalid", f"Mẫu {t.kind}: chỗ điền \"{{{name[1]}}}\" không hợp lệ.")
    return t


@lru_cache(maxsize=1)
def load_templates() -> dict[str, Template]:
    folder = resource_path("templates")
    out: dict[str, tuple[int, Template]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise UserError("template_invalid", f"Tệp mẫu {path.name} sai định dạng JSON: {exc}") from exc
        out[data.get("kind", path.stem)] = (data.get("order", 999), _from_json(data))
    return {kind: t for kind, (_, t) in sorted(out.items(), key=lambda kv: kv[1][0])}


def get_template(kind: str) -> Template:
    try:
        return load_templates()[kind]
    except KeyError:
        raise UserError("document_kind_unknown", f"Không có mẫu văn bản \"{kind}\".") from None


def kinds_for(case_kind: str, state: str, actions: set[str] | frozenset[str] = frozenset()) -> list[Template]:
    """The documents a case of this kind calls for in this state, in template order."""
    return [t for t in load_templates().values()
            if (not t.case_kinds or case_kind in t.case_kinds) and state in t.offered_in
            and (not t.after_action or t.after_action in actions)]


def fill(text: str, context: dict[str, Any]) -> str:
    values = _Blanks({k: ("" if v is None else str(v)) for k, v in context.items()})
    for key, value in list(values.items()):
        if value == "":
            values[key] = BLANK
    return nfc(text.format_map(values))


def _optional_and_empty(text: str, context: dict[str, Any]) -> bool:
    """A paragraph that is a single placeholder is optional: dropped when there is nothing to say."""
    m = _FIELD.fullmatch(text.strip())
    return bool(m) and not str(context.get(m.group(1)) or "").strip()


def split_unit_name(name: str) -> tuple[str, ...]:
    """"Ủy ban nhân dân xã Thụy Hùng" -> ("ỦY BAN NHÂN DÂN", "XÃ THỤY HÙNG") for the header."""
    name = nfc(name).strip()
    if "\n" in name:
        return tuple(x.strip().upper() for x in name.splitlines() if x.strip())
    for head in ("Ủy ban nhân dân", "Uỷ ban nhân dân", "Thanh tra", "Hội đồng nhân dân"):
        if name.lower().startswith(head.lower()) and len(name) > len(head) + 1:
            return (name[: len(head)].upper(), name[len(head):].strip().upper())
    return (name.upper(),)


def make_signer(template: Template, officer: dict[str, Any] | None) -> Signer | None:
    """The signer block from the template's mode and the officer's role (head / deputy)."""
    if officer is None:
        return None
    name = nfc(officer.get("full_name", ""))
    role = officer.get("role", "officer")
    title = nfc(officer.get("title", "")).upper()
    if template.sign == "officer":
        return Signer(title=template.signer_title or title, name=name, officer_uuid=officer.get("uuid", ""))
    if role == "head":
        if template.sign == "collective":
            return Signer(title=title or "CHỦ TỊCH", name=name, authority="TM.", on_behalf_of="ỦY BAN NHÂN DÂN",
                          officer_uuid=officer.get("uuid", ""))
        return Signer(title=title or "CHỦ TỊCH", name=name, officer_uuid=officer.get("uuid", ""))
    deputy_title = title or "PHÓ CHỦ TỊCH"
    if template.sign == "collective":
        return Signer(title=deputy_title, name=name, authority="TM.", on_behalf_of="ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
                      officer_uuid=officer.get("uuid", ""))
    return Signer(title=deputy_title, name=name, authority="KT.", on_behalf_of="CHỦ TỊCH",
                  officer_uuid=officer.get("uuid", ""))


def build_document(kind: str, context: dict[str, Any], unit: dict[str, Any],
                   signer: dict[str, Any] | None = None) -> Document:
    """A draft (no number) of ``kind`` filled from ``context``; ``unit`` and ``signer`` are plain dicts."""
    t = get_template(kind)
    ctx = {"unit_name": unit.get("name", ""), "place": unit.get("place_name", ""), **context}
    counter = None
    if t.counter_signer:
        counter = Signer(title=fill(t.counter_signer, ctx).upper(), name=fill("{requester_name}", ctx))
    return Document(
        kind=t.kind,
        governing_body=tuple(x.upper() for x in nfc(unit.get("governing_body", "")).splitlines() if x.strip()),
        issuing_body=split_unit_name(unit.get("name", "")),
        issuer_abbr=unit.get("abbreviation", "") or "UBND",
        place=nfc(unit.get("place_name", "")),
        type_code=t.type_code,
        type_name=t.type_name,
        summary=fill(t.summary, ctx),
        addressees=tuple(fill(a, ctx) for a in t.addressees),
        body=tuple(Paragraph(fill(p, ctx)) for p in t.body if not _optional_and_empty(p, ctx)),
        signer=make_signer(t, signer),
        counter_signer=counter,
        recipients=tuple(fill(r, ctx) for r in t.recipients),
        archive_unit=t.archive_unit,
        legal_basis=t.legal_basis,
        meta={"label": t.label},
    )
