"""The register models: Qt's model contract (qtmodeltester), keyset paging from both ends and the
middle, instant search, sorting by Vietnamese name order."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop.domain.names import name_key
from desktop.storage import cases as case_repo
from desktop.storage import search
from desktop.storage.cases import CaseFilter
from desktop.storage.units import new_uuid, now_iso

NAMES = ["Nguyễn Văn An", "Đặng Thị Ánh", "Bùi Văn Bình", "Trần Thị Đào", "Lê Văn Dũng", "Phạm Thị Ưng",
         "Hoàng Văn Ơn", "Võ Thị Ân", "Đỗ Văn Ăn", "Ngô Thị Ê"]


def bulk_cases(db, n: int, *, start=date(2025, 1, 1)) -> None:
    rnd = random.Random(7)
    stamp = now_iso()
    with db.write():
        for i in range(n):
            name = NAMES[i % len(NAMES)]
            received = start + timedelta(days=i % 400)
            summary = f"Kiến nghị về đất đai thửa số {i}" if i % 3 else f"Phản ánh ô nhiễm môi trường {i}"
            text = search.case_search_text(number=f"{i + 1:02d}/2025", summary=summary, content="",
                                           people=[(name, "", "")])
            cid = case_repo.insert_case(db, dict(
                uuid=new_uuid(), unit_code="12345", number=f"{i + 1:02d}/2025", kind="petition",
                rules_id="petition-2013", channel="mail", field="land" if i % 3 else "environment", summary=summary,
                content="", received_on=received.isoformat(), state="received",
                due_on=(received + timedelta(days=rnd.randint(5, 30))).isoformat() if i % 4 else None,
                requester_name=name, requester_key=name_key(name), search_text=text, created_at=stamp,
                updated_at=stamp, extensions=0))
            search.fts_insert(db, "cases", cid, text)


@pytest.fixture
def case_model(qapp, office):
    from ui.models.case_model import CaseTableModel

    bulk_cases(office["db"], 1234)
    model = CaseTableModel(office["db"], date(2026, 3, 2))
    model.start()
    return model


def all_ids(model) -> list[int]:
    return [model.row_at(r).id for r in range(model.rowCount())]


def test_case_model_passes_qtmodeltester(qtmodeltester, case_model):
    qtmodeltester.check(case_model, force_py=True)


def test_reception_model_passes_qtmodeltester(qtmodeltester, qapp, office):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import ReceptionInput, record_reception
    from ui.models.reception_model import ReceptionFilter, ReceptionTableModel

    db = office["db"]
    p = save_person(db, full_name="Trần Thị Đức", address="Thôn Đông")
    for i in range(5):
        record_reception(db, ReceptionInput(received_on=date(2026, 2, 1 + i), person_uuid=p.uuid,
                                            content=f"Hỏi về thủ tục cấp giấy {i}"),
                         today=date(2026, 3, 2))
    model = ReceptionTableModel(db)
    model.start()
    assert model.rowCount() == 5
    assert model.index(0, 0).data() == "05/02/2026"
    qtmodeltester.check(model, force_py=True)
    model.set_filter(ReceptionFilter(text="thu tuc cap giay 3"))
    assert model.rowCount() == 1
    qtmodeltester.check(model, force_py=True)


def test_rows_model_passes_qtmodeltester(qtmodeltester, qapp, office):
    from ui.models.rows import RowsModel
    from ui.views.settings_unit import officer_columns
    from desktop.storage.units import list_officers

    model = RowsModel(officer_columns(), list_officers(office["db"]))
    qtmodeltester.check(model, force_py=True)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    # Vietnamese office order: by given name — Hùng, Lan, Mai
    assert [model.index(r, 0).data() for r in range(3)] == ["Nguyễn Văn Hùng", "Phạm Thị Lan", "Lê Thị Mai"]
    qtmodeltester.check(model, force_py=True)


def test_pages_from_any_end_match_one_sql_order(case_model, office):
    from ui.models import paged

    expected = [r["id"] for r in office["db"].query("SELECT id FROM cases ORDER BY received_on DESC, id DESC")]
    assert case_model.rowCount() == 1234
    # jump to the end first, then the middle, then walk back: every row where SQL puts it
    assert case_model.row_at(1233).id == expected[1233]
    assert case_model.row_at(617).id == expected[617]
    assert case_model.row_at(200).id == expected[200]
    assert all_ids(case_model) == expected
    assert len(case_model.pages) <= paged.MAX_PAGES


def test_memory_stays_bounded(case_model, monkeypatch):
    from ui.models import paged

    monkeypatch.setattr(paged, "MAX_PAGES", 3)
    for r in range(0, case_model.rowCount(), 50):
        case_model.row_at(r)
    assert len(case_model.pages) <= 3


def test_sort_by_requester_in_vietnamese_order(case_model):
    case_model.sort(4, Qt.SortOrder.AscendingOrder)
    names = [case_model.row_at(r).requester_name for r in range(case_model.rowCount())]
    given = [n.split()[-1] for n in dict.fromkeys(names)]
    assert given == ["An", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đào", "Ê", "Ơn", "Ưng"]
    from ui.models.case_model import DUE_COLUMN

    case_model.sort(DUE_COLUMN, Qt.SortOrder.AscendingOrder)
    dues = [case_model.row_at(r).due_on for r in range(case_model.rowCount())]
    assert None not in dues and dues == sorted(dues)


def test_search_is_accent_insensitive_and_incremental(case_model):
    from ui.models import paged

    case_model.set_text("o nhiem moi truong")
    assert not case_model.counted
    assert case_model.rowCount() == paged.PAGE and case_model.canFetchMore()
    while case_model.canFetchMore():
        case_model.fetchMore()
    assert case_model.rowCount() == len(range(0, 1234, 3))
    assert all("ô nhiễm" in case_model.row_at(r).summary for r in range(case_model.rowCount()))
    case_model.set_text("")
    assert case_model.counted and case_model.rowCount() == 1234


def test_filters_narrow_the_count(case_model):
    case_model.set_filter(CaseFilter(field="environment"))
    assert case_model.rowCount() == len(range(0, 1234, 3))
    assert {case_model.row_at(r).field for r in range(case_model.rowCount())} == {"environment"}


def test_overdue_deadline_is_red(case_model):
    row = next(r for r in range(case_model.rowCount()) if case_model.row_at(r).due_on)
    from ui.models.case_model import DUE_COLUMN

    brush = case_model.index(row, DUE_COLUMN).data(Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == "#b00020"


def test_scroll_bar_jumps_use_page_anchors_read_in_the_background(qtbot, case_model, office):
    from desktop.storage.db import open_database
    from ui.models import paged
    from ui.tasks import TaskRunner

    runner = TaskRunner()
    path = office["db"].path
    case_model.read_anchors_with(runner, lambda: open_database(path, create=False, migrate=False))
    case_model.load_anchors()
    qtbot.waitUntil(lambda: len(case_model.anchors) == 1234 // paged.PAGE, timeout=10000)
    assert runner.wait()
    calls = []
    case_model.source.cursor_at = lambda *a: calls.append(a)  # an OFFSET query would show here
    expected = [r["id"] for r in office["db"].query("SELECT id FROM cases ORDER BY received_on DESC, id DESC")]
    for row in (617, 1001, 401, 833):
        case_model.pages.clear()
        assert case_model.row_at(row).id == expected[row]
    assert calls == []


def test_page_anchors_are_read_at_the_first_jump_not_at_each_save(qtbot, case_model, office):
    """A save resets the model; the anchors are read again only when the clerk jumps."""
    from desktop.storage.db import open_database
    from ui.models import paged
    from ui.tasks import TaskRunner

    runner = TaskRunner()
    path = office["db"].path
    case_model.read_anchors_with(runner, lambda: open_database(path, create=False, migrate=False))
    case_model.refresh()  # as after a save
    case_model.row_at(5)  # the first screen: no jump
    assert case_model._anchor_task is None and case_model.anchors == []
    expected = [r["id"] for r in office["db"].query("SELECT id FROM cases ORDER BY received_on DESC, id DESC")]
    calls = []
    case_model.source.cursor_at = lambda *a: calls.append(a)  # an OFFSET query would show here
    # A jump: the scan starts and the page stays blank until the anchors arrive, then repaints.
    with qtbot.waitSignal(case_model.dataChanged, timeout=10000):
        assert case_model.row_at(833) is None
        assert case_model.index(833, 1).data() is None
    assert len(case_model.anchors) == 1234 // paged.PAGE
    assert case_model.row_at(833).id == expected[833] and calls == []
    assert runner.wait()


def test_a_jump_without_a_background_reader_still_finds_its_rows(case_model, office):
    """A model nobody gave a runner (a report, a test) still answers a jump, by OFFSET."""
    expected = [r["id"] for r in office["db"].query("SELECT id FROM cases ORDER BY received_on DESC, id DESC")]
    assert case_model.row_at(833).id == expected[833]


def test_a_scan_of_page_anchors_finishing_after_a_save_is_dropped(qtbot, case_model, office):
    """The scan started before a save ends after it: its cursors describe the register as it was,
    so they are dropped (the source is the same object; only the model's generation tells)."""
    import threading

    from desktop.storage.db import open_database
    from ui.tasks import TaskRunner

    release, started = threading.Event(), threading.Event()
    stale = ["stale cursor"]

    def slow_anchors(db, descending, every, cancelled):
        started.set()
        release.wait(10)
        return stale  # finished before it noticed the cancel

    runner = TaskRunner()
    path = office["db"].path
    case_model.source.anchors = slow_anchors
    case_model.read_anchors_with(runner, lambda: open_database(path, create=False, migrate=False))
    case_model.load_anchors()
    assert started.wait(10)
    case_model.refresh()  # a save, while the scan runs
    release.set()
    runner.pool.waitForDone(10000)
    qtbot.wait(50)  # the scan's result reaches the GUI thread
    assert case_model.anchors == []


def test_denouncer_is_hidden_in_the_reception_register(qapp, office):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import ReceptionInput, record_reception
    from ui.models.reception_model import ReceptionTableModel

    db = office["db"]
    p = save_person(db, full_name="Lý Văn Kín", id_kind="cccd", id_number="034185001234")
    record_reception(db, ReceptionInput(received_on=date(2026, 2, 2), person_uuid=p.uuid, case_kind="denunciation",
                                        content="Tố cáo cán bộ địa chính"), today=date(2026, 3, 2))
    model = ReceptionTableModel(db)
    model.start()
    assert model.index(0, 1).data() == "(giữ bí mật)" and model.index(0, 2).data() == ""
    assert "Lý Văn Kín" not in (model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) or "")


