"""The "Hôm nay" page: what is late, what falls due today and this week, what waits for a notice,
and how much each officer carries. Every line opens its case (double-click or Enter)."""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QSizePolicy, QTabWidget, QVBoxLayout, QWidget,
)

from desktop.storage.calendar_repo import next_head_reception
from desktop.storage.cases import AssigneeLoad, Dashboard, DueItem, dashboard, has_other_units_cases
from desktop.storage.units import has_local_unit, list_officers, local_unit, local_unit_code
from ui.labels import kind_label, state_label, vn_date
from ui.models.rows import Column, RowsModel
from ui.session import Session
from ui.widgets.register_table import RegisterTable

log = logging.getLogger(__name__)

RED, ORANGE, BLUE, GREY = "#b00020", "#c56000", "#1565c0", "#455a64"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")




def _tip(d: DueItem) -> str:
    return f"{kind_label(d.kind)} — {state_label(d.state)}\n{d.summary}"


UNIT_COLUMN = 1  # "Đơn vị": shown when the province looks at its communes' cases


def due_columns(names: dict[str, str], late: bool, units: dict[str, str] | None = None) -> list[Column[DueItem]]:
    """Short lists: number, summary (kind and state in its tooltip), deadline, officer; the
    overdue list adds the kind, the state and how many days late. Column 1 names the unit
    (hidden unless the view shows other units' cases)."""
    units = {} if units is None else units
    cols: list[Column[DueItem]] = [
        Column("Số", lambda d: d.number),
        Column("Đơn vị", lambda d: units.get(d.unit_code, d.unit_code)),
        Column("Tóm tắt", lambda d: d.summary, tooltip=_tip),
        Column("Hạn", lambda d: vn_date(d.due_on), foreground=lambda d: RED if d.days_late else None),
        Column("Cán bộ", lambda d: names.get(d.assignee_uuid or "", "")),
    ]
    if late:
        cols.insert(2, Column("Loại", lambda d: kind_label(d.kind)))
        cols.insert(4, Column("Trạng thái", lambda d: state_label(d.state)))
        cols.insert(6, Column("Quá hạn", lambda d: f"{d.days_late} ngày", foreground=lambda d: RED,
                              sort_key=lambda d: d.days_late))
    return cols


def load_columns() -> list[Column[AssigneeLoad]]:
    return [
        Column("Cán bộ", lambda a: a.assignee_name or "(chưa giao)"),
        Column("Đang giải quyết", lambda a: str(a.open_cases), sort_key=lambda a: a.open_cases),
        Column("Tuần này", lambda a: str(a.due_this_week), sort_key=lambda a: a.due_this_week),
        Column("Quá hạn", lambda a: str(a.overdue), sort_key=lambda a: a.overdue,
               foreground=lambda a: RED if a.overdue else None),
    ]


class Tile(QFrame):
    def __init__(self, title: str, colour: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setStyleSheet(f"#tile {{ border: 1px solid #cfd8dc; border-left: 6px solid {colour}; "
                           "border-radius: 4px; background: white; }")
        self.number = QLabel("0")
        self.number.setStyleSheet(f"font-size: 22pt; font-weight: bold; color: {colour};")
        self.title = QLabel(title)
        self.title.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        lay.addWidget(self.number)
        lay.addWidget(self.title)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(self, n: int) -> None:
        self.number.setText(str(n))


class DueList(QGroupBox):
    def __init__(self, title: str, columns: list[Column[DueItem]], open_case) -> None:
        super().__init__(title)
        self.model = RowsModel(columns, parent=self)
        self.table = RegisterTable()
        self.table.setModel(self.model)
        self.table.fit_columns(next(i for i, c in enumerate(columns) if c.header == "Tóm tắt"))
        self.empty = QLabel("Không có vụ việc nào.")
        self.empty.setStyleSheet(f"color: {GREY};")
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(self.empty)
        self.table.activated_row.connect(lambda r: open_case(self.model.row_at(r).uuid))

    def show_units(self, shown: bool) -> None:
        self.table.setColumnHidden(UNIT_COLUMN, not shown)
        self.table.refit()

    def set_rows(self, rows: list[DueItem]) -> None:
        self.model.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)


