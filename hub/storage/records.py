"""Stage a bundle's records with one COPY and merge them with one set of statements per bundle.

Inside the caller's transaction. The rules are the province's (desktop/sync/merge.py,
docs/bundle-format.md §6), applied set-based in SQL over every record type at once, so a
bundle costs about twenty statements whatever it holds:

* a record that is not an object, lacks a uuid, belongs to another unit, has a column the
  register does not know, a bad version, a nested value, or a uuid twice in the bundle, a uuid
  another unit already uses, a reference to a record the sending unit has neither at the hub nor
  in the bundle, or a type this program does not know is **rejected** and kept in
  ``hub.conflicts`` with its reason;
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
TARGETS = ("cases", "events", "records")


@dataclass
class TypeResult:
    table: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    samples: list[tuple[str, str, str]] = field(default_factory=list)   # (category, uuid, reason)


def stage(cur, rows: list[bytes], chunk: int = 1 << 20) -> None:
    """COPY the bundle's rows (``hub.shape.copy_rows``: type, uuid, version, year, the reason a
    record is refused if its shape is wrong, the JSON line) into ``hub_stage``."""
    cur.execute("CREATE TEMP TABLE hub_stage (n bigint GENERATED ALWAYS AS IDENTITY, tbl text NOT NULL, "
                "uuid text, version bigint NOT NULL, year int, reason text, line jsonb NOT NULL) ON COMMIT DROP")
    # Uncompressed: a line is read again for its references and its comparison with the stored
    # record, and a compressed one would be decompressed each time.
    cur.execute("ALTER TABLE hub_stage ALTER line SET STORAGE EXTERNAL")
    with cur.copy("COPY hub_stage (tbl, uuid, version, year, reason, line) FROM STDIN") as copy:
        for data in rows:
            for start in range(0, len(data), chunk):
                copy.write(data[start:start + chunk])


def _types_table(cur, types: dict[str, RecordType]) -> None:
    cur.execute("CREATE TEMP TABLE hub_types (tbl text PRIMARY KEY, cols text[], versioned bool, "
                "year_key text, target text) ON COMMIT DROP")
    cur.executemany("INSERT INTO hub_types VALUES (%s, %s, %s, %s, %s)",
                    [(t.name, list(t.columns), t.versioned, t.year_key, t.target) for t in types.values()])
    cur.execute("CREATE TEMP TABLE hub_refs (tbl text, col text, parent text, target text) ON COMMIT DROP")
    cur.executemany("INSERT INTO hub_refs VALUES (%s, %s, %s, %s)",
                    [(t.name, col, parent, types[parent].target) for t in types.values()
                     for col, parent in t.references])


def _exists_in(target: str, uuid_expr: str) -> str:
    """SQL: a stored record of the sending unit with uuid ``uuid_expr`` of type ``p.parent``."""
    tbl = " AND s.tbl = r.parent" if target == "records" else ""
    return f"EXISTS (SELECT 1 FROM hub.{target} s WHERE s.unit_code = %(unit)s AND s.uuid = {uuid_expr}{tbl})"


def _check(cur, unit: str) -> None:
    """Mark what needs other rows to judge: duplicates, other units' uuids, broken references."""
    params = {"unit": unit}
    cur.execute("""
        CREATE TEMP TABLE hub_chk ON COMMIT DROP AS
        SELECT s.n, s.tbl, t.target, s.uuid, s.version, s.year, s.reason
        FROM hub_stage s LEFT JOIN hub_types t ON t.tbl = s.tbl""")
    cur.execute("CREATE UNIQUE INDEX ON hub_chk (n)")
    cur.execute("CREATE INDEX ON hub_chk (tbl, uuid)")
    cur.execute("""
        UPDATE hub_chk SET reason = 'Trùng mã UUID trong cùng một gói'
        WHERE n IN (SELECT n FROM (SELECT n, row_number() OVER (PARTITION BY tbl, uuid ORDER BY n) AS k
                                   FROM hub_chk WHERE reason IS NULL) d WHERE k > 1)""")
    for target in TARGETS:
        # A partitioned record is looked for in its own year's partition (a uuid reused under
        # another year lands in another row of its own unit, which no other unit reads).
        same_type = " AND t.tbl = c.tbl" if target == "records" else " AND t.year = c.year"
        cur.execute(f"""
            UPDATE hub_chk c SET reason = 'Mã UUID đã dùng cho bản ghi của đơn vị khác'
            WHERE reason IS NULL AND c.target = %(target)s
              AND EXISTS (SELECT 1 FROM hub.{target} t WHERE t.uuid = c.uuid AND t.unit_code <> %(unit)s{same_type})""",
                    {**params, "target": target})
    cur.execute("ANALYZE hub_chk")
    # References: to a record of the sending unit, at the hub or valid in this bundle. Repeated
    # until nothing changes, since rejecting a parent rejects what refers to it.
    broken = f"""
        UPDATE hub_chk c SET reason = 'Tham chiếu tới bản ghi ' || r.parent || ' chưa có của đơn vị ('
                                      || r.col || '); có thể do thiếu gói trước'
        FROM hub_refs r, hub_stage l
        WHERE c.reason IS NULL AND r.tbl = c.tbl AND l.n = c.n AND l.line->>r.col IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM hub_chk p WHERE p.tbl = r.parent AND p.uuid = l.line->>r.col
                                                   AND p.reason IS NULL)
          AND NOT CASE r.target
                    WHEN 'cases' THEN {_exists_in('cases', "l.line->>r.col")}
                    WHEN 'events' THEN {_exists_in('events', "l.line->>r.col")}
                    ELSE {_exists_in('records', "l.line->>r.col")} END"""
    for _ in range(8):
        cur.execute(broken, params)
        if not cur.rowcount:
            break


