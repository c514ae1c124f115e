"""Refusing to receive a person at the reception desk (Luật Tiếp công dân 2013 Art. 9; from
01/07/2026 NĐ 154/2026 Art. 4): a ground from the closed list in force that day, explained to the
person on the spot, and for the grounds that need it (Art. 9(3); NĐ 154/2026 Art. 4(1)(h)) a
written notice (Mẫu 01/TCD) within 03 working days (Art. 4(3)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.calendar.deadlines import Deadline, compute_deadline, format_date
from desktop.calendar.workdays import WorkCalendar
from desktop.errors import ValidationError
from desktop.rules.book import ReceptionGround, ReceptionRules, RuleBook


@dataclass(frozen=True)
class Refusal:
    rules: ReceptionRules
    ground: ReceptionGround
    notice: Deadline | None   # the written notice's deadline, when the ground needs one

    @property
    def note(self) -> str:
        """The line the register keeps (Sổ tiếp công dân, "ghi chú")."""
        return f"Từ chối tiếp: {self.ground.label} ({self.ground.citation})."

    @property
    def follow_up(self) -> str:
        if self.notice is None:
            return ""
        n = self.rules.notice
        return f"{n.label}: hạn {format_date(self.notice.due)} ({n.citation})."


def refusal(book: RuleBook, cal: WorkCalendar, refused_on: date, ground_code: str) -> Refusal:
    """The refusal of a reception on a day for a ground, with its notice deadline if any."""
    if not ground_code:
        raise ValidationError({"refusal_ground": "Chọn lý do từ chối tiếp theo quy định."})
    rules = book.reception_for(refused_on)
    ground = rules.ground(ground_code)
    notice = None
    if ground.written_notice and rules.notice:
        n = rules.notice
        notice = compute_deadline(cal, refused_on, n.days, n.day_kind, event_label="Từ chối tiếp")
    return Refusal(rules, ground, notice)
