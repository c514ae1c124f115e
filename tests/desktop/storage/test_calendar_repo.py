"""The administrator's calendar days on a real register file: round trips, refusals, yearly check."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.calendar.deadlines import compute_deadline
from desktop.errors import NotFound, UserError
from desktop.security import accounts
from desktop.storage import calendar_repo as repo
from desktop.storage.db import open_database
from desktop.storage.units import save_unit

UNIT = "25252"


@pytest.fixture
def db(db):
    """A commune's register: its calendar is its own unit's."""
    save_unit(db, code=UNIT, name="UBND xã Thử", place_name="Thử")
    accounts.assume_role(db, "admin")  # the calendar is the administrator's
    return db


def test_round_trip_on_the_file(db, db_path):
    off = repo.add_day(db, date(2027, 1, 8), "off", "  Nghỉ bù   Tết Dương lịch ")
    work = repo.add_day(db, date(2027, 1, 16), "work", "Làm bù cho ngày 08/01/2027")
    assert off.name == "Nghỉ bù Tết Dương lịch"
    assert len(off.uuid) == 32 and off.uuid != work.uuid
    db.close()

    again = open_database(db_path)
    try:
        assert repo.list_days(again) == [off, work]
        row = again.one("SELECT unit_code, version, updated_at FROM calendar_days WHERE uuid = ?", (off.uuid,))
        assert row["unit_code"] == UNIT and row["version"] == 1 and row["updated_at"][:4].isdigit()
        cal = repo.load_calendar(again)
        assert not cal.is_working_day(date(2027, 1, 8))
        assert cal.is_working_day(date(2027, 1, 16))
        assert cal.day_off_reason(date(2027, 1, 8)) == "Nghỉ bù Tết Dương lịch"
        assert compute_deadline(cal, date(2027, 1, 7), 1, "working").due == date(2027, 1, 11)
        assert compute_deadline(cal, date(2027, 1, 14), 2, "working").due == date(2027, 1, 16)
    finally:
        again.close()


def test_list_by_year_and_sorted(db):
    repo.add_day(db, date(2027, 2, 3), "off", "Nghỉ thêm dịp Tết")
    repo.add_day(db, date(2026, 12, 31), "off", "")
    repo.add_day(db, date(2026, 1, 5), "off", "")
    assert [d.day for d in repo.list_days(db, 2026)] == [date(2026, 1, 5), date(2026, 12, 31)]
    assert [d.day for d in repo.list_days(db, 2027)] == [date(2027, 2, 3)]
    assert [d.day.year for d in repo.list_days(db)] == [2026, 2026, 2027]
    assert repo.list_days(db, 2028) == []


def test_default_names(db):
    assert repo.add_day(db, date(2026, 3, 2), "off", "").name == "Ngày nghỉ"
    assert repo.add_day(db, date(2026, 3, 7), "work", "  ").name == "Ngày làm việc bù"


def test_refuses_a_duplicate(db):
    repo.add_day(db, date(2027, 1, 8), "off", "Nghỉ bù")
    with pytest.raises(UserError) as err:
        repo.add_day(db, date(2027, 1, 8), "off", "Nghỉ bù")
    assert err.value.code == "calendar_day_exists"
    assert "08/01/2027" in err.value.message
    assert len(repo.list_days(db)) == 1


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 8, 22)])  # a Monday; the library's make-up Saturday
def test_refuses_a_makeup_day_on_a_working_day(db, day):
    with pytest.raises(UserError) as err:
        repo.add_day(db, day, "work", "Làm bù")
    assert err.value.code == "calendar_already_working"
    assert "đã là ngày làm việc" in err.value.message
    assert repo.list_days(db) == []


@pytest.mark.parametrize(
    ("day", "reason"),
    [(date(2026, 3, 7), "Thứ Bảy"), (date(2026, 2, 17), "Tết Nguyên Đán"), (date(2026, 9, 2), "Quốc khánh")],
)
def test_refuses_a_day_off_on_a_day_already_off(db, day, reason):
    with pytest.raises(UserError) as err:
        repo.add_day(db, day, "off", "Nghỉ")
    assert err.value.code == "calendar_already_off"
    assert reason in err.value.message
    assert repo.list_days(db) == []


def test_accepts_overriding_the_library(db):
    repo.add_day(db, date(2026, 8, 22), "off", "Không làm bù")
    repo.add_day(db, date(2026, 5, 1), "work", "Đi làm")
    cal = repo.load_calendar(db)
    assert not cal.is_working_day(date(2026, 8, 22))
    assert cal.is_working_day(date(2026, 5, 1))


def test_refuses_bad_input(db):
    with pytest.raises(UserError):
        repo.add_day(db, date(2026, 3, 2), "holiday", "x")
    with pytest.raises(UserError):
        repo.add_day(db, date(2026, 3, 2), "off", "x" * 201)
    with pytest.raises(UserError):
        repo.add_day(db, "2026-03-02", "off", "x")  # type: ignore[arg-type]
    assert repo.list_days(db) == []


def test_a_register_without_its_unit_has_no_calendar_to_edit(db_path):
    bare = open_database(db_path.with_name("bare.sqlite"))
    try:
        with pytest.raises(UserError) as exc:
            repo.add_day(bare, date(2026, 3, 2), "off", "x")
        assert exc.value.code == "no_unit" and "khai báo đơn vị" in exc.value.message
        assert repo.list_days(bare) == []
    finally:
        bare.close()


def test_days_are_the_register_units_own_and_a_communes_day_does_not_block_them(db):
    """At a province, a commune's imported day on the same date is the commune's: the province
    may still declare its own, and the checks read the province's days only."""
    db.execute("INSERT INTO calendar_days(day, kind, name, uuid, unit_code, updated_at) "
               "VALUES ('2026-03-09', 'off', 'Nghỉ của xã', 'u-commune', '11230', 't')")
    day = repo.add_day(db, date(2026, 3, 9), "off", "Nghỉ bù")
    assert db.scalar("SELECT unit_code FROM calendar_days WHERE uuid = ?", (day.uuid,)) == UNIT
    assert [d.uuid for d in repo.list_days(db)] == [day.uuid]
    with pytest.raises(UserError) as exc:
        repo.add_day(db, date(2026, 3, 9), "off", "Lần nữa")
    assert exc.value.code == "calendar_day_exists"


