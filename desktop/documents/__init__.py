"""Official documents in the state format (NĐ 30/2020/NĐ-CP), numbered in the outgoing register.

- ``model``: the one ``Document`` (header, type and summary or "V/v", "Kính gửi", body, signer
  block TM./KT./Q./TL./TUQ., "Nơi nhận") and ``DocumentRecord`` (a row of the register).
- ``templates``: the kinds as data in ``resources/templates/*.json``, filled from a case.
- ``outgoing``: ``offered`` / ``compose`` / ``draft`` / ``edit`` / ``issue`` / ``void`` / ``render``
  / ``issued_on_day`` — the API the window and the CLI use.
- ``pdf`` (reportlab) and ``word`` (python-docx): the two renderers, imported only when used.
- ``registers``: printed registers (outgoing, reception, follow-up); ``samples``: sample renderings.

Nothing here imports Qt, reportlab or python-docx at import time.
"""
