"""The tamper suite (issue #17, item 5): edits made behind the app, each caught.

A register is built once with the app (a unit, officers, people, receptions, cases with their
steps, a commitment, calendar days, an issued and a draft document), its chain head is signed
(a checkpoint), then a few newer records are added. Each case copies that register and edits it
with the plain ``sqlite3`` module, as someone with the file and the sqlite3 shell would: the
ledger's triggers call functions only the app registers, so the editor first drops the triggers
of the tables he edits (or every guard, for events and the ledger). Then ``verify`` runs on the
reopened register, and must report a problem in Vietnamese naming what was touched.

The last cases rewrite the history with the app's own code (``ledger.install`` recomputing the
whole chain after an edit): the signed head catches it at ``verify``; with the heads deleted as
well, the province catches it at the next import, since the chain no longer continues the one
it holds.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from desktop.documents import outgoing
from desktop.errors import UserError
from desktop.storage import ledger
from desktop.storage.calendar_repo import add_day
from desktop.storage.db import open_database
from desktop.storage.persons import save_person
from desktop.security.accounts import assume_role
from desktop.storage.units import save_officer, save_unit
from desktop.sync import chain, export, importer, keys
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)
PASS = "mật khẩu thử nghiệm"


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", PASS)


def issue_any(db, case_uuid: str, signer_uuid: str, on: date):
    """Issue the first document offered for the case that has no blank left to fill."""
    template = outgoing.offered(db, case_uuid)[0]
    doc = outgoing.draft(db, case_uuid, template.kind, signer_uuid=signer_uuid)
    blanks = (doc.document.meta or {}).get("blanks", [])
    if blanks:  # the clerk fills what the template left blank before the number is given
        outgoing.edit(db, doc.uuid, fields={name: "Nội dung đã điền." for name in blanks})
    return outgoing.issue(db, doc.uuid, issued_on=on, today=TODAY)


def build(path: Path) -> dict:
    """The register every case starts from; returns the uuids the edits aim at."""
    db = open_database(path)
    save_unit(db, code="11230", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head", can_sign=True)
    save_officer(db, full_name="Lê Thị Mai", title="Công chức Văn phòng - Thống kê")
    assume_role(db, "leader", officer_uuid=head.uuid)  # the head acts (issue #17: accounts and roles)
    an = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234", phone="0912345678",
                     address="Thôn Đông, xã Thụy Hùng")
    binh = save_person(db, full_name="Phạm Văn Bình", address="Thôn Tây")
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 2, 20), summary="Giải trình thu phí",
                                      content="Đề nghị giải trình\nkhoản thu", requesters=[an.uuid]), today=TODAY)
    act(db, case.uuid, "accept", effective_on=date(2026, 2, 25), today=TODAY)
    act(db, case.uuid, "reply", effective_on=date(2026, 2, 28), today=TODAY)
    act(db, case.uuid, "add_commitment", effective_on=date(2026, 3, 1), note="Trả lời bằng văn bản",
        today=TODAY)
    reception, petition = record_reception(db, ReceptionInput(
        received_on=date(2026, 3, 2), person_uuid=binh.uuid, content="Kiến nghị sửa đường", outcome="accepted",
        case_kind="petition"), today=TODAY)
    assume_role(db, "admin")  # the calendar and the keys are the administrator's
    add_day(db, date(2026, 12, 31), "off", "Nghỉ bù")
    add_day(db, date(2026, 12, 30), "off", "Nghỉ thêm")
    assume_role(db, "leader", officer_uuid=head.uuid)
    issued = issue_any(db, case.uuid, head.uuid, date(2026, 3, 3))
    assume_role(db, "admin")
    keys.ensure_keys(db)
    chain.checkpoint(db)  # the signed head: everything above is committed to
    assume_role(db, "leader", officer_uuid=head.uuid)
    # Newer records, after the last signed head.
    cuong = save_person(db, full_name="Đỗ Văn Cường", address="Thôn Nam")
    newest = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 5), summary="Kiến nghị mới nhất",
                                        requesters=[cuong.uuid]), today=TODAY)
    draft = outgoing.draft(db, newest.uuid, outgoing.offered(db, newest.uuid)[0].kind)
    lone = save_person(db, full_name="Người mới nhất", address="Thôn Bắc")
    report = verify_register(db)
    assert report.ok, report.problems
    out = {"case": case.uuid, "petition": petition.uuid, "reception": reception.uuid, "an": an.uuid,
           "binh": binh.uuid, "newest": newest.uuid, "cuong": cuong.uuid, "lone": lone.uuid, "issued": issued.uuid,
           "draft": draft.uuid, "head": head.uuid}
    db.close()
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GIAITRINH_KEY_PASSPHRASE", PASS)
    path = tmp_path_factory.mktemp("tamper") / "mau.sqlite"
    ids = build(path)
    mp.undo()
    return path, ids


@pytest.fixture
def register(template, tmp_path):
    path, ids = template
    copy = tmp_path / "so.sqlite"
    shutil.copy(path, copy)
    return copy, ids


def shell(path: Path, *tables: str) -> sqlite3.Connection:
    """The sqlite3 shell on the register: the ledger's triggers of ``tables`` dropped first (they
    call functions only the app registers), ``"guards"`` also drops the append-only triggers."""
    conn = sqlite3.connect(path, isolation_level=None)
    for table in tables:
        if table == "guards":
            for name in ("events_no_update", "events_no_delete", "ledger_no_update", "ledger_no_delete"):
                conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            continue
        for kind in ledger.TRIGGER_KINDS:
            conn.execute(f'DROP TRIGGER IF EXISTS "ledger_{kind}_{table}"')
    return conn


def one(conn, sql, params=()):
    return conn.execute(sql, params).fetchone()[0]


# -- the edits: (name, function(path, ids), words the finding must contain) -------------------------

def persons_update_name(p, ids):
    shell(p, "persons").execute("UPDATE persons SET full_name = 'Trần Thị Đứ' WHERE uuid = ?", (ids["an"],))


def persons_update_id_number(p, ids):
    shell(p, "persons").execute("UPDATE persons SET id_number = '034185009999' WHERE uuid = ?", (ids["an"],))


def persons_insert(p, ids):
    shell(p, "persons").execute("INSERT INTO persons(full_name, uuid, unit_code, updated_at) VALUES "
                                "('Người ma', 'ma-1', '11230', '2026-03-01T00:00:00')")


def persons_delete_newest(p, ids):
    shell(p, "persons").execute("DELETE FROM persons WHERE uuid = ?", (ids["lone"],))


def persons_delete_one_a_case_names(p, ids):
    shell(p, "persons").execute("DELETE FROM persons WHERE uuid = ?", (ids["an"],))   # the shell: foreign keys off


def receptions_update_content(p, ids):
    shell(p, "receptions").execute("UPDATE receptions SET content = 'Nội dung khác' WHERE uuid = ?", (ids["reception"],))


def receptions_update_date_with_version_bump(p, ids):
    shell(p, "receptions").execute("UPDATE receptions SET received_on = '2026-01-02', version = version + 1 "
                                   "WHERE uuid = ?", (ids["reception"],))


def reception_people_delete(p, ids):
    shell(p, "reception_people").execute("DELETE FROM reception_people WHERE reception_uuid = ?", (ids["reception"],))


def cases_update_summary_and_event_digest_ignored(p, ids):
    shell(p, "cases").execute("UPDATE cases SET summary = 'Tóm tắt khác' WHERE uuid = ?", (ids["case"],))


def cases_update_due_on(p, ids):
    shell(p, "cases").execute("UPDATE cases SET due_on = '2027-01-31' WHERE uuid = ?", (ids["case"],))


def cases_delete_newest_with_everything(p, ids):
    c = shell(p, "cases", "events", "case_people", "documents", "guards")
    u = ids["newest"]
    for table in ("documents", "events", "case_people"):
        c.execute(f"DELETE FROM {table} WHERE case_uuid = ?", (u,))
    c.execute("DELETE FROM cases WHERE uuid = ?", (u,))


def case_people_insert(p, ids):
    shell(p, "case_people").execute(
        "INSERT INTO case_people(case_uuid, person_uuid, role, uuid, unit_code, updated_at) VALUES (?, ?, 'requester', "
        "'lien-ket-1', '11230', '2026-03-01T00:00:00')", (ids["case"], ids["binh"]))


def case_people_delete(p, ids):
    shell(p, "case_people").execute("DELETE FROM case_people WHERE case_uuid = ?", (ids["case"],))


def events_update_note(p, ids):
    shell(p, "events", "guards").execute("UPDATE events SET note = 'sửa lén' WHERE case_uuid = ? AND seq = 1",
                                         (ids["case"],))


def events_delete_newest(p, ids):
    c = shell(p, "events", "guards")
    c.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")


def events_insert_forged_with_a_valid_event_hash(p, ids):
    from desktop.storage.events import event_hash

    c = shell(p, "events")
    c.row_factory = sqlite3.Row
    last = c.execute("SELECT * FROM events ORDER BY id DESC LIMIT 1").fetchone()
    values = {"uuid": "su-kien-gia", "unit_code": "11230", "case_uuid": ids["case"], "seq": 99, "action": "note",
              "from_state": last["to_state"], "to_state": last["to_state"], "actor": "chủ tịch",
              "at": "2026-03-04T08:00:00", "effective_on": "2026-03-04", "note": "Đã trả lời", "data": "{}",
              "prev_hash": last["hash"]}
    values["hash"] = event_hash(values)  # the events' own chain stays valid: only the ledger tells
    c.execute(f"INSERT INTO events({','.join(values)}) VALUES ({','.join('?' * len(values))})", list(values.values()))


def commitments_update_status(p, ids):
    shell(p, "commitments").execute("UPDATE commitments SET status = 'done', done_on = '2026-03-02'")


def commitments_delete(p, ids):
    shell(p, "commitments").execute("DELETE FROM commitments")


def calendar_days_insert(p, ids):
    shell(p, "calendar_days").execute("INSERT INTO calendar_days(day, kind, name, uuid, unit_code, updated_at) VALUES "
                                      "('2026-03-06', 'off', 'Nghỉ', 'ngay-1', '11230', '2026-03-01T00:00:00')")


def calendar_days_update_kind(p, ids):
    shell(p, "calendar_days").execute("UPDATE calendar_days SET day = '2026-03-09' WHERE day = '2026-12-31'")


def calendar_days_delete(p, ids):
    shell(p, "calendar_days").execute("DELETE FROM calendar_days WHERE day = '2026-12-30'")


def documents_update_summary(p, ids):
    shell(p, "documents").execute("UPDATE documents SET summary = 'Trích yếu khác' WHERE uuid = ?", (ids["issued"],))


def documents_replace_pdf_keeping_its_hash(p, ids):
    shell(p, "documents").execute("UPDATE documents SET pdf = X'255044462D312E340A' WHERE uuid = ?", (ids["issued"],))


def documents_delete_newest_draft(p, ids):
    shell(p, "documents").execute("DELETE FROM documents WHERE uuid = ?", (ids["draft"],))


def officers_update_signer(p, ids):
    shell(p, "officers").execute("UPDATE officers SET full_name = 'Người khác', role = 'head' WHERE uuid = ?",
                                 (ids["head"],))


def units_update_name(p, ids):
    shell(p, "units").execute("UPDATE units SET name = 'UBND xã Giả' WHERE code = '11230'")


def ledger_entry_edited(p, ids):
    shell(p, "guards").execute("UPDATE ledger SET digest = ? WHERE seq = 3", ("0" * 64,))


def ledger_and_rows_of_the_newest_deleted(p, ids):
    """The newest person and its ledger entry, both gone: the ledger's AUTOINCREMENT tells."""
    c = shell(p, "persons", "guards")
    c.execute("DELETE FROM persons WHERE uuid = ?", (ids["lone"],))
    c.execute("DELETE FROM ledger WHERE record_uuid = ?", (ids["lone"],))


