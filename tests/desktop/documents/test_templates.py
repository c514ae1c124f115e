"""Templates as data: every kind loads, cites its basis, fills, and renders to PDF and DOCX intact."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import docx
import pdfplumber
import pytest

from desktop.documents import samples, templates
from desktop.documents.samples import UNIT
from desktop.documents.pdf import render_pdf
from desktop.documents.word import render_docx
from desktop.errors import UserError
from desktop.resources import resource_path

HEAD = {**samples.HEAD, "uuid": "h"}
DEPUTY = {**HEAD, "uuid": "d", "full_name": "Phạm Quốc Việt", "title": "Phó Chủ tịch", "role": "deputy"}
CONTEXT = {
    "requester_name": "Nguyễn Văn Ất", "requester_address": "thôn Đông, xã Thụy Hùng",
    "requester_phone": "0912345678", "requester_id": "034090001234", "received_on": "02/02/2026",
    "case_summary": "Việc cấp giấy chứng nhận quyền sử dụng đất", "case_content": "Đề nghị giải trình lý do chậm cấp.",
    "due_on": "24/02/2026", "handler_name": "Lê Văn Đức", "handler_title": "Công chức Tư pháp - Hộ tịch",
    "ground": "Nội dung không thuộc phạm vi giải trình", "guided_to": "Ủy ban nhân dân tỉnh Hưng Yên",
    "forwarded_to": "Thanh tra tỉnh Hưng Yên", "extension_days": "15",
}
ALL_KINDS = list(templates.load_templates())


def test_the_documents_the_issue_lists_are_all_there():
    assert set(ALL_KINDS) >= {
        "explanation_accept", "explanation_refuse", "explanation_meeting", "explanation_extend",
        "explanation_suspend", "explanation_resume", "explanation_terminate", "explanation_reply",
        "reception_receipt", "reception_guidance", "reception_forward", "petition_answer",
        "complaint_accept", "complaint_reject", "complaint_extend",
        "denunciation_accept", "denunciation_reject", "denunciation_extend"}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_template_cites_its_legal_basis(kind):
    t = templates.get_template(kind)
    assert t.legal_basis and any(re.search(r"Điều \d+|Phụ lục", b) for b in t.legal_basis)
    assert any("30/2020" in b for b in t.legal_basis)
    assert t.label and (t.offered_in or t.target == "reception")
    if t.numbered:
        assert (t.type_code == "") == (t.type_name == ""), "a công văn has neither type code nor name"
    else:
        assert t.type_code == "" and t.type_name, "a paper without a number has a name and no type code"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_template_renders_and_extracts_intact(kind):
    doc = templates.build_document(kind, CONTEXT, UNIT, HEAD)
    doc = doc.with_number(7, date(2026, 2, 5))
    with pdfplumber.open(io.BytesIO(render_pdf(doc))) as pdf:
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
    expected = [doc.number_line, doc.date_line, doc.type_name, *(p.text for p in doc.body),
                *(line for line in doc.signer.title_lines()), doc.signer.name]
    if doc.is_cong_van:
        expected.append(doc.subject_line)
    for s in expected:
        assert re.sub(r"\s+", "", s) in text, (kind, s)
    if doc.numbered:
        assert "07/" in doc.number_line
    else:
        assert doc.number_line == "" and "Số:" not in text
    word = docx.Document(io.BytesIO(render_docx(doc)))
    paragraphs = {p.text for p in word.paragraphs}
    assert all(p.text in paragraphs for p in doc.body)


def test_the_written_explanation_carries_the_five_contents_of_article_12():
    doc = templates.build_document("explanation_reply", CONTEXT, UNIT, HEAD)
    text = "\n".join(p.text for p in doc.body)
    assert "Nguyễn Văn Ất" in text and "thôn Đông" in text                 # (a) name and address
    assert "Nội dung yêu cầu giải trình" in text                           # (b)
    assert "Kết quả làm việc trực tiếp" in text                            # (c)
    assert "Căn cứ pháp lý" in text                                        # (d)
    assert "Nội dung giải trình" in text                                   # (đ)
    assert doc.is_cong_van and doc.subject_line.startswith("V/v giải trình")
    assert doc.addressees == ("Ông (bà) Nguyễn Văn Ất",)


def test_unknown_values_become_dotted_blanks_and_lone_placeholders_are_dropped():
    doc = templates.build_document("explanation_refuse", {"requester_name": "Nguyễn Văn Ất"}, UNIT, HEAD)
    text = "\n".join(p.text for p in doc.body)
    assert templates.BLANK in text             # ground unknown: to be written in
    assert "{" not in text and "}" not in text
    assert all(p.text != templates.BLANK for p in doc.body)   # "{reason}" alone is dropped


def test_signers_by_mode_and_role():
    personal = templates.get_template("complaint_accept")
    assert templates.make_signer(personal, HEAD).title_lines() == ["CHỦ TỊCH"]
    assert templates.make_signer(personal, DEPUTY).title_lines() == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    collective = templates.Template(**{**personal.__dict__, "sign": "collective"})
    assert templates.make_signer(collective, HEAD).title_lines() == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert templates.make_signer(collective, DEPUTY).title_lines() == [
        "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    minutes = templates.build_document("explanation_meeting", CONTEXT, UNIT, {**HEAD, "role": "officer"})
    assert minutes.counter_signer.title_lines() == ["NGƯỜI YÊU CẦU GIẢI TRÌNH"]
    assert minutes.counter_signer.name == "Nguyễn Văn Ất"


def test_header_from_the_unit():
    doc = templates.build_document("complaint_accept", CONTEXT, {**UNIT, "governing_body": "Ủy ban nhân dân tỉnh Hưng Yên"}, HEAD)
    assert doc.issuing_body == ("ỦY BAN NHÂN DÂN", "XÃ THỤY HÙNG")
    assert doc.governing_body == ("ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN",)
    assert templates.split_unit_name("Thanh tra tỉnh Hưng Yên") == ("THANH TRA", "TỈNH HƯNG YÊN")
    assert templates.split_unit_name("Phòng A\nKhu vực 3") == ("PHÒNG A", "KHU VỰC 3")


def test_unknown_kind_is_a_user_error():
    with pytest.raises(UserError) as info:
        templates.get_template("nope")
    assert info.value.code == "document_kind_unknown"


def test_template_files_are_valid_json_with_known_placeholders():
    known = set(re.findall(r"`([a-z_]+)`", resource_path("templates", "README.md").read_text(encoding="utf-8")))
    for path in resource_path("templates").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["kind"] == path.stem
        body = [b if isinstance(b, str) else b["text"] for b in data["body"]]
        texts = [data.get("summary", ""), *body, *data.get("recipients", []), *data.get("addressees", [])]
        for name in re.findall(r"\{([a-z_0-9]+)\}", " ".join(texts)):
            assert name in known, (path.name, name)


def test_confidential_denunciation_leaves_the_denouncer_blank(register):
    from desktop.documents import outgoing
    from desktop.workflow.receive import CaseInput, receive_case

    db = register["db"]
    case = receive_case(db, CaseInput(kind="denunciation", received_on=date(2026, 2, 3),
                                      summary="Tố cáo việc thu tiền sai quy định", requesters=[register["person"].uuid]), today=date(2026, 2, 3))
    assert case.confidential
    kinds = [t.kind for t in outgoing.offered(db, case.uuid)]
    assert "denunciation_accept" in kinds
    doc = outgoing.compose(db, case.uuid, "denunciation_accept")
    rendered = " ".join([p.text for p in doc.body] + list(doc.recipients))
    assert "Nguyễn Văn Ất" not in rendered and "thôn Đông" not in rendered
