from __future__ import annotations

from datetime import date

import pytest

from desktop.security import accounts
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit

TODAY = date(2026, 11, 23)


@pytest.fixture
def office(db):
    """A register with its unit, a head, an officer and one citizen."""
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    clerk = save_officer(db, full_name="Lê Thị Mai", title="Công chức Văn phòng - Thống kê")
    accounts.assume_role(db, "leader", officer_uuid=head.uuid)  # the head acts unless a test logs in otherwise
    citizen = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234",
                          phone="0912345678", address="Thôn Đông, xã Thụy Hùng")
    return {"db": db, "head": head, "clerk": clerk, "citizen": citizen}
