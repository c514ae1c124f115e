"""The register's records as frozen dataclasses: what repositories return and workflows take.

Codes are English identifiers; Vietnamese labels for them live in ``desktop.domain.labels``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class CaseKind(StrEnum):
    EXPLANATION = "explanation"      # yêu cầu giải trình (NĐ 59/2019)
    PETITION = "petition"            # kiến nghị
    FEEDBACK = "feedback"            # phản ánh
    COMPLAINT_1 = "complaint_1"      # khiếu nại lần đầu
    COMPLAINT_2 = "complaint_2"      # khiếu nại lần hai
    DENUNCIATION = "denunciation"    # tố cáo


class ReceptionKind(StrEnum):
    REGULAR = "regular"      # thường xuyên, by staff
    PERIODIC = "periodic"    # định kỳ, by the head
    ADHOC = "adhoc"          # đột xuất, by the head


class Channel(StrEnum):
    RECEPTION = "reception"  # tại trụ sở tiếp công dân
    MAIL = "mail"            # qua bưu chính
    ONLINE = "online"        # cổng dịch vụ công, thư điện tử
    FORWARDED = "forwarded"  # cơ quan khác chuyển đến
    PHONE = "phone"


class OfficerRole(StrEnum):
    HEAD = "head"
    DEPUTY = "deputy"
    OFFICER = "officer"


FIELDS = (
    "land",          # đất đai
    "construction",  # xây dựng
    "environment",   # môi trường
    "justice",       # tư pháp
    "civil_status",  # hộ tịch
    "policy",        # chính sách, xã hội
    "personnel",     # cán bộ, công chức
    "finance",       # tài chính, ngân sách
    "other",         # khác
)


@dataclass(frozen=True)
class Unit:
    id: int
    uuid: str
    code: str
    name: str
    governing_body: str = ""
    abbreviation: str = ""
    place_name: str = ""
    parent_code: str | None = None
    level: str = "commune"
    is_remote: bool = False
    unit_code: str = ""
    version: int = 1


@dataclass(frozen=True)
class Officer:
    id: int
    uuid: str
    full_name: str
    title: str = ""
    role: str = OfficerRole.OFFICER
    can_sign: bool = False
    active: bool = True
    unit_code: str = ""
    version: int = 1


@dataclass(frozen=True)
class Person:
    id: int
    uuid: str
    full_name: str
    kind: str = "person"
    id_kind: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    representative: str = ""
    unit_code: str = ""
    version: int = 1
    sex: str = ""              # "" | "male" | "female": "Ông" / "Bà" in documents (else from the citizen ID)


@dataclass(frozen=True)
class Reception:
    id: int
    uuid: str
    received_on: date
    kind: str
    host_uuid: str | None
    by_deputy: bool
    person_uuid: str | None
    people_count: int
    first_time: bool
    case_kind: str
    content: str
    previous_handling: str
    request: str
    outcome: str
    within_competence: bool
    guided_to: str
    forwarded_to: str
    doc_ref: str
    follow_up: str
    notes: str
    case_uuid: str | None
    unit_code: str
    version: int

    @property
    def is_group(self) -> bool:
        """Đoàn đông người: five or more people with the same content (Luật TCD 2013 Art. 30)."""
        return self.people_count >= 5


@dataclass(frozen=True)
class Case:
    id: int
    uuid: str
    number: str
    kind: str
    rules_id: str
    channel: str
    field: str
    summary: str
    content: str
    received_on: date
    learned_on: date | None
    state: str
    assignee_uuid: str | None
    reception_uuid: str | None
    is_complex: bool
    is_remote: bool
    confidential: bool
    due_on: date | None
    due_step: str | None
    due_trace: str | None
    paused_on: date | None
    extensions: int
    satisfaction: str | None
    closed_on: date | None
    published_on: date | None
    unit_code: str
    version: int
    created_at: str = ""
    # The complexity level decided in writing: 0 none, 1 complex, 2 especially complex (Luật Tố
    # cáo Art. 30(2)–(3)). Stored in the is_complex column; ``is_complex`` stays the boolean the
    # event digests were made with.
    complexity: int = 0


@dataclass(frozen=True)
class CasePerson:
    person: Person
    role: str  # requester | representative


@dataclass(frozen=True)
class Event:
    id: int
    uuid: str
    case_uuid: str
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    at: str
    effective_on: date
    note: str
    data: dict = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""
    unit_code: str = ""


@dataclass(frozen=True)
class Commitment:
    id: int
    uuid: str
    case_uuid: str
    content: str
    due_on: date | None
    status: str
    done_on: date | None
    note: str
    unit_code: str = ""
    version: int = 1
