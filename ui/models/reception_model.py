"""The citizen reception register (Sổ tiếp công dân, Mẫu 03/TCD columns) over keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from desktop.rules.book import default_rules
from desktop.storage.db import Database
from desktop.storage.receptions import ReceptionRow, page_receptions
from desktop.storage.ui_queries import reception_anchors, reception_count, reception_cursor_at
from ui.labels import kind_label, vn_date
from ui.models.case_model import HIDDEN_NAME
from ui.models.paged import PagedModel, filter_key
from ui.models.rows import Column

CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
OUTCOME_LABELS = {"recorded": "Ghi nhận", "accepted": "Tiếp nhận, thụ lý", "guided": "Hướng dẫn",
                  "forwarded": "Chuyển đơn", "answered": "Trả lời trực tiếp"}


@dataclass(frozen=True)
class ReceptionFilter:
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    text: str | None = None


class ReceptionSource:
    def __init__(self, db: Database, filt: ReceptionFilter) -> None:
        self.db, self.filt = db, filt
        self.counted = not filt.text
        self.anchor_key = f"receptions|{filter_key(filt)}" if self.counted else None
        self.anchors_kept = True  # receipt dates and row ids only

    def _args(self) -> dict[str, Any]:
        return dict(date_from=self.filt.date_from, date_to=self.filt.date_to, kind=self.filt.kind)

    def count(self) -> int:
        return reception_count(self.db, **self._args())

    def fetch(self, after: Any, descending: bool, limit: int) -> tuple[list[ReceptionRow], Any]:
        page = page_receptions(self.db, **self._args(), text=self.filt.text, after=after, limit=limit,
                               descending=descending)
        return page.rows, page.next_cursor

    def cursor_of(self, row: ReceptionRow) -> Any:
        return (row.received_on.isoformat(), row.id)

    def cursor_at(self, offset: int, descending: bool) -> Any:
        return reception_cursor_at(self.db, **self._args(), descending=descending, offset=offset)

    def anchors(self, db: Database, descending: bool, every: int, cancelled) -> list[Any]:
        return reception_anchors(db, **self._args(), descending=descending, every=every, cancelled=cancelled)


def _secret(r: ReceptionRow) -> bool:
    """A denouncer's identity stays out of lists (Luật Tố cáo 2018, Art. 9; DOMAIN.md §7), and out
    of the reception's search text (``search.reception_search_text``): the rule set decides."""
    return default_rules().is_confidential(r.case_kind, r.received_on)


def _who(r: ReceptionRow) -> str:
    if _secret(r):
        return "Danh tính người tố cáo được giữ bí mật; xem trong hồ sơ vụ việc (có ghi nhật ký)."
    return f"{r.person_name}\n{r.address}" if r.address else r.person_name


class ReceptionTableModel(PagedModel[ReceptionRow]):
    def __init__(self, db: Database, parent=None) -> None:
        super().__init__(self._columns(), parent)
        self.db = db
        self.filt = ReceptionFilter()
        self.sortable = {0: "received"}

    @staticmethod
    def _columns() -> list[Column[ReceptionRow]]:
        return [
            Column("Ngày tiếp", lambda r: vn_date(r.received_on), align=CENTER),
            Column("Họ tên, địa chỉ", lambda r: HIDDEN_NAME if _secret(r) else r.person_name, tooltip=_who),
            Column("Số giấy tờ", lambda r: "" if _secret(r) else r.id_number),
            Column("Nội dung", lambda r: r.content.split("\n")[0], tooltip=lambda r: r.content),
            Column("Phân loại", lambda r: kind_label(r.case_kind)),
            Column("Số người", lambda r: str(r.people_count), align=CENTER,
                   foreground=lambda r: "#b00020" if r.people_count >= 5 else None,
                   tooltip=lambda r: "Đoàn đông người" if r.people_count >= 5 else ""),
            Column("Đã giải quyết trước", lambda r: r.previous_handling),
            Column("Thẩm quyền", lambda r: "x" if r.within_competence else "", align=CENTER),
            Column("Hướng dẫn đến", lambda r: r.guided_to),
            Column("Chuyển đơn đến", lambda r: r.forwarded_to),
            Column("Kết quả", lambda r: OUTCOME_LABELS.get(r.outcome, r.outcome)),
            Column("Theo dõi", lambda r: r.follow_up),
            Column("Ghi chú", lambda r: r.notes),
        ]

    def set_filter(self, filt: ReceptionFilter) -> None:
        self.filt = filt
        self.start()

    def on_sort(self, key: str, descending: bool) -> None:
        self.set_source(ReceptionSource(self.db, self.filt), descending=descending)

    def start(self) -> None:
        self.set_source(ReceptionSource(self.db, self.filt), descending=self.descending)
