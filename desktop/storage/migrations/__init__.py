"""Numbered, append-only schema migrations (sqlite-utils ``Migrations``).

Each released migration lives in its own module ``mNNNN_name.py`` with an ``apply(db)`` function
and is never edited after release: change the schema by adding the next number. A fixture
database of each released schema is kept in ``tests/fixtures/`` and upgraded in the tests.
"""

from __future__ import annotations

from sqlite_utils import Migrations

from . import m0001_register, m0002_documents, m0003_sync, m0004_calendar_per_unit

MIGRATIONS = Migrations("giaitrinh")

# Order matters; append only.
for _module in (m0001_register, m0002_documents, m0003_sync, m0004_calendar_per_unit):
    MIGRATIONS(name=_module.NAME)(_module.apply)

LATEST = MIGRATIONS._migrations[-1].name