def _scan(qtbot, model, runner, path, cache=None):
    from desktop.storage.db import open_database
    from ui.models import paged

    model.read_anchors_with(runner, lambda: open_database(path, create=False, migrate=False), cache)
    model.load_anchors()
    qtbot.waitUntil(lambda: len(model.anchors) == model.total // paged.PAGE, timeout=10000)
    assert runner.wait()


def _newest_case(db) -> int:
    """A case received after every other: it goes on top of the register and moves every row down one."""
    bulk_cases(db, 1, start=date(2026, 3, 1))
    return db.scalar("SELECT max(id) FROM cases")


def test_a_jump_after_a_save_uses_the_last_scans_anchors_at_once(qtbot, case_model, office):
    """A save resets the model: a jump right after it shows real rows at once from the last scan's
    cursors (no blank page, no OFFSET), starts a fresh scan, and is placed exactly when it ends."""
    from ui.tasks import TaskRunner

    runner = TaskRunner()
    path = office["db"].path
    _scan(qtbot, case_model, runner, path)
    newest = _newest_case(office["db"])
    case_model.refresh()  # as after the save
    assert case_model.anchors == []
    calls = []
    case_model.source.cursor_at = lambda *a: calls.append(a)  # an OFFSET query would show here
    expected = [r["id"] for r in office["db"].query("SELECT id FROM cases ORDER BY received_on DESC, id DESC")]
    assert expected[0] == newest
    with qtbot.waitSignal(case_model.dataChanged, timeout=10000):
        shown = case_model.row_at(833)
        assert shown is not None  # not blank
        assert shown.id == expected[834]  # the earlier scan's cursor: one row off, the new case on top
        assert case_model._anchor_task is not None  # the fresh scan started
    assert len(case_model.anchors) == 1235 // 100
    assert case_model.row_at(833).id == expected[833] and calls == []  # placed again, exactly
    assert runner.wait()


def test_a_new_window_jumps_at_once_from_the_anchors_file(qtbot, case_model, office):
    """The first jump after a start uses the anchors kept beside the register by the last scan;
    the file is owner-only, and the fresh scan replaces its cursors."""
    import os

    from ui.models import anchor_cache
    from ui.models.case_model import CaseTableModel
    from ui.tasks import TaskRunner

    path = office["db"].path
    runner = TaskRunner()
    _scan(qtbot, case_model, runner, path, anchor_cache.AnchorCache(path))
    kept = anchor_cache.AnchorCache(path).path
    assert kept.exists()
    if os.name == "posix":
        assert kept.stat().st_mode & 0o777 == 0o600
    _newest_case(office["db"])
    fresh = CaseTableModel(office["db"], date(2026, 3, 2))  # the next start: a new model, a new cache object
    fresh.start()
    fresh.read_anchors_with(runner, case_model._anchor_reader[1], anchor_cache.AnchorCache(path))
    calls = []
    fresh.source.cursor_at = lambda *a: calls.append(a)
    expected = [r["id"] for r in office["db"].query("SELECT id FROM cases ORDER BY received_on DESC, id DESC")]
    with qtbot.waitSignal(fresh.dataChanged, timeout=10000):
        assert fresh.row_at(617).id == expected[618]  # at once, from the file
    assert fresh.row_at(617).id == expected[617] and calls == []
    assert runner.wait()


def test_the_requester_order_is_never_written_to_the_anchors_file(qtbot, case_model, office):
    """Its cursors are requesters' names: personal data stays in the register."""
    from ui.models import anchor_cache
    from ui.tasks import TaskRunner

    path = office["db"].path
    case_model.on_sort("requester", False)
    _scan(qtbot, case_model, TaskRunner(), path, anchor_cache.AnchorCache(path))
    assert not anchor_cache.AnchorCache(path).path.exists()
    case_model.on_sort("received", True)
    _scan(qtbot, case_model, TaskRunner(), path, anchor_cache.AnchorCache(path))
    text = anchor_cache.AnchorCache(path).path.read_text(encoding="utf-8")
    assert "cases|received|" in text and "requester" not in text
    assert not any(name_key(n) in text for n in NAMES)


def test_another_filter_does_not_use_the_anchors_of_the_register(qtbot, case_model, office):
    """The anchors belong to one order and filter: a filtered view waits for its own scan."""
    from ui.models import anchor_cache
    from ui.tasks import TaskRunner

    path = office["db"].path
    runner = TaskRunner()
    _scan(qtbot, case_model, runner, path, anchor_cache.AnchorCache(path))
    case_model.set_filter(CaseFilter(field="land"))
    assert case_model._stale_anchors() == []
    expected = [r["id"] for r in office["db"].query(
        "SELECT id FROM cases WHERE field = 'land' ORDER BY received_on DESC, id DESC")]
    with qtbot.waitSignal(case_model.dataChanged, timeout=10000):
        assert case_model.row_at(700) is None  # blank until its own anchors arrive
    assert case_model.row_at(700).id == expected[700]
    assert runner.wait()


def test_a_register_never_scanned_here_is_scanned_a_moment_after_its_view_is_made(qtbot, session, office,
                                                                                  monkeypatch):
    """So that even the first jump of the first day finds anchors; the next start reads them from
    the file and scans only at the first jump."""
    from ui.models import anchor_cache
    from ui.views.cases import CasesView

    monkeypatch.setattr(anchor_cache, "PRIME_AFTER_MS", 50)
    bulk_cases(office["db"], 1234)
    kept = anchor_cache.AnchorCache(office["db"].path).path
    view = CasesView(session)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: len(view.model.anchors) == 1234 // 100, timeout=10000)
    qtbot.waitUntil(kept.exists, timeout=10000)
    session.tasks.wait()
    again = CasesView(session)  # the next start
    qtbot.addWidget(again)
    qtbot.wait(200)  # past the moment: nothing scanned, the file's anchors are enough
    assert again.model._anchor_task is None and again.model.anchors == []
    assert len(again.model._stale) == 1234 // 100
