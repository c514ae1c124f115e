"""``giaitrinh doc …`` end to end on a register file."""

from __future__ import annotations

import json

import docx
import pdfplumber

from desktop.cli import main


def _json(capsys, argv):
    capsys.readouterr()
    assert main(argv + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_kinds_draft_issue_render_void_register(register, db_path, tmp_path, capsys, cli_user):
    cli_user(register["db"], "leader", officer_uuid=register["head"].uuid)
    db = ["--db", str(db_path)]
    case = register["case"].number
    kinds = _json(capsys, ["doc", "kinds", case, *db])
    assert [k["kind"] for k in kinds][0] == "explanation_accept"
    reply = next(k for k in kinds if k["kind"] == "explanation_reply")
    assert reply["fields"]["legal_grounds"] == "Căn cứ pháp lý"
    drafted = _json(capsys, ["doc", "draft", case, "explanation_accept", "--signer", "Phạm Quốc Việt", *db])
    assert drafted["status"] == "draft" and drafted["number"] is None and drafted["signer"] == "Phạm Quốc Việt"
    body = tmp_path / "body.txt"
    body.write_text("Đoạn thứ nhất.\nĐoạn thứ hai có ữ ợ ặ đ Đ.\n", encoding="utf-8")
    _json(capsys, ["doc", "edit", drafted["uuid"], "--body-file", str(body), "--recipient", "Ông Nguyễn Văn Ất", *db])
    issued = _json(capsys, ["doc", "issue", drafted["uuid"], "--date", "05/02/2026", "--copies", "2", *db])
    assert issued["symbol"] == "01/TB-UBND" and issued["copies"] == 2 and len(issued["sha256"]) == 64

    out = tmp_path / "tb.pdf"
    assert main(["doc", "render", "01/TB-UBND", "--format", "pdf", "--out", str(out), *db]) == 0
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text()
    assert "Số: 01/TB-UBND" in text and "Thụy Hùng, ngày 05 tháng 02 năm 2026" in text
    assert "Đoạn thứ hai có ữ ợ ặ đ Đ." in text and "KT. CHỦ TỊCH" in text

    word = tmp_path / "tb.docx"
    assert main(["doc", "render", case, "explanation_refuse", "--format", "docx", "--out", str(word), *db]) == 0
    assert any("từ chối" in p.text for p in docx.Document(str(word)).paragraphs)

    voided = _json(capsys, ["doc", "void", issued["uuid"], "--reason", "Sai người ký", *db])
    assert voided["status"] == "void"
    listed = _json(capsys, ["doc", "list", case, *db])
    assert [(d["symbol"], d["status"]) for d in listed] == [("01/TB-UBND", "void")]
    sheet = _json(capsys, ["doc", "register", "--year", "2026", *db])
    assert sheet["rows"][0][0] == "01/TB-UBND" and "Sai người ký" in sheet["rows"][0][-1]
    book = tmp_path / "so-di.pdf"
    assert main(["doc", "register", "--year", "2026", "--out", str(book), *db]) == 0
    with pdfplumber.open(book) as pdf:
        page = pdf.pages[0]
        assert page.width > page.height
        assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in page.extract_text()


def test_reply_fields_blanks_and_discard(register, db_path, capsys, cli_user):
    cli_user(register["db"], "leader", officer_uuid=register["head"].uuid)
    db = ["--db", str(db_path)]
    case = register["case"].number
    drafted = _json(capsys, ["doc", "draft", case, "explanation_reply", "--field", "explanation=Hồ sơ đã chuyển.", *db])
    assert main(["doc", "issue", drafted["uuid"], "--date", "05/02/2026", *db]) == 1
    err = capsys.readouterr().err
    assert "chưa điền" in err and "Căn cứ pháp lý" in err and "Kết quả làm việc trực tiếp" in err
    assert "Nội dung giải trình" not in err
    _json(capsys, ["doc", "edit", drafted["uuid"], "--field", "legal_grounds=Luật Đất đai năm 2024.",
                   "--field", "meeting_result=Không tổ chức làm việc trực tiếp.", *db])
    issued = _json(capsys, ["doc", "issue", drafted["uuid"], "--date", "05/02/2026", *db])
    assert issued["symbol"] == "01/UBND"
    other = _json(capsys, ["doc", "draft", case, "explanation_accept", *db])
    assert main(["doc", "void", other["uuid"], "--reason", "nhầm", *db]) == 1
    assert "Bỏ dự thảo" in capsys.readouterr().err
    _json(capsys, ["doc", "discard", other["uuid"], *db])
    assert [d["uuid"] for d in _json(capsys, ["doc", "list", case, *db])] == [issued["uuid"]]
    assert main(["doc", "discard", issued["uuid"], *db]) == 1
    assert "chỉ hủy số" in capsys.readouterr().err


def test_errors_are_vietnamese_with_exit_code_one(register, db_path, capsys, cli_user):
    cli_user(register["db"], "leader", officer_uuid=register["head"].uuid)
    assert main(["doc", "draft", register["case"].number, "khong_co", "--db", str(db_path)]) == 1
    assert "Không có mẫu văn bản" in capsys.readouterr().err
    assert main(["doc", "void", "nope", "--reason", "x", "--db", str(db_path)]) == 1
    assert "Không tìm thấy văn bản" in capsys.readouterr().err
