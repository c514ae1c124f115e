from __future__ import annotations

import itertools
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.storage import search
from desktop.storage.duplicates import (
    REASON_ID,
    REASON_NAME,
    REASON_NAME_PHONE,
    find_case_duplicates,
    find_person_duplicates,
)
from desktop.storage.search import (
    case_search_text,
    fts_insert,
    fts_update,
    person_search_text,
    rebuild,
    reception_search_text,
    search_case_ids,
    search_persons,
    search_reception_ids,
    set_search_text,
)

T = "2026-01-05T08:00:00"
_serial = itertools.count(1)


def add_person(db, full_name, *, id_number="", phone="", address="", uuid=None, index=True):
    text = person_search_text(full_name=full_name, id_number=id_number, phone=phone, address=address)
    with db.write():
        cur = db.execute(
            "INSERT INTO persons(uuid, unit_code, updated_at, full_name, id_number, phone, address, search_text) "
            "VALUES (?, 'X', ?, ?, ?, ?, ?, ?)",
            (uuid or f"p{next(_serial)}", T, full_name, id_number, phone, address, text),
        )
        if index:
            fts_insert(db, "persons", cur.lastrowid, text)
    return cur.lastrowid


def add_case(db, summary="", *, people=(), number="", content="", kind="petition", received_on="2026-01-05",
             closed_on=None, uuid=None, confidential=False, person_uuids=()):
    text = case_search_text(number=number, summary=summary, content=content, people=people,
                            confidential=confidential)
    with db.write():
        cur = db.execute(
            "INSERT INTO cases(uuid, unit_code, updated_at, created_at, number, kind, rules_id, summary, content, "
            "received_on, closed_on, state, search_text) VALUES (?, 'X', ?, ?, ?, ?, 'r2026', ?, ?, ?, ?, ?, ?)",
            (uuid or f"c{next(_serial)}", T, T, number, kind, summary, content, received_on,
             closed_on, "closed" if closed_on else "received", text),
        )
        case_id = cur.lastrowid
        fts_insert(db, "cases", case_id, text)
        case_uuid = db.scalar("SELECT uuid FROM cases WHERE id = ?", (case_id,))
        for person_uuid in person_uuids:
            db.execute("INSERT OR IGNORE INTO persons(uuid, unit_code, updated_at, full_name) VALUES (?, 'X', ?, ?)",
                       (person_uuid, T, person_uuid))
            db.execute("INSERT INTO case_people(uuid, unit_code, updated_at, case_uuid, person_uuid) "
                       "VALUES (?, 'X', ?, ?, ?)", (f"cp-{case_uuid}-{person_uuid}", T, case_uuid, person_uuid))
    return case_id


@pytest.fixture
def people(db):
    return {
        "duc": add_person(db, "Nguyễn Văn Đức", id_number="001203012345", phone="0912.345.678",
                          address="Thôn Đông, xã Thụy Hùng"),
        "dung": add_person(db, "Trần Thị Dung", id_number="034185000111", phone="0987654321"),
        "an": add_person(db, "Đặng Văn An", phone="+84 903 111 222"),
        "ngoc": add_person(db, "Ngô Thị Ngọc"),
    }


def names(found):
    return {p.full_name for p in found}


# -- accent-insensitive search ---------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["nguyen van duc", "NGUYEN VAN DUC", "Nguyễn Văn Đức", "Nguyen Van Duc",
                                   "nguyễn văn đức", unicodedata.normalize("NFD", "Nguyễn Văn Đức")])
def test_every_spelling_finds_the_person(db, people, typed):
    assert names(search_persons(db, typed)) == {"Nguyễn Văn Đức"}


@pytest.mark.parametrize("stored", ["nguyen van duc", "NGUYỄN VĂN ĐỨC", unicodedata.normalize("NFD", "Nguyễn Văn Đức")])
def test_every_stored_spelling_is_found(db, stored):
    add_person(db, stored)
    assert names(search_persons(db, "Nguyễn Văn Đức")) == {stored}
    assert names(search_persons(db, "nguyen van duc")) == {stored}


def test_d_with_stroke_matches_d(db, people):
    assert names(search_persons(db, "dang van an")) == {"Đặng Văn An"}
    assert names(search_persons(db, "Đung")) == {"Trần Thị Dung"}


