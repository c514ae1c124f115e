"""Sync dialogs and the province view, offscreen: export, preview then import, key registration
with its slip, the completeness board and the read-only browse."""

from __future__ import annotations

import re
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from desktop.storage import sync_repo
from desktop.sync import export, importer, keys
from tests.desktop.sync.conftest import Data, make_register

TODAY = date(2026, 3, 2)


PASSPHRASE = "mật khẩu giao diện"


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", PASSPHRASE)  # for the core calls the tests make


@pytest.fixture
def registers(tmp_path, qapp):
    from ui.session import Session

    tinh = make_register(tmp_path / "tinh.sqlite", code="01", name="UBND tỉnh Thử", mode="province")
    xa = make_register(tmp_path / "xa.sqlite", code="00001", name="UBND xã Thụy Hùng", mode="commune")
    keys.ensure_keys(tinh)
    keys.ensure_keys(xa)
    keys.import_key_file(xa, keys.parse_key_file(keys.key_file_content(tinh)))
    sessions = {"tinh": Session(tinh, today=TODAY), "xa": Session(xa, today=TODAY), "data": Data(xa)}
    yield sessions
    for key in ("tinh", "xa"):
        sessions[key].close()


def register_commune(registers):
    tinh, xa = registers["tinh"].db, registers["xa"].db
    keys.import_key_file(tinh, keys.parse_key_file(keys.key_file_content(xa)))


def test_export_dialog_writes_a_bundle(qtbot, registers, tmp_path):
    from ui.dialogs.sync_dialogs import ExportDialog

    registers["data"].populate(2)
    dialog = ExportDialog(registers["xa"])
    qtbot.addWidget(dialog)
    assert "Chưa xuất gói nào" in dialog.status.text()
    dialog.folder.setText(str(tmp_path))
    dialog.passphrase.setText(PASSPHRASE)  # keys made with a typed passphrase (the window never reads a variable)
    dialog.label.setText("Quý I năm 2026")
    with qtbot.waitSignal(dialog.exported, timeout=10000) as blocker:
        dialog.button.click()
    result = blocker.args[0]
    assert result.path.exists() and result.counts["cases"] == 2
    assert "Đã xuất gói số 1" in dialog.message.text()
    assert "Gói gần nhất: số 1" in dialog.status.text()


def test_export_error_stays_in_the_dialog(qtbot, registers, tmp_path):
    from ui.dialogs.sync_dialogs import ExportDialog

    dialog = ExportDialog(registers["xa"])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=2000):
        dialog.button.click()
    assert "thư mục" in dialog.message.text()
    dialog.folder.setText(str(tmp_path))
    dialog.passphrase.setText("sai mật khẩu")
    with qtbot.waitSignal(dialog.failed, timeout=10000):
        dialog.button.click()
    assert "không đúng" in dialog.message.text() and dialog.button.isEnabled()


