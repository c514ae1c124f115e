"""Window state in QSettings, through one typed wrapper (STYLE.md §9).

Only what belongs to this computer and this user lives here: window geometry, splitter and
header states, the last register opened, the officer working at this desk. Everything that
matters to the office lives in the register (SQLite). Every read passes ``type=`` so Qt never
hands back "true" strings or mangled lists.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")

ORGANIZATION = "SoGiaiTrinh"
APPLICATION = "giaitrinh"


class Setting(Generic[T]):
    """A typed key: ``WindowState.geometry.get(s)`` / ``.set(s, value)``."""

    def __init__(self, key: str, kind: type, default: T) -> None:
        self.key, self.kind, self.default = key, kind, default

    def get(self, qs: QSettings) -> T:
        if not qs.contains(self.key):
            return self.default
        value = qs.value(self.key, self.default, type=self.kind)
        return self.default if value is None else value

    def set(self, qs: QSettings, value: T) -> None:
        qs.setValue(self.key, value)


class WindowState:
    """The keys this app stores, each with its type and default."""

    geometry = Setting[QByteArray]("main/geometry", QByteArray, QByteArray())
    window_state = Setting[QByteArray]("main/state", QByteArray, QByteArray())
    last_page = Setting[int]("main/page", int, 0)
    last_register = Setting[str]("register/last", str, "")
    actor_uuid = Setting[str]("desk/officer", str, "")
    case_header = Setting[QByteArray]("cases/header", QByteArray, QByteArray())
    reception_header = Setting[QByteArray]("receptions/header", QByteArray, QByteArray())

    def __init__(self, qs: QSettings | None = None) -> None:
        self.qs = qs or QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)

    def __getitem__(self, setting: Setting[T]) -> T:
        return setting.get(self.qs)

    def __setitem__(self, setting: Setting[T], value: Any) -> None:
        setting.set(self.qs, value)

    def sync(self) -> None:
        self.qs.sync()