def test_prefix_as_typed(db, people):
    assert names(search_persons(db, "nguyen van d")) == {"Nguyễn Văn Đức"}
    assert names(search_persons(db, "nguyen van du")) == {"Nguyễn Văn Đức"}
    assert names(search_persons(db, "ng")) == {"Nguyễn Văn Đức", "Ngô Thị Ngọc"}
    assert names(search_persons(db, "ngu")) == {"Nguyễn Văn Đức"}
    assert names(search_persons(db, "nguye")) == {"Nguyễn Văn Đức"}
    assert names(search_persons(db, "thi n")) == {"Ngô Thị Ngọc"}


def test_words_in_any_order_and_from_the_address(db, people):
    assert names(search_persons(db, "duc nguyen")) == {"Nguyễn Văn Đức"}
    assert names(search_persons(db, "thuy hung")) == {"Nguyễn Văn Đức"}


@pytest.mark.parametrize("typed", ["001203012345", "001 203 012 345", "0012030"])
def test_id_number_search(db, people, typed):
    assert names(search_persons(db, typed)) == {"Nguyễn Văn Đức"}


@pytest.mark.parametrize("typed", ["0912345678", "0912.345.678", "0912 345 678", "+84 912 345 678", "091234"])
def test_phone_search_however_written(db, people, typed):
    assert names(search_persons(db, typed)) == {"Nguyễn Văn Đức"}


def test_phone_stored_with_country_code(db, people):
    assert names(search_persons(db, "0903111222")) == {"Đặng Văn An"}


@pytest.mark.parametrize(
    "typed",
    ['"', '""', 'nguyen"', '"nguyen', "*", "nguyen*", "AND", "nguyen AND", "OR", "NOT duc", "NEAR(nguyen duc)",
     "nguyen NEAR/2 duc", "(", ")", "(nguyen", "-", "-duc", "nguyen -duc", "search_text:duc", "^nguyen",
     "{search_text}:duc", "a + b", "'", "%", "_", "\\", ";DROP TABLE persons;--", "\x00", "d*d", "\u200b"],
)
def test_fts_syntax_in_input_never_raises(db, people, typed):
    search_persons(db, typed)
    search_case_ids(db, typed)
    search_reception_ids(db, typed)
    find_person_duplicates(db, full_name=typed, id_number=typed, phone=typed)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_safe_query(db, text):
    search_case_ids(db, text)
    search_persons(db, text)


def test_operator_words_are_searched_as_words(db):
    add_person(db, "Hoàng Or")
    add_person(db, "Nguyễn An")
    assert names(search_persons(db, "or")) == {"Hoàng Or"}
    assert names(search_persons(db, "AND")) == set()


def test_nothing_searchable_finds_nothing(db, people):
    assert search_persons(db, "") == []
    assert search_persons(db, "  --  ") == []
    assert search_persons(db, "n") == []
    assert search_case_ids(db, "") == []


def test_person_results_put_the_exact_name_first(db):
    add_person(db, "Nguyễn Văn Đức Anh")
    add_person(db, "Lê Nguyễn Văn Đức")
    add_person(db, "Nguyễn Văn Đức")
    assert [p.full_name for p in search_persons(db, "nguyen van duc")] == [
        "Nguyễn Văn Đức", "Nguyễn Văn Đức Anh", "Lê Nguyễn Văn Đức"]


# -- cases and receptions ----------------------------------------------------------------------------

def test_case_found_by_summary_number_and_people(db):
    case_id = add_case(db, "Đề nghị cấp giấy chứng nhận quyền sử dụng đất", number="15/2026",
                       people=[("Nguyễn Văn Đức", "001203012345", "0912.345.678")])
    for typed in ["giay chung nhan", "quyền sử dụng đất", "15/2026", "Nguyễn Văn Đức", "nguyen van d",
                  "001203012345", "0912 345 678", "dat nguyen"]:
        assert search_case_ids(db, typed) == [case_id], typed


