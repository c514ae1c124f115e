"""Every role is refused every action it may not do, at the core's entry points (the CLI and the
window call the same functions), with ``not_permitted``, a Vietnamese message naming what the
role may not do, and nothing changed in the register."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.security import accounts, backups, files, roles
from desktop.security.roles import Role

TODAY = date(2026, 3, 2)
PASSWORD = "mật khẩu thử quyền hạn"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """A commune: a head, a handling officer (with a case of his own) and a case of the head's, a
    draft and an issued document."""
    from desktop.documents import outgoing
    from desktop.storage.db import open_database
    from desktop.storage.persons import save_person
    from desktop.storage.units import save_officer, save_unit
    from desktop.workflow.receive import CaseInput, receive_case

    folder = tmp_path_factory.mktemp("perm")
    db = open_database(folder / "xa.sqlite")
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    officer = save_officer(db, full_name="Lê Văn Thụ", title="Công chức Địa chính")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    accounts.create_account(db, login="thu", password=PASSWORD, role="handler", officer_uuid=officer.uuid)
    accounts.assume_role(db, Role.LEADER, officer_uuid=head.uuid)
    person = save_person(db, full_name="Trần Thị Đức", address="Thôn Đông, xã Thụy Hùng")

    def case(assignee):
        return receive_case(db, CaseInput(kind="explanation", received_on=TODAY, summary="Giải trình",
                                          requesters=[person.uuid], assignee_uuid=assignee), today=TODAY)

    own, other = case(officer.uuid), case(head.uuid)
    from desktop.workflow.engine import act

    act(db, other.uuid, "accept", effective_on=TODAY, today=TODAY)  # the notice states its deadline
    draft = outgoing.draft(db, other.uuid, "explanation_accept")
    issued = outgoing.issue(db, outgoing.draft(db, other.uuid, "explanation_accept").uuid, issued_on=TODAY,
                            today=TODAY)
    yield {"db": db, "head": head, "officer": officer, "person": person, "own": own, "other": other,
           "draft": draft, "issued": issued, "folder": folder}
    db.close()


def _entry_points():
    """(permission, name, call(register)) for each entry point of the core that checks a permission."""
    from desktop.documents import outgoing
    from desktop.storage import calendar_repo
    from desktop.storage.persons import save_person
    from desktop.storage.units import save_officer, save_unit, set_head_reception_weekday
    from desktop.sync import export, importer, keys, receipts
    from desktop.workflow.bulk import bulk_import_cases
    from desktop.workflow.engine import act
    from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception

    def new_case(r):
        receive_case(r["db"], CaseInput(kind="petition", received_on=TODAY, summary="Kiến nghị",
                                        requesters=[r["person"].uuid]), today=TODAY)

    def reception(r):
        record_reception(r["db"], ReceptionInput(received_on=TODAY, person_uuid=r["person"].uuid,
                                                 content="Hỏi về thủ tục"), today=TODAY)

    return [
        ("case.receive", "receive_case", new_case),
        ("case.receive", "record_reception", reception),
        ("person.edit", "save_person", lambda r: save_person(r["db"], full_name="Người mới")),
        ("case.act", "act (case of the head)",
         lambda r: act(r["db"], r["other"].uuid, "accept", effective_on=TODAY, today=TODAY)),
        ("case.act", "act (the officer's own case)",
         lambda r: act(r["db"], r["own"].uuid, "accept", effective_on=TODAY, today=TODAY)),
        ("document.draft", "outgoing.draft (case of the head)",
         lambda r: outgoing.draft(r["db"], r["other"].uuid, "explanation_accept")),
        ("document.draft", "outgoing.edit (draft on the head's case)",
         lambda r: outgoing.edit(r["db"], r["draft"].uuid, summary="Sửa")),
        ("document.issue", "outgoing.issue",
         lambda r: outgoing.issue(r["db"], r["draft"].uuid, issued_on=TODAY, today=TODAY)),
        ("document.void", "outgoing.void", lambda r: outgoing.void(r["db"], r["issued"].uuid, "Sai", on=TODAY)),
        ("calendar.edit", "calendar add_day", lambda r: calendar_repo.add_day(r["db"], date(2026, 3, 7), "work", "")),
        ("calendar.edit", "calendar remove_day", lambda r: calendar_repo.remove_day(r["db"], date(2026, 3, 7))),
        ("settings.edit", "save_unit", lambda r: save_unit(r["db"], code="11230", name="Tên khác")),
        ("settings.edit", "save_officer", lambda r: save_officer(r["db"], full_name="Cán bộ mới")),
        ("settings.edit", "set_head_reception_weekday", lambda r: set_head_reception_weekday(r["db"], 2)),
        ("users.manage", "create_account",
         lambda r: accounts.create_account(r["db"], login="moi", password=PASSWORD, role="admin", full_name="X")),
        ("users.manage", "list_accounts", lambda r: accounts.list_accounts(r["db"])),
        ("users.manage", "set_password", lambda r: accounts.set_password(r["db"], "quantri", PASSWORD + "!")),
        ("users.manage", "set_active", lambda r: accounts.set_active(r["db"], "quantri", False)),
        ("users.manage", "set_role", lambda r: accounts.set_role(r["db"], "thu", "leader")),
        ("keys.manage", "ensure_keys", lambda r: keys.ensure_keys(r["db"], PASSWORD)),
        ("keys.manage", "import_key_file", lambda r: keys.import_key_file(r["db"], None)),
        ("keys.manage", "revoke", lambda r: keys.revoke(r["db"], "AAAA-BBBB")),
        ("bundle.export", "export_bundle", lambda r: export.export_bundle(r["db"], r["folder"])),
        ("bundle.export", "receipt_content", lambda r: receipts.receipt_content(r["db"], "00001")),
        ("bundle.import", "importer.preview", lambda r: importer.preview(r["db"], Path(r["folder"], "x.gtb"))),
        ("bundle.import", "importer.apply", lambda r: importer.apply(r["db"], Path(r["folder"], "x.gtb"))),
        ("bundle.import", "import_receipt", lambda r: receipts.import_receipt(r["db"], Path(r["folder"], "r.json"))),
        ("cases.import", "bulk_import_cases", lambda r: bulk_import_cases(r["db"], [], today=TODAY)),
        ("backup.make", "backups.make_now", lambda r: backups.make_now(r["db"], Path(r["folder"], "sao-luu"))),
        ("backup.restore", "backups.opener", lambda r: backups.opener(r["db"], _backup_file(r, files.MAGIC))),
        ("backup.restore_plain", "backups.opener(plain)",
         lambda r: backups.opener(r["db"], _backup_file(r, b"SQLite format 3\x00"))),
    ]


def _backup_file(r, magic: bytes) -> Path:
    """A file that starts like an encrypted backup or like an old clear one (the opener looks no further)."""
    path = Path(r["folder"], f"xa-20260301-080000-daily{'.gtbk' if magic == files.MAGIC else '.sqlite'}")
    path.write_bytes(magic + bytes(100))
    return path


def _refusals():
    for role in Role:
        for permission, name, call in _entry_points():
            own_case = "own case" in name
            allowed = roles.allows(role, permission)
            if allowed and not (role in roles.OWN_CASES_ONLY and permission in roles.OWN_CASES_ONLY[role]
                                and not own_case):
                continue
            yield pytest.param(role, permission, call, id=f"{role}-{name}")


def _snapshot(db):
    tables = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                     "'sqlite_%' AND name NOT LIKE '%fts%' AND name <> 'accounts'")]
    return {t: db.query(f'SELECT * FROM "{t}"') and [tuple(r) for r in db.query(f'SELECT * FROM "{t}"')]
            for t in tables}


@pytest.mark.parametrize(("role", "permission", "call"), list(_refusals()))
def test_each_role_is_refused_what_it_may_not_do(register, role, permission, call):
    db = register["db"]
    officer = register["officer"].uuid if role == Role.HANDLER else None
    accounts.assume_role(db, role, officer_uuid=officer)
    before = _snapshot(db)
    with pytest.raises(UserError) as exc:
        call(register)
    assert exc.value.code == "not_permitted", exc.value.message
    assert roles.PERMISSIONS[permission] in exc.value.message and roles.label(role) in exc.value.message
    assert _snapshot(db) == before


def test_nobody_logged_in_is_refused_everything(register):
    db = register["db"]
    accounts.logout(db)
    for permission, name, call in _entry_points():
        with pytest.raises(UserError) as exc:
            call(register)
        assert exc.value.code == "not_permitted" and "Chưa đăng nhập" in exc.value.message, name


def test_a_handling_officer_acts_and_drafts_on_his_own_cases(register):
    from desktop.documents import outgoing
    from desktop.storage.cases import list_events
    from desktop.workflow.engine import act

    db = register["db"]
    accounts.assume_role(db, Role.HANDLER, officer_uuid=register["officer"].uuid)
    case = act(db, register["own"].uuid, "accept", effective_on=TODAY, today=TODAY)
    assert case.state == "accepted" and list_events(db, case.uuid)[-1].actor == "Lê Văn Thụ"
    assert outgoing.draft(db, case.uuid, "explanation_meeting").status == "draft"


def test_the_matrix_is_data_every_permission_named_in_vietnamese():
    assert set(roles.MATRIX) == set(Role)
    for role, perms in roles.MATRIX.items():
        assert perms <= set(roles.PERMISSIONS) and roles.label(role)
    assert roles.MATRIX[Role.VIEWER] == {"register.read"}
    assert "identity.reveal" in roles.MATRIX[Role.LEADER] and "identity.reveal" not in roles.MATRIX[Role.HANDLER]
    assert "users.manage" in roles.MATRIX[Role.ADMIN] and "case.act" not in roles.MATRIX[Role.ADMIN]