def merge(cur, types: dict[str, RecordType], rows: list[bytes], *, unit: str, province: str,
          bundle_sha: str) -> dict[str, TypeResult]:
    """Stage and merge one bundle's rows (``hub.shape.copy_rows`` of each part); per type, the
    counts and a few samples."""
    params = {"unit": unit, "province": province, "sha": bundle_sha}
    stage(cur, rows)
    _types_table(cur, types)
    _check(cur, unit)
    cur.execute("""
        CREATE TEMP TABLE hub_cmp (n bigint, tbl text, target text, uuid text, version bigint, year int,
                                   old_version bigint, category text) ON COMMIT DROP""")
    for target in TARGETS:
        same_type = " AND t.tbl = c.tbl" if target == "records" else ""
        old_year = "t.year" if target != "records" else "NULL::int"
        cur.execute(f"""
            INSERT INTO hub_cmp
            SELECT c.n, c.tbl, c.target, c.uuid, c.version, c.year, t.version,
                   CASE
                     WHEN t.uuid IS NULL THEN 'new'
                     WHEN {old_year} IS DISTINCT FROM c.year THEN 'rejected'
                     WHEN c.version > t.version THEN 'updated'
                     WHEN c.version < t.version THEN 'older'
                     WHEN l.line = t.data THEN 'unchanged'
                     ELSE 'conflict'
                   END
            FROM hub_chk c JOIN hub_stage l USING (n) LEFT JOIN hub.{target} t ON t.unit_code = %(unit)s AND t.uuid = c.uuid{same_type}
            WHERE c.reason IS NULL AND c.target = %(target)s""", {**params, "target": target})
        key_cols = {"cases": "unit_code, year,", "events": "unit_code, year,", "records": "unit_code, tbl,"}[target]
        key_vals = {"cases": "%(unit)s, c.year,", "events": "%(unit)s, c.year,", "records": "%(unit)s, c.tbl,"}[target]
        cur.execute(f"""
            INSERT INTO hub.{target} ({key_cols} uuid, province_code, version, data)
            SELECT {key_vals} c.uuid, %(province)s, c.version, l.line FROM hub_cmp c JOIN hub_stage l USING (n)
            WHERE c.target = %(target)s AND c.category = 'new'""", {**params, "target": target})
        cur.execute(f"""
            UPDATE hub.{target} t SET version = c.version, data = l.line
            FROM hub_cmp c JOIN hub_stage l USING (n) WHERE c.target = %(target)s AND c.category = 'updated'
              AND t.unit_code = %(unit)s AND t.uuid = c.uuid{same_type}""", {**params, "target": target})
    # Kept aside: rejected records with their reason, true conflicts with the stored record.
    cur.execute("""
        INSERT INTO hub.conflicts (unit_code, province_code, bundle_sha256, tbl, uuid, version, kind, reason,
                                   incoming, local)
        SELECT %(unit)s, %(province)s, %(sha)s, left(c.tbl, 64), coalesce(c.uuid, ''), NULL, 'rejected', c.reason,
               l.line, NULL
        FROM hub_chk c JOIN hub_stage l USING (n) WHERE c.reason IS NOT NULL""", params)
    for target in TARGETS:
        same_type = " AND t.tbl = c.tbl" if target == "records" else ""
        cur.execute(f"""
            INSERT INTO hub.conflicts (unit_code, province_code, bundle_sha256, tbl, uuid, version, kind, reason,
                                       incoming, local)
            SELECT %(unit)s, %(province)s, %(sha)s, c.tbl, c.uuid, c.version, c.category,
                   CASE c.category WHEN 'conflict' THEN 'Cùng phiên bản ' || c.version
                                                        || ' nhưng nội dung khác bản đã có'
                        ELSE 'Năm tạo bản ghi khác bản đã có' END,
                   l.line, t.data
            FROM hub_cmp c JOIN hub_stage l USING (n)
                 JOIN hub.{target} t ON t.unit_code = %(unit)s AND t.uuid = c.uuid{same_type}
            WHERE c.target = %(target)s AND c.category IN ('conflict', 'rejected')""", {**params, "target": target})
    out: dict[str, TypeResult] = {}
    cur.execute("""
        SELECT tbl, category, count(*) FROM hub_cmp GROUP BY 1, 2
        UNION ALL SELECT tbl, 'rejected', count(*) FROM hub_chk WHERE reason IS NOT NULL GROUP BY 1""")
    for tbl, category, count in cur.fetchall():
        out.setdefault(tbl, TypeResult(tbl)).counts[category] += count
    cur.execute("""
        SELECT tbl, category, uuid, why FROM (
          SELECT tbl, category, uuid, why, row_number() OVER (PARTITION BY tbl ORDER BY n) AS k FROM (
            SELECT n, tbl, 'rejected' AS category, coalesce(uuid, '') AS uuid, reason AS why
            FROM hub_chk WHERE reason IS NOT NULL
            UNION ALL
            SELECT n, tbl, category, uuid,
                   CASE category WHEN 'older' THEN 'Phiên bản ' || version || ' cũ hơn phiên bản ' || old_version
                                                   || ' đã có'
                                 WHEN 'conflict' THEN 'Cùng phiên bản ' || version || ' nhưng nội dung khác bản đã có'
                                 ELSE 'Năm tạo bản ghi khác bản đã có' END
            FROM hub_cmp WHERE category IN ('older', 'conflict', 'rejected')) x) y
        WHERE k <= %(k)s ORDER BY tbl, k""", {"k": SAMPLES})
    for tbl, category, uuid, why in cur.fetchall():
        out.setdefault(tbl, TypeResult(tbl)).samples.append((category, uuid, why))
    cur.execute("DROP TABLE hub_stage, hub_types, hub_refs, hub_chk, hub_cmp")
    return out