def test_case_text_keeps_each_word_once_and_a_name_keeps_its_words():
    """A case is matched word by word: repeats are dropped. A person's name is matched as a phrase at
    the start of the text (duplicates), so "Nguyễn Thị Nguyên" keeps both of its "nguyen"."""
    text = search.case_search_text(number="15/2026", summary="Đề nghị cấp đất ở",
                                   content="Ông Đức đề nghị cấp đất ở cho con; đề nghị sớm.",
                                   people=[("Nguyễn Văn Đức", "001203012345", "0912.345.678")])
    words = text.split()
    assert len(words) == len(set(words))
    assert words[:7] == ["15", "2026", "de", "nghi", "cap", "dat", "o"]
    assert {"152026", "001203012345", "0912345678", "84912345678", "nguyen", "van", "duc"} <= set(words)
    person = search.person_search_text(full_name="Nguyễn Thị Nguyên", id_number="", phone="", address="xóm Nguyên")
    assert person == "nguyen thi nguyen xom nguyen"


def test_confidential_case_does_not_reveal_the_denouncer(db):
    case_id = add_case(db, "Tố cáo cán bộ địa chính", kind="denunciation", confidential=True,
                       people=[("Nguyễn Văn Đức", "001203012345", "0912345678")])
    assert search_case_ids(db, "to cao dia chinh") == [case_id]
    assert search_case_ids(db, "nguyen van duc") == []
    assert search_case_ids(db, "001203012345") == []


def test_reception_search(db):
    text = reception_search_text(content="Phản ánh đường ngập nước", request="Sửa cống",
                                 people=[("Trần Thị Dung", "", "0987654321")])
    with db.write():
        cur = db.execute("INSERT INTO receptions(uuid, unit_code, updated_at, received_on, content, request, search_text) "
                         "VALUES ('r1', 'X', ?, '2026-01-05', 'Phản ánh đường ngập nước', 'Sửa cống', ?)", (T, text))
        fts_insert(db, "receptions", cur.lastrowid, text)
    assert search_reception_ids(db, "duong ngap") == [cur.lastrowid]
    assert search_reception_ids(db, "tran thi dung") == [cur.lastrowid]
    assert search_reception_ids(db, "0987.654.321") == [cur.lastrowid]


def test_newest_first_and_keyset_paging(db):
    ids = [add_case(db, f"Kiến nghị đường giao thông số {i}", number=f"{i}/2026") for i in range(1, 26)]
    add_case(db, "Khiếu nại đất đai")
    newest_first = sorted(ids, reverse=True)
    assert search_case_ids(db, "duong giao thong") == newest_first
    page1 = search_case_ids(db, "duong giao", limit=10)
    page2 = search_case_ids(db, "duong giao", limit=10, before_id=page1[-1])
    page3 = search_case_ids(db, "duong giao", limit=10, before_id=page2[-1])
    assert page1 + page2 + page3 == newest_first
    assert len(page3) == 5
    assert search_case_ids(db, "duong giao", limit=10, before_id=page3[-1]) == []


def test_update_reindexes(db):
    case_id = add_case(db, "Kiến nghị về chiếu sáng")
    old = db.scalar("SELECT search_text FROM cases WHERE id = ?", (case_id,))
    new = case_search_text(number="", summary="Phản ánh ô nhiễm tiếng ồn", content="", people=[])
    with db.write():
        db.execute("UPDATE cases SET search_text = ? WHERE id = ?", (new, case_id))
        fts_update(db, "cases", case_id, old, new)
    assert search_case_ids(db, "chieu sang") == []
    assert search_case_ids(db, "tieng on") == [case_id]
    assert search.integrity_check(db, "cases")


def test_set_search_text_reads_the_old_text_itself(db, people):
    set_search_text(db, "persons", people["duc"],
                    person_search_text(full_name="Nguyễn Văn Đạt", id_number="", phone="", address=""))
    assert names(search_persons(db, "nguyen van duc")) == set()
    assert [p.id for p in search_persons(db, "nguyen van dat")] == [people["duc"]]
    assert search.integrity_check(db, "persons")


def test_rebuild_after_bulk_import(db):
    for name in ["Lê Văn Tám", "Phạm Thị Hương", "Vũ Đình Khôi"]:
        add_person(db, name, index=False)
    assert search_persons(db, "huong") == []
    rebuild(db, "persons")
    assert names(search_persons(db, "huong")) == {"Phạm Thị Hương"}
    assert names(search_persons(db, "vu dinh")) == {"Vũ Đình Khôi"}
    assert search.integrity_check(db, "persons")


