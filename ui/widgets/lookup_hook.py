"""A search box that opens a case at once when it receives the case's lookup code.

The code on the citizen's receipt (``desktop.storage.lookup``) is typed, or scanned by a
barcode scanner that types the QR's text and presses Enter. Any other text searches as before.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.storage.lookup import find_case, normalize


def attach_lookup(box, db_of: Callable[[], object], open_case: Callable[[str], None]) -> None:
    """``box``: a ``SearchBox``; ``db_of()`` the register; ``open_case(uuid)`` opens the case."""

    def check(text: str) -> None:
        if normalize(text) is None:
            return
        uuid = find_case(db_of(), text)
        if uuid:
            box.clear()  # the register behind goes back to its list
            open_case(uuid)

    box.search.connect(check)
