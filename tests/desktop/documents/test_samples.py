"""The sample renderings behind docs/documents/: every kind and register, PDF and (with poppler) PNG."""

from __future__ import annotations

import shutil

import pytest

from desktop.documents import samples, templates


def test_every_kind_and_register_is_rendered(tmp_path):
    written = samples.write_samples(tmp_path, dpi=40)
    pdfs = sorted(p.stem for p in written if p.suffix == ".pdf")
    assert set(templates.load_templates()) <= set(pdfs)
    assert {"so-dang-ky-van-ban-di", "so-tiep-cong-dan"} <= set(pdfs)
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    from PIL import Image

    with Image.open(tmp_path / "explanation_accept.png") as portrait:
        assert portrait.height > portrait.width
    with Image.open(tmp_path / "so-tiep-cong-dan.png") as landscape:
        assert landscape.width > landscape.height


def test_committed_pngs_cover_every_kind():
    from desktop.resources import resources_root

    docs = resources_root().parent / "docs" / "documents"
    if not docs.is_dir():
        pytest.skip("not a checkout")
    assert {p.stem for p in docs.glob("*.png")} >= set(templates.load_templates())
