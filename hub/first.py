"""A unit's first bundle, judged off the server and written straight into the record tables.

When the hub holds nothing of the sending unit, every rule of the merge but one can be decided from
the bundle alone: nothing is stored to be newer, older, equal or in conflict, so an accepted record
is **new**; a duplicate uuid and a reference to a record the unit does not have are found within
the bundle. This module applies those rules exactly as the staged merge does
(``hub.storage.records``: the shape's reason first, then duplicates, then references, repeated until
nothing changes) and makes the COPY rows of the final tables (``hub.cases`` and ``hub.events``,
which route each row to its year's partition, and ``hub.records``) and of ``hub.conflicts`` for
the rejected ones.

The one rule that needs the server, "a uuid another unit already uses", is checked there before
the COPY (``hub.storage.records.copy_first``) over the uuids this module lists; when one is found
the bundle goes the staged way instead, which rejects that record (and what refers to it) with its
reason. Each row is written once, instead of once into staging and once more by the merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.shape import Part, _line, _text
from hub.storage.records import SAMPLES, TypeResult

DUPLICATE = "Trùng mã UUID trong cùng một gói"


def broken_reference(parent: str, col: str) -> str:
    return f"Tham chiếu tới bản ghi {parent} chưa có của đơn vị ({col}); có thể do thiếu gói trước"


@dataclass
class Plan:
    """The bundle's rows as COPY text per final table, its rejected records, and its counts."""
    copy: dict[str, bytes]                                    # cases | events | records → COPY rows
    rejected: bytes                                           # hub.conflicts COPY rows
    uuids: dict[str, tuple[list, list]] = field(default_factory=dict)   # target → the keys to look up
    tables: dict[str, TypeResult] = field(default_factory=dict)

    def results(self) -> dict[str, TypeResult]:
        return {name: TypeResult(name, dict(t.counts), list(t.samples)) for name, t in self.tables.items()}


def plan(parts: list[Part], *, unit: str, province: str, bundle_sha: str) -> Plan:
    """The rules of the staged merge for a unit the hub holds nothing of."""
    reasons: list[list[str | None]] = [[s.reason for s in p.shaped] for p in parts]
    seen: dict[str, set[str]] = {}           # type → the uuids accepted so far
    for p, why in zip(parts, reasons):
        kept = seen.setdefault(p.name, set())
        if not kept and why.count(None) == len(why):
            kept.update(s.uuid for s in p.shaped)
            if len(kept) == len(why):                  # the usual part: every record kept, no uuid twice
                continue
            kept.clear()
        for i, s in enumerate(p.shaped):
            if why[i] is None:
                if s.uuid in kept:
                    why[i] = DUPLICATE
                else:
                    kept.add(s.uuid)
    # "A uuid another unit uses" is judged on the server over the records accepted so far (the
    # staged merge judges it at this point too, before the references).
    uuids: dict[str, tuple[list, list]] = {}
    for p, why in zip(parts, reasons):
        if p.type is None:
            continue
        target = p.type.target
        first, second = uuids.setdefault(target, ([], []))
        accepted = [s for s, reason in zip(p.shaped, why) if reason is None]
        if target == "records":
            first.extend([p.name] * len(accepted))
            second.extend([s.uuid for s in accepted])
        else:
            first.extend([s.uuid for s in accepted])
            second.extend([s.year for s in accepted])
    # References: to a record accepted in this bundle (the hub has none of the unit's), until
    # nothing changes, since rejecting a parent rejects what refers to it.
    empty: set[str] = set()
    changed = True
    while changed:
        changed = False
        for p, why in zip(parts, reasons):
            for i, refs in enumerate(p.refs):
                if not refs or why[i] is not None:
                    continue
                for col, parent, uuid in refs:
                    if uuid not in seen.get(parent, empty):
                        why[i] = broken_reference(parent, col)
                        seen[p.name].discard(p.shaped[i].uuid)
                        changed = True
                        break
    u, pr, sha = _text(unit), _text(province), _text(bundle_sha)
    rows: dict[str, list[bytes]] = {"cases": [], "events": [], "records": []}
    rejected: list[str] = []
    tables: dict[str, TypeResult] = {}
    for p, why in zip(parts, reasons):
        result = tables.setdefault(p.name, TypeResult(p.name))
        target = p.type.target if p.type is not None else None
        if target is not None and why.count(None) == len(why):
            rows[target].append(_rows(p, unit, province, target))   # bytes
            result.counts["new"] += len(why)
            continue
        name = _text(p.name)
        out = rows.get(target)
        new = 0
        for s, line, reason in zip(p.shaped, p.lines, why):
            if reason is None:
                new += 1
                key = name if target == "records" else s.year
                out.append(_copy_row(u, key, s, pr, line).encode("utf-8"))
            else:
                result.counts["rejected"] += 1
                uuid = s.uuid or ""
                if len(result.samples) < SAMPLES:
                    result.samples.append(("rejected", uuid, reason))
                rejected.append(f"{u}\t{pr}\t{sha}\t{_text(p.name[:64])}\t{_text(uuid)}\trejected\t"
                                f"{_text(reason)}\t{_line(line)}\n")
        result.counts["new"] += new
    tables = {n: t for n, t in tables.items() if any(t.counts.values())}
    return Plan({t: b"".join(r) for t, r in rows.items() if r},
                "".join(rejected).encode("utf-8"), uuids, tables)


def _rows(p: Part, unit: str, province: str, target: str) -> bytes:
    """COPY rows of a part whose every record is accepted: written whole, then checked whole. When
    the text holds exactly its rows' tabs and newlines and no carriage return, no value needs more
    than its backslashes doubled, which one pass over the whole text does (the same bytes as
    escaping value by value); otherwise value by value."""
    if target == "records":
        text = "".join([f"{unit}\t{p.name}\t{s.uuid}\t{province}\t{s.version}\t{line}\n"
                        for s, line in zip(p.shaped, p.lines)])
    else:
        text = "".join([f"{unit}\t{s.year}\t{s.uuid}\t{province}\t{s.version}\t{line}\n"
                        for s, line in zip(p.shaped, p.lines)])
    data, n = text.encode("utf-8"), len(p.lines)
    if data.count(b"\t") == 5 * n and data.count(b"\n") == n and b"\r" not in data:
        return data.replace(b"\\", b"\\\\")
    return _rows_each(p, unit, province, target).encode("utf-8")


def _rows_each(p: Part, unit: str, province: str, target: str) -> str:
    """``_rows``, every value escaped on its own."""
    u, pr, name = _text(unit), _text(province), _text(p.name)
    return "".join(_copy_row(u, name if target == "records" else s.year, s, pr, line)
                   for s, line in zip(p.shaped, p.lines))


def _copy_row(unit: str, key, s, province: str, line: str) -> str:
    """One accepted record as a COPY row: unit, type (records) or year, uuid, province, version and
    its JSON line; ``unit``, ``province`` and a type ``key`` already in COPY's text format."""
    return f"{unit}\t{key}\t{_text(s.uuid)}\t{province}\t{s.version}\t{_line(line)}\n"