def ledger_truncated_before_the_signed_head(p, ids):
    """Rows and entries back to before the checkpoint, with sqlite_sequence fixed too."""
    c = shell(p, "guards", "calendar_days")
    seq = one(c, "SELECT seq FROM ledger WHERE tbl = 'calendar_days' ORDER BY seq DESC LIMIT 1")
    c.execute("DELETE FROM ledger WHERE seq >= ?", (seq,))
    c.execute("DELETE FROM calendar_days WHERE day = '2026-12-30'")
    c.execute("UPDATE sqlite_sequence SET seq = (SELECT max(id) FROM ledger) WHERE name = 'ledger'")


def triggers_dropped_and_edit_made(p, ids):
    shell(p, "receptions").execute("UPDATE receptions SET outcome = 'guided', guided_to = 'Tòa án' WHERE uuid = ?",
                                   (ids["reception"],))


def rechained_with_the_apps_code(p, ids):
    """Edit a person, then recompute the whole ledger with the app's own code (its triggers too)."""
    c = shell(p, "persons", "guards")
    c.execute("UPDATE persons SET phone = '0999999999' WHERE uuid = ?", (ids["an"],))
    c.execute("DELETE FROM ledger")
    c.execute("DELETE FROM sqlite_sequence WHERE name = 'ledger'")
    ledger.register_functions(c)
    covered = list(ledger.covered_columns(c).items())
    c.execute("BEGIN")
    for table, columns in covered:  # the app's own triggers back, then a first entry for every row
        ledger._install_table(c, table, columns)
    ledger.baseline(c, covered)
    c.execute("COMMIT")


