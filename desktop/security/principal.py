"""The logged-in officer held by a ``Database`` handle, and the one permission check.

``db.principal`` is set by ``accounts.login`` (or ``accounts.assume_role`` for code that builds a
register in-process: the demo, the bench generator, the fixtures builder and tests). Every
workflow entry point calls ``require(db, permission)``; the actor of every event is
``actor_name(db)``, never a free text typed by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.errors import UserError
from desktop.security import roles


@dataclass(frozen=True)
class Principal:
    account_uuid: str
    login: str
    officer_uuid: str
    officer_name: str
    role: str
    unit_code: str
    # The sealing key's private half, unwrapped at login for roles that hold it (never printed).
    seal_key: Any = field(default=None, repr=False, compare=False)

    @property
    def role_label(self) -> str:
        return roles.label(self.role)


class NotPermitted(UserError):
    def __init__(self, message: str, **details: Any) -> None:
        super().__init__("not_permitted", message, **details)


def current(db) -> Principal | None:
    return getattr(db, "principal", None)


def require(db, permission: str, *, case: Any = None) -> Principal:
    """The logged-in principal if its role may do ``permission`` (on ``case``, for the roles that
    act on their own cases only); otherwise ``UserError('not_permitted')`` naming what it may not do."""
    phrase = roles.PERMISSIONS[permission]
    who = current(db)
    if who is None:
        raise NotPermitted(f"Chưa đăng nhập: hãy đăng nhập để {phrase}.", permission=permission)
    if not roles.allows(who.role, permission):
        raise NotPermitted(f"Vai trò “{who.role_label}” không được {phrase}.", permission=permission,
                           role=who.role)
    if case is not None and permission in roles.OWN_CASES_ONLY.get(who.role, ()):
        if getattr(case, "assignee_uuid", None) != who.officer_uuid:
            number = getattr(case, "number", "") or ""
            raise NotPermitted(
                f"Vai trò “{who.role_label}” chỉ được {phrase} với vụ việc được giao cho mình; "
                f"vụ việc {number} không giao cho {who.officer_name}.".replace("vụ việc  ", "vụ việc "),
                permission=permission, role=who.role)
    return who


def may(db, permission: str, *, case: Any = None) -> bool:
    """Whether ``require`` would pass (for the window, which offers only what is allowed)."""
    try:
        require(db, permission, case=case)
    except UserError:
        return False
    return True


def actor_name(db) -> str:
    """The name the event log records: the logged-in officer (``not_permitted`` when nobody is)."""
    who = current(db)
    if who is None:
        raise NotPermitted("Chưa đăng nhập: không ghi được sự kiện khi chưa biết ai thực hiện.")
    return who.officer_name
