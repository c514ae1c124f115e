"""Stage a bundle's records with COPY and merge them with one set of statements per record type.

Inside the caller's transaction. The rules are the province's (desktop/sync/merge.py,
docs/bundle-format.md §6), applied set-based in SQL instead of record by record:

* a record that is not an object, lacks a uuid, belongs to another unit, has a column the
  register does not know, a bad version, a nested value, or a uuid twice in the bundle, a uuid
  another unit already uses, or a reference to a record the sending unit does not have at the
  hub is **rejected** and kept in ``hub.conflicts`` with its reason;
* otherwise it is **new**, **updated** (higher version), **older** (ignored), **unchanged** or a
  **conflict** (same version, other content: the stored record stays, the incoming one is kept).

Table and column names in the SQL come from ``hub.types`` (the register's schema) and from this
module, never from a bundle; values always travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.types import RecordType

SAMPLES = 50
CATEGORIES = ("new", "updated", "unchanged", "older", "conflict", "rejected")


@dataclass
class TypeResult:
    table: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    samples: list[tuple[str, str, str]] = field(default_factory=list)   # (category, uuid, reason)


def stage(cur, index: int, payload: bytes, chunk: int = 1 << 20) -> str:
    """COPY one part's JSON lines into a temporary table; its name."""
    name = f"hub_stage_{index}"
    cur.execute(f"CREATE TEMP TABLE {name} (n bigint GENERATED ALWAYS AS IDENTITY, line jsonb NOT NULL) "
                "ON COMMIT DROP")
    # COPY's text format reads a backslash as an escape: a JSON line keeps its own by doubling
    # them. A JSON line never holds a raw newline or tab, so each line is one row of one column.
    data = payload.replace(b"\\", b"\\\\")
    with cur.copy(f"COPY {name} (line) FROM STDIN") as copy:
        for start in range(0, len(data), chunk):
            copy.write(data[start:start + chunk])
    return name


def _key(t: RecordType, alias: str) -> str:
    """The join condition of a stored row ``alias`` with a checked row ``c`` of the same unit."""
    return (f"{alias}.unit_code = %(unit)s AND {alias}.uuid = c.uuid"
            + (f" AND {alias}.tbl = %(tbl)s" if t.target == "records" else ""))