def test_import_dialog_previews_then_applies_and_writes_receipt(qtbot, registers, tmp_path):
    from ui.dialogs.sync_dialogs import ImportDialog

    register_commune(registers)
    registers["data"].populate(3)
    bundle = export.export_bundle(registers["xa"].db, tmp_path)
    tinh = registers["tinh"]
    dialog = ImportDialog(tinh)
    qtbot.addWidget(dialog)
    dialog.file.setText(str(bundle.path))
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.previewed, timeout=10000):
        dialog.preview_button.click()
    assert dialog.table.rowCount() >= 4 and dialog.apply_button.isEnabled()
    kinds = {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert "vụ việc" in kinds and not kinds & {"cases", "events", "persons"}   # named as a clerk names them
    assert tinh.db.scalar("SELECT count(*) FROM cases") == 0
    with qtbot.waitSignal(dialog.applied, timeout=10000) as blocker:
        dialog.apply_button.click()
    assert tinh.db.scalar("SELECT count(*) FROM cases") == 3
    assert blocker.args[0].receipt.exists()
    # A second preview of the same file is reported as already imported and cannot be applied.
    with qtbot.waitSignal(dialog.previewed, timeout=10000):
        dialog.preview_button.click()
    assert "đã được nhập" in dialog.summary.text() and not dialog.apply_button.isEnabled()


def test_key_dialog_checks_the_fingerprint_and_prints_a_slip(qtbot, registers, tmp_path):
    from ui.dialogs.sync_dialogs import KeyDialog

    key_file = keys.write_key_file(registers["xa"].db, tmp_path / "xa.json")
    fp = keys.own_key(registers["xa"].db, "signing").fingerprint
    dialog = KeyDialog(registers["tinh"])
    qtbot.addWidget(dialog)
    dialog.file.setText(str(key_file))
    dialog.load()
    assert dialog.fingerprint.text() == fp and "UBND xã Thụy Hùng" in dialog.who.text()
    from PySide6.QtGui import QFontInfo

    assert QFontInfo(dialog.fingerprint.font()).fixedPitch()   # read aloud group by group: columns line up
    dialog.typed.setText("AAAA-AAAA-AAAA-AAAA")
    assert not dialog.register_button.isEnabled()
    dialog.typed.setText(fp.lower().replace("-", " "))
    assert dialog.register_button.isEnabled()
    with qtbot.waitSignal(dialog.registered, timeout=2000):
        dialog.register_button.click()
    assert fp in dialog.slip.toPlainText() and "PHIẾU ĐĂNG KÝ KHÓA" in dialog.slip.toPlainText()
    pdf = dialog.slip_to_pdf(tmp_path / "phieu.pdf")
    import pdfplumber

    with pdfplumber.open(pdf) as printed:  # the state format: national title, the fields, both signers
        text = printed.pages[0].extract_text()
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHIẾU ĐĂNG KÝ", fp, "UBND xã Thụy Hùng",
                     "NGƯỜI ĐĂNG KÝ", "ĐẠI DIỆN ĐƠN VỊ GỬI KHÓA"):
        assert expected in text, expected
    assert "Số:" not in text   # a slip is not an outgoing document: no number
    assert sync_repo.get_peer_key(registers["tinh"].db, fp).active


def test_province_view_board_and_read_only_browse(qtbot, qtmodeltester, registers, tmp_path):
    from ui.views.province import ProvinceView

    register_commune(registers)
    registers["data"].populate(4)
    importer.apply(registers["tinh"].db, export.export_bundle(registers["xa"].db, tmp_path).path)
    view = ProvinceView(registers["tinh"])
    qtbot.addWidget(view)
    qtmodeltester.check(view.board_model)
    assert view.board_model.rowCount() == 1
    status = view.board_model.rows[0]
    assert status.unit_code == "00001" and status.state == "ok"
    view.select("00001")
    assert view.cases_model.rowCount() == 4
    qtmodeltester.check(view.cases_model)
    for model in (view.board_model, view.cases_model):
        flags = model.flags(model.index(0, 0))
        assert not flags & Qt.ItemFlag.ItemIsEditable
    assert "chỉ xem" in view.title.text()
    assert "vụ việc 4" in view.counts.text() and "cases" not in view.counts.text()
    assert view.conflicts.rowCount() == 0 and view.tabs.tabText(1).endswith("(0)")


def test_province_view_shows_conflicts(qtbot, registers, tmp_path):
    from ui.views.province import ProvinceView

    register_commune(registers)
    xa, tinh = registers["xa"].db, registers["tinh"].db
    (case,) = registers["data"].populate(1)
    importer.apply(tinh, export.export_bundle(xa, tmp_path).path)
    with xa.write():
        xa.execute("UPDATE cases SET summary = 'Sửa không tăng phiên bản' WHERE uuid = ?", (case,))
    importer.apply(tinh, export.export_bundle(xa, tmp_path, full=True).path)
    view = ProvinceView(registers["tinh"])
    qtbot.addWidget(view)
    assert view.board_model.rows[0].open_conflicts == 1
    view.select("00001")
    assert view.conflicts.rowCount() == 1 and view.conflicts.item(0, 2).text() == "Xung đột"
    # In the clerk's words: the kind of record and the day, not a table name and an ISO stamp.
    assert view.conflicts.item(0, 0).text() == "vụ việc"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", view.conflicts.item(0, 4).text())


