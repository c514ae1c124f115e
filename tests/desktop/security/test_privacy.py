"""Personal-data duties on a real register: the processing log, a person's data on request,
retention with anonymisation (dry run first), the 72-hour breach notice."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from desktop.errors import UserError
from desktop.security import accounts, privacy
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case

PASSWORD = "mật khẩu của lãnh đạo xã"


@pytest.fixture
def office(db):
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    accounts.create_account(db, login="hung", password=PASSWORD, role="leader", officer_uuid=head.uuid)
    accounts.login_user(db, "hung", PASSWORD)
    old = save_person(db, full_name="Trần Văn Cũ", id_number="034185001111", phone="0912000111")
    recent = save_person(db, full_name="Lê Thị Mới", phone="0912000222")
    denouncer = save_person(db, full_name="Phạm Tố Cáo", id_number="034185002222", protect=True)

    def case(person, kind, received, closed=None):
        c = receive_case(db, CaseInput(kind=kind, received_on=received, summary="Vụ việc", requesters=[person.uuid],
                                       assignee_uuid=head.uuid), today=received)
        if closed:
            act(db, c.uuid, "guide", effective_on=closed, note="Hướng dẫn đến cơ quan có thẩm quyền", today=closed)
        return c

    case(old, "petition", date(2015, 3, 2), date(2015, 3, 5))
    case(recent, "petition", date(2015, 3, 2), date(2015, 3, 5))
    case(recent, "petition", date(2025, 3, 3))
    case(denouncer, "denunciation", date(2026, 3, 2))
    return {"db": db, "old": old, "recent": recent, "denouncer": denouncer}


def test_a_persons_data_is_exported_on_request_and_logged(office):
    db = office["db"]
    data = json.loads(privacy.export_person_json(db, office["denouncer"].uuid))
    assert data["person"]["full_name"] == "Phạm Tố Cáo" and data["person"]["id_number"] == "034185002222"
    assert data["cases"][0]["kind"] == "denunciation" and "91/2025/QH15" in data["legal_basis"]
    log = privacy.access_log(db, person_uuid=office["denouncer"].uuid)
    assert log[0].action == "export_person" and log[0].actor == "Nguyễn Văn Hùng"
    accounts.assume_role(db, "reception")
    with pytest.raises(UserError) as exc:
        privacy.export_person(db, office["old"].uuid)
    assert exc.value.code == "not_permitted"
    with pytest.raises(UserError):
        privacy.access_log(db)


def test_retention_dry_run_first_then_anonymises_only_people_past_the_period(office):
    db = office["db"]
    accounts.login_user(db, "quantri", PASSWORD)
    plan = privacy.retention(db, years=10, today=date(2026, 3, 2))
    assert plan.dry_run and plan.persons == [office["old"].uuid] and "Sẽ ẩn danh 1 người" in str(plan)
    assert db.scalar("SELECT full_name FROM persons WHERE uuid = ?", (office["old"].uuid,)) == "Trần Văn Cũ"
    done = privacy.retention(db, years=10, today=date(2026, 3, 2), dry_run=False)
    assert done.persons == [office["old"].uuid]
    row = db.one("SELECT full_name, id_number, phone, search_text FROM persons WHERE uuid = ?", (office["old"].uuid,))
    assert tuple(row) == (privacy.ANONYMOUS, "", "", "")
    assert db.scalar("SELECT full_name FROM persons WHERE uuid = ?", (office["recent"].uuid,)) == "Lê Thị Mới"
    from desktop.storage.search import search_persons
    from desktop.workflow.verify import verify_register

    assert search_persons(db, "tran van cu") == [] and verify_register(db).ok
    assert privacy.retention(db, years=10, today=date(2026, 3, 2)).persons == []


def test_the_breach_notice_names_the_72_hour_deadline(office):
    text = privacy.breach_notice(office["db"], discovered_at=datetime(2026, 3, 2, 9, 30),
                                 what="Mất máy tính xách tay có bản sao sổ")
    assert "72 giờ" in text and "09 giờ 30 ngày 05/03/2026" in text and "91/2025/QH15" in text
    assert "Mất máy tính xách tay" in text and "ỦY BAN NHÂN DÂN XÃ THỤY HÙNG" in text


def test_the_cli_exports_logs_and_plans_retention(office, db_path, tmp_path, capsys, monkeypatch):
    from desktop.cli import main

    monkeypatch.setenv("GIAITRINH_USER", "quantri")
    monkeypatch.setenv("GIAITRINH_PASSWORD", PASSWORD)
    db = ["--db", str(db_path)]
    out = tmp_path / "nguoi.json"
    assert main(["privacy", "export", office["old"].uuid, "--out", str(out), *db]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["full_name"] == "Trần Văn Cũ"
    assert main(["privacy", "retention", "--years", "10", *db]) == 0
    assert "chạy thử" in capsys.readouterr().out
    assert main(["privacy", "log", "--person", office["old"].uuid, "--json", *db]) == 0
    lines = json.loads(capsys.readouterr().out)
    assert lines[0]["action"] == "export_person" and lines[0]["actor"] == "Đỗ Văn Quản"
    assert main(["privacy", "breach-notice", "--discovered", "02/03/2026 09:30", "--what", "Lộ bản sao", *db]) == 0
    assert "05/03/2026" in capsys.readouterr().out
