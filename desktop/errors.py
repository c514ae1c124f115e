"""Expected failures.

A ``UserError`` carries a stable ``code`` (for tests, logs and the CLI's JSON) and a Vietnamese
``message`` a clerk understands. The UI shows it without a traceback; anything else is a bug.
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """An expected failure: bad input, a step the law does not allow, a damaged file …"""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:  # the message alone: this is what a clerk reads
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **({"details": self.details} if self.details else {})}


class ValidationError(UserError):
    """One or more fields of a form are wrong; ``fields`` maps field name to message."""

    def __init__(self, fields: dict[str, str]) -> None:
        first = next(iter(fields.values()))
        super().__init__("invalid_input", first, fields=fields)
        self.fields = fields


class NotFound(UserError):
    pass


class TransitionNotAllowed(UserError):
    pass