# One index probe per incoming key (LIMIT keeps each probe a nested loop, so a year's partition is
# picked at run time and the look-up costs the same however large the tables grow).
_FIRST_CLASH = {
    "cases": "unnest(%s::text[], %s::int[]) x(uuid, year) CROSS JOIN LATERAL (SELECT 1 FROM hub.cases t "
             "WHERE t.uuid = x.uuid AND t.year = x.year AND t.unit_code <> %s LIMIT 1) t",
    "events": "unnest(%s::text[], %s::int[]) x(uuid, year) CROSS JOIN LATERAL (SELECT 1 FROM hub.events t "
              "WHERE t.uuid = x.uuid AND t.year = x.year AND t.unit_code <> %s LIMIT 1) t",
    "records": "unnest(%s::text[], %s::text[]) x(tbl, uuid) CROSS JOIN LATERAL (SELECT 1 FROM hub.records t "
               "WHERE t.tbl = x.tbl AND t.uuid = x.uuid AND t.unit_code <> %s LIMIT 1) t",
}
_FIRST_COLUMNS = {"cases": "unit_code, year", "events": "unit_code, year", "records": "unit_code, tbl"}


def unit_is_new(cur, unit: str) -> bool:
    """Whether the hub holds nothing of the unit: no bundle, no record (its first bundle)."""
    cur.execute("""
        SELECT NOT (EXISTS (SELECT 1 FROM hub.bundles WHERE unit_code = %(u)s)
                    OR EXISTS (SELECT 1 FROM hub.cases WHERE unit_code = %(u)s)
                    OR EXISTS (SELECT 1 FROM hub.events WHERE unit_code = %(u)s)
                    OR EXISTS (SELECT 1 FROM hub.records WHERE unit_code = %(u)s))""", {"u": unit})
    return cur.fetchone()[0]


def uuids_unique(cur) -> bool:
    """Whether the server itself refuses a uuid another unit uses (migration 0003's unique indexes;
    not under Citus, where a unique index must hold the distribution column)."""
    cur.execute("""
        SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = 'hub'::regnamespace AND i.indisunique
          AND c.relname IN ('cases_uuid', 'events_uuid', 'records_uuid')""")
    return cur.fetchone()[0] == 3


def copy_first(cur, plan, *, unit: str, chunk: int = 1 << 20) -> dict[str, TypeResult] | None:
    """Write a unit's first bundle (``hub.first.plan``) straight into the record tables; ``None``,
    with nothing written, when one of its uuids is another unit's (the staged merge then judges it).
    Inside the caller's transaction, after ``unit_is_new``. With the unique uuid indexes the
    server refuses a taken uuid as it copies (the copy is undone to a savepoint); without them
    each uuid is looked up first."""
    import psycopg

    unique = uuids_unique(cur)
    if not unique:
        for target, (first, second) in plan.uuids.items():
            if not first:
                continue
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {_FIRST_CLASH[target]})", (first, second, unit))
            if cur.fetchone()[0]:
                return None
    try:
        with cur.connection.transaction():
            for target, data in plan.copy.items():
                with cur.copy(f"COPY hub.{target} ({_FIRST_COLUMNS[target]}, uuid, province_code, version, data) "
                              "FROM STDIN") as copy:
                    for start in range(0, len(data), chunk):
                        copy.write(data[start:start + chunk])
    except psycopg.errors.UniqueViolation:
        if not unique:
            raise
        return None
    if plan.rejected:
        with cur.copy("COPY hub.conflicts (unit_code, province_code, bundle_sha256, tbl, uuid, kind, reason, "
                      "incoming) FROM STDIN") as copy:
            copy.write(plan.rejected)
    return plan.results()
