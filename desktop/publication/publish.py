"""Making a public notice go out: the period, the preview, the files, and the record of it.

``make`` writes the notice as PDF (the notice board), CSV and HTML (the portal) into a folder,
then, in one transaction, records the publication (period, when, who, each file's SHA-256, what
the redaction removed, by rule), the cases it listed, and for each listed case not published
before the engine's 'publish' step — its hash-chained event and ``cases.published_on``. If the
transaction fails the files are removed again: nothing says it went out unless it did.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop.errors import UserError
from desktop.security.principal import actor_name, require
from desktop.publication import notice as notice_mod
from desktop.publication.notice import Notice
from desktop.storage.db import Database
from desktop.storage.units import local_unit, new_uuid, now_iso
from desktop.workflow.engine import act

log = logging.getLogger(__name__)


def parse_period(text: str) -> tuple[date, date]:
    """"03/2026" (a month), "Q1/2026" (a quarter), "2026" (a year), "6T/2026" (first six months),
    or "dd/mm/yyyy-dd/mm/yyyy"."""
    t = text.strip().upper().replace(" ", "")
    try:
        if m := re.fullmatch(r"(\d{1,2})/(\d{4})", t):
            month, year = int(m[1]), int(m[2])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        if m := re.fullmatch(r"Q([1-4])/(\d{4})", t):
            q, year = int(m[1]), int(m[2])
            end_month = q * 3
            return date(year, end_month - 2, 1), date(year, end_month, calendar.monthrange(year, end_month)[1])
        if m := re.fullmatch(r"6T/(\d{4})", t):
            return date(int(m[1]), 1, 1), date(int(m[1]), 6, 30)
        if m := re.fullmatch(r"(\d{4})", t):
            return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})[-–](\d{1,2})/(\d{1,2})/(\d{4})", t):
            a = date(int(m[3]), int(m[2]), int(m[1]))
            b = date(int(m[6]), int(m[5]), int(m[4]))
            if b < a:
                raise UserError("bad_period", "Ngày cuối kỳ trước ngày đầu kỳ.")
            return a, b
    except ValueError:
        pass
    raise UserError("bad_period", f"Kỳ “{text}” không hợp lệ: dùng 03/2026 (tháng), Q1/2026 (quý), 6T/2026, 2026 "
                                  "(năm) hoặc 01/01/2026-31/03/2026.")


@dataclass(frozen=True)
class Made:
    publication_uuid: str
    files: tuple[Path, ...]
    listed: int
    newly_published: int


def file_stem(start: date, end: date) -> str:
    return f"cong-khai-{start:%Y%m%d}-{end:%Y%m%d}"


def make(db: Database, start: date, end: date, out_dir: Path, *, today: date | None = None) -> Made:
    """Write the notice's files into ``out_dir`` and record that it went out. A leader decides what the
    office publishes (``document.issue``); each case's publish step is the engine's (``case.act``)."""
    require(db, "document.issue")
    actor = actor_name(db)
    today = today or date.today()
    if end > today:
        end_text = f"{end:%d/%m/%Y}"
        raise UserError("period_not_over", f"Kỳ công khai chưa kết thúc (đến {end_text}); hãy chọn kỳ đã qua.")
    notice: Notice = notice_mod.collect(db, start, end)
    outputs = {"pdf": notice_mod.to_pdf(db, notice, today), "csv": notice_mod.to_csv(notice),
               "html": notice_mod.to_html(notice, today)}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(start, end)
    written: list[Path] = []
    try:
        for fmt, data in outputs.items():
            path = out_dir / f"{stem}.{fmt}"
            path.write_bytes(data)
            written.append(path)
        uuid = new_uuid()
        unit = local_unit(db)
        files = [{"name": p.name, "format": p.suffix[1:], "sha256": hashlib.sha256(outputs[p.suffix[1:]]).hexdigest()}
                 for p in written]
        newly = 0
        with db.write():
            db.execute("INSERT INTO publications(period_from, period_to, made_at, actor, case_count, files, "
                       "redactions, uuid, unit_code, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (start.isoformat(), end.isoformat(), now_iso(), actor, len(notice.rows),
                        json.dumps(files, ensure_ascii=False), json.dumps(notice.redactor.counts()), uuid, unit.code,
                        now_iso()))
            for row in notice.rows:
                db.execute("INSERT OR IGNORE INTO publication_cases(publication_uuid, case_uuid) VALUES (?, ?)",
                           (uuid, row.case_uuid))
                if row.published_on is None:
                    act(db, row.case_uuid, "publish", effective_on=today, today=today,
                        note=f"Công khai trong danh sách kết quả {notice.period_text}",
                        data={"publication_uuid": uuid})
                    newly += 1
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    log.info("public notice %s–%s: %s cases, %s newly published", start, end, len(notice.rows), newly)
    return Made(uuid, tuple(written), len(notice.rows), newly)


def history(db: Database) -> list[dict]:
    return [dict(r) for r in db.query("SELECT * FROM publications ORDER BY id DESC")]
