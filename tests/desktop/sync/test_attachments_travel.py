"""What of the case file reaches the province today: each attachment's entry (name, size, SHA-256)
and its chained event travel with the bundle, as every record with a uuid does."""

from __future__ import annotations

from desktop.sync import export, importer
from desktop.workflow import attach


def test_attachment_entries_and_their_events_reach_the_province(commune, province, data, outdir, tmp_path):
    from desktop.security import accounts

    case = data.case()
    admin = commune.principal
    accounts.assume_role(commune, "reception")  # the desk clerk attaches; the administrator exports
    scan = tmp_path / "don.pdf"
    scan.write_bytes(b"%PDF-1.4 scan of a letter")
    a = attach.attach_file(commune, scan, case_uuid=case)
    commune.principal = admin
    result = export.export_bundle(commune, outdir)
    assert result.counts["attachments"] == 1
    importer.apply(province, result.path)
    row = province.one("SELECT file_name, size, sha256, case_uuid FROM attachments WHERE uuid = ?", (a.uuid,))
    assert tuple(row) == ("don.pdf", scan.stat().st_size, a.sha256, case)
    assert a.sha256 in province.scalar("SELECT data FROM events WHERE action = 'attach' AND case_uuid = ?", (case,))