def _check(cur, t: RecordType, staged: str, unit: str) -> None:
    params = {"unit": unit, "cols": list(t.columns), "tbl": t.name, "year_key": t.year_key}
    versioned = "true" if t.versioned else "false"
    year = f"left(line->>'{t.year_key}', 4)::int" if t.year_key else "NULL::int"
    cur.execute(f"""
        CREATE TEMP TABLE hub_chk ON COMMIT DROP AS
        WITH shaped AS (
          SELECT n, line,
            CASE
              WHEN jsonb_typeof(line) <> 'object' THEN 'Không phải một bản ghi'
              WHEN jsonb_typeof(line->'uuid') IS DISTINCT FROM 'string'
                   OR length(line->>'uuid') NOT BETWEEN 1 AND 64 THEN 'Thiếu mã UUID'
              WHEN (line->>'unit_code') IS DISTINCT FROM %(unit)s
                THEN 'Bản ghi thuộc đơn vị ' || left(coalesce(line->>'unit_code', '?'), 40)
                     || ', không phải đơn vị gửi gói'
              WHEN NOT (%(cols)s::text[] @> ARRAY(SELECT jsonb_object_keys(line)))
                THEN 'Có cột sổ tỉnh không có: ' || (
                       SELECT string_agg(k, ', ') FROM (
                         SELECT k FROM jsonb_object_keys(line) k WHERE k <> ALL (%(cols)s::text[])
                         ORDER BY k LIMIT 5) x) || ' (hãy cập nhật phần mềm)'
              WHEN {versioned} AND NOT (jsonb_typeof(line->'version') = 'number'
                                        AND (line->>'version') ~ '^[1-9][0-9]{{0,17}}$')
                THEN 'Số phiên bản không hợp lệ'
              WHEN EXISTS (SELECT 1 FROM jsonb_each(line) e
                           WHERE jsonb_typeof(e.value) = 'array'
                              OR (jsonb_typeof(e.value) = 'object'
                                  AND NOT (jsonb_typeof(e.value->'$base64') = 'string'
                                           AND (SELECT count(*) FROM jsonb_object_keys(e.value)) = 1)))
                THEN 'Có giá trị không phải số hoặc chữ'
              WHEN %(year_key)s::text IS NOT NULL
                   AND coalesce(line->>%(year_key)s::text, '') !~ '^[0-9]{{4}}-'
                THEN 'Thiếu ngày tạo bản ghi'
            END AS reason
          FROM {staged})
        SELECT n, line,
               CASE WHEN jsonb_typeof(line) = 'object' THEN left(line->>'uuid', 64) END AS uuid,
               CASE WHEN reason IS NULL AND {versioned} THEN (line->>'version')::bigint ELSE 0 END AS version,
               CASE WHEN reason IS NULL THEN {year} END AS year,
               reason
        FROM shaped""", params)
    cur.execute("""
        UPDATE hub_chk SET reason = 'Trùng mã UUID trong cùng một gói'
        WHERE n IN (SELECT n FROM (SELECT n, row_number() OVER (PARTITION BY uuid ORDER BY n) AS k
                                   FROM hub_chk WHERE reason IS NULL) d WHERE k > 1)""")
    other_unit = "t.uuid = c.uuid AND t.unit_code <> %(unit)s" + (" AND t.tbl = %(tbl)s" if t.target == "records"
                                                                   else "")
    cur.execute(f"""
        UPDATE hub_chk c SET reason = 'Mã UUID đã dùng cho bản ghi của đơn vị khác'
        WHERE reason IS NULL AND EXISTS (SELECT 1 FROM hub.{t.target} t WHERE {other_unit})""", params)
    from hub.types import by_name

    types = by_name()
    for column, parent_name in t.references:
        parent = types[parent_name]
        same = "p.unit_code = %(unit)s AND p.uuid = c.line->>%(col)s" + (
            " AND p.tbl = %(ptbl)s" if parent.target == "records" else "")
        cur.execute(f"""
            UPDATE hub_chk c SET reason = %(why)s
            WHERE reason IS NULL AND c.line->>%(col)s IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM hub.{parent.target} p WHERE {same})""",
                    {**params, "col": column, "ptbl": parent_name,
                     "why": f"Tham chiếu tới bản ghi {parent_name} chưa có của đơn vị ({column}); "
                            "có thể do thiếu gói trước"})


