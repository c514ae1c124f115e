"""Settings: the unit (name, governing body, abbreviation, place name) and its officers and signers."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from desktop.domain.records import Officer
from desktop.domain.text import vietnamese_sort_key
from desktop.errors import UserError, ValidationError
from desktop.storage.units import (head_reception_weekday, list_officers, local_unit, save_officer, save_unit,
                                   set_head_reception_weekday)
from ui.dialogs.guarded import GuardedDialog, OnWriter, at_once
from ui.errors import report
from ui.models.rows import Column, RowsModel
from ui.session import Session
from ui.widgets.form import FormErrors, save_cancel_buttons

log = logging.getLogger(__name__)

ROLE_LABELS = {"head": "Người đứng đầu", "deputy": "Cấp phó", "officer": "Cán bộ, công chức"}


def officer_columns() -> list[Column[Officer]]:
    return [
        Column("Họ và tên", lambda o: o.full_name, sort_key=lambda o: vietnamese_sort_key(o.full_name)),
        Column("Chức danh", lambda o: o.title),
        Column("Vai trò", lambda o: ROLE_LABELS.get(o.role, o.role)),
        Column("Ký văn bản", lambda o: "Có" if o.can_sign else ""),
        Column("Đang làm việc", lambda o: "Có" if o.active else "Đã nghỉ"),
    ]


class OfficerDialog(GuardedDialog):
    HELP_PAGE = "cai-dat"

    def __init__(self, session: Session, officer: Officer | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.officer = session, officer
        self.setWindowTitle("Sửa cán bộ" if officer else "Thêm cán bộ")
        self.name = QLineEdit(officer.full_name if officer else "")
        self.title = QLineEdit(officer.title if officer else "")
        self.role = QComboBox()
        for code, label in ROLE_LABELS.items():
            self.role.addItem(label, code)
        self.role.setCurrentIndex(max(0, self.role.findData(officer.role if officer else "officer")))
        self.can_sign = QCheckBox("Được ký văn bản (TM. / KT.)")
        self.can_sign.setChecked(bool(officer and officer.can_sign))
        self.active = QCheckBox("Đang làm việc")
        self.active.setChecked(officer.active if officer else True)
        self.errors = FormErrors()
        form = QFormLayout(self)
        self.errors.add(form, "Họ và tên:", "full_name", self.name)
        form.addRow("Chức danh:", self.title)
        self.errors.add(form, "Vai trò:", "role", self.role)
        form.addRow("", self.can_sign)
        form.addRow("", self.active)
        form.addRow(self.errors.general)
        buttons, self.ok = save_cancel_buttons(self, "Lưu", self.save)
        form.addRow(self.saving_label())   # "Đang lưu…" when the save outlasts 150 ms
        form.addRow(buttons)
        self.role.currentIndexChanged.connect(
            lambda: self.can_sign.setChecked(self.role.currentData() in ("head", "deputy")))

    def save(self) -> None:
        """The officer, on the session's writer (issue #20)."""
        values = dict(full_name=self.name.text(), title=self.title.text(), role=self.role.currentData(),
                      can_sign=self.can_sign.isChecked(), active=self.active.isChecked(),
                      uuid=self.officer.uuid if self.officer else None)
        self.save_on_writer(lambda db: save_officer(db, **values), done=lambda _o: self.accept(),
                            refused=self._refused, button=self.ok)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.errors.show_error(exc)
        else:
            report(self, exc)