def test_table_names_are_validated(db):
    for bad in ["users", "persons; DROP TABLE persons", "", "cases_fts_x"]:
        with pytest.raises(ValueError):
            fts_insert(db, bad, 1, "x")
        with pytest.raises(ValueError):
            rebuild(db, bad)
    fts_insert(db, "cases_fts", 99, "")  # both spellings accepted; empty text indexes nothing


def test_queries_use_the_fts_index(db):
    plan = " ".join(row[3] for row in db.query(
        "EXPLAIN QUERY PLAN SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? AND rowid < ? "
        "ORDER BY rowid DESC LIMIT ?", ('"nguyen"*', 10, 5)))
    assert "VIRTUAL TABLE INDEX" in plan and "SCAN cases " not in plan
    assert "USE TEMP B-TREE" not in plan  # FTS5 streams rowid DESC itself: no sort


# -- duplicates -----------------------------------------------------------------------------------------

def test_person_duplicates_with_reasons_strongest_first(db):
    same_id = add_person(db, "Nguyễn Văn Đức", id_number="001 203 012 345", uuid="same-id")
    name_phone = add_person(db, "NGUYEN VAN DUC", phone="0912345678", uuid="name-phone")
    name_only = add_person(db, "nguyễn văn đức", phone="0900000000", uuid="name-only")
    add_person(db, "Nguyễn Văn Đức Anh", uuid="longer-name")
    add_person(db, "Trần Văn Bình", uuid="other")
    found = find_person_duplicates(db, full_name="Nguyễn Văn Đức", id_number="001203012345",
                                   phone="0912.345.678")
    assert [(p.id, reason) for p, reason in found] == [
        (same_id, REASON_ID), (name_phone, REASON_NAME_PHONE), (name_only, REASON_NAME)]


def test_person_duplicate_by_id_alone_and_exclusion(db):
    pid = add_person(db, "Trần Thị Dung", id_number="034185000111", uuid="dung")
    found = find_person_duplicates(db, full_name="Tran Thi Dzung", id_number="034185000111")
    assert [(p.id, r) for p, r in found] == [(pid, REASON_ID)]
    assert find_person_duplicates(db, full_name="Trần Thị Dung", id_number="034185000111", exclude_uuid="dung") == []


def test_person_duplicate_passport(db):
    pid = add_person(db, "John Smith", id_number="C1234567")
    assert [p.id for p, _ in find_person_duplicates(db, full_name="J. Smith", id_number="c 1234567")] == [pid]
    assert find_person_duplicates(db, full_name="X", id_number="D1234567") == []


def test_person_duplicate_phone_with_country_code(db):
    pid = add_person(db, "Lê Thị Hoà", phone="+84 912 000 111")
    assert find_person_duplicates(db, full_name="Lê Thị Hòa", phone="0912000111") == [
        (search.persons_by_ids(db, [pid])[pid], REASON_NAME_PHONE)]


def test_no_duplicates_for_a_new_person(db, people):
    assert find_person_duplicates(db, full_name="Phạm Minh Tuấn", phone="0911111111") == []
    assert find_person_duplicates(db, full_name="", id_number="", phone="") == []


