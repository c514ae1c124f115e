"""Old registers from real .xlsx and CSV files with the quirks offices' files have."""

from __future__ import annotations

import json
from datetime import date

import pytest

from desktop.errors import UserError
from desktop.security import accounts, sealing
from desktop.storage.db import open_database
from desktop.storage.units import save_officer, save_unit
from desktop.workflow import bulk as bulk_mod
from desktop.workflow.old_register import importer as importer_mod
from desktop.workflow.old_register import mapping, samples, sheet
from desktop.workflow.old_register.importer import import_rows, preview
from desktop.workflow.progress import Cancelled
from desktop.workflow.verify import verify_register

TODAY = date(2026, 11, 23)
PASSWORD = "mật khẩu của lãnh đạo xã"


@pytest.fixture
def office(db, login):
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    login("leader")  # importing cases is a leader's (cases.import)
    return db


@pytest.fixture
def xlsx(tmp_path):
    return samples.write_xlsx(tmp_path / "so-tiep-cong-dan-2024.xlsx")


def _preview(db, path, **kw):
    data = sheet.read_file(path)
    return preview(db, data, mapping.resolve(data, db, kw.pop("overrides", None)), today=TODAY, source=str(path), **kw)


def test_headers_are_found_below_the_title_and_matched_without_accents(office, xlsx):
    data = sheet.read_file(xlsx)
    m = mapping.resolve(data, office)
    assert m.header_row == 4 and not m.remembered
    assert m.columns == {"seq": 0, "received_on": 1, "full_name": 2, "id_number": 3, "address": 4, "phone": 5,
                         "kind": 6, "summary": 7, "result": 8, "result_on": 9}
    assert data.merged_ranges == 3  # the two title rows and the date merged over two rows
    # Accents, capitals and spacing do not matter.
    assert mapping._match("HỌ VÀ TÊN") == mapping._match("ho va ten") == "full_name"
    assert mapping._match("Ngày trả lời") == "result_on" and mapping._match("NGÀY TIẾP") == "received_on"
    assert mapping._match("Ngày sinh") == "birth" and mapping._match("Ngày") == "received_on"


def test_preview_names_every_rows_problem_in_vietnamese(office, xlsx):
    pv = _preview(office, xlsx)
    by_row = {r.row: r for r in pv.rows}
    assert pv.counts() == {"new": 4, "error": 2, "duplicate": 0, "repeat": 0, "empty": 2}
    msgs = {r: " | ".join(p.message for p in by_row[r].parsed.problems) for r in by_row}
    assert "viết hoa toàn bộ, ghi lại thành “Nguyễn Văn An”" in msgs[6]
    assert "khôi phục thành 001203012345" in msgs[6] and "khôi phục thành 0912345678" in msgs[6]
    assert "số Excel (45350) đọc là 28/02/2024" in msgs[6]
    assert "ô gộp" in msgs[8] and "số Excel (45327) đọc là 05/02/2024" in msgs[8]   # merged date, copied down
    assert msgs[9] == "Dòng trống: bỏ qua." and "đánh số cột" in msgs[5]
    assert by_row[10].status == "error" and "Họ tên người yêu cầu: trống" in msgs[10]
    assert by_row[11].status == "error" and "“31/02/2024” không có thật" in msgs[11]
    assert "năm viết hai chữ số “24” đọc là 2024" in msgs[12] and "khôi phục thành 012345678" in msgs[12]
    assert by_row[12].parsed.item.kind == "complaint_2" and by_row[8].parsed.item.kind == "denunciation"
    assert all(p.column for r in (6, 8, 12) for p in by_row[r].parsed.problems)  # each names its column


def test_dry_run_writes_nothing_and_reports_what_the_import_would_do(office, xlsx):
    pv = _preview(office, xlsx)
    dry = import_rows(office, pv, dry_run=True, today=TODAY)
    assert dry.dry_run and dry.imported == 4 and dry.numbers == ("01/2024", "04/2024")
    assert "Chạy thử" in dry.text()
    assert office.scalar("SELECT count(*) FROM cases") == 0 and office.scalar("SELECT count(*) FROM events") == 0
    assert office.scalar("SELECT count(*) FROM imported_rows") == 0
    assert mapping.remembered(office, pv.mapping.signature) is None


def test_import_then_the_same_file_again_adds_nothing(office, xlsx):
    done = import_rows(office, _preview(office, xlsx), today=TODAY)
    assert done.imported == 4 and done.text().startswith("Đã nhập 4 vụ việc (số 01/2024 … 04/2024)")
    people = {r["full_name"]: tuple(r) for r in office.query("SELECT full_name, id_kind, id_number, phone FROM persons")}
    assert people["Nguyễn Văn An"] == ("Nguyễn Văn An", "cccd", "001203012345", "0912345678")
    assert people["Hoàng Văn Em"][1:3] == ("cmnd", "012345678")
    first = office.one("SELECT * FROM cases WHERE number = '01/2024'")
    assert first["state"] == "replied" and first["received_on"] == "2024-02-05"
    secret = office.one("SELECT * FROM cases WHERE kind = 'denunciation'")
    assert secret["confidential"] == 1 and secret["requester_name"] == ""
    assert "không có" in office.scalar("SELECT content FROM cases WHERE number = '04/2024'")  # kept, not lost
    again = _preview(office, xlsx)
    assert again.counts()["duplicate"] == 4 and again.counts()["new"] == 0 and again.mapping.remembered
    second = import_rows(office, again, today=TODAY)
    assert second.imported == 0 and "4 dòng đã nhập trước đây" in second.text()
    assert office.scalar("SELECT count(*) FROM cases") == 4
    assert office.scalar("SELECT count(*) FROM imported_rows") == 4
    assert verify_register(office).ok
    log = json.loads(office.scalar("SELECT detail FROM audit_log WHERE action = 'import_old_register' "
                                   "ORDER BY id DESC LIMIT 1"))
    assert log["imported"] == 0 and log["duplicate"] == 4


