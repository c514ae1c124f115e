"""Attachments: stored once by SHA-256, size-limited, covered by the chain, read back intact."""

from __future__ import annotations

import hashlib
import os
from datetime import date

import pytest

from desktop.errors import UserError
from desktop.storage import attachments as repo
from desktop.storage.persons import save_person
from desktop.storage.units import save_unit
from desktop.workflow import attach
from desktop.workflow.receive import ReceptionInput, record_reception
from desktop.workflow.verify import verify_register

TODAY = date(2026, 3, 2)


@pytest.fixture
def case(db, login):
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    login("reception")  # the desk clerk receives and attaches the papers
    p = save_person(db, full_name="Trần Thị Đức")
    _, c = record_reception(db, ReceptionInput(received_on=TODAY, person_uuid=p.uuid, content="Kiến nghị sửa đường",
                                               outcome="accepted", case_kind="petition"), today=TODAY)
    return c


def test_a_scan_is_stored_once_chained_and_read_back(db, case, tmp_path):
    scan = tmp_path / "don-kien-nghi.pdf"
    scan.write_bytes(b"%PDF-1.4 " + os.urandom(3 * 1024 * 1024))  # larger than one chunk
    a = attach.attach_file(db, scan, case_uuid=case.uuid, today=TODAY)
    assert a.sha256 == hashlib.sha256(scan.read_bytes()).hexdigest() and a.media_type == "application/pdf"
    copy = tmp_path / "copy" / "again.pdf"
    copy.parent.mkdir()
    b = attach.attach_file(db, (copy.write_bytes(scan.read_bytes()), copy)[1], case_uuid=case.uuid,
                           today=TODAY)
    assert db.scalar("SELECT count(*) FROM attachment_blobs") == 1 and b.sha256 == a.sha256
    assert [x.file_name for x in repo.of_case(db, case.uuid)] == ["don-kien-nghi.pdf", "again.pdf"]
    ev = db.one("SELECT * FROM events WHERE action = 'attach' ORDER BY id LIMIT 1")
    assert ev["case_uuid"] == case.uuid and a.sha256 in ev["data"] and "don-kien-nghi.pdf" in ev["note"]
    out = attach.save_copy(db, a.uuid, tmp_path / "out.pdf")
    assert out.read_bytes() == scan.read_bytes()
    assert verify_register(db).ok and attach.verify_attachments(db) == []


def test_a_reception_file_shows_with_its_case(db, case, tmp_path):
    photo = tmp_path / "anh-hien-truong.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 1000)
    a = attach.attach_file(db, photo, reception_uuid=case.reception_uuid, today=TODAY)
    assert a.case_uuid == case.uuid and a.media_type == "image/jpeg"
    assert [x.uuid for x in repo.of_case(db, case.uuid)] == [a.uuid]
    assert [x.uuid for x in repo.of_reception(db, case.reception_uuid)] == [a.uuid]


def test_only_who_may_receive_attaches(db, case, tmp_path, login):
    f = tmp_path / "a.pdf"
    f.write_bytes(b"%PDF")
    login("viewer")
    with pytest.raises(UserError) as info:
        attach.attach_file(db, f, case_uuid=case.uuid)
    assert info.value.code == "not_permitted" and db.scalar("SELECT count(*) FROM attachments") == 0


def test_bad_files_are_refused_and_nothing_is_written(db, case, tmp_path, monkeypatch):
    empty = tmp_path / "trong.pdf"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="rỗng"):
        attach.attach_file(db, empty, case_uuid=case.uuid)
    monkeypatch.setattr(attach, "MAX_BYTES", 1000)
    big = tmp_path / "lon.tif"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(UserError, match="quá giới hạn"):
        attach.attach_file(db, big, case_uuid=case.uuid)
    with pytest.raises(UserError, match="thư mục"):
        attach.attach_file(db, tmp_path, case_uuid=case.uuid)
    assert db.scalar("SELECT count(*) FROM attachments") == 0 and db.scalar("SELECT count(*) FROM attachment_blobs") == 0
    assert db.scalar("SELECT count(*) FROM events WHERE action = 'attach'") == 0


def test_a_scanners_folder_is_attached_file_by_file(db, case, tmp_path):
    folder = tmp_path / "scan"
    folder.mkdir()
    for i in range(3):
        (folder / f"trang-{i}.png").write_bytes(b"\x89PNG" + bytes([i]) * 100)
    (folder / "rong.png").write_bytes(b"")
    done, refused = attach.attach_folder(db, folder, case_uuid=case.uuid, today=TODAY)
    assert len(done) == 3 and len(refused) == 1 and "rỗng" in refused[0]


def test_bytes_changed_behind_the_apps_back_are_found(db, case, tmp_path):
    f = tmp_path / "a.pdf"
    f.write_bytes(b"%PDF original")
    a = attach.attach_file(db, f, case_uuid=case.uuid, today=TODAY)
    db.execute("UPDATE attachment_blobs SET data = ? WHERE sha256 = ?", (b"%PDF forgery!", a.sha256))
    assert any("bị sửa ngoài ứng dụng" in p for p in attach.verify_attachments(db))
    with pytest.raises(UserError, match="không còn khớp mã băm"):
        attach.save_copy(db, a.uuid, tmp_path / "x.pdf")
    db.execute("UPDATE attachments SET sha256 = ? WHERE uuid = ?", ("0" * 64, a.uuid))
    assert any("chuỗi băm" in p for p in attach.verify_attachments(db))


def test_the_printed_case_file_lists_each_attachment_with_its_sha256(db, case, tmp_path):
    import io

    import pdfplumber

    from desktop.documents.case_file import case_file_pdf

    f = tmp_path / "don-thu-ba-trang.pdf"
    f.write_bytes(b"%PDF scan")
    a = attach.attach_file(db, f, case_uuid=case.uuid, today=TODAY)
    with pdfplumber.open(io.BytesIO(case_file_pdf(db, case.uuid, today=TODAY))) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    assert "HỒ SƠ VỤ VIỆC" in text and "don-thu-ba-trang.pdf" in text and a.sha256 in text
    assert "Đính kèm tệp" in text
