"""The ledger's canonical JSON writes exactly the bytes it always wrote (issue #19: the hub and the
province re-encode every record of a bundle to check it, so the encoder was made faster).

The reference here is written out independently: the standard library's ``JSONEncoder`` with the
settings ``docs/bundle-format.md`` names, called the slow way (a new encoder for every value), and
``crypto.canonical_json``, which signs. Every digest and chain hash is SHA-256 of these bytes.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.storage import ledger
from desktop.sync import crypto


def reference(value: object) -> str:
    return json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(value)


TRICKY = [
    None, True, False, 0, -1, 1, 2**63 - 1, -(2**63), 2**64, 10**40, -(10**100),
    0.0, -0.0, 1.5, 0.1, 1e-7, 1e16, 1e300, 5e-324, 123456789.123456789, float("inf"), float("-inf"),
    float("nan"), "", "a", "Nguyễn Thị Hằng", "Ủy ban nhân dân xã Đông Hòa", "tiếng Việt: ắ ẳ ẵ ặ ờ ở ỡ ợ",
    '"quoted"', "back\\slash", "slash/", "tab\there", "line\nbreak", "cr\rlf", "\b\f", "\x00", "\x01\x1f",
    "\x7f", "\u0085", "\u2028\u2029", "\ufeffbom", "😀 emoji", "\U0010ffff", "\ud800", "\udfff", "a\ud83dz",
    [], {}, [[]], [{}], {"": ""}, {"a": []}, {"a": {}},
    {"b": 1, "a": 2, "B": 3, "á": 4, "_": 5, "10": 6, "9": 7, "ä": 8, "ă": 9},
    {"z": {"y": [1, 2.5, "ba", None, {"d": False, "c": True}]}, "a": [[], {}, [[[]]]]},
    {1: "one", 2: "two", 10: "ten"}, {1.5: "x", 0.5: "y"}, {True: 1, False: 0}, {None: "null"},
    ("a", "tuple"), [1, (2, 3)],
    {"uuid": "0190a1b2c3d4e5f60718293a4b5c6d7e", "unit_code": "26881", "version": 3,
     "requester": "Trần Văn \"Tư\"\tphố Hàng Bạc", "amount": 1500000.75, "note": None},
]


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_tricky_values_encode_byte_for_byte_as_before(value):
    assert ledger.canonical(value) == reference(value)
    assert ledger.canonical_each([value]) == [reference(value)]


def test_whole_lists_and_the_signed_bytes_agree():
    assert ledger.canonical_each(TRICKY) == [reference(v) for v in TRICKY]
    assert ledger.canonical(TRICKY) == reference(TRICKY)
    for value in TRICKY:
        text = ledger.canonical(value)
        try:
            signed = crypto.canonical_json(value)
        except UnicodeEncodeError:            # a lone surrogate has no UTF-8 bytes, either way
            with pytest.raises(UnicodeEncodeError):
                text.encode("utf-8")
            continue
        assert text.encode("utf-8") == signed
    # The digests built on it: a record and a chain link.
    record = TRICKY[-1]
    assert ledger.record_digest(record, sorted(record)) == ledger.sha256_hex(reference(record))
    link = ["26881", 7, "cases", "abc", 2, "0" * 64, "1" * 64]
    assert ledger.link_hash(*link) == ledger.sha256_hex(reference(link))


class Opaque:
    pass


@pytest.mark.parametrize("value", [
    {"a": Opaque()}, [1, {2, 3}], b"bytes", {"a": 1, 2: "b"}, {(1, 2): "tuple key"}, object(),
], ids=repr)
def test_what_json_cannot_write_fails_as_before(value):
    with pytest.raises(Exception) as before:
        reference(value)
    with pytest.raises(type(before.value)) as now:
        ledger.canonical(value)
    assert str(now.value) == str(before.value)
    with pytest.raises(type(before.value)):
        ledger.canonical_each([1, value])


def test_a_circular_value_fails_as_before():
    loop: list = [1]
    loop.append(loop)
    nested: dict = {}
    nested["self"] = {"again": nested}
    for value in (loop, nested):
        with pytest.raises(ValueError, match="Circular reference"):
            ledger.canonical(value)
        with pytest.raises(ValueError, match="Circular reference"):
            ledger.canonical_each(["ok", value])
    assert ledger.canonical([1, 2]) == "[1,2]"   # nothing left behind by the failures


scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())))
keys = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=6)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
                      max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(st.lists(values, max_size=6))
def test_any_json_value_encodes_byte_for_byte_as_before(items):
    assert ledger.canonical_each(items) == [reference(v) for v in items]
    assert ledger.canonical(items) == reference(items)


# -- the faster ways (orjson) decide exactly as the standard library does ---------------------------

def test_every_character_is_written_and_read_back_as_before():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    records = [{"k" + ch: ch, "a": ch + "x"} for ch in chars[::7]] + [{"k": "".join(chars[i:i + 500])}
                                                                   for i in range(0, len(chars), 500)]
    lines = [reference(r) for r in records]
    assert ledger.canonical_matches(records, lines)
    assert ledger.parse_array("[" + ",".join(lines) + "]") == records
    keys = {ch: 1 for ch in chars[::97]}          # sorted by code point, astral keys included
    assert ledger.canonical_matches([keys], [reference(keys)])


@pytest.mark.parametrize("value", [
    {"n": 2**64 - 1}, {"n": 2**64}, {"n": -(2**63) - 1}, {"n": 10**30}, {"f": 1e16}, {"f": 1e-7}, {"f": 1.0},
    {"f": float("nan")}, {"f": float("inf")}, {"s": "\ud800"}, {"s": "a\udfffb"}, {"nested": {"b": 1, "a": [1.5]}},
    {"nested": [{"z": None, "y": True}]}, {1: "non-text key"}, {"b": False, "a": None, "c": 0, "d": -1},
], ids=repr)
def test_values_orjson_writes_otherwise_are_judged_as_before(value):
    line = reference(value)
    assert ledger.canonical_matches([value], [line])
    for other in {line.replace(":", ": "), line.replace("e-07", "e-7"), line.replace("1e+16", "1e16"),
                  line.replace("NaN", "null"), line + " ", line.upper()} - {line}:
        assert not ledger.canonical_matches([value], [other])


@pytest.mark.parametrize("text", [
    "[1e16]", "[1e-7]", "[18446744073709551616]", "[1000000000000000000000000000000]", "[-9223372036854775809]",
    "[NaN]", "[Infinity, -Infinity]", '["\\ud800"]', '["\\ud834\\udd1e"]', '[{"a":1,"a":2}]', "[-0]", "[-0.0]",
    '[{"a":[1,{"b":2.5}]}]', '[{"a":[1,{"b":25}]}]', "[" * 3000 + "]" * 3000, '["\\u0000\\u001f\\t\\n"]', "[1E400]",
    '[{"x":"\\u00e9","y":"é"}]', "[]", "[true,false,null]", '[{"a" :1}]',
], ids=lambda t: t[:40])
def test_what_orjson_reads_otherwise_is_read_by_json(text):
    try:
        before = ("ok", json.loads(text))
    except (ValueError, RecursionError) as exc:
        before = ("error", type(exc))
    try:
        now = ("ok", ledger.parse_array(text))
    except (ValueError, RecursionError) as exc:
        now = ("error", type(exc))
    assert repr(now) == repr(before)
    if now[0] == "ok":
        assert json.dumps(now[1]) == json.dumps(before[1])      # 10**30 stays a whole number


def test_lines_that_differ_anywhere_do_not_match():
    records = [{"uuid": "a1", "name": "Lê Thị Ánh", "n": 3}, {"uuid": "b2", "note": 'x"y\\z\n', "ok": True}]
    lines = [reference(r) for r in records]
    assert ledger.canonical_matches(records, lines)
    assert not ledger.canonical_matches(records, lines[:1])
    assert not ledger.canonical_matches(records, [lines[1], lines[0]])
    assert not ledger.canonical_matches(records, [lines[0], json.dumps(records[1], ensure_ascii=False)])
    assert not ledger.canonical_matches(records, [json.dumps(records[0], sort_keys=True, separators=(",", ":")),
                                                  lines[1]])  # \u escapes


@settings(max_examples=400, deadline=None)
@given(st.lists(values, max_size=6))
def test_any_json_value_is_judged_and_read_as_before(items):
    lines = [reference(v) for v in items]
    assert ledger.canonical_matches(items, lines)
    loose = [json.dumps(v, ensure_ascii=False) for v in items]      # spaces, keys as given
    assert ledger.canonical_matches(items, loose) == (loose == lines)
    if all("\ud800" > c or c > "\udfff" for line in lines for c in line):
        text = "[" + ",".join(lines) + "]"
        assert repr(ledger.parse_array(text)) == repr(json.loads(text))
        text = "[" + ",".join(loose) + "]"
        assert repr(ledger.parse_array(text)) == repr(json.loads(text))


objects = st.dictionaries(keys, scalars | st.lists(scalars, max_size=3), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(objects, min_size=1, max_size=6))
def test_records_are_judged_and_read_as_before(records):
    lines = [reference(r) for r in records]
    assert ledger.canonical_matches(records, lines)
    if all("\ud800" > c or c > "\udfff" for line in lines for c in line):
        text = "[" + ",".join(lines) + "]"
        assert repr(ledger.parse_array(text)) == repr(json.loads(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(keys, scalars, max_size=8), max_size=5))
def test_digests_are_the_digests_of_before(records):
    try:
        before = [ledger.sha256_hex(reference({k: ledger._number(v) for k, v in r.items()})) for r in records]
    except UnicodeEncodeError:          # a lone surrogate has no UTF-8 bytes: no digest, either way
        with pytest.raises(UnicodeEncodeError):
            ledger.digest_each(records)
        return
    assert ledger.digest_each(records) == before == [ledger.record_digest(r, list(r)) for r in records]
