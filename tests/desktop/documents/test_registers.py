"""Printed registers: landscape A4, every column of the law's forms, secrets kept."""

from __future__ import annotations

import io
import re
from datetime import date

import pdfplumber
import pytest

from desktop.documents import outgoing, registers
from desktop.errors import UserError
from desktop.storage import documents_repo as repo


def _text(data: bytes) -> tuple[str, list]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() for p in pdf.pages), [(p.width, p.height) for p in pdf.pages]


def test_outgoing_register_columns_and_void(register):
    db = register["db"]
    for day in (5, 6):
        outgoing.issue(db, outgoing.draft(db, register["case"].uuid, "explanation_accept").uuid,
                       issued_on=date(2026, 2, day), copies=2)
    first = repo.list_documents(db, status="issued")[0]
    outgoing.void(db, first.uuid, "Ghi sai ngày")
    sheet = registers.outgoing_sheet(db, date(2026, 1, 1), date(2026, 12, 31))
    assert len(sheet.header) == 10 and sheet.period == "Năm 2026"
    assert [r[0] for r in sheet.rows] == ["01/TB-UBND", "02/TB-UBND"]
    assert sheet.rows[0][3] == "Trần Thị Bích Hằng" and sheet.rows[0][6] == "2"
    assert "Ghi sai ngày" in sheet.rows[0][-1]
    text, sizes = _text(registers.render_sheet(sheet))
    assert all(w > h for w, h in sizes)
    for h in ("Số, ký hiệu", "Người ký", "Nơi nhận văn bản", "Ký nhận", "01/TB-UBND", "Thông báo về việc thụ lý"):
        assert h in text


def test_reception_register_has_thirteen_columns_and_hides_denouncers(register):
    from desktop.storage.persons import save_person
    from desktop.workflow.receive import ReceptionInput, record_reception

    db = register["db"]
    other = save_person(db, full_name="Hoàng Thị Ếch", address="thôn Bắc")
    record_reception(db, ReceptionInput(received_on=date(2026, 2, 3), person_uuid=register["person"].uuid,
                                         content="Hỏi về thủ tục cấp sổ đỏ", case_kind="petition"), today=date(2026, 2, 3))
    record_reception(db, ReceptionInput(received_on=date(2026, 2, 4), person_uuid=other.uuid,
                                         content="Tố cáo cán bộ thu tiền", case_kind="denunciation"), today=date(2026, 2, 4))
    sheet = registers.reception_sheet(db, date(2026, 2, 1), date(2026, 2, 28))
    assert len(sheet.header) == 13 and len(sheet.rows) == 2
    assert "Nguyễn Văn Ất" in sheet.rows[0][2]
    assert sheet.rows[1][2] == registers.SECRET and "Hoàng Thị Ếch" not in " ".join(sheet.rows[1])
    text, sizes = _text(registers.render_sheet(sheet))
    assert all(w > h for w, h in sizes) and "SỔ TIẾP CÔNG DÂN" in text
    assert "Từ ngày 01/02/2026 đến ngày 28/02/2026" in text


def test_followup_register_lists_cases_with_their_replies(register):
    db = register["db"]
    outgoing.issue(db, outgoing.draft(db, register["case"].uuid, "explanation_accept").uuid,
                   issued_on=date(2026, 2, 5))
    sheet = registers.followup_sheet(db, date(2026, 1, 1), date(2026, 12, 31))
    assert sheet.rows[0][0] == register["case"].number
    assert sheet.rows[0][6] == "01/TB-UBND" and sheet.rows[0][3] == "Lê Văn Đức"
    text, _ = _text(registers.render_register(db, "followup", date(2026, 1, 1), date(2026, 12, 31)))
    assert "SỔ THEO DÕI GIẢI QUYẾT" in re.sub(r"\s+", " ", text)