def merge_type(cur, t: RecordType, staged: str, *, unit: str, province: str, bundle_sha: str) -> TypeResult:
    """Merge one staged part; the counts by category and a few samples."""
    out = TypeResult(t.name)
    params = {"unit": unit, "tbl": t.name, "province": province, "sha": bundle_sha}
    _check(cur, t, staged, unit)
    year_cmp = "t.year" if t.partitioned else "NULL::int"
    cur.execute(f"""
        CREATE TEMP TABLE hub_cmp ON COMMIT DROP AS
        SELECT c.n, c.uuid, c.version, c.year, c.line,
               t.version AS old_version, t.data AS old_data, {year_cmp} AS old_year,
               CASE
                 WHEN t.uuid IS NULL THEN 'new'
                 WHEN {year_cmp} IS DISTINCT FROM c.year THEN 'rejected'
                 WHEN c.version > t.version THEN 'updated'
                 WHEN c.version < t.version THEN 'older'
                 WHEN c.line = t.data THEN 'unchanged'
                 ELSE 'conflict'
               END AS category
        FROM hub_chk c LEFT JOIN hub.{t.target} t ON {_key(t, 't')}
        WHERE c.reason IS NULL""", params)
    key_cols = "unit_code, " + ("tbl, " if t.target == "records" else "") + ("year, " if t.partitioned else "")
    key_vals = "%(unit)s, " + ("%(tbl)s, " if t.target == "records" else "") + ("year, " if t.partitioned else "")
    cur.execute(f"""
        INSERT INTO hub.{t.target} ({key_cols} uuid, province_code, version, data)
        SELECT {key_vals} uuid, %(province)s, version, line FROM hub_cmp WHERE category = 'new'""", params)
    cur.execute(f"""
        UPDATE hub.{t.target} t SET version = c.version, data = c.line
        FROM hub_cmp c WHERE c.category = 'updated' AND {_key(t, 't')}""", params)
    # Kept aside: rejected records with their reason, true conflicts with the stored record.
    cur.execute("""
        INSERT INTO hub.conflicts (unit_code, province_code, bundle_sha256, tbl, uuid, version, kind, reason,
                                   incoming, local)
        SELECT %(unit)s, %(province)s, %(sha)s, %(tbl)s, coalesce(uuid, ''), NULL, 'rejected', reason, line, NULL
        FROM hub_chk WHERE reason IS NOT NULL
        UNION ALL
        SELECT %(unit)s, %(province)s, %(sha)s, %(tbl)s, uuid, version, category,
               CASE category WHEN 'conflict' THEN 'Cùng phiên bản ' || version || ' nhưng nội dung khác bản đã có'
                    ELSE 'Năm tạo bản ghi khác bản đã có' END,
               line, old_data
        FROM hub_cmp WHERE category IN ('conflict', 'rejected')""", params)
    cur.execute("""
        SELECT category, count(*) FROM hub_cmp GROUP BY category
        UNION ALL SELECT 'rejected', count(*) FROM hub_chk WHERE reason IS NOT NULL""")
    for category, count in cur.fetchall():
        out.counts[category] += count
    cur.execute("""
        (SELECT 'rejected', coalesce(uuid, ''), reason FROM hub_chk WHERE reason IS NOT NULL ORDER BY n LIMIT %(k)s)
        UNION ALL
        (SELECT category, uuid,
                CASE category WHEN 'older' THEN 'Phiên bản ' || version || ' cũ hơn phiên bản ' || old_version
                                                || ' đã có'
                              WHEN 'conflict' THEN 'Cùng phiên bản ' || version || ' nhưng nội dung khác bản đã có'
                              ELSE 'Năm tạo bản ghi khác bản đã có' END
         FROM hub_cmp WHERE category IN ('older', 'conflict', 'rejected') ORDER BY n LIMIT %(k)s)""",
                {"k": SAMPLES})
    out.samples = [tuple(r) for r in cur.fetchall()][:SAMPLES]
    cur.execute("DROP TABLE hub_chk; DROP TABLE hub_cmp")
    return out


def reject_unknown(cur, name: str, staged: str, *, unit: str, province: str, bundle_sha: str) -> TypeResult:
    """A part of a type this program's register does not have: every record rejected and kept."""
    why = f"Hệ thống không có loại bản ghi “{name}” (hãy cập nhật phần mềm)"
    cur.execute(f"""
        INSERT INTO hub.conflicts (unit_code, province_code, bundle_sha256, tbl, uuid, kind, reason, incoming)
        SELECT %s, %s, %s, %s, coalesce(left(line->>'uuid', 64), ''), 'rejected', %s, line FROM {staged}
        WHERE jsonb_typeof(line) = 'object'
        UNION ALL
        SELECT %s, %s, %s, %s, '', 'rejected', %s, line FROM {staged} WHERE jsonb_typeof(line) <> 'object'""",
                (unit, province, bundle_sha, name, why) * 2)
    out = TypeResult(name)
    out.counts["rejected"] = cur.rowcount
    return out
