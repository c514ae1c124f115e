"""Property-based fuzzing: mutated bundles never crash the import and never import partly.

Each example works on a fresh copy of the province register. A mutated bundle must either be
refused with a ``UserError`` — and then the register's content is exactly as before — or be
imported whole, with every record counted in exactly one category.
"""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import UserError
from desktop.storage.ledger import canonical
from desktop.storage.db import open_database
from desktop.sync import export, importer
from tests.desktop.sync import sync_bundle_tools as bt
from tests.desktop.sync.conftest import snapshot

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

flips = st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
                 min_size=1, max_size=4)
cut = st.one_of(st.none(), st.integers(min_value=0))
tail = st.binary(max_size=16)


def mutate(data: bytes, changes, truncate, extra) -> bytes:
    out = bytearray(data)
    for pos, xor in changes:
        out[pos % len(out)] ^= xor
    if truncate is not None:
        out = out[: truncate % (len(out) + 1)]
    return bytes(out) + extra


class Sandbox:
    """A pristine copy of the province register, reopened for every example."""

    def __init__(self, province, tmp_path) -> None:
        province.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.pristine = tmp_path / "pristine.sqlite"
        shutil.copy(province.path, self.pristine)
        self.work = tmp_path / "work.sqlite"
        self.tmp = tmp_path
        self.principal = province.principal  # the province's administrator imports

    def run(self, payload: bytes):
        shutil.copy(self.pristine, self.work)
        for suffix in ("-wal", "-shm"):
            (self.tmp / f"work.sqlite{suffix}").unlink(missing_ok=True)
        path = self.tmp / "fuzz.gtb"
        path.write_bytes(payload)
        db = open_database(self.work)
        db.principal = self.principal
        try:
            before = snapshot(db)
            try:
                report = importer.apply(db, path, accept_sequence=True)
            except UserError as exc:
                assert exc.message and exc.code
                assert snapshot(db) == before, "a refused bundle changed the register"
                return None
            totals = report.merge.totals()
            expected = sum(report.manifest["counts"].values())
            assert sum(totals.values()) == expected
            return report
        finally:
            db.close()


@pytest.fixture
def bundle(commune, data, outdir):
    data.populate(2)
    return export.export_bundle(commune, outdir).path.read_bytes()


@FUZZ
@given(changes=flips, truncate=cut, extra=tail)
def test_mutated_file_is_refused_or_whole(province, bundle, tmp_path, changes, truncate, extra):
    sandbox = Sandbox(province, tmp_path)
    payload = mutate(bundle, changes, truncate, extra)
    report = sandbox.run(payload)
    if payload != bundle:
        assert report is None, "a changed encrypted file must never be accepted"


@FUZZ
@given(changes=flips, truncate=cut, extra=tail)
def test_mutated_archive_inside_valid_encryption(province, bundle, tmp_path, changes, truncate, extra):
    sandbox = Sandbox(province, tmp_path)
    plain = bt.unseal(province, bundle)
    sandbox.run(bt.reseal(province, mutate(plain, changes, truncate, extra)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5)
case_keys = st.sampled_from(["uuid", "unit_code", "version", "updated_at", "kind", "rules_id", "received_on",
                             "state", "created_at", "summary", "id", "extensions", "search_text", "nope"])
overrides = st.dictionaries(case_keys, json_values, max_size=4)


def base_case(n: int) -> dict:
    return {"uuid": f"fuzz{n}", "version": 1, "updated_at": "2026-03-02", "kind": "explanation",
            "rules_id": "r", "received_on": "2026-03-02", "state": "received", "created_at": "2026-03-02",
            "summary": "Vụ việc", "search_text": "vu viec"}


records = st.lists(overrides, max_size=6).map(lambda xs: [{**base_case(i), **x} for i, x in enumerate(xs)])


@FUZZ
@given(cases=records, persons=records, valid_unit=st.booleans())
def test_arbitrary_records_signed_by_a_registered_commune(commune, province, tmp_path, cases, persons,
                                                          valid_unit):
    sandbox = Sandbox(province, tmp_path)
    unit = commune.get_setting("local_unit_code")
    if valid_unit:
        for r in cases + persons:
            r["unit_code"] = unit
    for r in persons:
        r.setdefault("full_name", "Người thử")
    lines = {"persons": [canonical(r) for r in persons], "cases": [canonical(r) for r in cases]}
    report = sandbox.run(bt.signed_bundle(commune, province, lines))
    # Records the commune's signed chain does not hold are refused with the whole bundle (issue #17).
    assert (report is None) == bool(cases or persons)
