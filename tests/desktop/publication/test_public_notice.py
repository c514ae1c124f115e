"""Public notices: no personal or secret value in the PDF, CSV or HTML; what went out is recorded."""

from __future__ import annotations

import io
import json
from datetime import date

import pdfplumber
import pytest

from desktop.errors import UserError
from desktop.publication import notice as notice_mod
from desktop.publication import redaction
from desktop.publication.publish import make, parse_period
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case
from desktop.workflow.verify import verify_register

TODAY = date(2026, 4, 10)
AN = ("Nguyễn Văn An", "001203012345", "0912345678", "thôn Đông, xã Thụy Hùng")
CUONG = ("Lê Văn Cường", "034190001122", "0987654321", "xóm Chợ, xã Thụy Hùng")
SECRETS = ("Nguyễn Văn An", "Nguyen Van An", "001203012345", "0912345678", "0912 345 678", "thôn Đông",
           "Lê Văn Cường", "034190001122", "0987654321", "xóm Chợ", "Trần Thị Bình", "Văn An", "gò Mả Cả", "ông Cường")


def _case(db, kind, person, summary, received, reply_on, note):
    p = save_person(db, full_name=person[0], id_number=person[1], phone=person[2], address=person[3], today=TODAY)
    c = receive_case(db, CaseInput(kind=kind, received_on=received, summary=summary, requesters=[p.uuid]), today=TODAY)
    act(db, c.uuid, "accept", effective_on=received, today=TODAY)
    act(db, c.uuid, "reply", effective_on=reply_on, note=note, today=TODAY)
    return c


@pytest.fixture
def register(db, login):
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head", can_sign=True)
    login("leader", officer_uuid=head.uuid)  # the head decides what goes public
    a = _case(db, "petition", AN, "Ông Nguyễn Văn An (thôn Đông, xã Thụy Hùng) kiến nghị sửa đường ở gò Mả Cả, "
              "SĐT 0912 345 678",
              date(2026, 1, 5), date(2026, 1, 20), "Đã trả lời nguyen van an bằng văn bản số 15/UBND-VP; "
              "bà Trần Thị Bình cùng ký đơn")
    d = _case(db, "denunciation", CUONG, "Lê Văn Cường tố cáo cán bộ địa chính nhận tiền khi đo đất ở gò Mả Cả",
              date(2026, 1, 8), date(2026, 2, 27), "Kết luận tố cáo đúng một phần; đã trả lời ông Cường")
    later = _case(db, "feedback", ("Phạm Thị Dung", "", "", "thôn Nam"), "Phản ánh đèn đường hỏng",
                  date(2026, 3, 2), date(2026, 4, 2), "Đã sửa")
    redaction.add_rule(db, r"gò Mả Cả", "Tên xứ đồng chỉ có một hộ canh tác: lộ người tố cáo")
    return db, a, d, later


