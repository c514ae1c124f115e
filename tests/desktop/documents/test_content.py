"""What the law requires a document to say, and when it may be numbered (issue #16, items 7–8).

Sources: NĐ 59/2019/NĐ-CP Arts. 11–14 (explanations), Luật Tố cáo 2018 Arts. 29–30, NĐ 30/2020/NĐ-CP
Art. 15 and Appendices I (signer authority, "Nơi nhận") and III (document types).
"""

from __future__ import annotations

from datetime import date

import pytest

from desktop.documents import outgoing, samples, templates
from desktop.documents.context import honorific, sex_of
from desktop.documents.model import Document
from desktop.domain.records import Person
from desktop.errors import UserError
from desktop.workflow.engine import act

REPLY = {"meeting_result": "Không tổ chức làm việc trực tiếp.", "legal_grounds": "Luật Đất đai năm 2024.",
         "explanation": "Hồ sơ đã được chuyển đến cơ quan đăng ký đất đai ngày 10/02/2026."}


def _text(doc: Document) -> str:
    return "\n".join(p.text for p in doc.body)


def test_acceptance_notice_cites_article_11_and_states_the_period(register):
    doc = outgoing.compose(register["db"], register["case"].uuid, "explanation_accept")
    text = _text(doc)
    assert "Căn cứ Điều 11 Nghị định số 59/2019/NĐ-CP" in text
    # accepted 03/02/2026: 15 days end on 18/02/2026, in the Tết holiday, so the period ends on the next
    # working day, 23/02/2026 (NĐ 59/2019 Art. 13; Bộ luật Dân sự Art. 148(5))
    assert "Thời hạn giải trình là 15 ngày kể từ ngày ra thông báo này, tức đến hết ngày 23/02/2026" in text
    assert "…" not in text


def test_the_reply_takes_its_basis_and_substance_from_its_own_fields_not_the_log(register):
    db, case = register["db"], register["case"]
    act(db, case.uuid, "reply", effective_on=date(2026, 2, 10), today=date(2026, 2, 10),
        note="Đã gọi điện báo cho ông Ất")
    rec = outgoing.draft(db, case.uuid, "explanation_reply")
    text = _text(rec.document)
    assert "Đã gọi điện" not in text
    assert "3. Căn cứ pháp lý: …………" in text and "4. Nội dung giải trình đối với từng vấn đề được yêu cầu: …………" in text
    with pytest.raises(UserError) as info:
        outgoing.issue(db, rec.uuid, issued_on=date(2026, 2, 10), today=date(2026, 2, 10))
    assert info.value.code == "document_blanks_left"
    assert "Căn cứ pháp lý" in info.value.message and "Nội dung giải trình từng vấn đề" in info.value.message
    edited = outgoing.edit(db, rec.uuid, fields=REPLY)
    text = _text(edited.document)
    assert "3. Căn cứ pháp lý: Luật Đất đai năm 2024." in text and REPLY["explanation"] in text
    assert edited.document.meta["fields"] == REPLY
    issued = outgoing.issue(db, rec.uuid, issued_on=date(2026, 2, 10), today=date(2026, 2, 10))
    assert issued.symbol == "01/UBND"
    with pytest.raises(UserError) as info:
        outgoing.edit(db, rec.uuid, fields={"explanation": "khác"})
    assert info.value.code == "document_not_draft"


def test_a_field_the_template_does_not_declare_is_refused(register):
    rec = outgoing.draft(register["db"], register["case"].uuid, "explanation_reply")
    with pytest.raises(UserError) as info:
        outgoing.edit(register["db"], rec.uuid, fields={"reason": "x"})
    assert info.value.code == "document_field_unknown" and "Lý do" in info.value.message


