"""Which keys the hub trusts: each province's, read from the province's own register.

A province's register already holds what the hub needs: its bundle (X25519) key, whose private
part stays wrapped by the province's passphrase, and the communes' signing keys it registered
after reading their fingerprints over the phone (docs/bundle-format.md §4). ``trust_register``
copies them, so the hub trusts exactly the communes the province trusts, and a key the province
revoked stays revoked. A fingerprint already registered for another unit is refused.
"""

from __future__ import annotations

from pathlib import Path

from desktop.errors import UserError
from hub.storage import registry


def trust_register(conn, register: Path) -> dict:
    """Copy a province register's bundle key and commune keys into the hub; what was copied."""
    from desktop.storage import sync_repo
    from desktop.storage.db import open_database
    from desktop.sync import keys

    db = open_database(Path(register), create=False, migrate=False)
    try:
        if keys.register_mode(db) != "province":
            raise UserError("wrong_mode", "Chỉ nạp được khóa từ sổ cấp tỉnh (sổ này là của xã).")
        province_code, province_name = keys.local_unit(db)
        own = keys.own_key(db, "encryption")
        peers = sync_repo.list_peer_keys(db, "commune")
    finally:
        db.close()
    with conn.transaction(), conn.cursor() as cur:
        registry.upsert_unit(cur, province_code, province_code, province_name, "province")
        registry.upsert_recipient(cur, own.fingerprint, province_code, own.public_key, own.private_key_pem)
        for peer in peers:
            known = registry.peer_row(cur, peer.fingerprint)
            if known and known[0] != peer.unit_code:
                raise UserError("key_other_unit", f"Khóa {peer.fingerprint} đã được đăng ký cho đơn vị {known[0]}, "
                                f"không thể gán cho {peer.unit_code}. Không nạp gì.")
            other_province = registry.unit_province(cur, peer.unit_code)
            if other_province and other_province != province_code:
                raise UserError("unit_other_province", f"Đơn vị {peer.unit_code} đã thuộc tỉnh {other_province} "
                                f"trong hệ thống, không thể nạp từ tỉnh {province_code}. Không nạp gì.")
            registry.upsert_unit(cur, peer.unit_code, province_code, peer.unit_name, "commune")
            registry.save_peer(cur, peer, province_code)
    return {"province_code": province_code, "province_name": province_name,
            "recipient": own.fingerprint, "communes": len({p.unit_code for p in peers}), "keys": len(peers)}


def add_reader(conn, role_name: str, province_code: str, password: str | None = None) -> None:
    """A database role that reads one province's rows only (row-level security, 0001)."""
    from psycopg import sql

    if not role_name.replace("_", "").isalnum() or not role_name[:1].isalpha():
        raise UserError("bad_role_name", "Tên vai trò chỉ gồm chữ cái không dấu, chữ số và dấu gạch dưới, "
                        "bắt đầu bằng chữ cái.")
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role_name,))
        role = sql.Identifier(role_name)
        if cur.fetchone() is None:
            if password:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password)))
            else:
                cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA hub TO {}").format(role))
        for table in ("cases", "events", "records", "bundles", "conflicts", "units", "report_rows", "ledger",
                      "ledger_heads"):
            cur.execute(sql.SQL("GRANT SELECT ON hub.{} TO {}").format(sql.Identifier(table), role))
        registry.add_reader(cur, role_name, province_code)
