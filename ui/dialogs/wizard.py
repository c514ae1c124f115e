"""First run: declare the office (unit, signers, first officer, the administrator's account with
the privacy notice) — or open the sample register.

Five short pages; nothing is written until "Hoàn tất", and then everything in one transaction,
so a failed save leaves an empty register and every field as typed. That save (with the
administrator's password hashed by argon2, slow on purpose) runs on a worker with its own
connection, so the window keeps painting; "Đang lưu…" shows after 150 ms (issue #20).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox, QFormLayout, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWizard, QWizardPage,
)

from desktop.errors import UserError, ValidationError
from desktop.storage.db import Database
from desktop.storage.units import save_officer, save_unit
from ui.widgets.commune_picker import Commune, CommunePicker
from ui.widgets.form import FormErrors

log = logging.getLogger(__name__)

DEPUTY_SLOTS = 3


class StartPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Chào mừng đến với Sổ Giải trình")
        self.setSubTitle("Sổ theo dõi tiếp công dân, kiến nghị, phản ánh, khiếu nại, tố cáo và yêu cầu giải trình.")
        self.new = QRadioButton("Khai báo đơn vị để bắt đầu sổ của cơ quan (khoảng 2 phút)")
        self.sample = QRadioButton("Mở sổ mẫu để xem thử (dữ liệu giả, không dùng cho công việc thật)")
        self.new.setChecked(True)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Đây là lần đầu mở sổ trên máy này. Anh/chị muốn:"))
        lay.addWidget(self.new)
        lay.addWidget(self.sample)
        lay.addStretch(1)
        # The wizard shows "Hoàn tất" instead of "Tiếp" only when told the page changed: without
        # this, choosing the sample left "Tiếp", which had no page to go to and did nothing.
        self.sample.toggled.connect(lambda _on: self.completeChanged.emit())

    def isFinalPage(self) -> bool:  # noqa: N802
        return self.sample.isChecked()

    def validatePage(self) -> bool:  # noqa: N802 - Qt
        """"Tiếp" with the sample chosen ends the wizard (Qt's "Tiếp" had no page to go to: it did
        nothing); with "Khai báo đơn vị" it goes on to the unit page."""
        if self.sample.isChecked():
            if self.finishing:      # QWizard.done() validates the page again: now it may end
                return True
            from PySide6.QtCore import QTimer

            self.finishing = True
            QTimer.singleShot(0, self.wizard().accept)   # after Qt's "next" has returned
            return False
        return True

    finishing = False


class UnitPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Đơn vị")
        self.setSubTitle("Chọn xã, phường theo danh mục đơn vị hành chính năm 2025 (34 tỉnh, thành phố; 3.321 xã, phường).")
        self.picker = CommunePicker()
        self.code = QLineEdit(readOnly=True, placeholderText="tự điền khi chọn xã")
        self.name = QLineEdit()
        self.governing = QLineEdit(placeholderText="để trống nếu không có (ví dụ: UBND TỈNH HƯNG YÊN)")
        self.abbreviation = QLineEdit("UBND")
        self.place = QLineEdit()
        self.remote = QCheckBox("Vùng sâu, vùng xa, đi lại khó khăn (thời hạn giải quyết khiếu nại dài hơn)")
        self.errors = FormErrors()
        form = QFormLayout()
        self.errors.add(form, "Mã đơn vị:", "code", self.code)
        self.errors.add(form, "Tên cơ quan:", "name", self.name)
        form.addRow("Cơ quan chủ quản:", self.governing)
        self.errors.add(form, "Chữ viết tắt:", "abbreviation", self.abbreviation)
        form.addRow("Địa danh (ghi ngày tháng):", self.place)
        form.addRow("", self.remote)
        lay = QVBoxLayout(self)
        lay.addWidget(self.picker, 1)
        lay.addLayout(form)
        lay.addWidget(self.errors.general)
        self.picker.picked.connect(self.use_commune)

    def initializePage(self) -> None:  # noqa: N802 - Qt
        """The keys typed next go into the search line its placeholder invites (they used to go to
        the province box and changed the province)."""
        from PySide6.QtCore import QTimer

        search = self.picker.search
        QTimer.singleShot(0, search, lambda: search.setFocus())   # after QWizard focused the first widget

    def use_commune(self, c: Commune) -> None:
        self.code.setText(c.code)
        self.name.setText(c.office_name)
        self.place.setText(c.place_name)
        self.errors.clear_field("code")
        self.errors.clear_field("name")

    def validatePage(self) -> bool:  # noqa: N802
        problems = {}
        if not self.code.text().strip():
            problems["code"] = "Hãy chọn xã, phường trong danh sách ở trên."
        if not self.name.text().strip():
            problems["name"] = "Chưa nhập tên cơ quan."
        abbr = self.abbreviation.text().strip()
        if not abbr or any(ch.isspace() or ch == "/" for ch in abbr):
            problems["abbreviation"] = "Chữ viết tắt không được trống, không có dấu cách hay dấu gạch chéo (ví dụ UBND)."
        self.errors.show(problems)
        return not problems


class SignersPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Người ký văn bản")
        self.setSubTitle("Chủ tịch ký (TM. UBND); các Phó Chủ tịch ký thay (KT. CHỦ TỊCH).")
        self.head = QLineEdit(placeholderText="Họ và tên Chủ tịch")
        self.head_title = QLineEdit("Chủ tịch")
        self.deputies = [QLineEdit(placeholderText=f"Họ và tên Phó Chủ tịch {i + 1} (nếu có)") for i in range(DEPUTY_SLOTS)]
        self.errors = FormErrors()
        form = QFormLayout(self)
        self.errors.add(form, "Chủ tịch:", "head", self.head)
        form.addRow("Chức danh:", self.head_title)
        for i, edit in enumerate(self.deputies):
            form.addRow(f"Phó Chủ tịch {i + 1}:", edit)

    def validatePage(self) -> bool:  # noqa: N802
        problems = {} if self.head.text().strip() else {"head": "Chưa nhập họ tên người đứng đầu (Chủ tịch)."}
        self.errors.show(problems)
        return not problems


class OfficerPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Cán bộ tiếp công dân")
        self.setSubTitle("Người dùng sổ hằng ngày: tiếp công dân, vào sổ, soạn văn bản. Có thể thêm cán bộ khác sau trong Cài đặt.")
        self.name = QLineEdit(placeholderText="Họ và tên")
        self.title = QLineEdit("Công chức Văn phòng - Thống kê")
        self.errors = FormErrors()
        form = QFormLayout(self)
        self.errors.add(form, "Họ và tên:", "full_name", self.name)
        form.addRow("Chức danh:", self.title)
        form.addRow(self.errors.general)

    def validatePage(self) -> bool:  # noqa: N802
        problems = {} if self.name.text().strip() else {"full_name": "Chưa nhập họ tên cán bộ."}
        self.errors.show(problems)
        return not problems


# The privacy notice of the register (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, NĐ 356/2025;
# Luật Tố cáo 2018, Art. 9; DOMAIN.md §7), shown where the administrator is created.
PRIVACY_NOTICE = (
    "Sổ ghi dữ liệu cá nhân của công dân (họ tên, số định danh, điện thoại, địa chỉ, nội dung đơn) để thực hiện "
    "nhiệm vụ theo luật (Luật Tiếp công dân, Khiếu nại, Tố cáo). Theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 "
    "và Nghị định 356/2025/NĐ-CP: chỉ ghi thông tin cần thiết; mỗi cán bộ dùng tài khoản riêng; sổ ghi nhật ký ai "
    "xem, xuất dữ liệu của ai; danh tính người tố cáo được niêm phong, chỉ lãnh đạo được xem khi có lý do và việc "
    "xem được ghi lại (Luật Tố cáo, Điều 9); bản sao lưu được mã hóa. Khi lộ lọt dữ liệu, cơ quan phải thông báo "
    "trong 72 giờ (mẫu thông báo có trong Cài đặt).")


class AccountPage(QWizardPage):
    """The administrator's account (who adds the other users), after the privacy notice."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Tài khoản quản trị và bảo vệ dữ liệu cá nhân")
        self.setSubTitle("Người quản trị thêm tài khoản cho từng cán bộ, quản lý khóa, lịch và cài đặt.")
        notice = QLabel(PRIVACY_NOTICE)
        notice.setWordWrap(True)
        self.agree = QCheckBox("Tôi đã đọc và sẽ phổ biến cho cán bộ dùng sổ")
        self.full_name = QLineEdit(placeholderText="Họ và tên người quản trị")
        self.login = QLineEdit("quantri")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.errors = FormErrors()
        form = QFormLayout(self)
        form.addRow(notice)
        self.errors.add(form, "", "agree", self.agree)
        self.errors.add(form, "Họ và tên:", "officer", self.full_name)
        self.errors.add(form, "Tên đăng nhập:", "login", self.login)
        self.errors.add(form, "Mật khẩu:", "password", self.password)
        self.errors.add(form, "Nhập lại mật khẩu:", "confirm", self.confirm)
        form.addRow(QLabel("Mật khẩu từ 10 ký tự, không phổ biến, không chứa tên đăng nhập (nên dùng một câu ngắn)."))
        form.addRow(self.errors.general)
        from ui.writer import SAVING_TEXT

        self.saving = QLabel(SAVING_TEXT)   # shown when the save on its worker outlasts 150 ms
        self.saving.hide()
        form.addRow(self.saving)

    def initializePage(self) -> None:  # noqa: N802
        if not self.full_name.text():
            self.full_name.setText(self.wizard().officer.name.text())  # the office's officer, by default

    def validatePage(self) -> bool:  # noqa: N802
        from desktop.security import accounts, passwords

        problems: dict[str, str] = {}
        if not self.agree.isChecked():
            problems["agree"] = "Hãy đọc thông báo về bảo vệ dữ liệu cá nhân và đánh dấu xác nhận."
        if not self.full_name.text().strip():
            problems["officer"] = "Chưa nhập họ tên người quản trị."
        if self.password.text() != self.confirm.text():
            problems["confirm"] = "Hai lần nhập mật khẩu không giống nhau."
        try:
            login = accounts.check_login(self.login.text())
            passwords.check_strength(self.password.text(), login)
        except ValidationError as exc:
            problems.update(exc.fields)
        self.errors.show(problems)
        if problems:
            return False
        return self.wizard().save()


