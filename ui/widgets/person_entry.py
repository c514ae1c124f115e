"""A person typed at the desk: name, identity paper, phone, address — with the likely duplicate offered.

While the clerk types, people already in the register with the same ID number, or the same
name (and phone), are listed under the fields; "Dùng người này" picks one instead of creating a
second record. ``person_uuid(db)`` returns the picked person or saves the typed one (inside the
caller's transaction, so a failed save writes nothing).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.domain.records import Person
from desktop.storage.db import Database
from desktop.errors import UserError
from desktop.storage.persons import get_person, save_person
from desktop.storage.duplicates import find_person_duplicates
from ui.widgets.form import FormErrors, IdentityEdit

log = logging.getLogger(__name__)

LOOKUP_DELAY_MS = 250


class PersonEntry(QWidget):
    picked_changed = Signal(object)  # Person | None

    def __init__(self, db: Database, parent: QWidget | None = None, *, prefix: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.prefix = prefix
        self.picked: Person | None = None
        self.name = QLineEdit(placeholderText="Họ và tên (hoặc tên tổ chức)")
        self.identity = IdentityEdit()
        self.phone = QLineEdit(placeholderText="ví dụ 0912345678")
        self.address = QLineEdit(placeholderText="Thôn/xóm, xã/phường, tỉnh")
        self.errors = FormErrors()
        form = QFormLayout()
        self.errors.add(form, "Họ và tên:", "full_name", self.name)
        self.errors.add(form, "Giấy tờ tùy thân:", "id_number", self.identity)
        self.errors.add(form, "Điện thoại:", "phone", self.phone)
        self.errors.add(form, "Địa chỉ:", "address", self.address)
        self.suggest_box = QWidget()
        self.suggest_lay = QVBoxLayout(self.suggest_box)
        self.suggest_lay.setContentsMargins(0, 0, 0, 0)
        self.picked_label = QLabel()
        self.picked_label.setStyleSheet("color: #2e7d32;")
        self.unpick = QPushButton("Nhập người khác")
        self.unpick.clicked.connect(self.clear_pick)
        self.unpick.setAutoDefault(False)
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.picked_label, 1)
        pick_row.addWidget(self.unpick)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(form)
        lay.addLayout(pick_row)
        lay.addWidget(self.suggest_box)
        lay.addWidget(self.errors.general)
        self.timer = QTimer(self, singleShot=True, interval=LOOKUP_DELAY_MS)
        self.timer.timeout.connect(self.lookup)
        for edit in (self.name, self.phone, self.identity.number):
            edit.textEdited.connect(lambda _t: self.timer.start())
        self.picked_label.hide()
        self.unpick.hide()
        self.suggestions: list[tuple[Person, str]] = []

    # -- duplicates --------------------------------------------------------------------------------
    def lookup(self) -> None:
        if self.picked is not None or not self.isVisible():
            return  # a closed form does not query
        name, number = self.name.text().strip(), self.identity.id_number()
        found = find_person_duplicates(self.db, full_name=name, id_number=number, phone=self.phone.text()) \
            if (len(name) >= 3 or len(number) >= 9) else []
        self.show_suggestions(found[:3])

    def show_suggestions(self, found: list[tuple[Person, str]]) -> None:
        self.suggestions = found
        while self.suggest_lay.count():
            item = self.suggest_lay.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for person, reason in found:
            row = QWidget()
            h = QHBoxLayout(row)
            h.setContentsMargins(0, 0, 0, 0)
            details = ", ".join(x for x in (person.id_number, person.phone, person.address) if x)
            text = QLabel(f"<b>{reason}:</b> {person.full_name}" + (f" ({details})" if details else ""))
            text.setStyleSheet("color: #8a4b00;")
            text.setWordWrap(True)
            use = QPushButton("Dùng người này")
            use.clicked.connect(lambda _c=False, p=person: self.pick(p))
            use.setAutoDefault(False)
            h.addWidget(text, 1)
            h.addWidget(use)
            self.suggest_lay.addWidget(row)

    def pick(self, person: Person) -> None:
        self.picked = person
        self.name.setText(person.full_name)
        self.identity.number.setText(person.id_number)
        idx = self.identity.kind.findData(person.id_kind)
        if idx >= 0:
            self.identity.kind.setCurrentIndex(idx)
        self.phone.setText(person.phone)
        self.address.setText(person.address)
        for w in (self.name, self.phone, self.address, self.identity.number):
            w.setReadOnly(True)
        self.identity.kind.setEnabled(False)
        self.picked_label.setText(f"Đã chọn người có trong sổ: {person.full_name}")
        self.picked_label.show()
        self.unpick.show()
        self.show_suggestions([])
        self.errors.clear()
        self.picked_changed.emit(person)

    def clear_pick(self) -> None:
        self.picked = None
        for w in (self.name, self.phone, self.address, self.identity.number):
            w.setReadOnly(False)
        self.identity.kind.setEnabled(True)
        self.picked_label.hide()
        self.unpick.hide()
        self.picked_changed.emit(None)

    # -- saving ----------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not (self.picked or self.name.text().strip())

    def person_uuid(self, today=None) -> str:
        """The picked person, or the typed one saved now (caller holds the transaction)."""
        if self.picked is not None:
            return self.picked.uuid
        person = save_person(self.db, full_name=self.name.text(), id_kind=self.identity.id_kind(),
                             id_number=self.identity.id_number(), phone=self.phone.text(),
                             address=self.address.text(), today=today)
        return person.uuid

    def requester(self, today=None):
        """``person_uuid`` for the writer's thread: the values typed are read now, on the GUI
        thread; the returned ``f(db)`` saves them (or names the person picked) on ``db``, inside
        the caller's transaction (ui/writer.py)."""
        if self.picked is not None:
            uuid = self.picked.uuid
            return lambda db: uuid
        typed = dict(full_name=self.name.text(), id_kind=self.identity.id_kind(), id_number=self.identity.id_number(),
                     phone=self.phone.text(), address=self.address.text(), today=today)
        return lambda db: save_person(db, **typed).uuid

    def offer_existing(self, exc: UserError) -> bool:
        """The ID number typed belongs to someone already in the register: pick that person
        instead of creating a duplicate, and say why. False when ``exc`` is something else."""
        uuid = exc.details.get("existing_uuid") if exc.code == "duplicate_id_number" else None
        if not uuid:
            return False
        self.pick(get_person(self.db, uuid))
        self.errors.show({"_": exc.message})
        return True

    def show_errors(self, fields: dict[str, str]) -> dict[str, str]:
        """Show the person's own messages; return the rest for the caller. A citizen-ID problem
        the field already shows as it is typed is not repeated under it (shown once; it clears
        when the number is fixed)."""
        mine = {k: v for k, v in fields.items() if k in self.errors.fields}
        shown_by_field = "id_number" in mine and bool(self.identity.problem())
        if shown_by_field:
            del mine["id_number"]
        if mine:
            self.errors.show(mine)
        if shown_by_field or next(iter(mine), "") == "id_number":   # the number, not its container
            self.identity.number.setFocus()
        return {k: v for k, v in fields.items() if k not in mine and not (shown_by_field and k == "id_number")}
