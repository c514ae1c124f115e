"""Record ids: UUID version 7, unique without coordination, growing with time."""

from __future__ import annotations

import time
import uuid

from desktop.storage.units import new_uuid


def test_new_uuid_is_a_version_7_uuid_with_the_current_time():
    before = time.time_ns() // 1_000_000
    value = new_uuid()
    after = time.time_ns() // 1_000_000
    parsed = uuid.UUID(value)
    assert len(value) == 32 and value == parsed.hex
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert before <= int(value[:12], 16) <= after


def test_new_uuids_are_unique_and_grow_with_time():
    many = [new_uuid() for _ in range(50_000)]
    assert len(set(many)) == len(many)
    earlier = new_uuid()
    time.sleep(0.003)
    assert new_uuid() > earlier


def test_every_record_the_app_makes_has_a_version_7_id(tmp_path):
    from datetime import date

    from desktop.documents.outgoing import draft, offered
    from desktop.storage.calendar_repo import add_day
    from desktop.storage.db import open_database
    from desktop.storage.units import local_unit_code
    from desktop.workflow.demo import build_demo

    db = open_database(tmp_path / "demo.sqlite")
    try:
        build_demo(db, today=date(2026, 11, 23))
        from desktop.security import accounts

        accounts.assume_role(db, "admin")
        add_day(db, date(2026, 12, 31), "off", "Nghỉ bù")
        accounts.assume_role(db, "leader")
        case = db.scalar("SELECT uuid FROM cases WHERE kind = 'explanation' LIMIT 1")
        draft(db, case, offered(db, case)[0].kind)
        tables = [r[0] for r in db.query("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS "
                                         "(SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'uuid')")]
        checked = 0
        for table in tables:
            for (value,) in db.query(f'SELECT uuid FROM "{table}"'):
                assert uuid.UUID(value).version == 7 and len(value) == 32, (table, value)
                checked += 1
        assert {"cases", "events", "persons", "documents", "calendar_days", "accounts"} <= set(tables) and checked > 1000
        assert db.scalar("SELECT count(*) FROM documents") > 0
    finally:
        db.close()


def test_ids_made_in_threads_at_once_are_all_different():
    """The random bytes come from a shared pool: two threads must never take the same bytes."""
    import threading

    made: list[list[str]] = [[] for _ in range(4)]

    def make(out: list[str]) -> None:
        out.extend(new_uuid() for _ in range(20_000))

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [u for out in made for u in out]
    assert len(set(every)) == len(every) == 80_000
    assert len({u[12:] for u in every}) == len(every)  # the random part alone differs too


def test_a_forked_child_does_not_reuse_the_parents_random_bytes():
    import os

    if not hasattr(os, "fork"):
        return
    new_uuid()  # the pool now holds bytes the parent will use next
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, then exit at once
        os.write(write, new_uuid().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    assert child[12:] != new_uuid()[12:]