def signed_head_forged_after_rechaining(p, ids):
    rechained_with_the_apps_code(p, ids)
    c = sqlite3.connect(p, isolation_level=None)
    c.execute("UPDATE ledger_heads SET seq = (SELECT max(seq) FROM ledger), "
              "hash = (SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1)")


EDITS = [
    (persons_update_name, "Người yêu cầu/công dân"),
    (persons_update_id_number, "Người yêu cầu/công dân"),
    (persons_insert, "thêm ngoài ứng dụng"),
    (persons_delete_newest, "bị xóa khỏi sổ"),
    (persons_delete_one_a_case_names, "khóa ngoại"),
    (receptions_update_content, "Lượt tiếp công dân 2026-03-02"),
    (receptions_update_date_with_version_bump, "Lượt tiếp công dân"),
    (reception_people_delete, "bị xóa khỏi sổ"),
    (cases_update_summary_and_event_digest_ignored, "Vụ việc 01/2026"),
    (cases_update_due_on, "Vụ việc 01/2026"),
    (cases_delete_newest_with_everything, "bị xóa khỏi sổ"),
    (case_people_insert, "thêm ngoài ứng dụng"),
    (case_people_delete, "bị xóa khỏi sổ"),
    (events_update_note, "Sự kiện"),
    (events_delete_newest, "bị xóa khỏi sổ"),
    (events_insert_forged_with_a_valid_event_hash, "thêm ngoài ứng dụng"),
    (commitments_update_status, "Cam kết"),
    (commitments_delete, "bị xóa khỏi sổ"),
    (calendar_days_insert, "Ngày trong lịch 2026-03-06"),
    (calendar_days_update_kind, "Ngày trong lịch 2026-03-09"),
    (calendar_days_delete, "bị xóa khỏi sổ"),
    (documents_update_summary, "Văn bản"),
    (documents_replace_pdf_keeping_its_hash, "tệp PDF"),
    (documents_delete_newest_draft, "bị xóa khỏi sổ"),
    (officers_update_signer, "Cán bộ"),
    (units_update_name, "Đơn vị 11230"),
    (ledger_entry_edited, "đã bị sửa ngoài ứng dụng"),
    (ledger_and_rows_of_the_newest_deleted, "mục cuối của nhật ký toàn vẹn đã bị xóa"),
    (ledger_truncated_before_the_signed_head, "ít hơn"),
    (triggers_dropped_and_edit_made, "đã bị gỡ ngoài ứng dụng"),
    (rechained_with_the_apps_code, "đã ký lúc"),
    (signed_head_forged_after_rechaining, "chữ ký không hợp lệ"),
]