class UnitSettings(QWidget, OnWriter):
    """The unit's identity as printed on documents, and the people who work and sign."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.code = QLabel()
        self.name = QLineEdit()
        self.governing = QLineEdit()
        self.abbreviation = QLineEdit()
        self.place = QLineEdit()
        self.remote = QCheckBox("Vùng sâu, vùng xa (thời hạn giải quyết khiếu nại dài hơn)")
        self.head_day = QComboBox()
        self.head_day.addItem("(chưa đặt)", None)
        for i, name in enumerate(("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu")):
            self.head_day.addItem(name, i)
        self.head_day.setToolTip("Luật Tiếp công dân 2013, Điều 15: Chủ tịch UBND cấp xã tiếp công dân ít nhất 01 ngày "
                                 "trong 01 tuần; ngày nghỉ thì chuyển sang ngày làm việc tiếp theo.")
        self.errors = FormErrors()
        unit_box = QGroupBox("Đơn vị")
        form = QFormLayout(unit_box)
        form.addRow("Mã đơn vị hành chính:", self.code)
        self.errors.add(form, "Tên cơ quan:", "name", self.name)
        form.addRow("Cơ quan chủ quản:", self.governing)
        self.errors.add(form, "Chữ viết tắt:", "abbreviation", self.abbreviation)
        form.addRow("Địa danh:", self.place)
        form.addRow("", self.remote)
        self.errors.add(form, "Ngày tiếp công dân định kỳ:", "head_day", self.head_day)
        save = self.save_button = QPushButton("Lưu thông tin đơn vị")
        save.clicked.connect(self.save_unit)
        form.addRow(self.errors.general)
        form.addRow(self.saving_label(), save)   # "Đang lưu…" beside the button when the save outlasts 150 ms

        people_box = QGroupBox("Cán bộ và người ký văn bản")
        self.model = RowsModel(officer_columns(), parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self.edit_officer)
        add = self.add_button = QPushButton("Thêm cán bộ…")
        add.clicked.connect(lambda: self._officer_dialog(None))
        edit = self.edit_button = QPushButton("Sửa…")
        edit.clicked.connect(self.edit_officer)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(edit)
        buttons.addStretch(1)
        pl = QVBoxLayout(people_box)
        pl.addWidget(self.table)
        pl.addLayout(buttons)

        lay = QVBoxLayout(self)
        lay.addWidget(unit_box)
        lay.addWidget(people_box, 1)
        session.follow_changes(self, self.reload, today=False)
        self.reload()

    def reload(self) -> None:
        try:
            u = local_unit(self.session.db)
        except UserError:
            return
        self.code.setText(u.code)
        self.name.setText(u.name)
        self.governing.setText(u.governing_body)
        self.abbreviation.setText(u.abbreviation)
        self.place.setText(u.place_name)
        self.remote.setChecked(u.is_remote)
        self.head_day.setCurrentIndex(max(0, self.head_day.findData(head_reception_weekday(self.session.db))))
        self.model.set_rows(list_officers(self.session.db, active_only=False))
        from desktop.security.principal import may

        # the unit and its officers are the administrator's (settings.edit): others read them
        allowed = may(self.session.db, "settings.edit")
        for widget in (self.name, self.governing, self.abbreviation, self.place, self.remote, self.head_day,
                       self.save_button, self.add_button, self.edit_button):
            widget.setEnabled(allowed)
        self.save_button.setToolTip("" if allowed else "Người quản trị hệ thống sửa thông tin đơn vị và cán bộ.")

    def save_unit(self) -> bool:
        """The unit and its reception day, in one transaction on the session's writer (issue #20)."""
        typed = dict(name=self.name.text(), governing_body=self.governing.text(), abbreviation=self.abbreviation.text(),
                     place_name=self.place.text(), is_remote=self.remote.isChecked())
        head_day = self.head_day.currentData()

        def write(db) -> None:
            u = local_unit(db)
            save_unit(db, code=u.code, parent_code=u.parent_code, level=u.level, **typed)
            set_head_reception_weekday(db, head_day)

        return self.save_on_writer(at_once(write), done=lambda _r: self.errors.clear(), refused=self._refused,
                                   button=self.save_button)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.fields)
        else:
            report(self, exc)

    def edit_officer(self) -> None:
        idx = self.table.currentIndex()
        officer = self.model.row_at(idx.row()) if idx.isValid() else None
        if officer and self.edit_button.isEnabled():   # a double-click too: not for a reader
            self._officer_dialog(officer)

    def _officer_dialog(self, officer: Officer | None) -> None:
        OfficerDialog(self.session, officer, self).exec()
