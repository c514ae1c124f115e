"""Field checks with Vietnamese messages: identity numbers, phones, dates. Pure, no I/O."""

from __future__ import annotations

import re
from datetime import date

from desktop.errors import ValidationError

# Province codes of birth registration in a 12-digit citizen ID (the 63 pre-2025 province codes,
# which stay valid on cards already issued). DOMAIN.md §8.
BIRTH_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 "
    "037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 "
    "077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)

# Digit 4 of a citizen ID: century of birth and sex (DOMAIN.md §8).
_CENTURY = {"0": 1900, "1": 1900, "2": 2000, "3": 2000, "4": 2100, "5": 2100, "6": 2200, "7": 2200, "8": 1800, "9": 1800}

ID_KINDS = {"cccd": "Căn cước / CCCD (12 số)", "cmnd": "CMND cũ (9 số)", "passport": "Hộ chiếu", "other": "Giấy tờ khác", "": "Không có"}


def citizen_id_problem(number: str, *, today: date | None = None) -> str | None:
    """Why a 12-digit citizen ID (căn cước) is implausible, or None if it looks valid.

    There is no check digit: check the shape, the province code and a plausible birth year.
    """
    today = today or date.today()
    n = number.strip().replace(" ", "")
    if not n:
        return "Chưa nhập số căn cước."
    if not n.isdigit():
        return "Số căn cước chỉ gồm chữ số."
    if len(n) != 12:
        return f"Số căn cước phải có đúng 12 chữ số (đang có {len(n)})."
    if n[:3] not in BIRTH_PROVINCE_CODES:
        return f"Ba số đầu “{n[:3]}” không phải mã tỉnh nơi đăng ký khai sinh."
    year = _CENTURY[n[3]] + int(n[4:6])
    if year > today.year:
        return f"Năm sinh suy ra từ số căn cước ({year}) ở tương lai."
    if today.year - year > 125:
        return f"Năm sinh suy ra từ số căn cước ({year}) không hợp lý."
    return None


def birth_year_and_sex(number: str) -> tuple[int, str]:
    """(birth year, 'nam'|'nữ') read from a valid 12-digit citizen ID."""
    d = number[3]
    return _CENTURY[d] + int(number[4:6]), ("nam" if int(d) % 2 == 0 else "nữ")


def normalize_id(id_kind: str, id_number: str, *, today: date | None = None) -> tuple[str, str]:
    """Check an identity document and return (kind, number) normalised, or raise ValidationError.

    Citizen IDs are validated strictly; an old 9-digit card must have 9 digits; passports and
    other papers are kept as free text with their kind (DOMAIN.md §8).
    """
    number = id_number.strip().upper().replace(" ", "")
    if not number:
        return ("", "")
    if id_kind not in ID_KINDS:
        raise ValidationError({"id_kind": "Loại giấy tờ tùy thân không hợp lệ."})
    if not id_kind:
        if number.isdigit() and len(number) not in (9, 12):
            raise ValidationError({"id_number": f"Số căn cước phải có đúng 12 chữ số (CMND cũ: 9 chữ số), đang có {len(number)}."})
        id_kind = "cccd" if number.isdigit() and len(number) == 12 else ("cmnd" if number.isdigit() else "other")
    if id_kind == "cccd":
        problem = citizen_id_problem(number, today=today)
        if problem:
            raise ValidationError({"id_number": problem})
    elif id_kind == "cmnd":
        if not (number.isdigit() and len(number) == 9):
            raise ValidationError({"id_number": "Số CMND cũ phải có đúng 9 chữ số."})
    elif id_kind == "passport":
        if not re.fullmatch(r"[A-Z0-9]{6,12}", number):
            raise ValidationError({"id_number": "Số hộ chiếu gồm 6–12 chữ cái hoặc chữ số."})
    return (id_kind, number)


def normalize_phone(phone: str) -> str:
    """A Vietnamese phone number as digits ("0912345678"); "+84 912 345 678" is accepted."""
    raw = phone.strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not digits.isdigit() or not digits.startswith("0") or len(digits) not in (10, 11):
        raise ValidationError({"phone": "Số điện thoại không hợp lệ (ví dụ 0912345678)."})
    return digits


def check_not_future(field: str, day: date, *, today: date | None = None, label: str = "Ngày") -> None:
    today = today or date.today()
    if day > today:
        raise ValidationError({field: f"{label} {day:%d/%m/%Y} ở tương lai (hôm nay là {today:%d/%m/%Y})."})


def parse_date(text: str | date, field: str = "date") -> date:
    """Accept dd/mm/yyyy (as clerks type) or ISO yyyy-mm-dd."""
    if isinstance(text, date):
        return text
    t = text.strip()
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", t):
            d, m, y = (int(x) for x in t.split("/"))
            return date(y, m, d)
        return date.fromisoformat(t)
    except ValueError:
        raise ValidationError({field: f"Ngày “{text}” không hợp lệ (nhập theo dạng ngày/tháng/năm, ví dụ 05/02/2026)."}) from None
