"""SQL of the hub's key registry, units, inbox and readers (small reference tables)."""

from __future__ import annotations

import json

from desktop.storage.sync_repo import PeerKey


def upsert_unit(cur, unit_code: str, province_code: str, name: str, level: str) -> None:
    cur.execute("INSERT INTO hub.units (unit_code, province_code, name, level) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (unit_code) DO UPDATE SET name = excluded.name",
                (unit_code, province_code, name, level))


def unit_province(cur, unit_code: str) -> str | None:
    cur.execute("SELECT province_code FROM hub.units WHERE unit_code = %s", (unit_code,))
    row = cur.fetchone()
    return row[0] if row else None


def upsert_recipient(cur, fingerprint: str, province_code: str, public_key: bytes, pem: bytes) -> None:
    cur.execute("INSERT INTO hub.recipients (fingerprint, province_code, public_key, private_key_pem) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (fingerprint) DO NOTHING",
                (fingerprint, province_code, public_key, pem))


def peer_row(cur, fingerprint: str) -> tuple[str, str] | None:
    """(unit_code, province_code) the fingerprint is registered for."""
    cur.execute("SELECT unit_code, province_code FROM hub.peer_keys WHERE fingerprint = %s", (fingerprint,))
    row = cur.fetchone()
    return (row[0], row[1]) if row else None


def save_peer(cur, peer: PeerKey, province_code: str) -> None:
    cur.execute(
        "INSERT INTO hub.peer_keys (fingerprint, role, unit_code, unit_name, province_code, signing_key, "
        "registered_at, revoked_at, revoked_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (fingerprint) DO UPDATE SET unit_name = excluded.unit_name, "
        "revoked_at = coalesce(hub.peer_keys.revoked_at, excluded.revoked_at), "
        "revoked_reason = CASE WHEN hub.peer_keys.revoked_at IS NULL THEN excluded.revoked_reason "
        "ELSE hub.peer_keys.revoked_reason END",
        (peer.fingerprint, peer.role, peer.unit_code, peer.unit_name, province_code, peer.signing_key,
         peer.registered_at, peer.revoked_at, peer.revoked_reason))


def all_recipients(cur) -> dict[str, tuple[str, bytes]]:
    cur.execute("SELECT fingerprint, province_code, private_key_pem FROM hub.recipients")
    return {fp: (province, bytes(pem)) for fp, province, pem in cur.fetchall()}


def all_peers(cur) -> dict[str, tuple[PeerKey, str]]:
    """Fingerprint → (the commune's key, its province) for every key the hub holds."""
    cur.execute("SELECT fingerprint, role, unit_code, unit_name, signing_key, registered_at, revoked_at, "
                "revoked_reason, province_code FROM hub.peer_keys")
    return {fp: (PeerKey(0, fp, role, unit, name, bytes(key), None, None, registered, revoked, reason), province)
            for fp, role, unit, name, key, registered, revoked, reason, province in cur.fetchall()}


def has_bundles(cur, unit_code: str) -> bool:
    cur.execute("SELECT EXISTS (SELECT 1 FROM hub.bundles WHERE unit_code = %s)", (unit_code,))
    return cur.fetchone()[0]


def bundle_by_sha(cur, sha: str) -> dict | None:
    cur.execute("SELECT unit_code, seq, imported_at, manifest FROM hub.bundles WHERE bundle_sha256 = %s", (sha,))
    row = cur.fetchone()
    if row is None:
        return None
    return {"unit_code": row[0], "seq": row[1], "imported_at": row[2].isoformat(timespec="seconds"),
            "manifest": row[3]}


def received(cur, unit_code: str) -> dict[int, str]:
    """Sequence number → file SHA-256 of every bundle imported from the unit."""
    cur.execute("SELECT seq, bundle_sha256 FROM hub.bundles WHERE unit_code = %s", (unit_code,))
    return dict(cur.fetchall())


def insert_bundle(cur, *, unit_code: str, sha: str, province_code: str, manifest, status: str, result: dict) -> None:
    cur.execute(
        "INSERT INTO hub.bundles (unit_code, bundle_sha256, province_code, seq, bundle_id, previous_sha256, "
        "key_fingerprint, kind, period_label, created_at, sequence_status, manifest, result) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (unit_code, sha, province_code, manifest.sequence, manifest.bundle_id, manifest.previous_sha256,
         manifest.key_fingerprint, manifest.kind, manifest.period_label, manifest.created_at, status,
         json.dumps(manifest.raw, ensure_ascii=False), json.dumps(result, ensure_ascii=False)))


def add_reader(cur, role_name: str, province_code: str) -> None:
    cur.execute("INSERT INTO hub.readers (role_name, province_code) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (role_name, province_code))


def status(cur) -> list[dict]:
    """Per province and unit: bundles imported, last sequence and import, records held."""
    cur.execute("""
        SELECT u.province_code, u.unit_code, u.name, u.level,
               count(b.bundle_sha256), max(b.seq), max(b.imported_at)
        FROM hub.units u LEFT JOIN hub.bundles b ON b.unit_code = u.unit_code
        GROUP BY u.province_code, u.unit_code, u.name, u.level
        ORDER BY u.province_code, u.level DESC, u.unit_code""")
    rows = cur.fetchall()
    cur.execute("SELECT unit_code, count(*) FROM hub.cases GROUP BY unit_code")
    cases = dict(cur.fetchall())
    cur.execute("SELECT unit_code, count(*) FROM hub.conflicts GROUP BY unit_code")
    kept = dict(cur.fetchall())
    return [{"province_code": p, "unit_code": u, "name": n, "level": lv, "bundles": c, "last_seq": s,
             "last_import": t.isoformat(timespec="seconds") if t else None, "cases": cases.get(u, 0),
             "conflicts": kept.get(u, 0)} for p, u, n, lv, c, s, t in rows]