@pytest.mark.parametrize("edit, words", EDITS, ids=[e.__name__ for e, _ in EDITS])
def test_verify_catches_every_edit_behind_the_app(register, edit, words):
    path, ids = register
    edit(path, ids)
    db = open_database(path, create=False)
    try:
        report = verify_register(db)
    finally:
        db.close()
    assert not report.ok, f"{edit.__name__} went unnoticed"
    assert any(words in p for p in report.problems), report.problems


def test_the_untouched_copy_verifies_clean(register):
    path, _ = register
    db = open_database(path, create=False)
    try:
        assert verify_register(db).ok
    finally:
        db.close()


# -- a history rewritten with the app's own code, heads and outbox wiped too: the next import ------

def _province(tmp_path: Path):
    from desktop.storage.units import save_unit as unit

    db = open_database(tmp_path / "tinh.sqlite")
    unit(db, code="01", name="UBND tỉnh Thử Nghiệm", level="province", make_local=True, mode="province")
    db.set_setting("register_mode", "province")
    assume_role(db, "admin")
    keys.ensure_keys(db)
    return db


def test_history_rewritten_with_the_apps_code_is_caught_at_the_next_import(register, tmp_path):
    path, ids = register
    province = _province(tmp_path)
    db = open_database(path, create=False)
    assume_role(db, "admin")
    keys.import_key_file(db, keys.parse_key_file(keys.key_file_content(province)))
    keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(db)))
    usb = tmp_path / "usb"
    usb.mkdir()
    importer.apply(province, export.export_bundle(db, usb).path)
    db.close()
    # Behind the app: a person edited, the whole ledger recomputed, every signed head and the
    # outbox's record of what was sent deleted — the register verifies clean on its own.
    rechained_with_the_apps_code(path, ids)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("DELETE FROM ledger_heads")
    c.execute("DELETE FROM sync_acked")
    c.close()
    db = open_database(path, create=False)
    try:
        assert verify_register(db).ok
        assume_role(db, "admin")
        bundle = export.export_bundle(db, usb, full=True)
    finally:
        db.close()
    before = province.scalar("SELECT count(*) FROM ledger")
    with pytest.raises(UserError) as err:
        importer.apply(province, bundle.path, accept_sequence=True)
    assert err.value.code == "chain_rewritten" and "viết lại" in err.value.message
    assert province.scalar("SELECT count(*) FROM ledger") == before
    assert province.scalar("SELECT phone FROM persons WHERE uuid = ?", (ids["an"],)) == "0912345678"
    province.close()


