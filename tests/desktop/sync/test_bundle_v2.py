"""Format version 2: bundles stream, carry the attachments' bytes and the issued PDFs once per
SHA-256, and every way of damaging, forging or cutting one is refused with the province left
as it was (issue #18)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile

import pytest

from desktop.errors import UserError
from desktop.security import accounts
from desktop.sync import crypto, export, importer, keys
from desktop.workflow import attach
from tests.desktop.sync import sync_bundle_tools as bt
from tests.desktop.sync.conftest import NOW
from tests.desktop.sync.test_sync_bad_input import refused, write


def _attach(commune, case_uuid: str, path, data: bytes):
    admin = commune.principal
    accounts.assume_role(commune, "reception")  # the desk clerk attaches; the administrator exports
    path.write_bytes(data)
    try:
        return attach.attach_file(commune, path, case_uuid=case_uuid)
    finally:
        commune.principal = admin


def _issued_document(commune, case_uuid: str, pdf: bytes, number: int = 1) -> str:
    uuid = hashlib.sha256(pdf).hexdigest()[:32]
    with commune.write():
        commune.execute(
            "INSERT INTO documents(case_uuid, kind, status, issuer_code, year, number, symbol, issued_on, payload, pdf, "
            "sha256, created_at, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (case_uuid, "explanation_accept", "issued", "00001", 2026, number, f"{number:02d}/TB-UBND", "2026-03-03",
             "{}", pdf, hashlib.sha256(pdf).hexdigest(), NOW, uuid, "00001", NOW))
    return uuid


@pytest.fixture
def carried(commune, data, tmp_path):
    """A commune with two cases: three scans (one attached to both cases) and an issued PDF."""
    one, two = data.case(data.person()), data.case(data.person("Trần Thị Bình"))
    scan = os.urandom(3 * 1024 * 1024 + 17)   # crosses several 1 MiB chunks
    photo, letter = os.urandom(200_000), b"%PDF-1.4 don kien nghi " * 1000
    atts = [_attach(commune, one, tmp_path / "scan.pdf", scan), _attach(commune, one, tmp_path / "anh.jpg", photo),
            _attach(commune, two, tmp_path / "scan-lai.pdf", scan), _attach(commune, two, tmp_path / "don.pdf", letter)]
    pdf = b"%PDF-1.7 van ban da ban hanh " + os.urandom(50_000)
    doc = _issued_document(commune, one, pdf)
    return {"attachments": atts, "blobs": {hashlib.sha256(b).hexdigest(): b for b in (scan, photo, letter)},
            "document": doc, "pdf": pdf}


def _province_files(province) -> dict[str, bytes]:
    out = {sha: bytes(data) for sha, data in province.query("SELECT sha256, data FROM attachment_blobs")}
    out.update({sha: bytes(pdf) for sha, pdf in province.query(
        "SELECT sha256, pdf FROM documents WHERE pdf IS NOT NULL")})
    return out


def test_attachments_and_issued_pdfs_reach_the_province_once_each(commune, province, carried, outdir):
    result = export.export_bundle(commune, outdir)
    m = result.manifest
    assert m["format_version"] == 2 and result.counts["attachments"] == 4 and result.counts["documents"] == 1
    pdf_sha = hashlib.sha256(carried["pdf"]).hexdigest()
    assert sorted(f["sha256"] for f in m["files"]) == sorted([*carried["blobs"], pdf_sha])  # the scan once
    assert all(f["name"] == f"files/{f['sha256']}" for f in m["files"])
    with zipfile.ZipFile(io.BytesIO(bt.unseal(province, result.path.read_bytes()))) as zf:
        doc_line = zf.read("records/documents.jsonl").decode()
    assert '"pdf"' not in doc_line and pdf_sha in doc_line   # the PDF travels as a file, not in the line
    preview = importer.preview(province, result.path)
    assert preview.files == {"stored": 4, "held": 0, "bytes": sum(f["size"] for f in m["files"])}
    assert "4 tệp mới" in preview.text() and province.scalar("SELECT count(*) FROM attachment_blobs") == 0
    report = importer.apply(province, result.path)
    assert report.applied and report.files["stored"] == 4
    got = _province_files(province)
    assert got == {**carried["blobs"], pdf_sha: carried["pdf"]}
    for a in carried["attachments"]:
        assert province.scalar("SELECT sha256 FROM attachments WHERE uuid = ?", (a.uuid,)) == a.sha256
    # A full bundle again: records unchanged, every file already held, nothing stored twice.
    again = export.export_bundle(commune, outdir, full=True)
    assert len(again.manifest["files"]) == 4
    second = importer.apply(province, again.path, accept_sequence=True)
    assert second.files == {"stored": 0, "held": 4, "bytes": 0}
    assert province.scalar("SELECT count(*) FROM attachment_blobs") == 3


def test_an_incremental_bundle_carries_only_the_files_of_its_records(commune, province, carried, data, outdir,
                                                                      tmp_path):
    first = export.export_bundle(commune, outdir)
    importer.apply(province, first.path)
    from desktop.sync import receipts

    receipts.import_receipt(commune, receipts.write_receipt(province, "00001", outdir))
    # The copy kept for a lost stick goes with the receipt: the register does not hold the scans twice.
    assert commune.scalar("SELECT length(bundle) FROM sync_outbox WHERE seq = 1") == 0
    with pytest.raises(UserError) as err:
        export.save_copy(commune, 1, outdir / "lai.gtb")
    assert err.value.code == "bundle_acknowledged" and "gói đầy đủ" in err.value.message
    new = _attach(commune, data.case(data.person("Lê Văn Cường")), tmp_path / "moi.png", b"\x89PNG moi" * 500)
    nxt = export.export_bundle(commune, outdir)
    assert [f["sha256"] for f in nxt.manifest["files"]] == [new.sha256]
    assert importer.apply(province, nxt.path).files["stored"] == 1


def test_the_copy_kept_for_a_lost_stick_is_the_same_file(commune, carried, outdir, tmp_path):
    result = export.export_bundle(commune, outdir)
    again = export.save_copy(commune, result.sequence, tmp_path / "lai.gtb")
    assert again.read_bytes() == result.path.read_bytes()
    assert hashlib.sha256(again.read_bytes()).hexdigest() == result.bundle_sha256 and not list(
        tmp_path.glob("*.partial"))


def test_a_version_1_bundle_is_still_read(commune, province, data, outdir):
    data.populate(2)
    old = bt.signed_bundle(commune, province, {}, format_version=1)
    assert crypto.read_header(old)[0]["format_version"] == 1
    report = importer.apply(province, write(outdir, old, "v1.gtb"))
    assert report.applied and report.files == {"stored": 0, "held": 0, "bytes": 0}


# -- the chunked cipher: every chunk in its place, the last one flagged ------------------------------

def _small_chunks(province, result) -> tuple[bytes, int]:
    """The exported archive sealed again in 4 KiB chunks (what a commune could make), and its head size."""
    sealed = bt.reseal(province, bt.unseal(province, result.path.read_bytes()), chunk_size=4096)
    _, aad, _ = crypto.read_header(sealed)
    return sealed, len(aad)


def test_chunks_cut_dropped_swapped_repeated_or_spliced_are_refused(commune, province, carried, outdir):
    result = export.export_bundle(commune, outdir)
    sealed, head = _small_chunks(province, result)
    assert importer.preview(province, write(outdir, sealed, "ok.gtb")).files["stored"] == 4  # the control
    whole = 4096 + 16
    body = sealed[head:]
    chunks = [body[i:i + whole] for i in range(0, len(body), whole)]
    assert len(chunks) > 800
    other, _ = _small_chunks(province, result)   # same archive, another bundle key
    other_chunks = [other[head:][i:i + whole] for i in range(0, len(other) - head, whole)]
    cases = {
        "cut at a chunk boundary": chunks[:-1],
        "cut inside the last chunk": chunks[:-1] + [chunks[-1][:-5]],
        "a chunk dropped": chunks[:5] + chunks[6:],
        "two chunks swapped": chunks[:5] + [chunks[6], chunks[5]] + chunks[7:],
        "a chunk repeated": chunks[:5] + [chunks[5]] + chunks[5:],
        "a chunk from another bundle": chunks[:5] + [other_chunks[5]] + chunks[6:],
        "the last chunk appended again": chunks + [chunks[-1]],
        "a flipped bit in a file's bytes": chunks[:300] + [bytes([chunks[300][0] ^ 1]) + chunks[300][1:]]
        + chunks[301:],
    }
    for what, parts in cases.items():
        err = refused(province, write(outdir, sealed[:head] + b"".join(parts), "bad.gtb"), "bundle_damaged")
        assert "Tệp gói bị hỏng" in err.message, what


# -- forged content under a valid signature ------------------------------------------------------------

def _resign(commune, items: dict[str, bytes], edit) -> dict[str, bytes]:
    m = json.loads(items["manifest.json"])
    edit(m)
    items["manifest.json"] = crypto.canonical_json(m)
    items["manifest.sig"] = crypto.sign(keys.private_key(commune, "signing", None), items["manifest.json"])
    return items


def test_a_swapped_file_is_refused_and_nothing_is_stored(commune, province, carried, outdir):
    result = export.export_bundle(commune, outdir)
    items = bt.members(bt.unseal(province, result.path.read_bytes()))
    name = next(n for n in items if n.startswith("files/"))
    items[name] = os.urandom(len(items[name]))          # same size, other bytes, the manifest still signed
    err = refused(province, write(outdir, bt.reseal(province, bt.rezip(items, zipfile.ZIP_STORED))), "bundle_damaged")
    assert "mã băm" in err.message and "files/" in err.message


def test_files_missing_extra_unlisted_or_unclaimed_are_refused(commune, province, carried, data, outdir):
    result = export.export_bundle(commune, outdir)
    plain = bt.members(bt.unseal(province, result.path.read_bytes()))
    scan = max((n for n in plain if n.startswith("files/")), key=lambda n: len(plain[n]))

    def sealed(items):
        return write(outdir, bt.reseal(province, bt.rezip(items, zipfile.ZIP_STORED)))

    unlisted = dict(plain, **{"files/" + "a" * 64: b"x"})
    refused(province, sealed(unlisted), "bundle_damaged")
    absent = dict(plain)
    del absent[scan]
    refused(province, sealed(absent), "bundle_damaged")
    # The commune's own key signs a manifest without the scan: its attachments have no bytes.
    dropped = _resign(commune, dict(absent), lambda m: m.update(files=[f for f in m["files"] if f["name"] != scan]))
    err = refused(province, sealed(dropped), "bundle_file_missing")
    assert "thiếu tệp" in err.message
    # …or with a file no record of the bundle names.
    junk = b"not a scan of anything"
    junk_sha = hashlib.sha256(junk).hexdigest()
    extra = _resign(commune, dict(plain, **{f"files/{junk_sha}": junk}), lambda m: m["files"].append(
        {"name": f"files/{junk_sha}", "sha256": junk_sha, "size": len(junk)}) or m["files"].sort(
        key=lambda f: f["name"]))
    refused(province, sealed(extra), "bundle_damaged")
    # A listed file whose name is not a SHA-256, or a path that escapes.
    for bad in ("files/../../x", "files/ABC"):
        odd = _resign(commune, dict(plain, **{bad: junk}), lambda m: m["files"].append(
            {"name": bad, "sha256": junk_sha, "size": len(junk)}))
        refused(province, sealed(odd))


def test_version_2_archive_in_a_version_1_envelope_is_refused(commune, province, carried, outdir):
    result = export.export_bundle(commune, outdir)
    plain = bt.unseal(province, result.path.read_bytes())
    refused(province, write(outdir, bt.reseal(province, plain, version=1)), "bundle_damaged")
    files = bt.members(plain)
    v1 = bt.signed_bundle(commune, province, {}, format_version=1)
    v1_items = bt.members(bt.unseal(province, v1))
    name = next(n for n in files if n.startswith("files/"))
    v1_items[name] = files[name]                     # a v1 archive may not carry files at all
    refused(province, write(outdir, bt.reseal(province, bt.rezip(v1_items), version=1)), "bundle_damaged")


def test_a_file_changed_on_the_stick_during_the_import_rolls_it_all_back(commune, province, carried, outdir):
    """Each chunk is authenticated again as the files stream into the register: bytes that
    change after the check (a stick swapped or written mid-import) roll the whole import back."""
    from desktop.sync.progress import Progress
    from tests.desktop.sync.conftest import snapshot

    result = export.export_bundle(commune, outdir)
    path = result.path
    size = path.stat().st_size

    def meddle(done, total, text):
        if text.startswith("Đang lưu tệp"):       # verified; the merge now copies the files
            with open(path, "r+b") as fh:
                fh.seek(size // 2)
                byte = fh.read(1)
                fh.seek(size // 2)
                fh.write(bytes([byte[0] ^ 1]))

    before = snapshot(province)
    with pytest.raises(UserError) as err:
        importer.apply(province, path, progress=Progress(meddle))
    assert err.value.code == "bundle_damaged" and "Tệp gói bị hỏng" in err.value.message
    assert snapshot(province) == before


def test_a_swapped_file_the_province_already_holds_is_refused_too(commune, province, carried, outdir):
    importer.apply(province, export.export_bundle(commune, outdir).path)
    again = export.export_bundle(commune, outdir, full=True)
    items = bt.members(bt.unseal(province, again.path.read_bytes()))
    name = next(n for n in items if n.startswith("files/"))
    items[name] = os.urandom(len(items[name]))
    path = write(outdir, bt.reseal(province, bt.rezip(items, zipfile.ZIP_STORED)))
    with pytest.raises(UserError) as err:  # nothing would be stored, the file is checked all the same
        importer.apply(province, path, accept_sequence=True)
    assert err.value.code == "bundle_damaged" and "mã băm" in err.value.message


def test_a_version_2_document_with_its_pdf_in_the_line_is_refused(commune, province, carried, outdir):
    """The PDF is not covered by the ledger (its sha256 is): in version 2 it may only come as a
    file checked against that hash, never as bytes in the line."""
    result = export.export_bundle(commune, outdir)
    items = bt.members(bt.unseal(province, result.path.read_bytes()))
    name = "records/documents.jsonl"
    rows = [json.loads(line) for line in items[name].decode().splitlines()]
    rows[0]["pdf"] = {"$base64": crypto.b64(b"%PDF-1.7 another reply")}
    items[name] = b"".join(crypto.canonical_json(r) + b"\n" for r in rows)

    def edit(m):
        for part in m["parts"]:
            if part["name"] == name:
                part["size"], part["sha256"] = len(items[name]), hashlib.sha256(items[name]).hexdigest()

    forged = _resign(commune, items, edit)
    err = refused(province, write(outdir, bt.reseal(province, bt.rezip(forged, zipfile.ZIP_STORED))), "bundle_damaged")
    assert "PDF" in err.message


def test_a_manifest_listing_thousands_of_files_is_read(commune, province, data, outdir):
    """A commune with thousands of scans: the list of files makes the manifest larger than a
    version-1 manifest may be (1 MiB); version 2 reads it (here it is then refused only because
    no record names those files)."""
    data.populate(1)
    files = {hashlib.sha256(i.to_bytes(4, "big")).hexdigest(): i.to_bytes(4, "big") for i in range(7000)}
    bundle = bt.signed_bundle(commune, province, {}, files=files)
    with zipfile.ZipFile(io.BytesIO(bt.unseal(province, bundle))) as zf:
        assert zf.getinfo("manifest.json").file_size > 1024 * 1024
    err = refused(province, write(outdir, bundle), "bundle_damaged")
    assert "không thuộc bản ghi nào" in err.message
