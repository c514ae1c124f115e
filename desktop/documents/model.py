"""One document model for every official document the office sends (NĐ 30/2020/NĐ-CP, Appendix I).

A ``Document`` is plain data: the header (governing body, issuing body, number and symbol, place
and date), the type name and summary (or "V/v …" for a công văn), "Kính gửi", the body, the signer
block and "Nơi nhận". The PDF and DOCX renderers draw the same model; neither Qt nor the
rendering libraries are imported here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from desktop.errors import UserError

# Authority prefixes of the signer block (NĐ 30/2020 Appendix I, section II.8).
AUTHORITIES = ("", "TM.", "KT.", "Q.", "TL.", "TUQ.")

DRAFT_BLANK = "\u2002" * 5  # room left for the number on a draft, written at issue


@dataclass(frozen=True)
class Layout:
    """Sizes in points and margins in millimetres from DOMAIN.md §5 (NĐ 30/2020 Appendix I).

    Both renderers read these, so the PDF and the DOCX agree and tests check one table.
    """

    margin_top: float = 20
    margin_bottom: float = 20
    margin_left: float = 30
    margin_right: float = 15
    governing_body: float = 12   # capitals, regular
    issuing_body: float = 12     # capitals, bold, rule 1/3-1/2 of its length
    national_title: float = 12   # capitals, bold, one line
    motto: float = 13            # bold, rule as long as the line
    number: float = 13
    subject: float = 12          # công văn "V/v …"
    date_line: float = 14        # italic
    type_name: float = 14        # capitals, bold
    summary: float = 14          # bold, rule 1/3-1/2
    addressee: float = 14        # "Kính gửi:"
    body: float = 14
    first_line_indent_cm: float = 1.27
    paragraph_space: float = 6
    line_spacing: float = 1.2    # single to 1.5
    signer: float = 14           # capitals, bold
    recipients_label: float = 12  # "Nơi nhận:" bold italic
    recipients: float = 11
    page_number: float = 13
    header_left_mm: float = 68   # the issuing body's column; the rest is the national title's
    summary_rule_ratio: float = 0.4
    issuer_rule_ratio: float = 0.4
    signature_room_mm: float = 24


LAYOUT = Layout()


def nfc(text: str) -> str:
    """Vietnamese input may arrive decomposed (some input methods); store and draw it composed."""
    return unicodedata.normalize("NFC", text or "")


def format_number(number: int) -> str:
    """Numbers below 10 get a leading zero: 05, 12, 123 (NĐ 30/2020 Appendix I, II.3)."""
    if number < 1:
        raise UserError("document_bad_number", "Số văn bản phải từ 01 trở lên.")
    return f"{number:02d}"


def symbol_suffix(type_code: str, issuer_abbr: str, drafting_unit: str = "") -> str:
    """The part after the slash: ``TB-UBND`` for a named type, ``UBND-VP`` for a công văn."""
    if type_code:
        return f"{type_code}-{issuer_abbr}" if issuer_abbr else type_code
    return f"{issuer_abbr}-{drafting_unit}" if drafting_unit else issuer_abbr


def date_line(place: str, day: date | None, year: int | None = None) -> str:
    """"Thụy Hùng, ngày 05 tháng 02 năm 2026": leading zero for days below 10 and months 1–2.

    A draft without a date keeps blanks for the day and month, written by hand or at issue.
    """
    prefix = f"{nfc(place)}, " if place else ""
    if day is None:
        blank = "\u2002" * 4
        return f"{prefix}ngày{blank}tháng{blank}năm {year or date.today().year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{prefix}ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass(frozen=True)
class Signer:
    """The signer block: "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / (signature, seal) / "Nguyễn Văn An"."""

    title: str                 # "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "CÁN BỘ TIẾP CÔNG DÂN"
    name: str = ""
    authority: str = ""        # "", TM., KT., Q., TL., TUQ.
    on_behalf_of: str = ""     # after the prefix: "ỦY BAN NHÂN DÂN" (TM.), "CHỦ TỊCH" (KT.)
    officer_uuid: str = ""
    lines: tuple[str, ...] = ()  # the authority lines as drawn, from the signing data (templates.make_signer)

    def __post_init__(self) -> None:
        if self.authority not in AUTHORITIES:
            raise UserError("document_bad_authority",
                            f"Thẩm quyền ký \"{self.authority}\" không hợp lệ; dùng TM., KT., Q., TL. hoặc TUQ.")

    def title_lines(self) -> list[str]:
        if self.lines:
            return [nfc(x).upper() for x in self.lines]
        lines: list[str] = []
        if self.authority:
            first, *rest = nfc(f"{self.authority} {self.on_behalf_of}".strip()).split("\n")
            lines += [x.strip().upper() for x in (first, *rest) if x.strip()]
        if self.title:
            lines.append(nfc(self.title).upper())
        return lines


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: justified with a first-line indent unless ``align`` says otherwise."""

    text: str
    align: str = "justify"     # justify | center | left | right
    bold: bool = False
    italic: bool = False
    indent: bool = True


@dataclass(frozen=True)
class Table:
    """A ruled table in the body (minutes, lists); widths are fractions of the text width."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    font_size: float = 12


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    kind: str                          # template id, e.g. "explanation_accept"
    issuing_body: tuple[str, ...]      # ("ỦY BAN NHÂN DÂN", "XÃ THỤY HÙNG")
    issuer_abbr: str                   # "UBND" in 05/TB-UBND
    place: str                         # "Thụy Hùng"
    type_code: str = ""                # TB, BB, QĐ …; "" for a công văn
    type_name: str = ""                # "THÔNG BÁO"; "" for a công văn
    summary: str = ""                  # "Về việc …", or for a công văn the text after "V/v "
    governing_body: tuple[str, ...] = ()
    drafting_unit: str = ""            # công văn symbol: 12/UBND-VP
    number: int | None = None          # None while a draft
    issued_on: date | None = None
    addressees: tuple[str, ...] = ()   # "Kính gửi: …"
    body: tuple[Block, ...] = ()
    signer: Signer | None = None
    counter_signer: Signer | None = None  # minutes: the other side signs on the left
    recipients: tuple[str, ...] = ()   # "Nơi nhận:" items without "- " and ";"
    archive: str = "VT"                # last item: "- Lưu: VT, <archive_unit>."
    archive_unit: str = ""
    landscape: bool = False
    numbered: bool = True              # False: not an administrative document (giấy biên nhận): no "Số:"
    legal_basis: tuple[str, ...] = ()  # citations of the template (for the register, not drawn)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    # -- the header's derived lines -------------------------------------------------------
    @property
    def is_cong_van(self) -> bool:
        return not self.type_name

    @property
    def symbol(self) -> str:
        """"05/TB-UBND" once issued; "/TB-UBND" with room for the number on a draft."""
        suffix = symbol_suffix(self.type_code, self.issuer_abbr, self.drafting_unit)
        return f"{format_number(self.number)}/{suffix}" if self.number else f"{DRAFT_BLANK}/{suffix}"

    @property
    def number_line(self) -> str:
        return f"Số: {self.symbol}" if self.numbered else ""

    @property
    def date_line(self) -> str:
        return date_line(self.place, self.issued_on, (self.issued_on or date.today()).year)

    @property
    def subject_line(self) -> str:
        """A công văn's "V/v …" under its number."""
        text = nfc(self.summary)
        return text if text.startswith("V/v") else f"V/v {text}"

    def recipient_lines(self) -> list[str]:
        items = [f"- {nfc(r).rstrip(';.')};" for r in self.recipients if r.strip()]
        archive = ", ".join(x for x in (self.archive, self.archive_unit) if x)
        items.append(f"- Lưu: {archive}.")
        return items

    # -- editing and persistence ----------------------------------------------------------
    def with_number(self, number: int, issued_on: date) -> "Document":
        if not self.numbered:  # a giấy biên nhận carries a date, never a number
            return replace(self, issued_on=issued_on)
        return replace(self, number=number, issued_on=issued_on)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat() if self.issued_on else None
        data["body"] = [{"table" if isinstance(b, Table) else "paragraph": asdict(b)} for b in self.body]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        data = dict(data)
        body: list[Block] = []
        for item in data.get("body", ()):
            if "table" in item:
                t = item["table"]
                body.append(Table(tuple(t["header"]), tuple(tuple(r) for r in t["rows"]),
                                  tuple(t.get("widths", ())), t.get("font_size", 12)))
            else:
                body.append(Paragraph(**item["paragraph"]))
        data["body"] = tuple(body)
        for key in ("signer", "counter_signer"):
            if data.get(key):
                signer = dict(data[key])
                signer["lines"] = tuple(signer.get("lines") or ())
                data[key] = Signer(**signer)
            else:
                data[key] = None
        data["issued_on"] = date.fromisoformat(data["issued_on"]) if data.get("issued_on") else None
        for key in ("issuing_body", "governing_body", "addressees", "recipients", "legal_basis"):
            data[key] = tuple(data.get(key) or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def paragraphs_from_text(text: str) -> tuple[Paragraph, ...]:
    """The clerk's free text: one paragraph per line; blank lines are dropped."""
    return tuple(Paragraph(nfc(line.strip())) for line in (text or "").splitlines() if line.strip())


def text_from_paragraphs(body: tuple[Block, ...]) -> str:
    return "\n".join(b.text for b in body if isinstance(b, Paragraph))


@dataclass(frozen=True)
class DocumentRecord:
    """A row of the outgoing register (Sổ đăng ký văn bản đi, NĐ 30/2020 Appendix IV)."""

    id: int
    uuid: str
    case_uuid: str | None
    kind: str
    status: str                # draft | issued | void
    issuer_code: str
    year: int | None
    number: int | None
    symbol: str
    type_code: str
    summary: str
    issued_on: date | None
    signer_uuid: str | None
    signer_name: str
    recipients: tuple[str, ...]
    file_keeper: str
    copies: int
    sent_on: date | None
    receipt_note: str
    sha256: str
    void_reason: str
    voided_on: date | None
    created_by: str
    created_at: str
    unit_code: str
    version: int
    document: Document

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def label(self) -> str:
        return str(self.document.meta.get("label", self.kind))