def test_an_upgraded_0006_register_verifies_clean(tmp_path):
    source = Path(__file__).resolve().parents[2] / "fixtures" / "register-0006.sqlite"
    copy = tmp_path / "so-0006.sqlite"
    shutil.copy(source, copy)
    before = {t: sqlite3.connect(source).execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("cases", "events", "persons", "documents", "calendar_days", "receptions")}
    db = open_database(copy, create=False)
    try:
        report = verify_register(db)
        assert report.ok, report.problems
        assert {t: db.scalar(f"SELECT count(*) FROM {t}") for t in before} == before
        covered = ledger.covered_columns(db.conn)
        assert {"persons", "receptions", "commitments", "calendar_days", "documents", "events", "cases"} <= set(covered)
        records = sum(db.scalar(f'SELECT count(*) FROM "{t}"') for t in covered)
        assert report.ledger_entries == records == report.records_checked
        # and the first edit behind the app after the upgrade is caught
        db.conn.execute("DROP TRIGGER ledger_au_documents")
        db.conn.execute("UPDATE documents SET summary = 'khác' WHERE id = (SELECT min(id) FROM documents)")
        assert any("Văn bản" in p for p in verify_register(db).problems)
    finally:
        db.close()


def test_verify_stays_proportional(tmp_path):
    """Four times the records cost about four times the work, never sixteen (no quadratic step).
    Work is counted, not timed (a loaded machine would move a time): SQLite's virtual-machine
    steps on the register's connection, and the Python and C functions the check calls."""
    import sys

    from desktop.workflow.demo import build_demo

    def work(n: int) -> tuple[int, int]:
        db = open_database(tmp_path / f"demo-{n}.sqlite")
        build_demo(db, cases=n, today=TODAY)
        steps, calls = [0], [0]

        def step() -> int:
            steps[0] += 1
            return 0

        def call(frame, event, arg) -> None:
            if event in ("call", "c_call"):
                calls[0] += 1

        db.conn.set_progress_handler(step, 100)
        sys.setprofile(call)
        try:
            report = verify_register(db, helper=False)
        finally:
            sys.setprofile(None)
            db.conn.set_progress_handler(None, 0)
            db.close()
        assert report.ok, report.problems
        return steps[0], calls[0]

    (small_steps, small_calls), (large_steps, large_calls) = work(150), work(600)
    assert small_steps > 1000 and small_calls > 1000
    # 4x the records: linear is ~4x, quadratic ~16x
    assert large_steps < small_steps * 4 * 1.3, (small_steps, large_steps)
    assert large_calls < small_calls * 4 * 1.3, (small_calls, large_calls)


HELPED = [persons_update_name, persons_delete_one_a_case_names, cases_update_due_on, cases_delete_newest_with_everything, events_update_note,
          events_delete_newest, ledger_entry_edited, ledger_and_rows_of_the_newest_deleted]


