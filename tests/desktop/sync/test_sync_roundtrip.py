"""Commune → province → receipt → commune, incremental bundles, updates, gaps and replays."""

from __future__ import annotations

import pytest

from desktop.errors import UserError
from desktop.storage import sync_repo
from desktop.sync import export, importer, receipts


def _count(db, table, unit):
    return db.scalar(f"SELECT count(*) FROM {table} WHERE unit_code = ?", (unit,))


def test_round_trip_counts_equal_and_receipt_acknowledges(commune, province, data, outdir):
    data.populate(5)
    result = export.export_bundle(commune, outdir)
    assert result.path.exists() and not list(outdir.glob("*.partial"))
    assert result.counts["cases"] == 5 and result.counts["events"] == 10 and result.counts["persons"] == 5

    preview = importer.preview(province, result.path)
    assert preview.dry_run and preview.merge.totals()["new"] == result.total
    assert _count(province, "cases", data.unit) == 0          # the preview wrote nothing

    report = importer.apply(province, result.path)
    assert report.applied and report.sequence.status == "first"
    for table, n in result.counts.items():
        assert _count(province, table, data.unit) == n, table

    receipt = receipts.write_receipt(province, data.unit, outdir)
    ack = receipts.import_receipt(commune, receipt)
    assert ack.acknowledged == [1]
    # Nothing changed since the acknowledged bundle: the next incremental bundle is empty.
    again = export.export_bundle(commune, outdir)
    assert again.total == 0 and again.sequence == 2


def test_reimport_is_refused_as_replay_and_forced_reimport_changes_nothing(commune, province, data, outdir):
    data.populate(3)
    path = export.export_bundle(commune, outdir).path
    importer.apply(province, path)
    with pytest.raises(UserError) as err:
        importer.apply(province, path)
    assert err.value.code == "bundle_replay"
    before = province.query("SELECT uuid, version FROM cases ORDER BY uuid")
    report = importer.apply(province, path, reimport=True)
    totals = report.merge.totals()
    assert totals["new"] == totals["updated"] == totals["conflict"] == 0 and totals["unchanged"] > 0
    assert province.query("SELECT uuid, version FROM cases ORDER BY uuid") == before
    assert province.scalar("SELECT count(*) FROM sync_inbox") == 1


def test_update_of_a_case_imported_earlier(commune, province, data, outdir):
    uuids = data.populate(2)
    importer.apply(province, export.export_bundle(commune, outdir).path)
    data.touch_case(uuids[0], "Nội dung đã sửa")
    second = export.export_bundle(commune, outdir)           # not acknowledged: bundle 1 overlaps
    report = importer.apply(province, second.path)
    t = report.merge.tables["cases"].counts
    assert t["updated"] == 1 and t["unchanged"] == 1
    row = province.one("SELECT summary, version FROM cases WHERE uuid = ?", (uuids[0],))
    assert tuple(row) == ("Nội dung đã sửa", 2)


def test_older_version_never_overwrites_newer(commune, province, data, outdir):
    (case,) = data.populate(1)
    first = export.export_bundle(commune, outdir)
    data.touch_case(case, "Bản mới")
    second = export.export_bundle(commune, outdir)
    importer.apply(province, second.path, accept_sequence=True)   # arrives first: a gap
    report = importer.apply(province, first.path)                 # late, older
    assert report.sequence.status == "late"
    assert report.merge.tables["cases"].counts["older"] == 1
    assert province.scalar("SELECT summary FROM cases WHERE uuid = ?", (case,)) == "Bản mới"


def test_gap_is_reported_and_needs_acceptance(commune, province, data, outdir):
    data.populate(1)
    export.export_bundle(commune, outdir)
    data.populate(1)
    second = export.export_bundle(commune, outdir)
    preview = importer.preview(province, second.path)
    assert preview.sequence.status == "gap" and preview.sequence.missing == (1,)
    with pytest.raises(UserError) as err:
        importer.apply(province, second.path)
    assert err.value.code == "sequence_gap"
    assert province.scalar("SELECT count(*) FROM cases") == 0
    importer.apply(province, second.path, accept_sequence=True)
    assert province.scalar("SELECT count(*) FROM cases") == 2      # bundle 2 overlaps bundle 1


def test_equal_version_different_content_is_kept_as_conflict(commune, province, data, outdir):
    (case,) = data.populate(1)
    importer.apply(province, export.export_bundle(commune, outdir).path)
    # The commune changes a record without bumping its version (e.g. a restored backup edited again).
    with commune.write():
        commune.execute("UPDATE cases SET summary = 'Sửa mà không tăng phiên bản' WHERE uuid = ?", (case,))
    report = importer.apply(province, export.export_bundle(commune, outdir, full=True).path)
    assert report.merge.tables["cases"].counts["conflict"] == 1
    assert province.scalar("SELECT summary FROM cases WHERE uuid = ?", (case,)) == "Vụ việc số 0"
    kept = sync_repo.list_conflicts(province)
    assert [(k["tbl"], k["uuid"], k["kind"]) for k in kept] == [("cases", case, "conflict")]
    assert "Sửa mà không tăng phiên bản" in kept[0]["incoming"]


def test_full_export_after_acknowledgement_is_all_unchanged(commune, province, data, outdir):
    data.populate(3)
    importer.apply(province, export.export_bundle(commune, outdir).path)
    receipts.import_receipt(commune, receipts.write_receipt(province, data.unit, outdir))
    full = export.export_bundle(commune, outdir, full=True)
    assert full.counts["cases"] == 3
    report = importer.apply(province, full.path)
    totals = report.merge.totals()
    assert totals["unchanged"] == full.total and totals["new"] == 0