def test_extension_notice_carries_the_extensions_days_and_deadline_and_follows_it(register):
    db, case = register["db"], register["case"]
    with pytest.raises(UserError) as info:
        outgoing.compose(db, case.uuid, "explanation_extend")
    assert info.value.code == "document_event_missing" and "Gia hạn" in info.value.message
    updated = act(db, case.uuid, "extend", effective_on=date(2026, 2, 12), today=date(2026, 2, 12),
                  note="cần xác minh tại Văn phòng đăng ký đất đai")
    assert "explanation_extend" in [t.kind for t in outgoing.offered(db, case.uuid)]
    rec = outgoing.draft(db, case.uuid, "explanation_extend")
    text = _text(rec.document)
    new_due = f"{updated.due_on:%d/%m/%Y}"
    assert "thêm 15 ngày kể từ ngày 12/02/2026" in text and f"đến hết ngày {new_due}" in text
    assert "(cần xác minh tại Văn phòng đăng ký đất đai)" in text
    with pytest.raises(UserError) as info:
        outgoing.issue(db, rec.uuid, issued_on=date(2026, 2, 11), today=date(2026, 2, 12))
    assert info.value.code == "document_before_event" and "12/02/2026" in info.value.message
    assert outgoing.issue(db, rec.uuid, issued_on=date(2026, 2, 12), today=date(2026, 2, 12)).number == 1


def test_a_notice_takes_its_reason_from_the_event_it_notifies(register):
    db, case = register["db"], register["case"]
    act(db, case.uuid, "suspend", effective_on=date(2026, 2, 6), today=date(2026, 2, 6),
        ground="illness_obstacle")
    act(db, case.uuid, "resume", effective_on=date(2026, 2, 9), today=date(2026, 2, 9),
        note="người yêu cầu đã khỏi bệnh")
    suspend = _text(outgoing.compose(db, case.uuid, "explanation_suspend"))
    resume = _text(outgoing.compose(db, case.uuid, "explanation_resume"))
    assert "khỏi bệnh" not in suspend and "kể từ ngày 06/02/2026" in suspend
    # the ground of the closed list, with its exact clause
    assert ("vì lý do: Người yêu cầu bị ốm đau hoặc vì lý do khách quan khác mà chưa thể thực hiện được việc "
            "giải trình (Nghị định 59/2019/NĐ-CP, Điều 14 khoản 1 điểm c).") in suspend
    assert "(người yêu cầu đã khỏi bệnh)" in resume and "kể từ ngày 09/02/2026" in resume


def test_void_only_an_issued_document_and_discard_a_draft(register):
    db = register["db"]
    rec = outgoing.draft(db, register["case"].uuid, "explanation_accept")
    with pytest.raises(UserError) as info:
        outgoing.void(db, rec.uuid, "nhầm")
    assert info.value.code == "document_void_draft" and "Bỏ dự thảo" in info.value.message
    outgoing.discard(db, rec.uuid)
    assert outgoing.repo.list_documents(db, case_uuid=register["case"].uuid) == []
    issued = outgoing.issue(db, outgoing.draft(db, register["case"].uuid, "explanation_accept").uuid,
                            issued_on=date(2026, 2, 5), today=date(2026, 2, 5))
    with pytest.raises(UserError) as info:
        outgoing.discard(db, issued.uuid)
    assert info.value.code == "document_discard_issued"
    assert outgoing.void(db, issued.uuid, "Sai nơi nhận", on=date(2026, 2, 5)).status == "void"


@pytest.mark.parametrize("id_number, kind, expected", [
    ("034090001234", "person", "ông"),      # 4th digit 0: male, born 1900s
    ("034190001234", "person", "bà"),       # 1: female, 1900s
    ("001203001234", "person", "ông"),      # 2: male, 2000s
    ("001303001234", "person", "bà"),       # 3: female, 2000s
    ("", "person", "ông (bà)"),
    ("B1234567", "person", "ông (bà)"),
    ("", "organisation", ""),
])
def test_honorific_from_the_citizen_id(id_number, kind, expected):
    person = Person(id=1, uuid="p", full_name="Nguyễn Thị Ất", kind=kind, id_number=id_number,
                    id_kind="cccd" if len(id_number) == 12 else ("passport" if id_number else ""))
    assert honorific(person) == expected