@pytest.mark.parametrize("edit", [None, *HELPED], ids=["untouched", *(e.__name__ for e in HELPED)])
def test_the_helper_process_finds_what_one_process_finds(register, edit):
    """The full check with its chains walked in a second process reports the same, in the same
    order, as the check in one process (a province's register uses the helper)."""
    path, ids = register
    if edit is not None:
        edit(path, ids)
    db = open_database(path)
    try:
        alone = verify_register(db, helper=False)
        helped = verify_register(db, helper=True)
    finally:
        db.close()
    assert any(k.startswith("helper: ") for k in helped.seconds), helped.seconds  # the helper did its part
    assert helped.problems == alone.problems
    assert helped.ok == alone.ok == (edit is None)
    counts = lambda r: (r.events_checked, r.cases_checked, r.ledger_entries, r.records_checked)  # noqa: E731
    assert counts(helped) == counts(alone)


def test_a_case_holding_what_json_cannot_hold_is_checked_the_apps_way(register):
    from desktop.workflow.verify import _case_problems

    path, ids = register
    shell(path, "cases").execute("UPDATE cases SET summary = X'00ff' WHERE uuid = ?", (ids["case"],))
    db = open_database(path)
    try:
        checked, problems = _case_problems(db)
    finally:
        db.close()
    assert checked == 3 and len(problems) == 1 and "01/2026" in problems[0]


def test_cases_checked_a_page_at_a_time_are_named_as_one_at_a_time(register, monkeypatch):
    """The whole check reads the cases in pages (one row of joined digests each); a page that
    differs is read again case by case, so it names exactly what reading one at a time names."""
    from desktop.workflow.verify import _case_problems

    path, ids = register
    c = shell(path, "cases")
    c.execute("UPDATE cases SET due_on = '2027-01-31' WHERE uuid = ?", (ids["case"],))
    rest = [r[1] for r in c.execute("PRAGMA table_info(cases)") if r[1] not in ("id", "uuid", "number", "lookup_code")]
    for rowid in (-2 ** 63, 2 ** 63 - 1):  # cases with no event, at either end of the rowids
        c.execute(f"INSERT INTO cases(id, uuid, number, {', '.join(rest)}) SELECT ?, 'lén' || ?, 'LÉN' || ?, "
                  f"{', '.join(rest)} FROM cases WHERE uuid = ?", (rowid, rowid, rowid, ids["case"]))
    c.close()
    found = []
    for paged in (True, False):
        with monkeypatch.context() as m:
            m.setattr(ledger, "BATCH", 2)
            if not paged:
                m.setattr(ledger, "hex_digests", lambda joined, count: None)
            db = open_database(path)
            try:
                found.append(_case_problems(db))
            finally:
                db.close()
    assert found[0] == found[1]
    checked, problems = found[0]
    assert checked == 5 and len(problems) == 3, problems
    assert sum("không có sự kiện nào" in p for p in problems) == 2


def test_a_zero_byte_or_empty_register_is_refused(tmp_path):
    from desktop.workflow.verify import check_register_file

    empty = tmp_path / "rong.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(UserError) as err:
        check_register_file(empty)
    assert err.value.code == "register_empty" and "0 byte" in err.value.message
    with pytest.raises(UserError):
        open_database(empty, create=False)
    assert empty.stat().st_size == 0
    fresh = open_database(tmp_path / "moi.sqlite")
    try:
        report = verify_register(fresh)
        assert not report.ok and "Sổ trống" in report.problems[0]
    finally:
        fresh.close()


def test_a_kind_of_record_added_later_is_chained_from_its_first_opening(register):
    """A later migration adding records with legal weight (corrections, reveals …) needs nothing
    from the ledger: the next opening chains the new table and its rows."""
    path, ids = register
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("CREATE TABLE reveals (id INTEGER PRIMARY KEY, case_uuid TEXT, reason TEXT, uuid TEXT NOT NULL UNIQUE, "
              "unit_code TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, updated_at TEXT NOT NULL)")
    c.execute("INSERT INTO reveals(case_uuid, reason, uuid, unit_code, updated_at) VALUES (?, 'Xác minh', 'r-1', "
              "'11230', '2026-03-05T10:00:00')", (ids["case"],))
    c.close()
    db = open_database(path, create=False)
    try:
        report = verify_register(db)
        assert report.ok, report.problems
        assert "reveals" in ledger.covered_columns(db.conn)
        db.conn.execute("DROP TRIGGER ledger_au_reveals")
        db.conn.execute("UPDATE reveals SET reason = 'Không lý do'")
        assert any("reveals" in p for p in verify_register(db).problems)
    finally:
        db.close()