def test_register_arguments_are_checked(register):
    with pytest.raises(UserError):
        registers.render_register(register["db"], "nope", date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(UserError):
        registers.render_register(register["db"], "outgoing", date(2026, 2, 1), date(2026, 1, 1))


def test_reception_register_follows_the_case_a_reception_opened(register):
    """Column (12) of Mẫu 03/TCD: the result of the matter received, taken from its case."""
    from desktop.workflow.engine import act
    from desktop.workflow.receive import ReceptionInput, record_reception

    db = register["db"]
    _, case = record_reception(db, ReceptionInput(
        received_on=date(2026, 2, 3), person_uuid=register["person"].uuid, content="Đề nghị giải trình việc thu phí",
        outcome="accepted", case_kind="explanation"), today=date(2026, 2, 10))
    act(db, case.uuid, "accept", effective_on=date(2026, 2, 5), today=date(2026, 2, 10))
    sheet = registers.reception_sheet(db, date(2026, 2, 1), date(2026, 2, 28))
    assert sheet.rows[0][11] == f"Vụ việc số {case.number}: đang giải quyết"


@pytest.mark.parametrize("which", ["reception", "outgoing", "followup"])
def test_an_empty_period_says_so_across_the_table(register, which):
    """"Không có dòng nào trong kỳ." spans the table on one line, not squeezed into the first column."""
    import pdfplumber

    from tests.desktop.documents.pdf_lines import line

    data = registers.render_register(register["db"], which, date(2030, 1, 1), date(2030, 1, 31))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        found, _ = line(page, "Không có dòng nào trong kỳ.")
        assert found["text"] == "Không có dòng nào trong kỳ."
        column = registers.SHEETS[which](register["db"], date(2030, 1, 1), date(2030, 1, 31)).widths[0]
        assert found["x1"] - found["x0"] > column * page.width


def test_followup_lines_read_once_the_kind_and_the_secret(register):
    """Column (3) of the follow-up register: "Tố cáo: việc …", not "Tố cáo: Tố cáo việc …", and a
    denouncer is "(bảo mật)", not "((bảo mật))"."""
    from desktop.workflow.receive import CaseInput, receive_case

    db = register["db"]
    receive_case(db, CaseInput(kind="denunciation", received_on=date(2026, 2, 4),
                               summary="Tố cáo cán bộ địa chính thu tiền", requesters=[register["person"].uuid]),
                 today=date(2026, 2, 4))
    sheet = registers.followup_sheet(db, date(2026, 2, 4), date(2026, 2, 4))
    assert sheet.rows[0][2] == "Tố cáo: cán bộ địa chính thu tiền (bảo mật)"
    assert "Nguyễn Văn Ất" not in sheet.rows[0][2]


def test_a_tall_row_is_split_across_pages_and_the_header_repeats_only_at_the_top():
    """A long complaint's content no longer moves whole to the next page leaving most of a page
    blank, and the header never repeats in the middle of a page (ReportLab's own row splitting)."""
    import io

    import pdfplumber

    from desktop.documents.registers import Sheet, render_sheet

    sentence = "Nội dung rất dài của đơn khiếu nại về việc thu hồi đất và bồi thường, hỗ trợ tái định cư."
    rows = tuple((f"{i:02d}/03/2026", f"Người {i}", " ".join([sentence] * 40) if i % 7 == 3 else "Ngắn gọn",
                  "Khiếu nại", "1") for i in range(1, 30))
    sheet = Sheet("UBND XÃ THỤY HÙNG", "SỔ THỬ", "Từ 01/03/2026 đến 31/03/2026",
                  ("Ngày", "Họ tên", "Nội dung", "Phân loại", "Số người"), (0.1, 0.15, 0.55, 0.1, 0.1), rows,
                  ("(1)", "(2)", "(3)", "(4)", "(5)"))
    with pdfplumber.open(io.BytesIO(render_sheet(sheet))) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert all(page.count("Phân loại") == 1 for page in pages), [p.count("Phân loại") for p in pages]
    assert "Người 3" in pages[0]                  # the first tall row starts where there is room
    assert len(pages) <= 5                        # seven pages when tall rows moved whole
    text = " ".join(" ".join(pages).split())
    assert text.count("tái định cư.") == 40 * 4   # every tall row whole, over the pages
    assert all(f"Người {i}" in text for i in range(1, 30))