def test_a_row_repeated_in_the_file_goes_in_once(office, tmp_path):
    rows = samples.SMALL[:2] + samples.SMALL[1:2]
    path = samples.write_xlsx(tmp_path / "lap.xlsx", rows, merged_date_rows=None)
    pv = _preview(office, path)
    assert pv.counts()["repeat"] == 1 and "Giống hệt dòng 7" in " ".join(p.message for p in pv.problems())
    assert import_rows(office, pv, today=TODAY).imported == 2


def test_the_confirmed_mapping_is_remembered_for_the_layout(office, xlsx, tmp_path):
    pv = _preview(office, xlsx, overrides={"result": "-", "notes": "I"})  # the clerk moves column I to notes
    import_rows(office, pv, today=TODAY)
    assert "Ghi chú (theo sổ cũ): Đã trả lời bằng văn bản" in office.scalar(
        "SELECT group_concat(e.note || c.content) FROM cases c JOIN events e ON e.case_uuid = c.uuid")
    # Next year's file of the same layout, as CSV (headers on line 1): the stored mapping applies.
    other = samples.write_csv(tmp_path / "so-2025.csv", samples.SMALL[4:])
    m = mapping.resolve(sheet.read_file(other), office)
    assert m.remembered and m.header_row == 1 and m.columns["notes"] == 8 and "result" not in m.columns


@pytest.mark.parametrize("encoding, label", [("utf-8-sig", "UTF-8 (BOM)"), ("cp1258", "Windows-1258")])
def test_csv_in_utf8_with_bom_and_in_cp1258_reads_the_same_text(office, tmp_path, encoding, label):
    path = samples.write_csv(tmp_path / f"so-{encoding}.csv", encoding=encoding)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    data = sheet.read_file(path)
    assert data.encoding == label
    assert data.rows[1].cells[2] == "NGUYỄN VĂN AN" and data.rows[0].cells[1] == "Ngày tiếp"  # NFC again
    pv = _preview(office, path)
    assert pv.mapping.header_row == 1
    names = [r.parsed.values.get("full_name") for r in pv.rows if r.status == "new"]
    assert names[0] == "Nguyễn Văn An" and "Trần Thị Bình" in names
    # The date merged in the workbook is empty in the CSV: that row is refused, not guessed.
    assert any(r.status == "error" and "Ngày tiếp nhận: trống" in r.parsed.problems[0].message for r in pv.rows)
    assert import_rows(office, pv, today=TODAY).imported == 3


def test_cancel_keeps_nothing_half_written_and_a_later_import_adds_the_rest(office, tmp_path):
    path = samples.write_xlsx(tmp_path / "lon.xlsx", samples.large_rows(60, today=TODAY), merged_date_rows=None)
    pv = _preview(office, path)

    class StopAfterFirst:
        cancelled = False

        def report(self, done, total):
            self.cancelled = done > 0

    with pytest.raises(Cancelled):
        import_rows(office, pv, progress=StopAfterFirst(), today=TODAY, batch_size=25)
    kept = office.scalar("SELECT count(*) FROM cases")
    assert 0 < kept < 60 and office.scalar("SELECT count(*) FROM imported_rows") == kept
    rest = import_rows(office, _preview(office, path), today=TODAY)
    assert rest.imported + kept == pv.counts()["new"] and verify_register(office).ok


# What an imported case is, apart from its fresh ids and the moment it was written.
_CASE = ("number, kind, rules_id, channel, field, summary, content, received_on, state, is_complex, confidential, "
         "due_on, due_step, due_trace, requester_name, requester_key, search_text, closed_on")
_EVENT = "c.number, e.seq, e.action, e.from_state, e.to_state, e.effective_on, e.note"


def _register(db) -> tuple:
    cases = [tuple(r) for r in db.query(f"SELECT {_CASE} FROM cases ORDER BY id")]
    events = [tuple(r) for r in db.query(f"SELECT {_EVENT} FROM events e JOIN cases c ON c.uuid = e.case_uuid "
                                         "ORDER BY e.id")]
    data = [{k: v for k, v in json.loads(r[0]).items() if k not in ("digest",)}
            for r in db.query("SELECT data FROM events ORDER BY id")]
    people = [tuple(r) for r in db.query("SELECT full_name, id_kind, id_number, phone, address, sealed, search_text "
                                         "FROM persons ORDER BY id")]
    return cases, events, data, people


