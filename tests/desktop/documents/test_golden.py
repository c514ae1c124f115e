"""Golden wording of every document kind (the sample case of ``desktop.documents.samples``).

A change of wording, type, signer lines or "Nơi nhận" shows up here as a diff a lawyer can read.
After a deliberate change: ``GIAITRINH_UPDATE_GOLDEN=1 pytest tests/desktop/documents/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.documents import samples, templates
from desktop.documents.model import Document, Paragraph

GOLDEN = Path(__file__).parent / "golden"


def as_text(doc: Document) -> str:
    lines = [*doc.governing_body, *doc.issuing_body, doc.number_line or "(không số)",
             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", doc.date_line, ""]
    if doc.type_name:
        lines += [doc.type_name, doc.summary, ""]
    else:
        lines += [doc.subject_line, ""]
    if doc.addressees:
        lines += [f"Kính gửi: {a}" for a in doc.addressees] + [""]
    for block in doc.body:
        if isinstance(block, Paragraph):
            style = "".join(k for k, on in (("B", block.bold), ("I", block.italic)) if on)
            lines.append(f"[{block.align}{'/' + style if style else ''}] {block.text}")
    lines.append("")
    if doc.counter_signer:
        lines += [*doc.counter_signer.title_lines(), doc.counter_signer.name, ""]
    else:
        lines += ["Nơi nhận:", *doc.recipient_lines(), ""]
    lines += [*doc.signer.title_lines(), doc.signer.name]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", list(templates.load_templates()))
def test_wording_matches_the_golden_text(kind):
    path = GOLDEN / f"{kind}.txt"
    text = as_text(samples.sample_document(kind))
    if os.environ.get("GIAITRINH_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden text for {kind}: run with GIAITRINH_UPDATE_GOLDEN=1 and read it"
    assert text == path.read_text(encoding="utf-8")


def test_no_golden_text_is_left_over():
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(templates.load_templates())