class DashboardView(QWidget):
    open_case = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None, *, defer: bool = False) -> None:
        """``defer``: the window paints first and loads the figures right after (start-up)."""
        super().__init__(parent)
        self.session = session
        self.data: Dashboard | None = None
        self.names: dict[str, str] = {}
        self.units: dict[str, str] = {}
        # A province's register also holds its communes' cases: its own work first, theirs on request.
        self.scope = QComboBox()
        self.scope.addItem("Việc của đơn vị", "own")
        self.scope.addItem("Vụ việc các xã gửi lên", "others")
        self.scope.addItem("Tất cả", "all")
        self.scope.setVisible(False)
        self.scope.currentIndexChanged.connect(lambda _i: self.reload())
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.subheading = QLabel()
        self.subheading.setStyleSheet(f"color: {GREY};")
        self.tiles = {
            "overdue": Tile("Quá hạn", RED), "today": Tile("Đến hạn hôm nay", ORANGE),
            "week": Tile("Đến hạn trong tuần", BLUE), "notice": Tile("Chờ ra thông báo thụ lý / từ chối", GREY),
            "sign": Tile("Văn bản chờ ký", GREY),
        }
        tiles = QHBoxLayout()
        for t in self.tiles.values():
            tiles.addWidget(t)
        emit = self.open_case.emit
        self.overdue = DueList("Quá hạn", due_columns(self.names, late=True, units=self.units), emit)
        self.today_list = DueList("Đến hạn hôm nay", due_columns(self.names, late=False, units=self.units), emit)
        self.week = DueList("Đến hạn trong tuần này", due_columns(self.names, late=False, units=self.units), emit)
        self.notice = DueList("Chờ ra thông báo thụ lý / từ chối", due_columns(self.names, late=False,
                                                                              units=self.units), emit)
        self.lists = (self.overdue, self.today_list, self.week, self.notice)
        for box in self.lists:
            box.show_units(False)
        self.loads = RowsModel(load_columns(), parent=self)
        load_box = QGroupBox("Cán bộ và văn bản")
        self.load_table = RegisterTable()
        self.load_table.setModel(self.loads)
        self.load_table.fit_columns(0)
        self.drafts = RowsModel(draft_columns(), parent=self)
        self.draft_table = RegisterTable()
        self.draft_table.setModel(self.drafts)
        self.draft_table.fit_columns(1)
        self.draft_table.activated_row.connect(self._open_draft)
        side = QTabWidget()
        side.addTab(self.load_table, "Theo cán bộ thụ lý")
        side.addTab(self.draft_table, "Văn bản chờ ký")
        self.side = side
        QVBoxLayout(load_box).addWidget(side)
        grid = QGridLayout()
        grid.addWidget(self.overdue, 0, 0, 1, 2)
        grid.addWidget(load_box, 0, 2)
        grid.addWidget(self.today_list, 1, 0)
        grid.addWidget(self.week, 1, 1)
        grid.addWidget(self.notice, 1, 2)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.scope)
        lay.addLayout(head)
        lay.addWidget(self.subheading)
        from ui.views.reports import ReportDueNotice

        self.report_due = ReportDueNotice(session, self)   # from 1/6 and 1/12: the period's report is due
        lay.addWidget(self.report_due)
        lay.addLayout(tiles)
        lay.addLayout(grid, 1)
        session.follow_changes(self, self.reload)
        self.heading.setText("Hôm nay")
        if not defer:
            self.reload()

    def reload(self) -> None:
        db, today = self.session.db, self.session.today()
        self.names.clear()
        self.names.update({o.uuid: o.full_name for o in list_officers(db, active_only=False)})
        self.units.clear()
        own = local_unit_code(db) if has_local_unit(db) else None
        others = bool(own and has_other_units_cases(db, own))
        self.scope.setVisible(others)
        scope = self.scope.currentData() if others else "all"
        if others:
            from desktop.storage.units import list_units

            self.units.update({u.code: u.name.replace("Ủy ban nhân dân ", "") for u in list_units(db)})
        for box in self.lists:
            box.show_units(others and scope != "own")
        data = dashboard(db, today, unit_code=own if scope == "own" else None,
                         other_than=own if scope == "others" else None)
        self.data = data
        try:
            unit = local_unit(db).name
        except Exception:  # noqa: BLE001 - a register without unit still shows its cases
            unit = ""
        self.heading.setText(f"Hôm nay, {WEEKDAYS[today.weekday()].lower()} {vn_date(today)}")
        head_day = next_head_reception(db, today)
        if head_day is not None:
            when = "hôm nay" if head_day == today else f"{WEEKDAYS[head_day.weekday()].lower()} {vn_date(head_day)}"
            unit = f"{unit}   ·   Tiếp công dân định kỳ của người đứng đầu: {when}" if unit else when
        self.subheading.setText(unit)
        self.tiles["overdue"].set(data.overdue_count)
        self.tiles["today"].set(len(data.due_today))
        self.tiles["week"].set(len(data.due_this_week))
        self.tiles["notice"].set(len(data.awaiting_notice))
        self.overdue.set_rows(data.overdue)
        self.today_list.set_rows(data.due_today)
        self.week.set_rows(data.due_this_week)
        self.notice.set_rows(data.awaiting_notice)
        self.loads.set_rows(data.per_assignee)
        drafts = drafts_awaiting_signature(db)
        self.drafts.set_rows(drafts)
        self.tiles["sign"].set(len(drafts))
        log.debug("dashboard %s: %s overdue", today, data.overdue_count)

    def today(self) -> date:
        return self.session.today()

    def _open_draft(self, row: int) -> None:
        doc = self.drafts.row_at(row)
        if doc is not None and doc.case_uuid:
            self.open_case.emit(doc.case_uuid)


def drafts_awaiting_signature(db) -> list:
    """This unit's documents drafted and not yet signed and numbered (status 'draft'), oldest
    first. A commune's drafts that reached the province in a bundle are the commune's to sign."""
    try:
        from desktop.storage.documents_repo import list_documents
    except ImportError:  # a build without documents
        return []
    if not has_local_unit(db):
        return []
    return list_documents(db, status="draft", unit_code=local_unit_code(db))


def draft_columns() -> list[Column]:
    return [
        Column("Loại", lambda d: d.type_code or d.label, tooltip=lambda d: d.label),
        Column("Trích yếu", lambda d: d.summary, tooltip=lambda d: d.summary),
        Column("Người ký", lambda d: d.signer_name),
    ]
