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
