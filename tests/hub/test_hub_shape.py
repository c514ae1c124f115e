"""A part's records judged at once (``hub.shape._shape_whole`` and ``_refs``) give exactly what judging
each record on its own gives (``hub.shape.shape``), for usual parts and for parts with every kind of
record the merge refuses mixed in. No server needed."""

from __future__ import annotations

import json
import random

import pytest

from hub import shape
from hub.types import by_name

UNIT = "00001"


def _event(i: int, **extra) -> dict:
    record = {"uuid": f"e{i:031d}", "unit_code": UNIT, "case_uuid": f"c{i % 7:031d}", "seq": i, "action": "receive",
              "to_state": "received", "at": "2026-03-02T08:00:00", "effective_on": "2026-03-02",
              "data": json.dumps({"due_on": "2026-03-16", "before": {"state": "x"}, "list": [1]})}
    record.update(extra)
    return record


def _person(i: int, **extra) -> dict:
    record = {"uuid": f"p{i:031d}", "unit_code": UNIT, "version": 1 + i % 3, "updated_at": "2026-03-02T08:00:00",
              "full_name": "Nguyễn Văn An"}
    record.update(extra)
    return record


ODD = [
    lambda i: _event(i, unit_code="00002"),                      # another unit
    lambda i: _event(i, uuid=""),                                # no uuid
    lambda i: _event(i, uuid="x" * 65),                          # too long
    lambda i: _event(i, uuid=7),                                 # not text
    lambda i: _event(i, extra_column="?"),                       # a column the register lacks
    lambda i: _event(i, note={"nested": True}),                  # a nested value
    lambda i: _event(i, note={"$base64": "AAEC"}),               # bytes: allowed
    lambda i: _event(i, at=None),                                # no date placing it
    lambda i: _event(i, at="26-03-02"),                          # a date without its year
    lambda i: _event(i, at="２０２６-03-02"),                     # digits of another script (as the regex reads them)
    lambda i: _event(i, case_uuid=None),                         # no reference
    lambda i: _event(i, case_uuid=12),                           # a reference that is no text
    lambda i: ["not", "an", "object"],
]

ODD_PERSONS = [
    lambda i: _person(i, version=0),
    lambda i: _person(i, version=2**63),
    lambda i: _person(i, version=True),
    lambda i: _person(i, version="3"),
    lambda i: _person(i, full_name="[bracket] {brace}"),
]


def _one_by_one(t, name, records, lines):
    shaped = [shape.shape(t, name, record, UNIT) for record in records]
    refs = [tuple((col, parent, shape._ref_text(record[col])) for col, parent in t.references
                  if record.get(col) is not None) if s.reason is None else ()
            for record, s in zip(records, shaped)]
    return shaped, refs


def _check(name, records):
    t = by_name()[name]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    part = shape.shape_part(t, name, records, lines, UNIT)
    assert (part.shaped, part.refs) == _one_by_one(t, name, records, lines)
    return t, lines


def test_the_usual_part_is_judged_whole():
    for name, make in (("events", _event), ("persons", _person)):
        records = [make(i) for i in range(40)]
        t, lines = _check(name, records)
        assert shape._shape_whole(t, records, lines, UNIT) is not None


@pytest.mark.parametrize("odd", range(len(ODD) + len(ODD_PERSONS)))
def test_one_odd_record_among_good_ones_is_judged_as_alone(odd):
    name, make, maker = (("events", _event, ODD[odd]) if odd < len(ODD)
                         else ("persons", _person, ODD_PERSONS[odd - len(ODD)]))
    records = [make(i) for i in range(20)]
    records[7] = maker(7)
    _check(name, records)


@pytest.mark.parametrize("seed", range(8))
def test_odd_records_mixed_in_are_judged_as_alone(seed):
    rng = random.Random(seed)
    for name, make, odd in (("events", _event, ODD), ("persons", _person, ODD_PERSONS)):
        records = [make(i) for i in range(40)]
        for _ in range(rng.randrange(1, 4)):
            records[rng.randrange(len(records))] = rng.choice(odd)(rng.randrange(1000))
        _check(name, records)
