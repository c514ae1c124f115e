"""Pick the office's commune from the 2025 list (34 provinces, 3,321 communes and wards).

A province box, a search line (accent-insensitive: "thuy hung" finds "Xã Thụy Hùng") and a list.
The list comes from the ``vietnam-provinces`` package, loaded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QListView, QVBoxLayout, QWidget

from desktop.domain.text import fold, vietnamese_sort_key

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Commune:
    code: str            # 5 digits, mã đơn vị hành chính
    name: str            # "Xã Thụy Hùng"
    province_code: str   # 2 digits
    province_name: str   # "Hưng Yên"
    folded: str

    @property
    def words(self) -> tuple[str, ...]:
        return _words(self.folded)

    @property
    def label(self) -> str:
        return f"{self.name} — {self.province_name}"

    @property
    def place_name(self) -> str:
        """"Thụy Hùng": the name without "Xã"/"Phường"/"Đặc khu", for date lines."""
        for prefix in ("Đặc khu ", "Phường ", "Xã ", "Thị trấn "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name

    @property
    def office_name(self) -> str:
        """"Ủy ban nhân dân xã Thụy Hùng"."""
        first, _, rest = self.name.partition(" ")
        if first in ("Xã", "Phường"):
            return f"Ủy ban nhân dân {first.lower()} {rest}"
        if self.name.startswith("Đặc khu "):
            return f"Ủy ban nhân dân đặc khu {self.place_name}"
        return f"Ủy ban nhân dân {self.name}"


@lru_cache(maxsize=4096)
def _words(folded: str) -> tuple[str, ...]:
    return tuple(folded.split())


@lru_cache(maxsize=1)
def provinces() -> list[tuple[str, str]]:
    from vietnam_provinces import Province

    items = [(f"{int(p.code):02d}", p.name) for p in Province.iter_all()]
    return sorted(items, key=lambda it: vietnamese_sort_key(_short_province(it[1]), given_name_first=False))


def _short_province(name: str) -> str:
    return name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


@lru_cache(maxsize=1)
def communes() -> tuple[Commune, ...]:
    from vietnam_provinces import Province, Ward

    pnames = {int(p.code): p.name for p in Province.iter_all()}
    items = [
        Commune(f"{int(w.code):05d}", w.name, f"{int(w.province_code):02d}", pnames.get(int(w.province_code), ""),
                fold(f"{w.name} {pnames.get(int(w.province_code), '')}"))
        for w in Ward.iter_all()
    ]
    return tuple(sorted(items, key=lambda c: (vietnamese_sort_key(c.place_name, given_name_first=False), c.code)))


def find_commune(code: str) -> Commune | None:
    return next((c for c in communes() if c.code == code), None)


class CommuneListModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.items = communes()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        c = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Mã đơn vị hành chính: {c.code}"
        if role == Qt.ItemDataRole.UserRole:
            return c.code
        return None


class _FoldFilter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.province = ""

    def set_filter(self, text: str, province: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10
            self.beginFilterChange()
            self.words, self.province = fold(text).split(), province
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.words, self.province = fold(text).split(), province
            self.invalidateRowsFilter()
        self.sort(-1)   # the order depends on the words typed: sort again
        self.sort(0)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        c = self.sourceModel().items[row]
        if self.province and c.province_code != self.province:
            return False
        return all(any(word.startswith(w) for word in c.words) for w in self.words)

    def _name_matches(self, row: int) -> bool:
        c = self.sourceModel().items[row]
        name_words = _words(fold(c.name))
        return all(any(word.startswith(w) for word in name_words) for w in self.words)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802 - Qt
        """"thuy hung" lists Xã Thụy Hùng before the Thụy Anh communes of Hưng Yên (the words
        also match the province's name), so Enter picks what was typed; otherwise A→Z."""
        if self.words:
            a, b = self._name_matches(left.row()), self._name_matches(right.row())
            if a != b:
                return a
        return left.row() < right.row()


class CommunePicker(QWidget):
    """Emits ``picked(Commune)`` when the clerk selects a line."""

    picked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.province = QComboBox()
        self.province.addItem("— Tất cả 34 tỉnh, thành phố —", "")
        for code, name in provinces():
            self.province.addItem(name, code)
        self.search = QLineEdit(placeholderText="Gõ tên xã, phường (có dấu hoặc không dấu), ví dụ: thuy hung")
        self.search.setClearButtonEnabled(True)
        self.model = CommuneListModel(self)
        self.proxy = _FoldFilter(self)
        self.proxy.setSourceModel(self.model)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.province)
        lay.addWidget(self.search)
        lay.addWidget(self.list)
        self.province.currentIndexChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.search.returnPressed.connect(self._pick_first)
        self.search.installEventFilter(self)
        self.proxy.sort(0)   # communes whose own name matches first (see _FoldFilter.lessThan)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt
        """Down from the search line enters the list (keyboard-first, as in the registers)."""
        if obj is self.search and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            if self.proxy.rowCount():
                self.list.setFocus()
                if not self.list.currentIndex().isValid():
                    self.list.setCurrentIndex(self.proxy.index(0, 0))
                return True
        return super().eventFilter(obj, event)

    def _refilter(self) -> None:
        self.proxy.set_filter(self.search.text(), self.province.currentData() or "")
        if self.proxy.rowCount() == 1:
            self._pick_first()

    def _pick_first(self) -> None:
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            code = current.data(Qt.ItemDataRole.UserRole)
            commune = find_commune(code)
            if commune:
                self.picked.emit(commune)

    def select_code(self, code: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) == code:
                self.list.setCurrentIndex(self.proxy.index(row, 0))
                return