def test_the_notice_shows_results_and_no_personal_or_secret_value(register, tmp_path):
    db, a, d, later = register
    start, end = parse_period("Q1/2026")
    assert (start, end) == (date(2026, 1, 1), date(2026, 3, 31))
    made = make(db, start, end, tmp_path / "cong-khai", today=TODAY)
    assert made.listed == 2 and made.newly_published == 2
    pdf, csv_file, html_file = made.files
    with pdfplumber.open(io.BytesIO(pdf.read_bytes())) as f:
        page = f.pages[0]
        pdf_text = "\n".join(p.extract_text() for p in f.pages)
        assert page.width > page.height  # landscape for the wide table
    csv_text = csv_file.read_bytes().decode("utf-8-sig")
    html_text = html_file.read_text(encoding="utf-8")
    for text in (pdf_text, csv_text, html_text):
        folded = text.replace("\n", " ")
        for value in SECRETS:
            assert value not in folded, value
        assert "[đã ẩn]" in folded and "kiến nghị sửa" in folded and "Tố cáo; nội dung" in folded
        assert "địa chính" not in folded and "đúng một phần" not in folded  # a denunciation's text stays in
        assert "Giữ bí mật" in folded
        assert "đèn đường" not in folded  # answered after the period
    assert "15/UBND-VP" in csv_text  # what is not personal stays
    assert db.scalar("SELECT published_on FROM cases WHERE uuid = ?", (a.uuid,)) == TODAY.isoformat()
    events = [r[0] for r in db.query("SELECT action FROM events WHERE case_uuid = ? ORDER BY seq", (d.uuid,))]
    assert events[-1] == "publish"
    pub = db.one("SELECT * FROM publications")
    assert pub["case_count"] == 2 and pub["period_from"] == "2026-01-01" and pub["actor"] == "Nguyễn Văn Hùng"
    files = json.loads(pub["files"])
    assert [f["format"] for f in files] == ["pdf", "csv", "html"] and all(len(f["sha256"]) == 64 for f in files)
    removed = json.loads(pub["redactions"])
    assert removed["names"] >= 2 and removed["office_1"] == 1 and sum(removed.values()) >= 6, removed
    assert db.scalar("SELECT count(*) FROM publication_cases") == 2
    assert verify_register(db).ok
    # Made again for the same period: listed again, published once.
    again = make(db, start, end, tmp_path / "lai", today=TODAY)
    assert again.listed == 2 and again.newly_published == 0
    assert db.scalar("SELECT count(*) FROM events WHERE action = 'publish'") == 2


def test_preview_says_what_was_hidden_and_never_repeats_a_denouncers_data(register):
    db, a, d, _ = register
    n = notice_mod.collect(db, date(2026, 1, 1), date(2026, 3, 31))
    shown = [(r.where, r.removed, r.reason) for r in n.redactor.removals]
    assert any(w.startswith(a.number) and removed == "Nguyễn Văn An" for w, removed, _ in shown)
    secret = [s for s in shown if s[0].startswith(d.number)]
    assert secret and all(removed == "(giữ bí mật)" for _, removed, _ in secret)
    assert any("Điều 9" in reason for *_, reason in secret)
    assert any("xứ đồng" in reason for *_, reason in shown)


def test_a_failed_publication_leaves_neither_files_nor_records(register, tmp_path, monkeypatch):
    db, *_ = register
    import desktop.publication.publish as pub

    def broken(*args, **kwargs):
        raise UserError("disk_full", "Ổ đĩa đã đầy.")

    monkeypatch.setattr(pub, "act", broken)
    with pytest.raises(UserError):
        make(db, date(2026, 1, 1), date(2026, 3, 31), tmp_path / "out", today=TODAY)
    assert list((tmp_path / "out").iterdir()) == []
    assert db.scalar("SELECT count(*) FROM publications") == 0
    assert db.scalar("SELECT count(*) FROM cases WHERE published_on IS NOT NULL") == 0


def test_only_a_leader_publishes(register, tmp_path, login):
    db, *_ = register
    login("reception")
    with pytest.raises(UserError) as info:
        make(db, date(2026, 1, 1), date(2026, 3, 31), tmp_path / "x", today=TODAY)
    assert info.value.code == "not_permitted" and not (tmp_path / "x").exists()
    with pytest.raises(UserError):
        redaction.add_rule(db, "thôn", "thử")


def test_periods_and_rules_are_checked():
    assert parse_period("02/2026") == (date(2026, 2, 1), date(2026, 2, 28))
    assert parse_period("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert parse_period("01/01/2026-15/01/2026") == (date(2026, 1, 1), date(2026, 1, 15))
    with pytest.raises(UserError, match="không hợp lệ"):
        parse_period("quý 1")
    with pytest.raises(UserError, match="chuỗi rỗng"):
        redaction.check_pattern("x*")
    hits = redaction.preview_rule(r"gò Mả Cả", [("01/2026", "đo đất ở Gò Mả Cả"), ("02/2026", "đường")])
    assert hits == [("01/2026", "đo đất ở Gò Mả Cả", "đo đất ở [đã ẩn]")]
