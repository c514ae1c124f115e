"""A word being typed past the prefix index is searched as the indexed words it starts
(``search.prefix_terms``, migration 0015): same rows as FTS5's own prefix query, without it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop.domain.text import fold, fts_query
from desktop.storage import search
from desktop.storage.cases import CaseFilter, page_cases
from desktop.storage.db import open_database
from tests.desktop.storage.test_search import T, add_case

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def plain_ids(db, text: str) -> list[int]:
    """What FTS5's own prefix query finds (the reference the expanded query must equal)."""
    match = fts_query(text)
    return [r[0] for r in db.query("SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rowid DESC",
                                   (match,))] if match else []


def every_prefix(texts: list[str]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        folded = fold(text)
        out.update(folded[:i].rstrip() for i in range(2, len(folded) + 1))
    return out


SUMMARIES = ["Phản ánh đường thôn Đông xuống cấp", "Thông báo thu hồi đất", "Nguyễn Văn Hùng xin trợ cấp",
             "Nguyễn Thị Nguyệt khiếu nại", "Tranh chấp ranh giới thửa đất", "Trịnh Văn Thông đề nghị",
             "Hội nghị thôn Thượng", "Khiếu nại quyết định 1234/QĐ-UBND"]


def test_a_long_typed_word_names_the_indexed_words(db):
    for summary in SUMMARIES:
        add_case(db, summary)
    assert search.prefix_terms(db, "thon") == ["thon", "thong"]
    assert search.match_expression(db, "duong thon") == '"duong" AND ("thon" OR "thong")'
    assert search.prefix_terms(db, "tho") is None      # the prefix index answers three letters
    assert search.prefix_terms(db, "1234") is None     # digits: FTS5's prefix query, always cheap
    assert search.match_expression(db, "zzzz") == '"zzzz"'  # no word starts so: nothing to find


def test_expanded_queries_find_what_the_prefix_query_finds(db):
    for summary in SUMMARIES:
        add_case(db, summary, people=[("Nguyễn Văn Hưng", "001203012345", "0912345678")])
    queries = every_prefix(SUMMARIES + ["nguyen van hung", "thong bao thu hoi"])
    assert len(queries) > 150
    for q in sorted(queries):
        assert search.search_case_ids(db, q, limit=100) == plain_ids(db, q), q
        assert [r.id for r in page_cases(db, CaseFilter(text=q), limit=100).rows] == plain_ids(db, q), q


def test_a_word_saved_later_is_found_while_typed(db):
    add_case(db, "Thông báo")
    assert search.search_case_ids(db, "thonb") == []
    new = add_case(db, "Công ty Thonburi đề nghị")  # a new word, indexed by fts_insert
    assert search.prefix_terms(db, "thonb") == ["thonburi"]
    assert search.search_case_ids(db, "thonb") == [new]


def test_batch_indexing_and_rebuild_keep_the_words(db):
    with db.write():
        db.execute("INSERT INTO cases(uuid, unit_code, updated_at, created_at, number, kind, rules_id, summary, "
                   "content, received_on, state, search_text) VALUES ('b1', 'X', ?, ?, '', 'petition', 'r2026', "
                   "'Xưởng mộc gây ồn', '', '2026-01-05', 'received', 'xuong moc gay on')", (T, T))
        search.index_rows_after(db, "cases", 0)  # a bulk import's batch
    assert search.prefix_terms(db, "xuon") == ["xuong"]
    db.execute("DELETE FROM search_terms")
    search.rebuild(db, "cases")
    assert search.prefix_terms(db, "xuon") == ["xuong"]
    assert len(search.search_case_ids(db, "xuon")) == 1


def test_too_many_words_keep_the_prefix_query(db):
    for i in range(search.EXPAND_MAX + 1):
        add_case(db, f"mã hồ sơ abcd{chr(97 + i)}")
    assert search.prefix_terms(db, "abcd") is None
    assert search.match_expression(db, "abcd") == '"abcd"*'
    assert len(search.search_case_ids(db, "abcd")) == search.EXPAND_MAX + 1


def test_upgrade_from_schema_0006_fills_the_words(tmp_path):
    path = tmp_path / "register.sqlite"
    shutil.copy(FIXTURES / "register-0006.sqlite", path)
    raw = sqlite3.connect(path)
    count = raw.execute("SELECT count(*) FROM cases").fetchone()[0]
    texts = [r[0] for r in raw.execute("SELECT search_text FROM cases WHERE search_text <> ''")]
    raw.close()
    db = open_database(path)
    try:
        assert db.scalar("SELECT count(*) FROM cases") == count
        words = {w for t in texts for w in t.split() if len(w) >= 4 and not w.isdigit()}
        assert words and words <= {r[0] for r in db.query("SELECT term FROM search_terms")}
        for word in sorted(words)[:20]:
            q = word[:4]
            assert search.search_case_ids(db, q, limit=500) == plain_ids(db, q), q
    finally:
        db.close()