def test_menus_are_mounted_by_mode(qtbot, registers):
    from ui.dialogs import sync_dialogs
    from ui.views import province

    for name, expected in (("tinh", {"Đồng bộ", "Tỉnh"}), ("xa", {"Đồng bộ"})):
        window = QMainWindow()
        qtbot.addWidget(window)
        sync_dialogs.install_menu(window.menuBar(), registers[name], window)
        province.install_menu(window.menuBar(), registers[name], window)
        titles = {a.text() for a in window.menuBar().actions()}
        assert titles == expected


def test_cancel_button_reaches_the_core(qapp):
    from desktop.sync.progress import Cancelled
    from ui.dialogs.sync_dialogs import core_progress
    from ui.tasks import TaskState

    seen = []
    state = TaskState(lambda d, t, s: seen.append((d, t, s)))
    progress = core_progress(state)
    progress.report(1, 3, "Đang đọc cases")
    assert seen == [(1, 3, "Đang đọc cases")]
    state.cancel()
    with pytest.raises(Cancelled):
        progress.report(2, 3, "tiếp")
    assert progress.cancelled


def test_province_sees_a_communes_case_read_only(qtbot, tmp_path):
    """Opened on a province register, a commune's case shows no action: the province never edits it."""
    from datetime import date

    from desktop.storage.db import open_database
    from desktop.storage.units import save_officer, save_unit
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case
    from ui.session import Session
    from ui.views.case_view import CaseView

    db = open_database(tmp_path / "tinh.sqlite")
    save_unit(db, code="06148", name="UBND xã Thụy Hùng", place_name="Thụy Hùng")
    save_officer(db, full_name="Cán bộ xã")
    from desktop.security import accounts

    accounts.assume_role(db, "leader")
    p = save_person(db, full_name="Trần Văn A")
    case = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 11, 2), summary="Kiến nghị",
                                      requesters=[p.uuid]), today=date(2026, 11, 23))
    # The same rows now sit in a province register whose own unit is the province.
    accounts.assume_role(db, "admin")
    save_unit(db, code="01", name="UBND tỉnh", level="province", make_local=True, mode="province")
    session = Session(db, today=date(2026, 11, 23))
    view = CaseView(session)
    qtbot.addWidget(view)
    view.show_case(case.uuid)
    assert view.action_buttons == {}
    assert "đơn vị khác" in view.no_action.text() and not view.compose.isEnabled()


def test_every_synced_table_has_a_vietnamese_name(db):
    """The import preview names each kind of record as a clerk does (issue #15 item 12), the
    tables later migrations added (attachments, ledger, reports, publications) included."""
    from desktop.storage.sync_repo import synced_tables
    from ui.labels import TABLE_LABELS

    assert [t.name for t in synced_tables(db) if t.name not in TABLE_LABELS] == []


def test_import_preview_says_how_many_files_come_with_the_bundle(qtbot, registers, tmp_path):
    from desktop.security import accounts
    from desktop.workflow import attach
    from ui.dialogs.sync_dialogs import ImportDialog

    register_commune(registers)
    xa = registers["xa"].db
    case = registers["data"].case()
    admin = xa.principal
    accounts.assume_role(xa, "reception")
    for name, size in (("don.pdf", 400_000), ("anh.jpg", 1_300_000)):
        (tmp_path / name).write_bytes(bytes(range(256)) * (size // 256) + name.encode())
        attach.attach_file(xa, tmp_path / name, case_uuid=case)
    xa.principal = admin
    bundle = export.export_bundle(xa, tmp_path)
    dialog = ImportDialog(registers["tinh"])
    qtbot.addWidget(dialog)
    dialog.resize(900, 600)
    dialog.file.setText(str(bundle.path))
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.previewed, timeout=10000):
        dialog.preview_button.click()
    assert "2 tệp mới (1,6 MB), 0 tệp tỉnh đã có" in dialog.summary.text()
    import os

    if os.environ.get("GIAITRINH_SHOT"):  # to look at it
        dialog.grab().save(os.environ["GIAITRINH_SHOT"])
