"""The sync commands end to end: keys exchanged as files, a bundle exported, inspected,
previewed, imported with a receipt, and the receipt imported back."""

from __future__ import annotations

import json

from desktop.cli import main
from tests.desktop.sync.conftest import Data, make_register


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_round_trip(tmp_path, capsys):
    tinh, xa = tmp_path / "tinh.sqlite", tmp_path / "xa.sqlite"
    make_register(tinh, code="01", name="UBND tỉnh Thử", mode="province").close()
    db = make_register(xa, code="00001", name="UBND xã Thụy Hùng", mode="commune")
    Data(db).populate(2)
    db.close()

    code, out, _ = run(capsys, "keys", "init", "--db", tinh, "--json")
    assert code == 0 and {k["purpose"] for k in json.loads(out)} == {"signing", "encryption"}
    assert run(capsys, "keys", "export", "--db", tinh, "--out", tmp_path / "tinh.key")[0] == 0
    assert run(capsys, "keys", "export", "--db", xa, "--out", tmp_path / "xa.key")[0] == 0
    assert run(capsys, "keys", "import", tmp_path / "tinh.key", "--db", xa)[0] == 0
    code, out, _ = run(capsys, "keys", "show", "--db", xa, "--json")
    xa_fp = json.loads(out)["own"][0]["fingerprint"]
    code, out, _ = run(capsys, "keys", "import", tmp_path / "xa.key", "--db", tinh, "--fingerprint", xa_fp,
                       "--slip", tmp_path / "phieu.txt")
    assert code == 0 and "PHIẾU ĐĂNG KÝ KHÓA" in (tmp_path / "phieu.txt").read_text(encoding="utf-8")

    code, out, _ = run(capsys, "bundle", "export", "--db", xa, "--out", tmp_path, "--json")
    exported = json.loads(out)
    assert code == 0 and exported["counts"]["cases"] == 2
    bundle = exported["file"]
    code, out, _ = run(capsys, "bundle", "inspect", bundle, "--db", tinh)
    assert code == 0 and "hợp lệ" in out
    code, out, _ = run(capsys, "bundle", "import", bundle, "--db", tinh, "--dry-run", "--json")
    assert json.loads(out)["merge"]["totals"]["new"] == sum(exported["counts"].values())
    code, out, _ = run(capsys, "bundle", "import", bundle, "--db", tinh, "--receipt", tmp_path, "--json")
    receipt = json.loads(out)["receipt"]
    code, out, err = run(capsys, "bundle", "import", bundle, "--db", tinh)
    assert code == 1 and "đã được nhập" in err
    code, out, _ = run(capsys, "bundle", "receipt", receipt, "--db", xa, "--json")
    assert json.loads(out)["acknowledged"] == [1]

    code, out, _ = run(capsys, "keys", "revoke", xa_fp, "--db", tinh, "--reason", "Thử thu hồi")
    assert code == 0 and "Đã thu hồi" in out


def test_cli_error_is_vietnamese(tmp_path, capsys, monkeypatch):
    db = make_register(tmp_path / "xa.sqlite", code="00001", name="UBND xã A", mode="commune")
    db.close()
    code, _, err = run(capsys, "bundle", "export", "--db", tmp_path / "xa.sqlite", "--out", tmp_path)
    assert code == 1 and "khóa của tỉnh" in err


def test_cli_imports_many_files_with_one_unlock(commune_factory, province, outdir, capsys):
    from desktop.sync import export

    paths = []
    for code in ("00011", "00012"):
        db = commune_factory(code, f"UBND xã {code}")
        Data(db).populate(1)
        paths.append(export.export_bundle(db, outdir).path)
    bad = outdir / "hong.gtb"
    bad.write_bytes(b"GIAITRINH-BUNDLE\n\x00")
    code, out, _ = run(capsys, "bundle", "import", *paths, bad, "--db", province.path, "--json")
    result = json.loads(out)
    assert code == 1 and [r.get("applied") for r in result[:2]] == [True, True]
    assert result[2]["error"] == "bundle_damaged"
    assert province.scalar("SELECT count(*) FROM cases") == 2
