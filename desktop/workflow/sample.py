"""Seeded generator of realistic Vietnamese register data: people, addresses, matters.

Used by the sample commune (``desktop.workflow.demo``) and by the benchmarks (``bench/``). The
word lists live in ``resources/sample/*.json`` (names with their real-life weights, places,
texts per field); this module only draws from them with a ``random.Random`` so that one seed
always gives the same data.

Citizen IDs follow DOMAIN.md §8 and pass ``desktop.domain.validation.citizen_id_problem``:
province of birth registration, century/sex digit, two digits of the birth year, six digits.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate
from typing import Any

from desktop.domain.validation import BIRTH_PROVINCE_CODES
from desktop.resources import resource_path

MALE, FEMALE = "nam", "nữ"

# Share of each field (lĩnh vực) among the matters a commune receives: land dominates.
FIELD_WEIGHTS = {"land": 34, "construction": 11, "environment": 12, "policy": 14, "justice": 5, "civil_status": 5,
                 "personnel": 5, "finance": 5, "other": 9}


@lru_cache(maxsize=1)
def sample_data() -> dict[str, Any]:
    """The word lists of ``resources/sample`` (names, places, matters), read once."""
    out: dict[str, Any] = {}
    for name in ("names", "places", "matters"):
        with resource_path("sample", f"{name}.json").open(encoding="utf-8") as fh:
            out[name] = json.load(fh)
    return out


class _Weighted:
    """A list of (value, weight) drawn with cumulative weights (fast for millions of draws)."""

    def __init__(self, pairs: list[tuple[str, int]] | list[list[Any]]) -> None:
        self.values = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


@dataclass(frozen=True)
class SamplePerson:
    full_name: str
    sex: str
    birth_year: int
    id_number: str      # '' when the citizen gave none
    phone: str          # '' when none
    address: str
    kind: str = "person"


class Sampler:
    """Draws names, IDs, phones, addresses and case texts from one seeded random stream.

    ``unique_ids`` keeps the citizen IDs issued so far so that no two people share one (a
    register refuses duplicates); turn it off only for throw-away data.
    """

    def __init__(self, seed: int = 2026, *, today: date | None = None, unique_ids: bool = True,
                 home_share: float = 0.8) -> None:
        data = sample_data()
        self.rng = random.Random(seed)
        self.today = today or date(2026, 11, 23)
        self.names, self.places, self.matters = data["names"], data["places"], data["matters"]
        self.unit = self.places["unit"]
        self._family = _Weighted(self.names["family"])
        self._middle = {MALE: _Weighted(self.names["middle_male"]), FEMALE: _Weighted(self.names["middle_female"])}
        self._given = {MALE: self.names["given_male"], FEMALE: self.names["given_female"]}
        self._fields = _Weighted(list(FIELD_WEIGHTS.items()))
        self._provinces = sorted(BIRTH_PROVINCE_CODES)
        self._home_share = home_share
        self._issued: set[str] | None = set() if unique_ids else None

    # -- people ---------------------------------------------------------------------------------
    def full_name(self, sex: str | None = None) -> tuple[str, str]:
        rng = self.rng
        sex = sex or (MALE if rng.random() < 0.55 else FEMALE)
        family = self._family.draw(rng)
        middle = self._middle[sex].draw(rng)
        given = rng.choice(self._given[sex])
        if middle == given:  # "Nguyễn Minh Minh" is rare: take a plain middle name instead
            middle = "Văn" if sex == MALE else "Thị"
        return f"{family} {middle} {given}", sex

    def citizen_id(self, sex: str, birth_year: int) -> str:
        """A 12-digit căn cước number: province, century/sex digit, birth year, six digits."""
        rng = self.rng
        century_digit = {1900: 0, 2000: 2}[birth_year // 100 * 100] + (1 if sex == FEMALE else 0)
        while True:
            province = self.unit["province_id_code"] if rng.random() < self._home_share else rng.choice(self._provinces)
            number = f"{province}{century_digit}{birth_year % 100:02d}{rng.randrange(1_000_000):06d}"
            if self._issued is None or number not in self._issued:
                if self._issued is not None:
                    self._issued.add(number)
                return number

    def phone(self) -> str:
        return f"{self.rng.choice(self.places['mobile_prefixes'])}{self.rng.randrange(10_000_000):07d}"

    def hamlet(self) -> str:
        return self.rng.choice(self.places["hamlets"])

    def address(self, *, local: bool = True) -> str:
        """"thôn Nà Pàn, xã Thụy Hùng, tỉnh Lạng Sơn" (or a neighbouring commune)."""
        rng = self.rng
        commune = self.unit["commune"] if local or rng.random() < 0.5 else rng.choice(self.places["neighbours"])
        return f"{self.hamlet()}, {commune}, {self.unit['province']}"

    def person(self, *, with_id: float = 0.85, with_phone: float = 0.85) -> SamplePerson:
        rng = self.rng
        name, sex = self.full_name()
        birth_year = rng.randint(max(1935, self.today.year - 88), self.today.year - 18)
        id_number = self.citizen_id(sex, birth_year) if rng.random() < with_id else ""
        phone = self.phone() if rng.random() < with_phone else ""
        return SamplePerson(name, sex, birth_year, id_number, phone, self.address(local=rng.random() < 0.9))

    def organisation(self) -> SamplePerson:
        template = self.rng.choice(self.names["organisations"])
        name = template.format(place=self.unit["place_name"], hamlet=self.hamlet())
        return SamplePerson(name, "", 0, "", self.phone(), self.address(), kind="organisation")

    # -- texts ----------------------------------------------------------------------------------
    def field(self) -> str:
        return self._fields.draw(self.rng)

    def fill(self, template: str) -> str:
        """Fill the placeholders of a sample sentence with plausible values."""
        rng = self.rng
        if "{" not in template:
            return template
        return template.format(
            hamlet=self.hamlet(), landmark=rng.choice(self.places["landmarks"]), parcel=rng.randint(12, 480),
            sheet=rng.randint(3, 41), area=rng.choice((12, 25, 36, 48, 60, 75, 120, 150, 300)),
            year=rng.randint(self.today.year - 25, self.today.year - 1), months=rng.randint(2, 14),
            month=rng.randint(1, 12), days=rng.randint(5, 40), floors=rng.randint(2, 4), times=rng.randint(2, 5),
            amount=f"{rng.choice((50, 100, 150, 200, 300, 500))}.000",
            decision=rng.randint(12, 360), number=rng.randint(5, 480),
        )

    def matter(self, kind: str, field: str, *, requester: SamplePerson | None = None,
               group_size: int = 1) -> tuple[str, str]:
        """(summary, content) of a case of ``kind`` in ``field``, in an office's wording."""
        rng = self.rng
        m = self.matters
        opener = self.fill(rng.choice(m["openers"][kind]))
        if kind == "denunciation":
            subject = self.fill(rng.choice(m["denounced"]))
        else:
            subject = self.fill(rng.choice(m["fields"][field]["subjects"]))
        summary = f"{opener} {subject}"
        details = m["denounced_details"] if kind == "denunciation" else m["fields"][field]["details"]
        detail = self.fill(rng.choice(details))
        request = rng.choice(m["requests"][kind])
        if kind == "denunciation" or requester is None:
            # A denouncer's identity is secret (Luật Tố cáo 2018, Art. 9): never in the content.
            who = "Người tố cáo trình bày" if kind == "denunciation" else "Người gửi đơn trình bày"
        elif group_size >= 5:
            who = f"Đại diện {group_size} hộ dân {self.hamlet()} trình bày"
        elif requester.kind == "organisation":
            who = f"{requester.full_name}, địa chỉ {requester.address}, trình bày"
        else:
            title = "Ông" if requester.sex == MALE else "Bà"
            who = f"{title} {requester.full_name}, trú tại {requester.address}, trình bày"
        content = f"{who}: {summary[0].lower()}{summary[1:]}. {detail} {request}"
        return summary, content

    def guided_to(self) -> str:
        return self.rng.choice(self.places["guided_to"])

    def meeting_note(self) -> str:
        return self.rng.choice(self.matters["meetings"])

    def reply_note(self) -> str:
        return self.fill(self.rng.choice(self.matters["replies"]))

    def commitment(self) -> str:
        return self.fill(self.rng.choice(self.matters["commitments"]))

    def commitment_result(self) -> str:
        return self.rng.choice(self.matters["commitment_results"])
