"""The national consolidation hub (issue #19): the same verified bundles, loaded into PostgreSQL.

A province of about a hundred communes fits one SQLite register; the country's accountability
database (3,321 communes, about three million cases a year, many readers) does not belong on a
desk PC. The bundle format is the contract: ``hub`` verifies each bundle with the core's own code
(``desktop.sync.verify.verify_bundle_data``, ``desktop.sync.importer.classify_sequence``), stages
its records with ``COPY`` and merges them with one set of SQL statements per record type.

Qt-free, like ``desktop``: it imports the core and never ``ui`` (``tests/test_architecture.py``).
Its SQL lives in ``hub/storage``, as the register's lives in ``desktop/storage``.
"""