def _keyed_office(path):
    """A register with accounts, so that it holds a sealing key (denouncers are sealed)."""
    db = open_database(path)
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    accounts.create_first_admin(db, login="quantri", password=PASSWORD, full_name="Đỗ Văn Quản")
    accounts.create_account(db, login="hung", password=PASSWORD, role="leader", officer_uuid=head.uuid)
    accounts.login_user(db, "hung", PASSWORD)
    return db


def test_a_large_register_goes_through_the_helper_process_as_it_would_here(tmp_path, monkeypatch):
    path = samples.write_xlsx(tmp_path / "lon.xlsx", samples.large_rows(60, today=TODAY), merged_date_rows=None)
    here, office = _keyed_office(tmp_path / "here.sqlite"), _keyed_office(tmp_path / "helper.sqlite")
    assert import_rows(here, _preview(here, path), today=TODAY).imported == 60  # below HELPER_ROWS: here
    monkeypatch.setattr(importer_mod, "HELPER_ROWS", 50)
    monkeypatch.setattr(importer_mod, "HELPER_BATCH", 25)
    started = []
    real_writer = bulk_mod._Writer

    def writer(*args, **kw):
        w = real_writer(*args, **kw)
        started.append(w.pool is not None)
        return w

    monkeypatch.setattr(bulk_mod, "_Writer", writer)
    done = import_rows(office, _preview(office, path), today=TODAY)
    assert done.imported == 60 and started == [True]  # three batches, written by the helper
    assert _register(office) == _register(here)
    sealed = office.query("SELECT full_name FROM persons WHERE sealed = 1")
    assert len(sealed) == 12 and {r[0] for r in sealed} == {sealing.PLACEHOLDER}  # the 12 denouncers
    assert verify_register(office).ok
    again = _preview(office, path)
    assert again.counts()["duplicate"] == 60 and import_rows(office, again, today=TODAY).imported == 0
    assert office.scalar("SELECT count(*) FROM cases") == 60 and verify_register(office).ok
    here.close()
    office.close()


def test_cancel_through_the_helper_keeps_whole_batches_and_a_later_import_adds_the_rest(office, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.setattr(importer_mod, "HELPER_ROWS", 50)
    path = samples.write_xlsx(tmp_path / "lon.xlsx", samples.large_rows(100, today=TODAY), merged_date_rows=None)
    pv = _preview(office, path)

    class StopAfterFirst:
        cancelled = False

        def report(self, done, total):
            self.cancelled = done > 0

    with pytest.raises(Cancelled):
        import_rows(office, pv, progress=StopAfterFirst(), today=TODAY, batch_size=20)
    kept = office.scalar("SELECT count(*) FROM cases")
    # The batch written and the one already in the helper's hands; none after them.
    assert kept in (20, 40) and office.scalar("SELECT count(*) FROM imported_rows") == kept
    assert verify_register(office).ok
    rest = import_rows(office, _preview(office, path), today=TODAY)
    assert rest.imported + kept == 100 and verify_register(office).ok


def test_files_the_import_cannot_read_get_a_clear_message(tmp_path):
    (tmp_path / "cu.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UserError, match="lưu lại dạng .xlsx"):
        sheet.read_file(tmp_path / "cu.xls")
    (tmp_path / "hong.xlsx").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="Không đọc được tệp Excel"):
        sheet.read_file(tmp_path / "hong.xlsx")
    (tmp_path / "khong.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError, match="dòng tiêu đề"):
        mapping.guess(sheet.read_file(tmp_path / "khong.csv"))


def test_a_two_row_header_with_merged_cells_is_read(office, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Ngày tiếp", "Người yêu cầu", None, None, "Nội dung"])
    ws.append([None, None, "Họ tên", "Địa chỉ", "Số CCCD", None])
    for col in ("A", "B", "F"):
        ws.merge_cells(f"{col}1:{col}2")
    ws.merge_cells("C1:E1")
    ws.append([1, "03/02/2025", "ĐỖ THỊ HOA", "thôn Bắc", 1203012345, "Kiến nghị làm đường"])
    path = tmp_path / "hai-dong.xlsx"
    wb.save(path)
    pv = _preview(office, path)
    assert pv.mapping.header_row == 2
    assert {k: pv.mapping.columns[k] for k in ("seq", "received_on", "full_name", "address", "id_number", "summary")} \
        == {"seq": 0, "received_on": 1, "full_name": 2, "address": 3, "id_number": 4, "summary": 5}
    (row,) = [r for r in pv.rows if r.status == "new"]
    assert row.parsed.values["full_name"] == "Đỗ Thị Hoa" and row.parsed.values["id_number"] == "001203012345"


def test_a_semicolon_csv_is_read(office, tmp_path):
    path = samples.write_csv(tmp_path / "cham-phay.csv", delimiter=";")
    data = sheet.read_file(path)
    assert data.rows[0].cells[:3] == ("STT", "Ngày tiếp", "Họ và tên")
    assert _preview(office, path).counts()["new"] == 3
