"""A province's "Hôm nay": its own work by default; the communes' cases behind a filter, with the
commune named."""

from __future__ import annotations

from datetime import date

TODAY = date(2026, 11, 23)


def test_province_today_shows_its_own_work_first(qtbot, tmp_path):
    from desktop.storage.db import open_database
    from desktop.storage.persons import save_person
    from desktop.storage.units import save_officer, save_unit
    from desktop.workflow.receive import CaseInput, receive_case
    from ui.app import create_application
    from ui.session import Session
    from ui.views.dashboard import UNIT_COLUMN, DashboardView

    create_application()
    db = open_database(tmp_path / "tinh.sqlite")
    from desktop.security import accounts

    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", place_name="Thụy Hùng")
    accounts.assume_role(db, "leader")
    p = save_person(db, full_name="Trần Văn A")
    theirs = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 11, 20), summary="Kiến nghị của xã",
                                        requesters=[p.uuid]), today=TODAY)
    # the same rows now sit in the province's register, whose own unit is the province
    accounts.assume_role(db, "admin")
    save_unit(db, code="01", name="Ủy ban nhân dân tỉnh Thử", level="province", make_local=True, mode="province")
    save_officer(db, full_name="Cán bộ tỉnh")
    accounts.assume_role(db, "leader")
    ours = receive_case(db, CaseInput(kind="petition", received_on=date(2026, 11, 20), summary="Kiến nghị gửi tỉnh",
                                      requesters=[p.uuid]), today=TODAY)
    session = Session(db, today=TODAY)
    view = DashboardView(session)
    qtbot.addWidget(view)
    view.show()
    assert view.scope.isVisible() and view.scope.currentData() == "own"
    waiting = [view.notice.model.row_at(r).uuid for r in range(view.notice.model.rowCount())]
    assert waiting == [ours.uuid]
    assert view.notice.table.isColumnHidden(UNIT_COLUMN)
    view.scope.setCurrentIndex(view.scope.findData("others"))
    waiting = [view.notice.model.row_at(r).uuid for r in range(view.notice.model.rowCount())]
    assert waiting == [theirs.uuid]
    assert not view.notice.table.isColumnHidden(UNIT_COLUMN)
    assert view.notice.model.index(0, UNIT_COLUMN).data() == "xã Thụy Hùng"
    session.close()


def test_the_communes_column_leaves_room_for_the_summary(qtbot, window, session, office):
    """The province's small lists with the commune named: the summary stays readable at 1366×768
    (it was squeezed to "…" under a header cut to "m t")."""
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case
    from ui.views.dashboard import DashboardView

    p = save_person(session.db, full_name="Nguyễn Mai Ngọc Trâm")
    receive_case(session.db, CaseInput(kind="petition", received_on=date(2026, 3, 2),
                                       summary="Đề nghị giải quyết việc cấp giấy chứng nhận", requesters=[p.uuid],
                                       assignee_uuid=office["clerk"].uuid), today=date(2026, 3, 2))
    window.show_page(0)
    view = window.page(0)
    assert isinstance(view, DashboardView)
    qtbot.waitUntil(lambda: view.notice.model.rowCount() == 1)
    view.units["12345"] = "phường Hoàn Kiếm thành phố Hà Nội"   # a long commune name
    view.names[office["clerk"].uuid] = "Nguyễn Thị Phương Thảo Linh"   # and a long officer's name
    view.notice.show_units(True)
    view.notice.model.layoutChanged.emit()
    table = view.notice.table
    from PySide6.QtCore import Qt

    summary = 2
    assert view.notice.model.headerData(summary, Qt.Orientation.Horizontal) == "Tóm tắt"
    shown = [i for i in range(view.notice.model.columnCount()) if not table.isColumnHidden(i)]
    qtbot.waitUntil(lambda: sum(table.columnWidth(i) for i in shown) <= table.viewport().width()
                    and table.columnWidth(summary) >= table.viewport().width() // 4)