def test_searchable_rows_are_indexed_at_the_province(commune, province, data, outdir):
    data.populate(2)
    importer.apply(province, export.export_bundle(commune, outdir).path)
    hits = province.scalar("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'giai'")
    assert hits == 2


def test_a_commune_cannot_write_records_of_another_unit(commune, province, outdir):
    from desktop.storage.ledger import canonical
    from tests.desktop.sync import sync_bundle_tools as bt

    province_case = {"uuid": "tinh-1", "unit_code": "01", "version": 1, "updated_at": "x", "kind": "petition",
                     "rules_id": "r", "received_on": "2026-03-02", "state": "received", "created_at": "x"}
    with province.write():
        cols = ", ".join(province_case)
        province.execute(f"INSERT INTO cases({cols}) VALUES ({', '.join('?' * len(province_case))})",
                         tuple(province_case.values()))
    unit = commune.get_setting("local_unit_code")
    for line in ({**province_case, "summary": "ghi đè của tỉnh"},                     # owner is not the sender
                 {**province_case, "unit_code": unit, "version": 9, "summary": "chiếm mã"}):  # uuid taken
        path = outdir / "foreign.gtb"
        path.write_bytes(bt.signed_bundle(commune, province, {"cases": [canonical(line)]}))
        with pytest.raises(UserError) as err:  # the whole bundle is refused (issue #17)
            importer.apply(province, path)
        assert err.value.code == "chain_records" and "tinh-1"[:8] in err.value.message
    assert tuple(province.one("SELECT unit_code, version, summary FROM cases WHERE uuid = 'tinh-1'")) == ("01", 1, "")


def test_modes_are_enforced(commune, province, data, outdir):
    data.populate(1)
    path = export.export_bundle(commune, outdir).path
    with pytest.raises(UserError) as err:
        importer.apply(commune, path)
    assert err.value.code == "wrong_mode"
    with pytest.raises(UserError) as err:
        export.export_bundle(province, outdir)
    assert err.value.code == "wrong_mode"


def test_real_values_travel_exactly_and_merge_unchanged(commune, province, data, outdir):
    (case,) = data.populate(1)
    with commune.write():
        commune.execute("UPDATE cases SET extensions = ? WHERE uuid = ?", (0.1 + 0.2, case))
    importer.apply(province, export.export_bundle(commune, outdir).path)
    assert province.scalar("SELECT extensions FROM cases WHERE uuid = ?", (case,)) == 0.1 + 0.2
    report = importer.apply(province, export.export_bundle(commune, outdir, full=True).path)
    assert report.merge.tables["cases"].counts["unchanged"] == 1


def test_cancelled_export_leaves_no_file_and_cancelled_import_writes_nothing(commune, province, data, outdir):
    from desktop.sync.progress import Progress

    data.populate(2)
    stop = Progress()
    stop.cancel()
    with pytest.raises(UserError) as err:
        export.export_bundle(commune, outdir, progress=stop)
    assert err.value.code == "cancelled" and not list(outdir.iterdir())
    assert sync_repo.last_outbox(commune) is None
    path = export.export_bundle(commune, outdir).path

    calls = []

    def cancel_during_merge(done, total, text):
        calls.append(text)
        if text.startswith("Đang đối chiếu"):
            late.cancel()

    late = Progress(cancel_during_merge)
    with pytest.raises(UserError):
        importer.apply(province, path, progress=late)
    assert province.scalar("SELECT count(*) FROM cases") == 0
    assert province.scalar("SELECT count(*) FROM sync_inbox") == 0


def test_bundle_copy_is_kept_in_the_register(commune, data, outdir, tmp_path):
    data.populate(1)
    result = export.export_bundle(commune, outdir)
    again = export.save_copy(commune, result.sequence, tmp_path)
    assert again.read_bytes() == result.path.read_bytes()
    row = sync_repo.last_outbox(commune)
    assert row["bundle_sha256"] == result.bundle_sha256 and '"sequence":1' in row["manifest"]


def test_reused_sequence_and_broken_chain_need_acceptance(commune, province, data, outdir):
    from tests.desktop.sync import sync_bundle_tools as bt

    data.populate(1)
    importer.apply(province, export.export_bundle(commune, outdir).path)
    # The commune restored an old backup: its next bundle reuses number 1.
    with commune.write():
        commune.execute("DELETE FROM sync_outbox")
    again = export.export_bundle(commune, outdir / "again.gtb")
    assert again.sequence == 1
    with pytest.raises(UserError) as err:
        importer.apply(province, again.path)
    assert err.value.code == "sequence_reused"
    # Number 2 that does not quote the hash of the bundle 1 the province holds.
    broken = outdir / "broken.gtb"
    broken.write_bytes(bt.signed_bundle(commune, province, {"cases": []}, sequence=2))
    assert importer.preview(province, broken).sequence.status == "broken"
    with pytest.raises(UserError) as err:
        importer.apply(province, broken)
    assert err.value.code == "sequence_broken"
    assert importer.apply(province, broken, accept_sequence=True).applied


def test_two_communes_declaring_the_same_day_off_both_reach_the_province(commune_factory, province, outdir):
    """Calendar days are unique per owning unit (migration 0004), not per register."""
    from datetime import date

    from desktop.storage.calendar_repo import add_day, list_days

    for code in ("00001", "00002"):
        db = commune_factory(code=code, name=f"UBND xã {code}")
        add_day(db, date(2026, 3, 9), "off", "Nghỉ bù của xã")
        report = importer.apply(province, export.export_bundle(db, outdir).path)
        assert report.applied
    rows = province.query("SELECT unit_code FROM calendar_days WHERE day = '2026-03-09' ORDER BY unit_code")
    assert [r[0] for r in rows] == ["00001", "00002"]
    assert list_days(province) == []  # the province counts its deadlines with its own days only
