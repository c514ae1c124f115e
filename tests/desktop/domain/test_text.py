from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.text import digit_runs, digits_only, fold, fts_phrase, fts_query, tokens, vietnamese_sort_key

SPELLINGS = ["nguyen van duc", "NGUYEN VAN DUC", "Nguyễn Văn Đức", "Nguyen Van Duc", "nguyễn văn đức",
             "NGUYỄN VĂN ĐỨC", "  Nguyễn   Văn\tĐức. "]


@pytest.mark.parametrize("text", SPELLINGS)
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_every_spelling_folds_alike(text, form):
    assert fold(unicodedata.normalize(form, text)) == "nguyen van duc"


def test_d_with_stroke_folds_to_d():
    assert fold("Đ") == "d"
    assert fold("đ") == "d"
    assert fold("Đồng Đăng") == "dong dang"


def test_all_vietnamese_vowels_fold():
    vowels = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    assert fold(vowels) == "a" * 17 + "e" * 11 + "i" * 5 + "o" * 17 + "u" * 11 + "y" * 5
    assert fold(vowels.upper()) == fold(vowels)


def test_old_and_new_tone_placement_fold_alike():
    assert fold("Hoà") == fold("Hòa") == "hoa"
    assert fold("Thuỷ") == fold("Thủy") == "thuy"


def test_punctuation_becomes_space_and_digits_stay():
    assert fold("CCCD: 001203012345") == "cccd 001203012345"
    assert fold("Số 15/2026-TB (UBND)") == "so 15 2026 tb ubnd"
    assert fold("0912.345.678") == "0912 345 678"
    assert fold('"quoted" * AND -x') == "quoted and x"
    assert fold("") == ""
    assert fold("—…!?") == ""


def test_tokens():
    assert tokens("Ủy ban nhân dân xã Thụy Hùng") == ["uy", "ban", "nhan", "dan", "xa", "thuy", "hung"]


def test_digit_runs_join_adjacent_numbers():
    assert list(digit_runs(["so", "0912", "345", "678"])) == ["0912345", "0912345678", "345678"]
    assert list(digit_runs(["15", "2026"])) == ["152026"]
    assert list(digit_runs(["nguyen", "15", "van", "2026"])) == []


def test_fts_query_quotes_every_word_and_prefixes_the_last():
    assert fts_query("Nguyễn Văn Đức") == '"nguyen" AND "van" AND "duc"*'
    assert fts_query("ng") == '"ng"*'
    assert fts_query("NGUYỄN") == '"nguyen"*'


def test_fts_query_joins_a_number_typed_with_separators():
    assert fts_query("0912.345.678") == '"0912345678"*'
    assert fts_query("0912 345 678") == '"0912345678"*'
    assert fts_query("15/2026") == '"152026"*'


def test_fts_query_single_letter_being_typed():
    query = fts_query("nguyen van d")
    assert query.startswith('"nguyen" AND "van" AND ("d" OR "da"* OR ')
    assert '"du"*' in query
    assert fts_query("d") is None  # one letter alone finds everything: not a search


@pytest.mark.parametrize("text", ["", "   ", "!!!", "*", '"', "()", "-", "—"])
def test_nothing_searchable_gives_none(text):
    assert fts_query(text) is None


@pytest.mark.parametrize(
    "text",
    ['"', '""', 'a"b', "*", "AND", "OR NOT", "NEAR(a b)", "a NEAR/2 b", "(x", "x)", "-x", "x - y",
     "col:val", "^start", "{a b}:c", "a + b", "nguyễn * AND (văn OR đức)"],
)
def test_fts_syntax_in_input_is_plain_text(text):
    query = fts_query(text)
    if query is not None:
        outside_quotes = query.split('"')[::2]
        assert all(set(part) <= set(" AND OR()*") for part in outside_quotes), query
        assert "NOT" not in "".join(outside_quotes) and "NEAR" not in "".join(outside_quotes)


