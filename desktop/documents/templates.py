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
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from desktop.documents.model import Document, Paragraph, Signer, nfc
from desktop.errors import UserError
from desktop.resources import resource_path

log = logging.getLogger(__name__)

BLANK = "…………"          # a value the register lacks: no number is given while one is left
HANDWRITTEN = "." * 24    # a line left on purpose, written by hand on paper (minutes at the desk)
SIGN_MODES = ("personal", "collective", "officer")
# A denouncer's identity is secret (Luật Tố cáo 2018, Art. 9): never filled in, written by hand.
SECRET_FIELDS = ("requester", "requester_cap", "requester_name", "requester_address", "requester_phone",
                 "requester_id")


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
    body: tuple[Paragraph, ...]     # paragraphs whose text holds {placeholders}
    recipients: tuple[str, ...]
    addressees: tuple[str, ...] = ()
    sign: str = "personal"
    signer_title: str = ""          # for sign == "officer": "NGƯỜI TIẾP NHẬN"
    counter_signer: str = ""        # minutes: the other side's title; name from {requester_name}
    legal_basis: tuple[str, ...] = ()
    archive_unit: str = ""
    after_action: str = ""          # offered only once the timeline holds this action (resume)
    numbered: bool = True           # False: not an administrative document (giấy biên nhận), no number
    event: tuple[str, ...] = ()     # the timeline actions it notifies: reason, ground and dates come from the last
    requires_event: bool = False    # not drafted nor issued before that event (an extension)
    fields: tuple[str, ...] = ()    # the document's own content, written by the clerk (not the timeline)
    handwritten: tuple[str, ...] = ()  # may stay a dotted line, written by hand on the paper
    target: str = "case"            # "case", or "reception": drawn from a reception (refusal to receive)

    @property
    def notified_actions(self) -> tuple[str, ...]:
        return self.event or ((self.after_action,) if self.after_action else ())


class _Blanks(dict):
    def __missing__(self, key: str) -> str:
        return BLANK


_FIELD = re.compile(r"\{([a-z_0-9]+)\}")


@lru_cache(maxsize=1)
def document_types() -> dict[str, str]:
    """Type codes and names of NĐ 30/2020 Appendix III (``resources/templates/format/types.json``),
    plus the specialised kinds the inspection laws name outside it (the denunciation's KẾT LUẬN,
    Luật Tố cáo 2018 Art. 35), kept apart in the data with their source."""
    data = _format_data("types")
    return {**data["types"], **data.get("specialised", {})}


@lru_cache(maxsize=1)
def field_labels() -> dict[str, str]:
    return dict(_format_data("fields")["labels"])


def field_label(name: str) -> str:
    return field_labels().get(name, name)


def _format_data(name: str) -> dict[str, Any]:
    path = resource_path("templates") / "format" / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError("template_invalid", f"Tệp {path.name} của mẫu văn bản không đọc được: {exc}") from exc


def _paragraph(item: str | dict[str, Any]) -> Paragraph:
    if isinstance(item, str):
        return Paragraph(item)
    return Paragraph(item["text"], align=item.get("align", "justify"), bold=bool(item.get("bold")),
                     italic=bool(item.get("italic")), indent=bool(item.get("indent", True)))


