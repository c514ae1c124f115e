"""The check of each case against its last event, cut into rowid ranges that the helper process
and the main one take in turns (``verify._CaseShares``, issue #20: neither process waits for the
other at the end), names what one check of all the cases names, in the same order."""

from __future__ import annotations

import multiprocessing

import pytest

from desktop.storage.db import open_database
from desktop.workflow import verify
from tests.desktop.demo_register import demo_register, shell

@pytest.fixture
def register(tmp_path):
    path = demo_register(tmp_path)
    c = shell(path, "ledger_ai_cases", "ledger_au_cases", "ledger_ad_cases")
    ids = [r[0] for r in c.execute("SELECT id FROM cases ORDER BY id")]
    for case_id in (ids[0], ids[5], ids[-1]):                                    # edited behind the app
        c.execute("UPDATE cases SET summary = 'sửa lén' WHERE id = ?", (case_id,))
    c.execute("UPDATE cases SET id = ? WHERE id = ?", (-2 ** 63, ids[3]))      # at either end of the rowids
    c.execute("UPDATE cases SET id = ?, summary = 'sửa lén' WHERE id = ?", (2 ** 63 - 1, ids[7]))
    c.close()
    return path


def test_shares_taken_in_any_order_join_into_what_one_check_names(register):
    db = open_database(register)
    try:
        whole = verify._case_problems(db)
        shares = verify._CaseShares(db, multiprocessing.get_context("spawn"))
        assert len(shares.ranges) > 3
        assert shares.ranges[0][0] == -2 ** 63 and shares.ranges[-1][1] == 2 ** 63 - 1
        assert all(a[1] + 1 == b[0] for a, b in zip(shares.ranges, shares.ranges[1:]))   # no rowid left out
        done = {}
        for share in reversed(range(len(shares.ranges))):     # the other process took the first ones
            done[share] = verify._case_problems(db, rows=shares.ranges[share])
        assert verify._joined_shares(done, len(shares.ranges), 200) == whole
        assert whole[0] == db.scalar("SELECT count(*) FROM cases") and len(whole[1]) == 4
        taken = verify._check_shares(db, shares.ranges, shares.counter, tick=None, limit=200)
        assert verify._joined_shares(taken, len(shares.ranges), 200) == whole
        assert verify._check_shares(db, shares.ranges, shares.counter, tick=None, limit=200) == {}  # all taken
        # as many problems as are shown: the shares cannot say where one check stops
        assert verify._joined_shares(done, len(shares.ranges), 4) is None
    finally:
        db.close()


def test_the_helper_and_this_process_report_the_same_cases(register):
    db = open_database(register)
    try:
        alone = verify.verify_register(db, helper=False)
        helped = verify.verify_register(db, helper=True)
        few = verify.verify_register(db, helper=True, limit_problems=3)
        few_alone = verify.verify_register(db, helper=False, limit_problems=3)
    finally:
        db.close()
    assert any("shares" in k for k in helped.seconds), helped.seconds
    assert helped.problems == alone.problems and helped.cases_checked == alone.cases_checked
    assert (few.problems, few.cases_checked) == (few_alone.problems, few_alone.cases_checked)
