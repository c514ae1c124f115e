"""``ledger.chain_inserted``, the bulk writer's way to chain a batch (issue #18): the same entries
as ``append_inserted`` (and so as the insert triggers), and a chain ``verify`` accepts."""

from __future__ import annotations

from desktop.storage import ledger
from desktop.storage.units import new_uuid, save_unit

# Text JSON must escape (quotes, a backslash, a control character), Vietnamese text it must not
# (canonical JSON keeps UTF-8 as is), and a version too large for an integer, kept as a floating
# number that SQLite writes in JSON its own way ("1.0e+20", Python "1e+20").
PEOPLE = [
    ("Nguyễn Thị “Hoa”", 'thôn "Đông", xóm 3\\4', 1),
    ("Trần Văn Đức", "ấp Mỹ\tHòa\n", 2),
    ("Lê Ánh", "", 1e20),
]


def _insert_people(db) -> int:
    after = db.scalar("SELECT max(id) FROM persons") or 0
    with ledger.batched(db.conn):  # as the bulk writer inserts: the triggers stand aside
        for name, address, version in PEOPLE:
            db.execute("INSERT INTO persons(full_name, address, uuid, unit_code, version, updated_at) "
                       "VALUES (?, ?, ?, '06148', ?, '2026-11-23T08:00:00')", (name, address, new_uuid(), version))
    return after


def _entries(db, after_seq: int) -> list[tuple]:
    return [tuple(r) for r in db.query("SELECT unit_code, seq, tbl, record_uuid, version, digest, prev_hash, hash "
                                       "FROM ledger WHERE seq > ? ORDER BY seq", (after_seq,))]


def test_the_entries_are_those_append_inserted_writes_and_verify_accepts_them(db):
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    with db.write():
        after = _insert_people(db)
        seq = ledger.head(db.conn, "06148")[0]
        db.execute("SAVEPOINT compare")
        assert ledger.append_inserted(db.conn, "persons", after) == 3
        expected = _entries(db, seq)
        db.execute("ROLLBACK TO compare")
        db.execute("RELEASE compare")
        assert ledger.chain_inserted(db.conn, "persons", after) == 3
        got = _entries(db, seq)
    assert got == expected and len(got) == 3
    assert {type(e[4]) for e in got} == {int, float}  # the floating version took the general path
    checked, records, findings = ledger.verify_ledger(db.conn)
    assert findings == [] and checked == ledger.head(db.conn, "06148")[0]


def test_a_row_edited_after_chaining_is_reported(db):
    save_unit(db, code="06148", name="Ủy ban nhân dân xã Thụy Hùng", abbreviation="UBND", place_name="Thụy Hùng")
    with db.write():
        ledger.chain_inserted(db.conn, "persons", _insert_people(db))
    with ledger.batched(db.conn), db.write():  # an edit that leaves no entry, as one made behind the app
        db.execute("UPDATE persons SET address = 'đã sửa' WHERE full_name = 'Lê Ánh'")
    _, _, findings = ledger.verify_ledger(db.conn)
    assert [f.kind for f in findings] == ["edited"] and "persons" == findings[0].table
