"""Signed rule and calendar updates: the province issues, the commune imports through the key it
already trusts for bundles; cases keep the rules of their receipt day."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from desktop.cli import main
from desktop.errors import UserError
from desktop.resources import resource_path
from desktop.rules import book
from desktop.rules.updates import build_update, import_update, rules_in_force, write_update
from desktop.storage import units as units_repo
from desktop.storage.calendar_repo import load_calendar
from desktop.security import accounts
from desktop.storage.db import open_database
from desktop.storage.persons import save_person
from desktop.storage import sync_repo
from desktop.sync import crypto, keys
from desktop.workflow.receive import CaseInput, receive_case

PASS = "mật khẩu thử nghiệm"
TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", PASS)
    book.uninstall_all()
    yield
    book.uninstall_all()


def _register(path, *, code, name, mode):
    db = open_database(path)
    units_repo.save_unit(db, code=code, name=name, level="province" if mode == "province" else "commune",
                         make_local=True, mode=mode)
    if mode == "province":
        db.set_setting("register_mode", "province")
    accounts.assume_role(db, "admin")   # keys, rule updates and the calendar are the administrator's
    return db


@pytest.fixture
def pair(tmp_path):
    province = _register(tmp_path / "tinh.sqlite", code="33", name="Thanh tra tỉnh Hưng Yên", mode="province")
    commune = _register(tmp_path / "xa.sqlite", code="11230", name="Ủy ban nhân dân xã Thụy Hùng", mode="commune")
    keys.write_key_file(province, tmp_path / "tinh.key", PASS)
    keys.import_key_file(commune, keys.read_key_file(tmp_path / "tinh.key"))
    yield province, commune
    province.close()
    commune.close()


def _new_explanation_set():
    """A 2027 explanation rule set: the same procedure with a 10-day explanation period."""
    raw = json.loads(resource_path("rules", "procedures.json").read_text(encoding="utf-8"))
    rs = copy.deepcopy(next(r for r in raw["rule_sets"] if r["id"] == "explanation-2019"))
    rs.update(id="explanation-2027", effective_from="2027-01-01", effective_to=None, confidence="S",
              source="Bản cập nhật thử của tỉnh")
    rs["steps"]["explain"]["days"] = 10
    return rs


DAYS = [{"day": "2027-02-03", "kind": "off", "name": "Nghỉ thêm dịp Tết Đinh Mùi",
         "source": "Thông báo của tỉnh (thử)", "confidence": "S"}]


def test_province_issues_commune_imports_and_new_cases_use_it(pair, tmp_path):
    province, commune = pair
    update = build_update(province, title="Quy định thử 2027", rule_sets=[_new_explanation_set()],
                          calendar_days=DAYS, passphrase=PASS)
    path = write_update(tmp_path / "capnhat.json", update)
    result = import_update(commune, path)
    assert result.rule_sets == ("explanation-2027",) and result.calendar_days == 1 and not result.already
    assert "tỉnh" in result.signer
    # Importing again changes nothing.
    assert import_update(commune, path).already

    accounts.assume_role(commune, "leader")        # the head receives the cases
    citizen = save_person(commune, full_name="Trần Thị Đức")
    old = receive_case(commune, CaseInput(kind="explanation", received_on=date(2026, 12, 28), summary="Cũ",
                                          requesters=[citizen.uuid]), today=TODAY)
    new = receive_case(commune, CaseInput(kind="explanation", received_on=date(2027, 1, 4), summary="Mới",
                                          requesters=[citizen.uuid]), today=TODAY)
    assert (old.rules_id, new.rules_id) == ("explanation-2019", "explanation-2027")
    assert not load_calendar(commune).is_working_day(date(2027, 2, 3))
    listed = {r.rules_id: r for r in rules_in_force(commune, date(2027, 1, 4))}
    assert listed["explanation-2027"].origin == "Quy định thử 2027" and "explanation-2019" not in listed
    assert listed["explanation-2027"].effective_from == date(2027, 1, 1)

    # A register opened afresh applies what it imported (migration 0010 keeps the file).
    book.uninstall_all()
    path_db = commune.path
    commune.close()
    again = open_database(path_db)
    try:
        assert book.default_rules().for_case("explanation", date(2027, 5, 1)).id == "explanation-2027"
        assert again.scalar("SELECT count(*) FROM rule_updates") == 1
    finally:
        again.close()


def test_untrusted_or_tampered_updates_are_refused(pair, tmp_path):
    province, commune = pair
    stranger = _register(tmp_path / "la.sqlite", code="99", name="Đơn vị lạ", mode="province")
    try:
        bad = build_update(stranger, title="Giả mạo", calendar_days=DAYS, passphrase=PASS)
    finally:
        stranger.close()
    with pytest.raises(UserError) as info:
        import_update(commune, write_update(tmp_path / "gia.json", bad))
    assert info.value.code == "update_untrusted"

    good = build_update(province, title="Thật", rule_sets=[_new_explanation_set()], passphrase=PASS)
    good["rule_sets"][0]["steps"]["explain"]["days"] = 5   # changed after signing
    with pytest.raises(UserError) as info:
        import_update(commune, write_update(tmp_path / "sua.json", good))
    assert info.value.code == "update_bad_signature"
    assert commune.scalar("SELECT count(*) FROM rule_updates") == 0
    assert book.default_rules().for_case("explanation", date(2027, 1, 4)).id == "explanation-2019"


def test_an_update_cannot_reuse_an_id_with_other_content_nor_carry_doubt(pair, tmp_path):
    province, commune = pair
    clash = _new_explanation_set()
    clash["id"] = "explanation-2019"  # cases in registers refer to this id
    with pytest.raises(UserError) as info:
        import_update(commune, write_update(tmp_path / "a.json", build_update(
            province, title="Trùng mã", rule_sets=[clash], passphrase=PASS)))
    assert info.value.code == "update_id_clash"
    doubt = _new_explanation_set()
    doubt["steps"]["notice"]["citation"] += " (cần kiểm tra)"
    with pytest.raises(UserError) as info:  # the issuer cannot even sign it
        build_update(province, title="Nghi ngờ", rule_sets=[doubt], passphrase=PASS)
    assert info.value.code == "rules_invalid"


def test_cli_export_import_and_list(pair, tmp_path, capsys, monkeypatch):
    province, commune = pair
    for db in pair:   # the administrators of both registers run the commands
        accounts.assume_role(db, "admin", login="quantri", password="mật khẩu thử dòng lệnh")
    monkeypatch.setenv("GIAITRINH_USER", "quantri")
    monkeypatch.setenv("GIAITRINH_PASSWORD", "mật khẩu thử dòng lệnh")
    (tmp_path / "rules.json").write_text(json.dumps({"rule_sets": [_new_explanation_set()]}, ensure_ascii=False),
                                         encoding="utf-8")
    (tmp_path / "days.json").write_text(json.dumps({"days": DAYS}, ensure_ascii=False), encoding="utf-8")
    ppath, cpath = province.path, commune.path
    province.close()
    commune.close()
    assert main(["rules", "export-update", "--db", str(ppath), "--title", "Nghị định thử", "--rules",
                 str(tmp_path / "rules.json"), "--calendar", str(tmp_path / "days.json"),
                 "--out", str(tmp_path / "u.json")]) == 0
    assert main(["rules", "import-update", "--db", str(cpath), str(tmp_path / "u.json")]) == 0
    assert "explanation-2027" in capsys.readouterr().out
    assert main(["rules", "list", "--db", str(cpath), "--on", "04/01/2027", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["rules_id"] for r in rows if r["kind"] == "explanation"} == {"explanation-2027"}
    assert all(r["source"] and r["confidence"] in ("V", "S", "U") for r in rows)
    assert main(["rules", "updates", "--db", str(cpath)]) == 0
    assert "Nghị định thử" in capsys.readouterr().out


def test_trust_comes_from_the_province_or_the_maintainers_never_the_commune_itself(pair, tmp_path):
    province, commune = pair
    own = build_update(commune, title="Tự ký", calendar_days=DAYS, passphrase=PASS)
    with pytest.raises(UserError) as info:
        import_update(commune, write_update(tmp_path / "tu.json", own))
    assert info.value.code == "update_untrusted"
    # the province applies its own update
    assert not import_update(province, write_update(tmp_path / "tinh.json", build_update(
        province, title="Của tỉnh", calendar_days=DAYS, passphrase=PASS))).already
    # a maintainers' key shipped with the app (resources/keys/maintainers.json) is trusted too
    maint = _register(tmp_path / "bt.sqlite", code="00", name="Nhóm bảo trì", mode="province")
    try:
        key = keys.ensure_keys(maint, PASS)[0]
        update = build_update(maint, title="Bản của nhóm bảo trì", calendar_days=DAYS, passphrase=PASS)
    finally:
        maint.close()
    listed = tmp_path / "maintainers.json"
    listed.write_text(json.dumps({"keys": [{"name": "Nhóm bảo trì",
                                            "signing_public_key": crypto.b64(key.public_key)}]}), encoding="utf-8")
    path = write_update(tmp_path / "bt.json", update)
    with pytest.raises(UserError):
        import_update(commune, path)  # not listed: refused
    result = import_update(commune, path, maintainers=listed)
    assert "nhóm bảo trì" in result.signer
    # a revoked province key is refused with its own message
    fp = next(k.fingerprint for k in sync_repo.list_peer_keys(commune, "province"))
    keys.revoke(commune, fp, "Thử")
    with pytest.raises(UserError) as info:
        import_update(commune, write_update(tmp_path / "sau.json", build_update(
            province, title="Sau thu hồi", calendar_days=DAYS, passphrase=PASS)))
    assert info.value.code == "update_key_revoked"