class SetupWizard(QWizard):
    """``exec()``; then ``sample_requested`` says the clerk chose the sample register."""

    def __init__(self, db: Database, parent=None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Sổ Giải trình — Khai báo ban đầu")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        from ui.widgets.screen import fit_to_screen

        fit_to_screen(self, 760, 620)
        self.start, self.unit, self.signers, self.officer = StartPage(), UnitPage(), SignersPage(), OfficerPage()
        self.account = AccountPage()
        for page in (self.start, self.unit, self.signers, self.officer, self.account):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Hoàn tất")
        self.setButtonText(QWizard.WizardButton.NextButton, "Tiếp >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Quay lại")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Hủy")
        self.saved = False

    @property
    def sample_requested(self) -> bool:
        return self.start.sample.isChecked()

    pending = None   # the save on its worker (a ``ui.tasks.Task``), else None

    def save(self) -> bool:
        """Write the unit, the signers and the first officer in one transaction (once), on a worker
        (see the module): False until it is done; the wizard is accepted when it comes back."""
        if self.saved:
            return True
        if self.pending is not None:
            return False   # "Hoàn tất" pressed twice: one save
        from desktop.storage.db import open_database
        from ui.tasks import TaskRunner
        from ui.writer import SHOW_AFTER_MS

        u, s, o, a = self.unit, self.signers, self.officer, self.account
        unit = dict(code=u.code.text().strip(), name=u.name.text(), governing_body=u.governing.text(),
                    abbreviation=u.abbreviation.text().strip(), place_name=u.place.text(), level="commune",
                    is_remote=u.remote.isChecked(), mode="commune")
        head = dict(full_name=s.head.text(), title=s.head_title.text() or "Chủ tịch", role="head", can_sign=True)
        deputies = [edit.text() for edit in s.deputies if edit.text().strip()]
        officer = dict(full_name=o.name.text(), title=o.title.text(), role="officer", can_sign=False)
        admin = dict(login=a.login.text(), password=a.password.text(), full_name=a.full_name.text())
        path = self.db.path

        def work(_state):
            from desktop.security import accounts

            db = open_database(path, create=False, migrate=False)
            try:
                with db.write():
                    save_unit(db, **unit)
                    save_officer(db, **head)
                    for name in deputies:
                        save_officer(db, full_name=name, title="Phó Chủ tịch", role="deputy", can_sign=True)
                    clerk = save_officer(db, **officer)
                    same = " ".join(admin["full_name"].split()) == clerk.full_name
                    accounts.create_first_admin(db, **admin, officer_uuid=clerk.uuid if same else None,
                                                title="" if same else "Quản trị hệ thống")
                return db.principal
            finally:
                db.close()

        def settle() -> None:
            self.pending = None
            show.stop()
            a.saving.hide()
            for button in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton):
                self.button(button).setEnabled(True)

        def saved(principal) -> None:
            settle()
            self.db.principal = principal   # the administrator just created is logged in
            log.info("register declared: unit %s", unit["code"])
            self.saved = True
            self.accept()

        show = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        show.timeout.connect(lambda: self.pending is not None and a.saving.show())
        for button in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton):
            self.button(button).setEnabled(False)
        show.start()
        self.runner = getattr(self, "runner", None) or TaskRunner(self)
        self.pending = self.runner.run(work, on_done=saved, on_error=lambda exc: (settle(), self._refused(exc)),
                                       parent=self, show_progress=False)
        return False

    def _refused(self, exc: BaseException) -> None:
        u, s, o, a = self.unit, self.signers, self.officer, self.account
        if isinstance(exc, ValidationError):
            log.info("wizard validation: %s", exc.fields)
            for page in (u, s, o, a):
                known = {k: v for k, v in exc.fields.items() if k in page.errors.fields}
                if known:
                    page.errors.show(known)
                    break
            else:
                a.errors.show(exc.fields)
        elif isinstance(exc, UserError):
            a.errors.show({"_": exc.message})
        else:
            from ui.errors import report

            report(self, exc)

    def reject(self) -> None:
        if self.pending is None:   # "Hủy" or Escape while saving: the answer comes back here
            super().reject()

    def accept(self) -> None:
        if self.sample_requested or self.saved:
            super().accept()
        elif self.account.validatePage():  # Finish pressed: validatePage already ran, but be safe
            super().accept()