def _from_json(data: dict[str, Any]) -> Template:
    try:
        t = Template(
            kind=data["kind"], label=data["label"], procedure=data["procedure"],
            case_kinds=tuple(data.get("case_kinds", ())), offered_in=tuple(data.get("offered_in", ())),
            type_code=data.get("type_code", ""), type_name=data.get("type_name", ""),
            summary=data.get("summary", ""), body=tuple(_paragraph(x) for x in data["body"]),
            recipients=tuple(data.get("recipients", ())), addressees=tuple(data.get("addressees", ())),
            sign=data.get("sign", "personal"), signer_title=data.get("signer_title", ""),
            counter_signer=data.get("counter_signer", ""), legal_basis=tuple(data.get("legal_basis", ())),
            archive_unit=data.get("archive_unit", ""), after_action=data.get("after_action", ""),
            numbered=bool(data.get("numbered", True)), event=tuple(data.get("event", ())),
            requires_event=bool(data.get("requires_event", False)), fields=tuple(data.get("fields", ())),
            handwritten=tuple(data.get("handwritten", ())), target=data.get("target", "case"),
        )
    except KeyError as exc:
        raise UserError("template_invalid", f"Mẫu văn bản thiếu trường {exc.args[0]}.") from exc
    if t.sign not in SIGN_MODES:
        raise UserError("template_invalid", f"Mẫu {t.kind}: cách ký \"{t.sign}\" không hợp lệ.")
    _check_type(t)
    for text in (t.summary, *(p.text for p in t.body), *t.recipients, *t.addressees):
        for name in string.Formatter().parse(text):
            if name[1] is not None and not _FIELD.fullmatch("{" + name[1] + "}"):
                raise UserError("template_invalid", f"Mẫu {t.kind}: chỗ điền \"{{{name[1]}}}\" không hợp lệ.")
    return t


def _check_type(t: Template) -> None:
    """The type as NĐ 30/2020 Appendix III lists it; a paper that is not one carries no number."""
    types = document_types()
    if not t.numbered:
        if t.type_code:
            raise UserError("template_invalid", f"Mẫu {t.kind}: giấy tờ không cấp số thì không có ký hiệu loại.")
        return
    if not t.type_code:
        if t.type_name:
            raise UserError("template_invalid", f"Mẫu {t.kind}: \"{t.type_name}\" thiếu chữ viết tắt tên loại.")
        return
    if t.type_code not in types:
        raise UserError("template_invalid", f"Mẫu {t.kind}: \"{t.type_code}\" không có trong Phụ lục III "
                                            "Nghị định 30/2020/NĐ-CP.")
    if nfc(t.type_name).upper() != types[t.type_code]:
        raise UserError("template_invalid", f"Mẫu {t.kind}: ký hiệu {t.type_code} là \"{types[t.type_code]}\", "
                                            f"không phải \"{t.type_name}\".")


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
            if t.target == "case" and (not t.case_kinds or case_kind in t.case_kinds) and state in t.offered_in
            and (not (t.after_action or t.requires_event) or bool(set(t.notified_actions) & set(actions)))]


def fill(text: str, context: dict[str, Any], handwritten: tuple[str, ...] = ()) -> str:
    """The text with its placeholders filled; a missing value becomes ``BLANK`` (or, for a field
    meant to be written by hand on the paper, a dotted line)."""
    values = _Blanks({k: ("" if v is None else str(v)) for k, v in context.items()})
    for key in handwritten:
        if not values.get(key, "").strip():
            values[key] = HANDWRITTEN
    for key, value in list(values.items()):
        if value == "":
            values[key] = BLANK
    return nfc(text.format_map(values))


def blank_fields(texts, context: dict[str, Any], handwritten: tuple[str, ...] = ()) -> list[str]:
    """The placeholders of ``texts`` that fill() leaves as ``BLANK``, in order of appearance."""
    out: list[str] = []
    for text in texts:
        for name in _FIELD.findall(text):
            if name not in handwritten and not str(context.get(name) or "").strip() and name not in out:
                out.append(name)
    return out


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


@lru_cache(maxsize=1)
def signer_rules() -> dict[str, Any]:
    """Authority lines by signing mode and role (NĐ 30/2020 Appendix I, II.8), from
    ``resources/templates/format/signers.json``."""
    return _format_data("signers")