def test_remove_day(db):
    repo.add_day(db, date(2027, 1, 8), "off", "Nghỉ bù")
    repo.remove_day(db, date(2027, 1, 8))
    assert repo.list_days(db) == []
    assert repo.load_calendar(db).is_working_day(date(2027, 1, 8))
    with pytest.raises(NotFound):
        repo.remove_day(db, date(2027, 1, 8))
    # once removed, the day may be added again with the other kind refused as before
    repo.add_day(db, date(2027, 1, 8), "off", "Nghỉ bù")
    assert len(repo.list_days(db)) == 1


def test_year_days_include_the_register_days(db):
    repo.add_day(db, date(2027, 1, 8), "off", "Nghỉ bù")
    entries = {e.day: e for e in repo.load_calendar(db).year_days(2027)}
    assert entries[date(2027, 1, 8)].source == "off"
    assert entries[date(2027, 1, 1)].source == "law"


def test_yearly_check_in_december(db):
    assert repo.needs_yearly_check(db, date(2026, 11, 30)) is None
    assert repo.needs_yearly_check(db, date(2026, 12, 1)) == 2027
    assert repo.needs_yearly_check(db, date(2026, 12, 31)) == 2027
    repo.confirm_year_checked(db, 2027)
    assert db.get_setting("calendar_checked_2027")
    assert repo.needs_yearly_check(db, date(2026, 12, 15)) is None
    assert repo.needs_yearly_check(db, date(2027, 12, 1)) == 2028
    assert repo.needs_yearly_check(db, date(2027, 1, 5)) is None


def test_only_the_administrator_records_the_yearly_check(db):
    from desktop.errors import UserError

    accounts.assume_role(db, "leader")
    with pytest.raises(UserError) as refused:
        repo.confirm_year_checked(db, 2027)
    assert refused.value.code == "not_permitted"
    assert not db.get_setting("calendar_checked_2027")