def test_an_explicit_sex_wins_over_the_id():
    from dataclasses import replace

    person = Person(id=1, uuid="p", full_name="Trần Văn B", id_kind="cccd", id_number="034190001234")
    assert sex_of(person) == "female"
    assert sex_of(replace(person, sex="male")) == "male"


def test_the_requester_is_called_ba_in_the_documents(register):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import CaseInput, receive_case

    db = register["db"]
    woman = save_person(db, full_name="Hoàng Thị Ếch", id_number="034190001234", address="thôn Tây")
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 2, 2), summary="Việc khác",
                                      requesters=[woman.uuid]), today=date(2026, 2, 2))
    doc = outgoing.compose(db, case.uuid, "explanation_refuse")
    assert "yêu cầu giải trình của bà Hoàng Thị Ếch" in _text(doc)
    assert doc.recipients[0] == "Bà Hoàng Thị Ếch"
    assert "ông (bà)" not in _text(doc)


HEAD = {"uuid": "h", "full_name": "Trần Thị Bích Hằng", "title": "Chủ tịch", "role": "head"}
DEPUTY = {"uuid": "d", "full_name": "Phạm Quốc Việt", "title": "Phó Chủ tịch", "role": "deputy"}


@pytest.mark.parametrize("kind, officer, lines", [
    ("explanation_accept", HEAD, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    ("explanation_accept", DEPUTY, ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ("denunciation_accept", HEAD, ["CHỦ TỊCH"]),
    ("denunciation_accept", DEPUTY, ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
])
def test_signer_authority_lines_follow_decree_30(kind, officer, lines):
    doc = templates.build_document(kind, samples.CONTEXT, samples.UNIT, officer)
    assert doc.signer.title_lines() == lines
    assert doc.signer.name == officer["full_name"]


def test_an_officer_without_signing_authority_is_refused():
    with pytest.raises(UserError) as info:
        templates.build_document("explanation_accept", samples.CONTEXT, samples.UNIT,
                                 {"uuid": "o", "full_name": "Lê Văn Đức", "title": "Công chức", "role": "officer"})
    assert info.value.code == "document_signer_not_allowed"


@pytest.mark.parametrize("kind", list(templates.load_templates()))
def test_recipients_end_with_the_archive_line(kind):
    doc = samples.sample_document(kind)
    if doc.counter_signer:   # minutes and receipts: two signatures, no "Nơi nhận"
        return
    assert doc.recipient_lines()[-1] == "- Lưu: VT, VP."
    assert all(line.endswith(";") for line in doc.recipient_lines()[:-1])


DECISIONS = ["denunciation_accept", "denunciation_extend", "denunciation_suspend", "denunciation_resume",
             "denunciation_terminate", "explanation_suspend", "explanation_terminate", "complaint_suspend",
             "complaint_resume", "complaint_terminate"]


@pytest.mark.parametrize("kind", DECISIONS)
def test_decisions_where_the_law_says_quyet_dinh(kind):
    doc = samples.sample_document(kind, number=3)
    assert (doc.type_code, doc.type_name) == ("QĐ", "QUYẾT ĐỊNH")
    assert doc.symbol == "03/QĐ-UBND"
    texts = [p.text for p in doc.body]
    assert texts[0] == "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ THỤY HÙNG"
    assert "QUYẾT ĐỊNH:" in texts and any(t.startswith("Điều 1.") for t in texts)
    assert all(p.italic for p in doc.body if p.text.startswith(("Căn cứ", "Xét")))


def test_every_decision_the_rules_name_has_a_qd_template():
    """Where the rules mark a step a decision (``decision: true``), a QĐ template notifies it."""
    from desktop.rules.book import default_rules

    qd = {(kind, action) for t in templates.load_templates().values() if t.type_code == "QĐ"
          for kind in t.case_kinds for action in t.notified_actions}
    missing = []
    for rs in default_rules().rule_sets:
        for code, action in rs.actions.items():
            if getattr(action, "decision", False) and (rs.kind, code) not in qd:
                missing.append((rs.id, code))
    assert not missing


def test_types_follow_appendix_iii():
    types = templates.document_types()
    for t in templates.load_templates().values():
        if t.type_code:
            assert types[t.type_code] == t.type_name, t.kind
    assert templates.get_template("reception_guidance").type_name == "HƯỚNG DẪN"
    receipt = templates.get_template("reception_receipt")
    assert not receipt.numbered and receipt.type_code == ""
    bad = {"kind": "x", "label": "x", "procedure": "x", "body": ["x"], "type_code": "HD", "type_name": "PHIẾU HƯỚNG DẪN"}
    with pytest.raises(UserError) as info:
        templates._from_json(bad)
    assert "HƯỚNG DẪN" in info.value.message
    with pytest.raises(UserError):
        templates._from_json({**bad, "type_code": "BN", "type_name": "GIẤY BIÊN NHẬN"})


def test_a_receipt_gets_no_number(register):
    db = register["db"]
    rec = outgoing.draft(db, register["case"].uuid, "reception_receipt")
    assert rec.document.number_line == "" and rec.document.issued_on == date(2026, 2, 2)
    with pytest.raises(UserError) as info:
        outgoing.issue(db, rec.uuid, issued_on=date(2026, 2, 5), today=date(2026, 2, 5))
    assert info.value.code == "document_not_numbered" and "không cấp số" in info.value.message
    pdf = outgoing.render(db, rec.uuid, "pdf")
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = doc.pages[0].extract_text()
    assert "Số:" not in text and "GIẤY BIÊN NHẬN" in text and "ngày 02 tháng 02 năm 2026" in text


def test_a_voided_document_prints_marked_and_its_stored_file_stays(register):
    import hashlib
    import io

    import docx
    import pdfplumber

    db = register["db"]
    issued = outgoing.issue(db, outgoing.draft(db, register["case"].uuid, "explanation_accept").uuid,
                            issued_on=date(2026, 2, 5), today=date(2026, 2, 5))
    assert outgoing.render(db, issued.uuid, "pdf") == bytes(outgoing.repo.get_pdf(db, issued.uuid))
    outgoing.void(db, issued.uuid, "Ghi sai nơi nhận", on=date(2026, 2, 6))
    assert hashlib.sha256(bytes(outgoing.repo.get_pdf(db, issued.uuid))).hexdigest() == issued.sha256
    with pdfplumber.open(io.BytesIO(outgoing.render(db, issued.uuid, "pdf"))) as pdf:
        page = pdf.pages[0]
        big = "".join(c["text"] for c in page.chars if c["size"] > 40 and c["text"].strip())
        text = page.extract_text()
    assert big == "ĐÃHỦY"
    assert "Văn bản số 01/TB-UBND đã hủy ngày 06/02/2026: Ghi sai nơi nhận. Bản in này không có giá trị." in text
    word = docx.Document(io.BytesIO(outgoing.render(db, issued.uuid, "docx")))
    section = word.sections[0]
    for header in (section.first_page_header, section.header):
        assert header.paragraphs[0].text.startswith("ĐÃ HỦY — Văn bản số 01/TB-UBND đã hủy")
    # the day's batch prints only what is valid
    assert outgoing.issued_on_day(db, date(2026, 2, 5)) == []


@pytest.mark.parametrize("kind", ["complaint_reject", "denunciation_reject", "explanation_refuse"])
def test_a_refusal_without_a_free_note_leaves_no_blank(kind):
    context = {**samples.CONTEXT, "reason": ""}
    doc = templates.build_document(kind, context, samples.UNIT, HEAD)
    assert templates.BLANK not in _text(doc) and doc.meta["blanks"] == []


def test_a_denouncers_identity_is_a_dotted_line_to_write_by_hand_not_a_blank(register):
    from desktop.workflow.receive import CaseInput, receive_case

    db = register["db"]
    case = receive_case(db, CaseInput(kind="denunciation", received_on=date(2026, 2, 3),
                                      summary="Tố cáo việc thu tiền sai quy định", requesters=[register["person"].uuid]), today=date(2026, 2, 3))
    rec = outgoing.draft(db, case.uuid, "reception_guidance")
    text = _text(rec.document) + " ".join(rec.document.recipients)
    assert "Nguyễn Văn Ất" not in text and "thôn Đông" not in text
    assert templates.HANDWRITTEN in text
    assert "Họ tên người yêu cầu" not in outgoing.missing_fields(rec.document)


def test_the_written_notice_of_a_refusal_to_receive(register):
    """NĐ 154/2026 Art. 4(1)(h), (3) [S]: a petition already answered, nothing new: refused, and the
    notice (Mẫu 01/TCD) drawn from the reception, not from a case."""
    from desktop.workflow.receive import ReceptionInput, record_reception

    db = register["db"]
    day = date(2026, 7, 29)
    reception, _ = record_reception(db, ReceptionInput(
        received_on=day, person_uuid=register["person"].uuid, content="Kiến nghị lại việc làm đường",
        outcome="refused", refusal_ground="answered_petition"), today=day)
    rec = outgoing.draft_reception(db, reception.uuid)
    assert rec.case_uuid is None and rec.kind == "reception_refusal"
    text = _text(rec.document)
    assert "Ngày 29/07/2026, ông (bà) Nguyễn Văn Ất, địa chỉ: thôn Đông, xã Thụy Hùng" in text
    assert "nội dung: Kiến nghị lại việc làm đường." in text and "Điều 4 khoản 1 điểm h" in text
    issued = outgoing.issue(db, rec.uuid, issued_on=date(2026, 7, 30), today=date(2026, 7, 30))
    assert issued.symbol == "01/TB-UBND"
    assert "reception_refusal" not in [t.kind for t in outgoing.offered(db, register["case"].uuid)]
    spot, _ = record_reception(db, ReceptionInput(
        received_on=day, person_uuid=register["person"].uuid, content="Gây rối",
        outcome="refused", refusal_ground="incitement"), today=day)
    with pytest.raises(UserError) as info:   # explained on the spot: no written notice
        outgoing.compose_reception(db, spot.uuid)
    assert info.value.code == "reception_no_notice"


def test_a_receptions_documents_are_offered_and_listed_by_reception(register):
    """What "Văn bản…" of the reception register offers: the receipt always, the refusal notice
    only when the refusal's ground needs one in writing; each reception lists its own drafts."""
    from desktop.storage import documents_repo
    from desktop.workflow.receive import ReceptionInput, record_reception

    db = register["db"]
    day = date(2026, 7, 29)
    refused, _ = record_reception(db, ReceptionInput(
        received_on=day, person_uuid=register["person"].uuid, content="Kiến nghị lại việc làm đường",
        outcome="refused", refusal_ground="answered_petition"), today=day)
    spot, _ = record_reception(db, ReceptionInput(
        received_on=day, person_uuid=register["person"].uuid, content="Gây rối",
        outcome="refused", refusal_ground="incitement"), today=day)
    assert [t.kind for t in outgoing.offered_for_reception(db, refused.uuid)] == ["reception_refusal",
                                                                                   "reception_receipt"]
    assert [t.kind for t in outgoing.offered_for_reception(db, spot.uuid)] == ["reception_receipt"]
    notice = outgoing.draft_reception(db, refused.uuid)
    receipt = outgoing.draft_reception(db, spot.uuid, "reception_receipt")
    assert [d.uuid for d in documents_repo.list_documents(db, reception_uuid=refused.uuid)] == [notice.uuid]
    assert [d.uuid for d in documents_repo.list_documents(db, reception_uuid=spot.uuid)] == [receipt.uuid]