def make_signer(template: Template, officer: dict[str, Any] | None, issuing_body: tuple[str, ...] = ()) -> Signer | None:
    """The signer block from the template's signing mode and who signs (head / deputy).

    "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" for the head of a collective body, "TM. ỦY BAN NHÂN DÂN /
    KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" for a deputy; "CHỦ TỊCH" or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" where the
    head decides in person. The lines are data; a role the data does not list may not sign.
    """
    if officer is None:
        return None
    name = nfc(officer.get("full_name", ""))
    role = officer.get("role", "officer")
    title = nfc(officer.get("title", "")).upper()
    uuid = officer.get("uuid", "")
    if template.sign == "officer":
        return Signer(title=template.signer_title or title, name=name, officer_uuid=uuid)
    rules = signer_rules()
    lines = rules["lines"][template.sign].get(role)
    if lines is None:
        raise UserError("document_signer_not_allowed",
                        f"{name or 'Cán bộ này'} ({title.capitalize() or 'cán bộ'}) không có thẩm quyền ký "
                        f"“{template.label}”: chọn Chủ tịch hoặc Phó Chủ tịch.")
    values = {"body": (issuing_body[0] if issuing_body else "ỦY BAN NHÂN DÂN").upper(),
              "head_title": rules.get("head_title", "CHỦ TỊCH"),
              "title": title or rules.get("default_titles", {}).get(role, "")}
    filled = tuple(nfc(line.format(**values)).upper() for line in lines)
    authority = next((p for p in ("TM.", "KT.", "Q.", "TL.", "TUQ.") if filled[0].startswith(p + " ")), "")
    return Signer(title=filled[-1], name=name, authority=authority, officer_uuid=uuid, lines=filled)


def build_document(kind: str, context: dict[str, Any], unit: dict[str, Any],
                   signer: dict[str, Any] | None = None) -> Document:
    """A draft (no number) of ``kind`` filled from ``context``; ``unit`` and ``signer`` are plain dicts.

    ``meta`` keeps what the draft was filled from (the context, the document's own fields, the
    placeholders left blank, the day of the event it notifies), so that editing a field fills
    the template again and issuing can refuse a document with a blank left.
    """
    t = get_template(kind)
    ctx = {"unit_name": unit.get("name", ""), "place": unit.get("place_name", ""), **context}
    name = nfc(str(ctx.get("requester_name") or "")).strip()
    if name and not ctx.get("requester"):
        phrase = f"{ctx.get('requester_title', 'ông (bà)')} {name}".strip()
        ctx.update(requester=phrase, requester_cap=phrase[:1].upper() + phrase[1:])
    # a decision opens with who decides: "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ THỤY HÙNG"
    head_of_unit = nfc(f"{signer_rules().get('head_title', 'CHỦ TỊCH').capitalize()} {unit.get('name', '')}").strip()
    ctx.setdefault("head_of_unit", head_of_unit.upper())
    ctx.setdefault("head_of_unit_name", head_of_unit)
    hand = t.handwritten + (SECRET_FIELDS if ctx.get("confidential") else ())
    counter = None
    if t.counter_signer:
        counter = Signer(title=fill(t.counter_signer, ctx).upper(), name=fill("{requester_name}", ctx, hand))
    issuing_body = split_unit_name(unit.get("name", ""))
    body = tuple(replace(p, text=fill(p.text, ctx, hand)) for p in t.body if not _optional_and_empty(p.text, ctx))
    texts = [t.summary, *t.addressees, *(p.text for p in t.body if not _optional_and_empty(p.text, ctx)),
             *t.recipients]
    return Document(
        kind=t.kind,
        governing_body=tuple(x.upper() for x in nfc(unit.get("governing_body", "")).splitlines() if x.strip()),
        issuing_body=issuing_body,
        issuer_abbr=unit.get("abbreviation", "") or "UBND",
        place=nfc(unit.get("place_name", "")),
        type_code=t.type_code,
        type_name=t.type_name,
        summary=fill(t.summary, ctx, hand),
        addressees=tuple(fill(a, ctx, hand) for a in t.addressees),
        body=body,
        signer=make_signer(t, signer, issuing_body),
        counter_signer=counter,
        recipients=tuple(fill(r, ctx, hand) for r in t.recipients),
        archive_unit=unit.get("archive_unit") or t.archive_unit,
        legal_basis=t.legal_basis,
        numbered=t.numbered,
        issued_on=_day(ctx.get("document_date")) if not t.numbered else None,
        meta={"label": t.label, "blanks": blank_fields(texts, ctx, hand),
              "fields": {f: str(ctx.get(f) or "") for f in t.fields},
              "context": {k: ("" if v is None else str(v)) for k, v in ctx.items()},
              "event_on": str(ctx.get("event_on") or "")},
    )


def _day(value: Any):
    from datetime import date

    if not value:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
