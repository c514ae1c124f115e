"""Every file dialog of the window opens where a clerk can find and write files (``ui.file_dialogs``):
the folder last chosen for the same purpose, else Documents; never the program's working folder,
which on Windows is the install folder (a bare "phieu-dang-ky-khoa.pdf" was saved there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from ui import file_dialogs
from ui.locations import documents_dir


@pytest.fixture
def install_folder(tmp_path, monkeypatch) -> Path:
    """The program started from its install folder, as the Start-menu shortcut starts it."""
    folder = tmp_path / "Program Files" / "SoGiaiTrinh"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def asked(monkeypatch) -> list[tuple[str, str]]:
    """Qt's static dialogs record (title, the folder or file they were asked to open at) and the
    clerk cancels each one."""
    seen: list[tuple[str, str]] = []

    def record(result):
        def ask(parent, title="", start="", *rest, **kwargs):
            seen.append((title, start))
            return result
        return staticmethod(ask)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", record(("", "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", record(([], "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", record(("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", record(""))
    return seen


def _choosers(qtbot, session, window):
    """(what, the call that opens a dialog) for each file or folder chooser of the window."""
    from ui.dialogs.old_register_dialog import OldRegisterWizard
    from ui.dialogs.sync_dialogs import ExportDialog, ImportDialog, KeyDialog, export_own_key, import_receipt
    from ui.views import reports
    from ui.views.settings_rules import RulesSettings
    from ui.widgets.attachments_panel import AttachmentsPanel

    def made(widget):
        qtbot.addWidget(widget)
        return widget

    export, imported, key = made(ExportDialog(session)), made(ImportDialog(session)), made(KeyDialog(session))
    panel, rules = made(AttachmentsPanel(session)), made(RulesSettings(session))
    wizard = made(OldRegisterWizard(session, window))
    window.show_page(2)   # Sổ vụ việc: "Xuất Excel" exports the register being looked at
    return [
        ("export folder", export._choose),
        ("bundle", imported._choose),
        ("key file", key._choose),
        ("key slip PDF", key._save_pdf),
        ("receipt", lambda: import_receipt(session, window)),
        ("own public key", lambda: export_own_key(session, window)),
        ("scans", panel.choose_files),
        ("scanner folder", panel.choose_folder),
        ("rules update", rules.choose_file),
        ("old register", wizard.file_page.choose),
        ("register Excel", lambda: reports.export_current(session, window)),
    ]


def test_every_chooser_opens_in_documents_never_in_the_install_folder(qtbot, window, session, install_folder, asked,
                                                                      monkeypatch):
    from ui.dialogs import passphrase_dialog

    # The keys are reached before the public key file is asked for (the next test): here the
    # passphrase is at hand, as it is for a login that holds the register's keys.
    monkeypatch.setattr(passphrase_dialog, "sync_passphrase", lambda session, parent=None: "cụm mật khẩu thử")
    documents = documents_dir()
    choosers = _choosers(qtbot, session, window)
    for what, open_it in choosers:
        before = len(asked)
        open_it()
        assert len(asked) == before + 1, f"{what}: no dialog"
        title, start = asked[-1]
        where = Path(start)
        assert where.is_absolute(), f"{what} ({title}) opens at a relative {start!r}: the working folder"
        assert install_folder not in (where, *where.parents), f"{what} ({title}) opens in the install folder"
        folder = where if where.is_dir() else where.parent
        assert folder == documents, f"{what} ({title}) opens in {folder}, not Documents"
    names = [Path(start).name for _, start in asked if not Path(start).is_dir()]
    assert "phieu-dang-ky-khoa.pdf" in names and "khoa-cong-khai.json" in names and "so-vu-viec.xlsx" in names


def test_the_folder_chosen_is_where_the_next_dialog_of_its_purpose_opens(tmp_path, install_folder, asked):
    usb = tmp_path / "USB"
    usb.mkdir()
    (usb / "goi.gtb").write_bytes(b"x")
    file_dialogs.remember("bundles", usb / "goi.gtb")
    assert file_dialogs.start_in("bundles") == str(usb)
    assert file_dialogs.start_in("bundles", "bien-nhan.json") == str(usb / "bien-nhan.json")
    assert file_dialogs.start_in("keys") == str(documents_dir())   # another purpose: its own folder
    file_dialogs.remember("bundles", "")                           # the clerk gave up: nothing changes
    assert file_dialogs.start_in("bundles") == str(usb)
    (usb / "goi.gtb").unlink()
    usb.rmdir()                                                    # the stick was taken out
    assert file_dialogs.start_in("bundles") == str(documents_dir())


def test_a_real_dialog_remembers_the_stick_between_export_and_receipt(qtbot, session, tmp_path, install_folder):
    """Qt's own dialog (no desktop's native one here): the folder chosen for the export is where
    the province's receipt is looked for next, and the export's field shows it."""
    from ui.dialogs.sync_dialogs import ExportDialog, import_receipt

    usb = tmp_path / "USB"
    usb.mkdir()
    export = ExportDialog(session)
    qtbot.addWidget(export)
    opened_at: list[str] = []

    def answer(choose: Path | None) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QFileDialog):
            QTimer.singleShot(20, lambda: answer(choose))
            return
        opened_at.append(box.directory().absolutePath())
        if choose is None:
            box.reject()
        else:
            box.setDirectory(str(choose))   # a folder chooser returns the folder it shows
            box.accept()

    QTimer.singleShot(20, lambda: answer(usb))
    export._choose()
    assert export.folder.text() and Path(export.folder.text()) == usb
    QTimer.singleShot(20, lambda: answer(None))
    assert import_receipt(session, export) is None   # cancelled: nothing read
    assert Path(opened_at[0]) == documents_dir()
    assert Path(opened_at[1]) == usb


def test_a_login_that_may_not_reach_the_keys_is_told_before_choosing_a_file(qtbot, session, asked, monkeypatch):
    """A leader, before the administrator made the register's keys: "Ghi tệp khóa công khai" said
    so only after the clerk had chosen where to write the file."""
    from PySide6.QtWidgets import QMessageBox

    from ui.dialogs.sync_dialogs import export_own_key

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()))
    assert export_own_key(session) is None
    assert shown and "không được quản lý khóa" in shown[0]
    assert asked == []   # no file dialog was opened


def test_a_name_offered_is_one_windows_takes(install_folder):
    """A document's symbol or a case number offered as the file name: its slashes (and whatever
    else Windows refuses in a name) become dashes, in the folder the dialog opens in."""
    offered = Path(file_dialogs.start_in("documents", "12/QĐ-UBND.pdf"))
    assert offered.parent == documents_dir() and offered.name == "12-QĐ-UBND.pdf"
    assert Path(file_dialogs.start_in("documents", 'ho-so-23/2026 "a:b".pdf')).name == "ho-so-23-2026 -a-b-.pdf"
