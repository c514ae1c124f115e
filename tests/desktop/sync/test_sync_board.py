"""The completeness board: which commune sent what, and the gaps."""

from __future__ import annotations

from desktop.sync import board, export, importer


def test_board_shows_senders_gaps_and_silent_communes(commune_factory, province, outdir):
    from tests.desktop.sync.conftest import Data

    a = commune_factory("00001", "UBND xã A")
    commune_factory("00002", "UBND xã B")          # registered, never sent
    Data(a).populate(1)
    first = export.export_bundle(a, outdir)
    Data(a).populate(1)
    export.export_bundle(a, outdir)
    Data(a).populate(1)
    third = export.export_bundle(a, outdir)
    importer.apply(province, first.path)
    importer.apply(province, third.path, accept_sequence=True)
    rows = {s.unit_code: s for s in board.completeness(province, int(first.manifest["created_at"][:4]))}
    assert rows["00001"].state == "gap" and rows["00001"].missing == (2,)
    assert rows["00001"].last.seq == 3 and rows["00001"].key_active
    assert any(rows["00001"].months.values())
    assert rows["00002"].state == "none" and rows["00002"].state_label == "Chưa gửi gói nào"