@given(st.text())
def test_fold_is_idempotent_and_plain(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert "đ" not in folded and not any(unicodedata.combining(c) for c in folded)


def test_fts_phrase():
    assert fts_phrase("Nguyễn Văn  Đức") == '"nguyen van duc"'
    assert fts_phrase(" - ") is None


# -- Vietnamese alphabetical order ----------------------------------------------------------------

def _sorted(names):
    return sorted(names, key=vietnamese_sort_key)


def test_people_sorted_by_given_name_first():
    assert vietnamese_sort_key("Đặng Văn An") < vietnamese_sort_key("Bùi Thị Bình")
    assert _sorted(["Trần Văn Cường", "Lê Thị An", "Nguyễn Văn An", "Bùi Bình"]) == [
        "Lê Thị An", "Nguyễn Văn An", "Bùi Bình", "Trần Văn Cường"]


def test_same_given_name_then_family_and_middle_names():
    assert _sorted(["Trần Văn An", "Lê Văn An", "Lê Thị An"]) == ["Lê Thị An", "Lê Văn An", "Trần Văn An"]


def test_tones_after_letters_in_office_order():
    assert _sorted(["Ảnh", "Ánh", "Anh"]) == ["Anh", "Ánh", "Ảnh"]
    assert _sorted(["bạ", "bã", "bả", "bá", "bà", "ba"]) == ["ba", "bà", "bá", "bả", "bã", "bạ"]
    # letters decide before tones: "bạ" still comes before "bác"
    assert _sorted(["bác", "bạ"]) == ["bạ", "bác"]


def test_vietnamese_letters_in_alphabet_order():
    assert vietnamese_sort_key("d") < vietnamese_sort_key("đ") < vietnamese_sort_key("e")
    assert vietnamese_sort_key("Dung") < vietnamese_sort_key("Đức")
    assert vietnamese_sort_key("Đức") < vietnamese_sort_key("Em")
    assert _sorted(["ơ", "o", "ô", "p"]) == ["o", "ô", "ơ", "p"]
    assert _sorted(["â", "ă", "a", "b"]) == ["a", "ă", "â", "b"]
    assert _sorted(["ư", "u", "v"]) == ["u", "ư", "v"]
    assert _sorted(["ê", "e", "f"]) == ["e", "ê", "f"]
    assert _sorted(["Ơn", "Ông", "Oanh"]) == ["Oanh", "Ông", "Ơn"]


def test_letters_of_the_whole_name_before_any_tone():
    # "Văn" < "Vân" decides before the tones of the given name
    assert _sorted(["Lê Vân An", "Lê Văn Án"]) == ["Lê Văn Án", "Lê Vân An"]
    assert _sorted(["Lê Văn Án", "Lê Văn An"]) == ["Lê Văn An", "Lê Văn Án"]


def test_sort_key_ignores_case_and_normal_form():
    nfd = unicodedata.normalize("NFD", "Đặng Văn Ánh")
    assert vietnamese_sort_key(nfd)[:2] == vietnamese_sort_key("ĐẶNG VĂN ÁNH")[:2]
    assert _sorted(["bình", "An", "Ánh"]) == ["An", "Ánh", "bình"]


def test_organisations_sorted_word_by_word():
    names = ["Công ty B", "Hợp tác xã An Bình", "Công ty A"]
    assert sorted(names, key=lambda n: vietnamese_sort_key(n, given_name_first=False)) == [
        "Công ty A", "Công ty B", "Hợp tác xã An Bình"]


def test_sort_key_is_total_for_odd_input():
    names = ["", "  ", "123", "Nguyễn 2", "李小龍", "Anh", "anh"]
    assert len(_sorted(names)) == len(names)
    assert _sorted(["Anh", "123"]) == ["123", "Anh"]


def test_fts_query_whole_words():
    assert fts_query("Nguyễn Văn Đ", prefix=False) == '"nguyen" AND "van" AND "d"'
    assert fts_query("0912.345.678", prefix=False) == '"0912345678"'
    assert fts_query("d", prefix=False) == '"d"'
    assert fts_query("--", prefix=False) is None


def test_same_order_as_the_sql_name_key():
    from desktop.domain.names import name_key

    names = ["Nguyễn Văn An", "Lê Vân An", "Lê Văn Án", "Lê Văn An", "Trần Thị Ánh", "Bùi Ảnh", "Đỗ Anh",
             "Đặng Văn An", "Bùi Thị Bình", "Phạm Đức", "Vũ Dung", "Hồ Thị Ơn", "Ngô Ông", "Lý O", "An",
             "Hoàng Thị Hòa", "Hoàng Thị Hoà", "Trịnh Ư", "Mai U", "Phan Thu Hà", "Phan Thu Hạ"]
    assert [name_key(n) for n in _sorted(names)] == sorted(name_key(n) for n in names)


def test_fts_query_long_paste_is_bounded():
    assert fts_query("dat dat dat dai") == '"dat" AND "dai"*'
    words = [f"w{i}" for i in range(40)]
    query = fts_query(" ".join(words))
    assert query.count('"') == 2 * 12
    assert query.endswith('"w39"*') and '"w10"' in query and '"w11"' not in query
    assert fts_query("an an", prefix=False) == '"an"'


# -- the translation-table fast path equals the definition --------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VIETNAMESE = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_VIETNAMESE + _VIETNAMESE.upper() + " .,;:/-()0123456789\u0300\u0301\u0303\u0309\u0323"))
       | st.text())
def test_fast_fold_equals_the_unicode_definition(text):
    from desktop.domain.text import _fold_slow, fold

    assert fold(text) == _fold_slow(text)


@pytest.mark.parametrize("text, digits", [("0912.345.678", "0912345678"), ("0912345678", "0912345678"),
                                          ("+84 912", "84912"), ("", ""), ("abc", ""), ("²3", "3"), ("1٣2", "12")])
def test_digits_only_keeps_ascii_digits(text, digits):
    assert digits_only(text) == digits
