"""The page anchors kept beside a register (ui.models.anchor_cache): a cache, so anything wrong in
it is ignored and a failure to write it changes nothing."""

from __future__ import annotations

import json
import os

import pytest

from ui.models.anchor_cache import MAX_VIEWS, SUFFIX, AnchorCache, for_register

ANCHORS = [("2026-03-01", 1200), ("2026-02-27", 1100), (None, 3)]


def test_kept_anchors_come_back_for_their_view_and_page_size(tmp_path):
    register = tmp_path / "so.sqlite"
    AnchorCache(register).put("cases|received||desc", 100, ANCHORS)
    again = AnchorCache(register)  # the next start
    assert again.get("cases|received||desc", 100) == ANCHORS
    assert again.get("cases|received||desc", 50) == []  # another page size: not these cursors
    assert again.get("cases|due||desc", 100) == []
    assert (tmp_path / ("so.sqlite" + SUFFIX)).exists()
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("content", [
    "{not json", json.dumps({"version": 99, "views": {}}), json.dumps([1, 2]),
    json.dumps({"version": 1, "views": {"v": {"every": 100, "anchors": [["2026-01-01", "1; DROP TABLE cases"]]}}}),
    json.dumps({"version": 1, "views": {"v": {"every": 100, "anchors": [[{"x": 1}, 5]]}}}),
])
def test_a_damaged_or_foreign_file_is_ignored(tmp_path, content):
    register = tmp_path / "so.sqlite"
    (tmp_path / ("so.sqlite" + SUFFIX)).write_text(content, encoding="utf-8")
    cache = AnchorCache(register)
    assert cache.get("v", 100) == []
    cache.put("v", 100, ANCHORS)  # and a scan writes a good one over it
    assert AnchorCache(register).get("v", 100) == ANCHORS


def test_only_the_most_recent_views_are_kept(tmp_path):
    cache = AnchorCache(tmp_path / "so.sqlite")
    for i in range(MAX_VIEWS + 3):
        cache.put(f"view{i}", 100, ANCHORS)
    again = AnchorCache(tmp_path / "so.sqlite")
    assert again.get("view0", 100) == [] and again.get(f"view{MAX_VIEWS + 2}", 100) == ANCHORS
    assert len(json.loads(again.path.read_text(encoding="utf-8"))["views"]) == MAX_VIEWS


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="a read-only folder binds no root")
def test_a_folder_that_refuses_the_file_changes_nothing(tmp_path, caplog):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        AnchorCache(folder / "so.sqlite").put("v", 100, ANCHORS)
    finally:
        folder.chmod(0o700)
    assert list(folder.iterdir()) == []
    assert "page anchors not kept" in caplog.text


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path, caplog):
    """A full disk or a vanished folder: logged, nothing half-written left behind."""
    cache = AnchorCache(tmp_path / "gone" / "so.sqlite")  # the folder does not exist
    cache.put("v", 100, ANCHORS)
    assert "page anchors not kept" in caplog.text
    assert not (tmp_path / "gone").exists()


def test_one_cache_per_register_file_and_none_in_memory(tmp_path):
    assert for_register(tmp_path / "a.sqlite") is for_register(str(tmp_path / "a.sqlite"))
    assert for_register(tmp_path / "a.sqlite") is not for_register(tmp_path / "b.sqlite")
    assert for_register(":memory:") is None and for_register(None) is None
