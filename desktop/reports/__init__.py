"""Periodic reports (issue #14): periods, forms as data, the engine, outputs, submission.

- ``periods``: reporting periods as data (NĐ 09/2019 Art. 12 cut-offs, per province, any range);
- ``forms``: the report forms as data (``resources/reports/forms/*.json``): columns, numbers, merged
  header levels, identities, the rule of each cell, sources, unverified and approximate columns;
- ``engine``: every cell computed set-based from the events as they stood in the period
  (facts in ``desktop.storage.report_facts``), each cell explaining itself, identities checked;
- ``openings``: opening balances of a register started mid-way;
- ``written``: the BÁO CÁO (Mẫu 02 outline) through the documents engine, PDF and DOCX, charts;
- ``xlsx`` and ``exports``: the one .xlsx writer, for forms and register exports;
- ``submit`` and ``locks``: issue, accept, reopen, locked periods and corrections, completeness,
  consolidation at the province.
"""
