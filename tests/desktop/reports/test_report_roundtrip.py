"""Commune → province and back: issue, bundle, completeness, accept, receipt, lock, correction, the
next report lists it, reopen, and the province's consolidation sums the communes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.errors import UserError
from desktop.reports import locks, submit
from desktop.reports.engine import make_reports
from desktop.reports.periods import period
from desktop.security import accounts
from desktop.storage.db import open_database
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer, save_unit
from desktop.sync import export, importer, keys, receipts
from desktop.workflow.engine import act
from desktop.workflow.receive import CaseInput, receive_case

PASS = "mật khẩu thử nghiệm"
TODAY = date(2026, 7, 1)
H1 = period("2026-H1")


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", PASS)


def _register(path, code, name, mode):
    """A register whose administrator is logged in (keys, bundles and receipts are theirs)."""
    db = open_database(path)
    save_unit(db, code=code, name=name, level="province" if mode == "province" else "commune",
              place_name=name.split()[-1], make_local=True, mode=mode)
    if mode == "province":
        db.set_setting("register_mode", "province")
    accounts.assume_role(db, "admin")
    keys.ensure_keys(db)
    return db


def _commune(tmp_path, province, code, name):
    """A commune whose head is logged in (cases, reports), its keys exchanged by the administrators."""
    db = _register(tmp_path / f"xa-{code}.sqlite", code, name, "commune")
    keys.import_key_file(db, keys.parse_key_file(keys.key_file_content(province)))
    keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(db)))
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head")
    accounts.assume_role(db, "leader", officer_uuid=head.uuid)
    return db


def _with(db, role, fn, *args, **kwargs):
    """``fn`` done by ``role`` on ``db`` (the head accepts a report, the administrator imports a
    receipt), then back to whoever was logged in."""
    saved = db.principal
    accounts.assume_role(db, role)
    try:
        return fn(*args, **kwargs)
    finally:
        db.principal = saved


def _explanations(db, n, received):
    person = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234").uuid
    out = []
    for i in range(n):
        case = receive_case(db, CaseInput(kind="explanation", received_on=received + timedelta(days=i),
                                          summary=f"Yêu cầu giải trình {i}", requesters=[person]), today=TODAY)
        out.append(act(db, case.uuid, "accept", effective_on=received + timedelta(days=i + 2),
                       today=TODAY))
    return out


def _send(commune, province, outdir, code):
    bundle = export.export_bundle(commune, outdir)
    importer.apply(province, bundle.path, accept_sequence=True)
    return bundle


def test_issue_accept_lock_correct_and_consolidate(tmp_path):
    outdir = tmp_path / "usb"
    outdir.mkdir()
    province = _register(tmp_path / "tinh.sqlite", "01", "Ủy ban nhân dân tỉnh Thử Nghiệm", "province")
    a = _commune(tmp_path, province, "11230", "Ủy ban nhân dân xã Thụy Hùng")
    b = _commune(tmp_path, province, "11231", "Ủy ban nhân dân xã Thụy Lâm")
    c = _commune(tmp_path, province, "11232", "Ủy ban nhân dân xã Thụy Sơn")
    cases_a = _explanations(a, 3, date(2026, 2, 2))
    _explanations(b, 2, date(2026, 3, 2))
    _send(c, province, outdir, "11232")                     # known to the province, never reports

    with pytest.raises(UserError) as early:
        submit.issue_report(a, H1, today=date(2026, 6, 10))
    assert early.value.code == "report_too_early"
    issued = submit.issue_report(a, H1, today=date(2026, 6, 15))
    assert issued.symbol.endswith("/BC-UBND") and issued.figures["gt01"]["11230"]["3"] == 3
    with pytest.raises(UserError):
        submit.issue_report(a, H1, today=date(2026, 6, 16))
    submit.issue_report(b, H1, today=date(2026, 6, 25))   # late: due 17/6 (TT 06/2025 Art. 7(2)(a))

    _send(a, province, outdir, "11230")
    _send(b, province, outdir, "11231")
    board = {x.unit_code: x for x in submit.completeness(province, H1)}
    assert (board["11230"].status, board["11231"].status, board["11232"].status) == ("on_time", "late", "missing")
    assert board["11230"].due_on == date(2026, 6, 17)

    at_province = submit.latest(province, "11230", H1.code)
    assert at_province.digest == issued.digest and at_province.figures == issued.figures
    _with(province, "leader", submit.accept, province, at_province.uuid)
    _with(province, "leader", submit.accept, province, submit.latest(province, "11231", H1.code).uuid)

    # The consolidated report: a row per commune, the province's own, the total; the missing commune.
    merged = submit.consolidate(province, H1)
    gt = next(r for r in merged.reports if r.form.code == "GT-01")
    by_unit = {r.key: r.values for r in gt.rows}
    assert by_unit["11230"][3] == 3 and by_unit["11231"][3] == 2 and gt.total.values[3] == 5
    assert merged.missing == [("11232", "Ủy ban nhân dân xã Thụy Sơn")]

    # Before the receipt the commune's period is open; after it, locked.
    assert locks.locked_reports(a, "11230") == []
    _with(a, "admin", receipts.import_receipt, a, receipts.write_receipt(province, "11230", outdir))
    assert [r.period_code for r in locks.locked_reports(a, "11230")] == ["2026-H1"]

    # A step dated in the locked period needs a reason and is recorded as a correction.
    with pytest.raises(UserError) as locked:
        act(a, cases_a[0].uuid, "reply", effective_on=date(2026, 6, 10), today=TODAY)
    assert locked.value.code == "period_locked" and "6 tháng đầu năm 2026" in locked.value.message
    act(a, cases_a[0].uuid, "reply", effective_on=date(2026, 6, 10), today=TODAY,
        correction_reason="Văn bản giải trình ban hành ngày 10/6 nhưng nhập sổ muộn")
    act(a, cases_a[1].uuid, "reply", effective_on=date(2026, 6, 20), today=TODAY)   # after: no lock
    person = save_person(a, full_name="Phạm Văn Bình", id_kind="cccd", id_number="034185009999").uuid
    late = CaseInput(kind="explanation", received_on=date(2026, 6, 1), summary="Nhập muộn", requesters=[person])
    with pytest.raises(UserError):
        receive_case(a, late, today=TODAY)
    receive_case(a, late, today=TODAY, correction_reason="Đơn nhận ngày 01/6, vào sổ muộn")
    assert a.scalar("SELECT count(*) FROM report_corrections") == 2

    # The next report lists the correction: original against corrected figures.
    pending = locks.pending_corrections(a, "11230")
    lines = locks.corrected_figures(a, pending)
    explained = next(x for x in lines if x.form == "GT-01" and x.no == 16)
    assert (explained.original, explained.corrected) == (0, 1)
    received = next(x for x in lines if x.form == "GT-01" and x.no == 3)
    assert (received.original, received.corrected) == (3, 4)
    q3 = submit.issue_report(a, period("2026-Q3"), today=date(2026, 9, 20))
    assert [x["uuid"] for x in q3.corrections] == [p["uuid"] for p in pending]
    assert locks.pending_corrections(a, "11230") == []
    pdf = submit.render(a, q3)
    assert pdf.startswith(b"%PDF")

    # The province reopens with a reason; the receipt unlocks the commune, which may issue again.
    with pytest.raises(UserError):
        _with(province, "leader", submit.reopen, province, at_province.uuid, reason=" ")
    _with(province, "leader", submit.reopen, province, at_province.uuid, reason="Số liệu giải trình cần cập nhật")
    _send(a, province, outdir, "11230")
    _with(a, "admin", receipts.import_receipt, a, receipts.write_receipt(province, "11230", outdir))
    assert locks.locked_reports(a, "11230") == []
    again = submit.issue_report(a, H1, today=date(2026, 9, 21))
    assert again.revision == 2 and again.figures["gt01"]["11230"]["16"] == 1
    for db in (a, b, c, province):
        db.close()


def test_a_receipt_accepting_other_figures_is_refused(tmp_path):
    outdir = tmp_path / "usb"
    outdir.mkdir()
    province = _register(tmp_path / "tinh.sqlite", "01", "Ủy ban nhân dân tỉnh Thử Nghiệm", "province")
    a = _commune(tmp_path, province, "11230", "Ủy ban nhân dân xã Thụy Hùng")
    _explanations(a, 1, date(2026, 2, 2))
    submit.issue_report(a, H1, today=date(2026, 6, 15))
    _send(a, province, outdir, "11230")
    report = submit.latest(province, "11230", H1.code)
    _with(province, "leader", submit.accept, province, report.uuid)
    with province.write():
        province.execute("UPDATE report_reviews SET digest = ?", ("0" * 64,))
    path = receipts.write_receipt(province, "11230", outdir)
    with pytest.raises(UserError) as err:
        _with(a, "admin", receipts.import_receipt, a, path)
    assert err.value.code == "bad_receipt"
    assert locks.locked_reports(a, "11230") == [] and a.scalar("SELECT count(*) FROM report_reviews") == 0
    assert make_reports(a, H1)
    for db in (a, province):
        db.close()
