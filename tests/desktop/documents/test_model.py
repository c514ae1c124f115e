from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from desktop.documents.model import Document, Paragraph, Signer, date_line, format_number, symbol_suffix
from desktop.errors import UserError


@pytest.mark.parametrize("n, text", [(1, "01"), (5, "05"), (9, "09"), (10, "10"), (123, "123")])
def test_numbers_below_ten_get_a_leading_zero(n, text):
    assert format_number(n) == text


def test_number_zero_is_refused_in_vietnamese():
    with pytest.raises(UserError) as info:
        format_number(0)
    assert info.value.code == "document_bad_number" and "Số văn bản" in info.value.message


@pytest.mark.parametrize("day, text", [
    (date(2026, 2, 5), "Thụy Hùng, ngày 05 tháng 02 năm 2026"),
    (date(2026, 1, 15), "Thụy Hùng, ngày 15 tháng 01 năm 2026"),
    (date(2026, 3, 9), "Thụy Hùng, ngày 09 tháng 3 năm 2026"),
    (date(2026, 12, 31), "Thụy Hùng, ngày 31 tháng 12 năm 2026"),
])
def test_date_line_leading_zeros_for_days_below_ten_and_months_one_and_two(day, text):
    assert date_line("Thụy Hùng", day) == text


def test_draft_date_line_keeps_blanks_for_day_and_month():
    line = date_line("Thụy Hùng", None, 2026)
    assert line.startswith("Thụy Hùng, ngày") and line.endswith("năm 2026") and "tháng" in line


def test_symbols(notice):
    assert notice.number_line == "Số: 05/TB-UBND"
    assert " " not in notice.symbol
    assert symbol_suffix("", "UBND", "VP") == "UBND-VP"
    cong_van = Document(kind="x", issuing_body=("UBND",), issuer_abbr="UBND", place="X", number=12,
                        drafting_unit="VP", summary="giải trình yêu cầu")
    assert cong_van.symbol == "12/UBND-VP" and cong_van.is_cong_van
    assert cong_van.subject_line == "V/v giải trình yêu cầu"


def test_draft_has_no_number(notice):
    draft = Document(**{**notice.__dict__, "number": None})
    assert draft.number_line.startswith("Số:") and draft.symbol.endswith("/TB-UBND")
    assert not any(ch.isdigit() for ch in draft.symbol)


def test_signer_lines_for_each_authority():
    assert Signer("Chủ tịch", "A", "TM.", "Ủy ban nhân dân").title_lines() == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert Signer("Phó Chủ tịch", "A", "KT.", "Chủ tịch").title_lines() == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert Signer("Phó Chủ tịch", "A", "TM.", "Ủy ban nhân dân\nKT. Chủ tịch").title_lines() == [
        "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert Signer("Chủ tịch", "A").title_lines() == ["CHỦ TỊCH"]
    with pytest.raises(UserError):
        Signer("Chủ tịch", "A", "XX.")


def test_recipients_end_with_the_archive_line(notice):
    assert notice.recipient_lines() == ["- Ông Nguyễn Văn Ất;", "- Chủ tịch, các Phó Chủ tịch UBND xã;",
                                        "- Lưu: VT, VP."]


def test_round_trip_through_json(notice):
    import json

    again = Document.from_dict(json.loads(json.dumps(notice.to_dict(), ensure_ascii=False)))
    assert again == notice


def test_decomposed_input_is_composed():
    from desktop.documents.model import nfc

    decomposed = unicodedata.normalize("NFD", "Thụy Hùng")
    assert decomposed != "Thụy Hùng" and nfc(decomposed) == "Thụy Hùng"
    doc = Document(kind="x", issuing_body=("UBND",), issuer_abbr="UBND", place=decomposed,
                   issued_on=date(2026, 2, 5), body=(Paragraph("a"),))
    assert doc.date_line.startswith("Thụy Hùng,")