def test_case_duplicates(db):
    today = date(2026, 3, 1)
    open_same = add_case(db, "Đề nghị cấp giấy chứng nhận quyền sử dụng đất thửa 125", kind="explanation",
                         received_on="2026-01-10", person_uuids=["p1"])
    add_case(db, "Đề nghị cấp giấy chứng nhận quyền sử dụng đất thửa 125", kind="petition",
             received_on="2026-01-10", person_uuids=["p1"])  # other kind
    add_case(db, "Hỏi về trợ cấp người cao tuổi", kind="explanation", received_on="2026-01-12",
             person_uuids=["p1"])  # other matter
    add_case(db, "Đề nghị cấp giấy chứng nhận quyền sử dụng đất thửa 125", kind="explanation",
             received_on="2026-01-10", person_uuids=["p2"])  # other person
    old_closed = add_case(db, "Cấp giấy chứng nhận quyền sử dụng đất", kind="explanation",
                          received_on="2023-05-01", closed_on="2023-06-01", person_uuids=["p1"])
    recent_closed = add_case(db, "Cấp giấy chứng nhận quyền sử dụng đất thửa 125", kind="explanation",
                             received_on="2025-09-01", closed_on="2025-10-02", person_uuids=["p1", "p3"])
    found = find_case_duplicates(db, kind="explanation", person_uuids=["p1"],
                                 summary="Yêu cầu giải trình việc chậm cấp giấy chứng nhận QSD đất thửa 125",
                                 today=today)
    ids = [case_id for case_id, _ in found]
    assert ids == [open_same, recent_closed] or ids == [recent_closed, open_same]
    assert old_closed not in ids
    reasons = dict(found)
    assert "đang giải quyết" in reasons[open_same]
    assert "đã kết thúc ngày 02/10/2025" in reasons[recent_closed]
    same_uuid = db.scalar("SELECT uuid FROM cases WHERE id = ?", (open_same,))
    assert open_same not in dict(find_case_duplicates(
        db, kind="explanation", person_uuids=["p1"], summary="cấp giấy chứng nhận quyền sử dụng đất thửa 125",
        exclude_uuid=same_uuid, today=today))
    assert find_case_duplicates(db, kind="explanation", person_uuids=[], summary="cấp giấy", today=today) == []


def test_case_duplicate_identical_summary_reason(db):
    cid = add_case(db, "Đường thôn Đông bị ngập", kind="feedback", received_on="2026-02-01", person_uuids=["p9"])
    assert find_case_duplicates(db, kind="feedback", person_uuids=["p9"], summary="đường thôn đông bị ngập",
                                today=date(2026, 2, 10)) == [
        (cid, "Cùng người yêu cầu, cùng loại việc, nội dung trùng; vụ việc đang giải quyết")]


def test_whole_words_only(db, people):
    assert names(search_persons(db, "nguyen van du", prefix=False)) == set()
    assert names(search_persons(db, "nguyen van duc", prefix=False)) == {"Nguyễn Văn Đức"}
    assert names(search_persons(db, "thi ngoc", prefix=False)) == {"Ngô Thị Ngọc"}
    case_id = add_case(db, "Đường ngập", number="7/2026")
    assert search_case_ids(db, "7/2026", prefix=False) == [case_id]
    assert search_case_ids(db, "duong nga", prefix=False) == []


def test_integrity_check_sees_a_wrong_old_text(db):
    case_id = add_case(db, "Kiến nghị về chiếu sáng")
    new = case_search_text(number="", summary="Điện chiếu sáng thôn Tây", content="", people=[])
    with db.write():
        db.execute("UPDATE cases SET search_text = ? WHERE id = ?", (new, case_id))
        fts_update(db, "cases", case_id, "not what was indexed", new)
    assert not search.integrity_check(db, "cases")
    rebuild(db, "cases")  # the repair
    assert search.integrity_check(db, "cases")
    assert search_case_ids(db, "kien nghi") == []
    assert search_case_ids(db, "thon tay") == [case_id]


def _rename(db, person_uuid, full_name):
    text = person_search_text(full_name=full_name, id_number="", phone="", address="")
    with db.write():
        row = db.one("SELECT id, search_text FROM persons WHERE uuid = ?", (person_uuid,))
        db.execute("UPDATE persons SET full_name = ?, search_text = ? WHERE uuid = ?", (full_name, text, person_uuid))
        fts_update(db, "persons", row["id"], row["search_text"], text)


def test_refresh_case_texts_after_a_name_is_corrected(db):
    add_person(db, "Nguyễn Văn Đức", uuid="duc")
    open_case = add_case(db, "Kiến nghị đường", people=[("Nguyễn Văn Đức", "", "")], person_uuids=["duc"])
    secret = add_case(db, "Tố cáo cán bộ", kind="denunciation", confidential=True, person_uuids=["duc"])
    with db.write():
        db.execute("UPDATE cases SET confidential = 1 WHERE id = ?", (secret,))
    other = add_case(db, "Phản ánh tiếng ồn")
    _rename(db, "duc", "Nguyễn Văn Đạt")
    assert search.refresh_case_texts(db, person_uuid="duc") == 1
    assert search_case_ids(db, "nguyen van duc") == []
    assert search_case_ids(db, "nguyen van dat") == [open_case]
    assert search.refresh_case_texts(db) == 0  # nothing else changed; 'other' untouched
    assert search_case_ids(db, "tieng on") == [other]
    assert search.integrity_check(db, "cases")


