"""First run: the wizard declares the unit (picked from the 2025 list), the signers and the first officer."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from desktop.storage.units import has_local_unit, list_officers, local_unit, signers


def _wizard(qtbot, db):
    from ui.dialogs.wizard import SetupWizard

    w = SetupWizard(db)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_wizard_declares_unit_signers_and_officer(qtbot, qapp, db, monkeypatch):
    import threading

    from desktop.security import accounts

    real, threads, full = accounts.create_first_admin, [], []

    def on_its_thread(*args, **kwargs):   # argon2 is slow on purpose: not on the GUI thread
        threads.append(threading.get_ident())
        if full:                           # the first try: the disk is full after the unit was written
            full.clear()
            from desktop.errors import UserError

            raise UserError("disk_full", "Ổ đĩa đã đầy nên không ghi được.")
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, "create_first_admin", on_its_thread)
    w = _wizard(qtbot, db)
    w.next()
    assert w.currentPage() is w.unit
    # nothing picked yet: the page says what is missing and does not move on
    w.next()
    assert w.currentPage() is w.unit
    assert "chọn xã" in w.unit.errors.message("code")
    w.unit.picker.search.setText("hoan kiem")  # typed without diacritics
    assert w.unit.code.text() == "00070"
    assert w.unit.name.text() == "Ủy ban nhân dân phường Hoàn Kiếm"
    assert w.unit.place.text() == "Hoàn Kiếm"
    w.next()
    assert w.currentPage() is w.signers
    w.signers.head.setText("Nguyễn Văn Hùng")
    w.signers.deputies[0].setText("Phạm Thị Lan")
    w.next()
    assert w.currentPage() is w.officer
    w.officer.name.setText("Lê Thị Mai")
    w.next()
    assert w.currentPage() is w.account and w.account.full_name.text() == "Lê Thị Mai"
    assert "91/2025/QH15" in w.account.layout().itemAt(0).widget().text()
    w.account.password.setText("quantri2026")
    w.account.confirm.setText("quantri2026")
    w.button(QWizard.WizardButton.FinishButton).click()
    assert not w.saved and "đọc thông báo" in w.account.errors.message("agree")
    assert w.account.errors.message("password")  # weak: refused before anything is written
    assert not has_local_unit(db)
    w.account.agree.setChecked(True)
    w.account.password.setText("sổ của phường Hoàn Kiếm")
    w.account.confirm.setText("sổ của phường Hoàn Kiếm")
    full.append(True)
    w.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: w.pending is None, timeout=10_000)
    assert w.isVisible() and not w.saved and w.account.errors.general.text() == "Ổ đĩa đã đầy nên không ghi được."
    assert not has_local_unit(db) and db.principal is None        # nothing half-written
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.pending is not None and not w.button(QWizard.WizardButton.FinishButton).isEnabled()
    w.reject()                                                      # "Hủy" while saving: the wizard waits
    qtbot.waitUntil(lambda: w.pending is None, timeout=10_000)   # saved on a worker (argon2 is slow)
    assert threads and threading.get_ident() not in threads
    assert w.result() == 1 and w.saved and not w.sample_requested
    assert db.principal.role == "admin" and db.principal.officer_name == "Lê Thị Mai"
    unit = local_unit(db)
    assert (unit.code, unit.abbreviation, unit.place_name) == ("00070", "UBND", "Hoàn Kiếm")
    assert [o.full_name for o in signers(db)] == ["Nguyễn Văn Hùng", "Phạm Thị Lan"]
    assert "Lê Thị Mai" in [o.full_name for o in list_officers(db)]


def test_picker_filters_by_province_and_accents(qtbot, qapp):
    from ui.widgets.commune_picker import CommunePicker

    p = CommunePicker()
    qtbot.addWidget(p)
    assert p.proxy.rowCount() == 3321
    assert p.province.count() == 35  # "all" + 34 provinces
    p.search.setText("thuy anh")
    labels = [p.proxy.index(r, 0).data() for r in range(p.proxy.rowCount())]
    assert labels and all("Thụy Anh" in x for x in labels)
    p.province.setCurrentIndex(p.province.findData("01"))
    assert p.proxy.rowCount() == 0


def test_wizard_bad_abbreviation_keeps_the_page(qtbot, qapp, db):
    w = _wizard(qtbot, db)
    w.next()
    w.unit.picker.search.setText("hoan kiem")
    w.unit.abbreviation.setText("UB ND")
    w.next()
    assert w.currentPage() is w.unit
    assert "dấu cách" in w.unit.errors.message("abbreviation")
    assert not has_local_unit(db)


def test_sample_register_choice_ends_the_wizard(qtbot, qapp, db):
    w = _wizard(qtbot, db)
    w.start.sample.setChecked(True)
    assert w.start.isFinalPage()
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.sample_requested and not has_local_unit(db)


def test_choosing_the_sample_then_pressing_the_next_button_opens_it(qtbot, qapp, db):
    """The clerk picks "Mở sổ mẫu" with the arrow key and presses the button where "Tiếp" was:
    it now says "Hoàn tất" and ends the wizard with the sample chosen."""
    from PySide6.QtCore import Qt

    from PySide6.QtWidgets import QApplication

    w = _wizard(qtbot, db)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    w.start.new.setFocus()
    qtbot.keyClick(w.start.new, Qt.Key.Key_Down)
    assert w.sample_requested
    shown = [w.button(b) for b in (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton)
             if w.button(b).isVisible()]
    assert shown
    qtbot.mouseClick(shown[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.isVisible())
    assert w.result() == 1 and w.sample_requested and not has_local_unit(db)


def test_the_unit_page_starts_in_the_search_and_down_enters_the_list(qtbot, qapp, db):
    """The clerk presses "Tiếp" and types the commune's name, as the search line invites: the
    keys go into the search (they used to land on the province box and changed the province);
    the commune whose own name matches comes first, so Enter picks it; Down enters the list."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    w = _wizard(qtbot, db)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert w.currentPage() is w.unit
    qtbot.waitUntil(lambda: w.unit.picker.search.hasFocus())
    qtbot.keyClicks(QApplication.focusWidget(), "thuy hung")
    picker = w.unit.picker
    assert picker.province.currentIndex() == 0
    assert picker.proxy.index(0, 0).data() == "Xã Thụy Hùng — Lạng Sơn"   # not "Bắc Thụy Anh — Hưng Yên"
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert w.unit.name.text() == "Ủy ban nhân dân xã Thụy Hùng"
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.list.hasFocus() and picker.list.currentIndex().row() == 0
