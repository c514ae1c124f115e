from __future__ import annotations

from datetime import date

import pytest

from desktop.domain.names import name_key
from desktop.domain.validation import (birth_year_and_sex, citizen_id_problem, normalize_id, normalize_phone,
                                       parse_date)
from desktop.errors import ValidationError

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("number", ["001203012345", "034185001234", "079099000001", "096310123456"])
def test_plausible_citizen_ids(number):
    assert citizen_id_problem(number, today=TODAY) is None


@pytest.mark.parametrize("number, fragment", [
    ("", "Chưa nhập"), ("03418500123", "12 chữ số"), ("03418500123a", "chữ số"),
    ("003185001234", "mã tỉnh"), ("034299001234", "tương lai"), ("034885001234", "không hợp lý"),
])
def test_implausible_citizen_ids(number, fragment):
    assert fragment in citizen_id_problem(number, today=TODAY)


def test_birth_year_and_sex():
    assert birth_year_and_sex("001203012345") == (2003, "nam")
    assert birth_year_and_sex("001303012345") == (2003, "nữ")
    assert birth_year_and_sex("034085001234") == (1985, "nam")


def test_normalize_id_kinds():
    assert normalize_id("", " 0341 8500 1234 ", today=TODAY) == ("cccd", "034185001234")
    assert normalize_id("", "123456789", today=TODAY) == ("cmnd", "123456789")
    assert normalize_id("passport", "c1234567", today=TODAY) == ("passport", "C1234567")
    with pytest.raises(ValidationError):
        normalize_id("", "12345", today=TODAY)
    with pytest.raises(ValidationError):
        normalize_id("cmnd", "1234567890", today=TODAY)


def test_phones():
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("0912.345.678") == "0912345678"
    with pytest.raises(ValidationError) as info:
        normalize_phone("12345")
    assert "Số điện thoại" in info.value.message


def test_dates_as_clerks_type_them():
    assert parse_date("5/2/2026") == date(2026, 2, 5)
    assert parse_date("2026-02-05") == date(2026, 2, 5)
    with pytest.raises(ValidationError):
        parse_date("31/02/2026")


def test_name_key_is_vietnamese_office_order():
    names = ["Bùi Thị Bình", "Đặng Văn An", "Trần Ảnh", "Lê Anh", "Phạm Văn Đức", "Hồ Dũng", "Ngô Ơn", "Võ Ôn", "Lý On"]
    assert sorted(names, key=name_key) == ["Đặng Văn An", "Lê Anh", "Trần Ảnh", "Bùi Thị Bình", "Hồ Dũng",
                                           "Phạm Văn Đức", "Lý On", "Võ Ôn", "Ngô Ơn"]
    assert name_key("An") < name_key("Án") < name_key("Ăn")


def test_timestamps_read_as_clerks_write_dates():
    from desktop.domain.dates import format_stamp

    assert format_stamp("2026-11-23T14:20:53") == "23/11/2026"
    assert format_stamp("2026-11-23T14:20:53", with_time=True) == "23/11/2026 14:20"
    assert format_stamp("2026-02-05") == "05/02/2026"
    assert format_stamp(None) == "" and format_stamp("khác") == "khác"