def test_refresh_reception_texts(db):
    add_person(db, "Trần Thị Dung", uuid="dung")
    add_person(db, "Lê Văn Tám", uuid="tam")
    text = reception_search_text(content="Đường ngập", request="", people=[("Trần Thị Dung", "", ""),
                                                                          ("Lê Văn Tám", "", "")])
    with db.write():
        cur = db.execute("INSERT INTO receptions(uuid, unit_code, updated_at, received_on, person_uuid, content, "
                         "search_text) VALUES ('r1', 'X', ?, '2026-01-05', 'dung', 'Đường ngập', ?)", (T, text))
        fts_insert(db, "receptions", cur.lastrowid, text)
        for u in ("dung", "tam"):
            db.execute("INSERT INTO reception_people(uuid, unit_code, updated_at, reception_uuid, person_uuid) "
                       "VALUES (?, 'X', ?, 'r1', ?)", (f"rp-{u}", T, u))
    assert search.refresh_reception_texts(db) == 0  # same text as built at reception
    _rename(db, "tam", "Lê Văn Tâm")
    assert search.refresh_reception_texts(db, person_uuid="tam") == 0  # folded, Tám and Tâm are alike
    _rename(db, "tam", "Lê Văn Sáu")
    assert search.refresh_reception_texts(db, person_uuid="tam") == 1
    assert search_reception_ids(db, "le van tam") == []
    assert search_reception_ids(db, "le van sau") == [cur.lastrowid]


def test_refresh_person_texts(db):
    add_person(db, "Phạm Thị Hương", phone="0912.000.111")
    with db.write():
        db.execute("UPDATE persons SET search_text = 'stale'")
        rebuild(db, "persons")
    assert search_persons(db, "huong") == []
    assert search.refresh_person_texts(db) == 1
    assert names(search_persons(db, "huong 0912000111")) == {"Phạm Thị Hương"}
    assert search.integrity_check(db, "persons")


def test_name_duplicates_ignore_the_name_inside_an_address(db):
    add_person(db, "Trần Văn Bình", address="Số 5 đường Nguyễn Văn An")
    add_person(db, "Lê Nguyễn Văn An")
    same = add_person(db, "Nguyễn Văn An", address="Thôn Đông")
    assert [(p.id, r) for p, r in find_person_duplicates(db, full_name="nguyen van an")] == [(same, REASON_NAME)]


def test_person_duplicates_are_capped_strongest_first(db):
    for _ in range(30):
        add_person(db, "Nguyễn Văn An")
    same_id = add_person(db, "Nguyễn Văn An", id_number="001203012345")
    found = find_person_duplicates(db, full_name="Nguyễn Văn An", id_number="001203012345", limit=5)
    assert len(found) == 5
    assert found[0] == (search.persons_by_ids(db, [same_id])[same_id], REASON_ID)
    assert len(find_person_duplicates(db, full_name="Nguyễn Văn An")) == 20


@pytest.mark.parametrize("text", [
    "số 15/2026 ngày 03/4/2025 điện thoại 0912 345 678",
    "a1 23 45 b",                      # a run never starts inside a word with letters
    "12 34 5b 67",
    "7 8",
    "1 2 3 4 5 6 7 8 9",               # long runs are bounded (MAX_RUN_TOKENS)
    "không có số nào",
    "",
    "Đường 19 5 kiốt 3",
])
def test_stored_text_joins_each_run_of_digit_words_as_a_plain_walk_does(text):
    from desktop.domain.text import digit_runs, tokens
    from desktop.storage.search import compose_words

    words = tokens(text)
    runs = [r for r in dict.fromkeys(digit_runs(words)) if r not in words]
    assert compose_words(tokens(text)).split() == words + runs
    assert compose_words(tokens(text), unique=True).split() == list(dict.fromkeys(words + runs))
