"""The report forms computed on the hub (issue #19, item 4): for the same data, each commune's row
equals the report its own SQLite register computes, and the province's total is their sum;
completeness per commune and period from the reports the communes issued."""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.reports import engine as register_reports
from desktop.reports import submit
from desktop.reports.periods import period
from desktop.security import accounts
from desktop.storage import cases as case_repo
from desktop.storage.persons import save_person
from desktop.storage.units import save_officer
from desktop.sync import export, keys
from desktop.workflow.engine import act, allowed_actions
from desktop.workflow.receive import CaseInput, ReceptionInput, receive_case, record_reception
from hub import reports as hub_reports
from hub.importer import Keyring, import_files
from hub.trust import trust_register

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import make_register  # noqa: E402

H1 = period("2026-H1")
TODAY = date(2026, 7, 20)
KINDS = ("explanation", "petition", "feedback", "complaint_1", "complaint_2", "denunciation")


def _fill(db, seed: int, cases: int) -> None:
    """A commune's half year through the real workflow: every kind, steps picked at random."""
    rng = random.Random(seed)
    officers = [save_officer(db, full_name=n).uuid for n in ("Lê Thị Mai", "Phan Đức An")]
    head = save_officer(db, full_name="Nguyễn Văn Hùng", title="Chủ tịch", role="head").uuid
    accounts.assume_role(db, "leader", officer_uuid=head)    # the head receives, acts and issues the report
    person = save_person(db, full_name="Trần Thị Đức", id_kind="cccd", id_number="034185001234").uuid
    for i in range(cases // 3):
        record_reception(db, ReceptionInput(
            received_on=date(2025, 12, 20) + timedelta(days=rng.randrange(180)), person_uuid=person,
            content="Hỏi về việc cấp đất", kind=rng.choice(("regular", "periodic", "adhoc")),
            host_uuid=rng.choice((head, officers[0])), case_kind=rng.choice(KINDS), outcome="recorded"), today=TODAY)
    for i in range(cases):
        received = date(2025, 11, 1) + timedelta(days=rng.randrange(230))
        case = receive_case(db, CaseInput(kind=rng.choice(KINDS), received_on=received, summary=f"Vụ việc {i}",
                                          requesters=[person], assignee_uuid=rng.choice(officers)), today=TODAY)
        day = received
        for _ in range(rng.randrange(5)):
            options = [a for a in allowed_actions(case) if a.code not in ("meet", "add_commitment",
                                                                          "complete_commitment")]
            if not options:
                break
            action = rng.choice(options)
            day = day + timedelta(days=rng.randrange(1, 25))
            if day > TODAY:
                break
            ground = None
            if action.requires_ground:
                from desktop.workflow.engine import rules_of

                ground = rules_of(case).grounds[action.requires_ground][0].code
            try:
                case = act(db, case.uuid, action.code, effective_on=day, note="ghi chú",
                           ground=ground, satisfaction=rng.choice(("satisfied", "partly", "unknown")), today=TODAY)
            except UserError:
                break


@pytest.fixture
def country(tmp_path, hub):
    """Two provinces; three communes that filled a half year and sent their bundles to the hub."""
    made = []
    communes = {}
    bundles = []
    for pcode, ccodes in (("01", ("01001", "01002")), ("02", ("02001",))):
        province = make_register(tmp_path / f"tinh-{pcode}.sqlite", code=pcode, name=f"UBND tỉnh {pcode}",
                                 mode="province")
        keys.ensure_keys(province)
        made.append(province)
        for n, code in enumerate(ccodes):
            db = make_register(tmp_path / f"xa-{code}.sqlite", code=code, name=f"UBND xã {code}", mode="commune")
            keys.ensure_keys(db)
            keys.import_key_file(db, keys.parse_key_file(keys.key_file_content(province)))
            keys.import_key_file(province, keys.parse_key_file(keys.key_file_content(db)))
            _fill(db, seed=int(code), cases=40 + 10 * n)
            communes[code] = db
            made.append(db)
        province.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        trust_register(hub, Path(province.path))
    submit.issue_report(communes["01001"], H1, today=date(2026, 6, 15))   # on time
    submit.issue_report(communes["02001"], H1, today=date(2026, 6, 30))   # late
    for code, db in communes.items():
        out = tmp_path / f"{code}.gtb"
        bundles.append(export.export_bundle(db, out).path)
    results = import_files(hub, bundles, keyring=Keyring())
    assert all(r.applied and r.totals()["rejected"] == 0 for r in results), results
    yield communes
    for db in made:
        db.close()


def test_each_communes_row_equals_its_own_register_and_the_total_is_their_sum(hub, country):
    hub_by_form = {r.form.id: r for r in hub_reports.make_reports(hub, H1, province="01")}
    nation = {r.form.id: r for r in hub_reports.make_reports(hub, H1)}
    assert hub_by_form and set(hub_by_form) == set(nation)
    checked = 0
    for code in ("01001", "01002"):
        for own in register_reports.make_reports(country[code], H1):
            mine = own.main_row().values
            row = next(r for r in hub_by_form[own.form.id].rows if r.key == code)
            computed = {no: v for no, v in mine.items() if v is not None}
            assert {no: row.values[no] for no in computed} == computed, (code, own.form.code)
            checked += sum(1 for v in computed.values() if v)
    assert checked > 20            # the data really fills the forms: the comparison is not of zeros
    for form_id, report in hub_by_form.items():
        for leaf in report.form.leaves():
            column = [r.values[leaf.no] for r in report.rows]
            if all(v is not None for v in column):
                assert report.total.values[leaf.no] == sum(column)
        # The nation's report holds the province's two communes and the other province's one.
        assert [r.key for r in nation[form_id].rows] == ["01001", "01002", "02001"]


def test_a_cell_lists_what_it_counts(hub, country):
    run = hub_reports.HubReportRun(hub, H1, hub_reports.Scope("province", "01", "UBND tỉnh 01"))
    try:
        form = run.forms()[0]
        report = run.compute(form)
        leaf = next(leaf for leaf in form.leaves() if leaf.rule and not leaf.rule.manual and not leaf.rule.sum
                    and report.rows[0].values[leaf.no])
        uuids = run.explain(form, leaf.no, report.rows[0].key)
        assert len(uuids) == report.rows[0].values[leaf.no] or leaf.rule.measure != "count"
    finally:
        run.close()


def test_completeness_per_commune_and_period(hub, country):
    board = {s.unit_code: s for s in hub_reports.completeness(hub, H1)}
    assert (board["01001"].status, board["01002"].status, board["02001"].status) == ("on_time", "missing", "late")
    assert board["01001"].symbol.endswith("/BC-UBND")
    assert [s.unit_code for s in hub_reports.completeness(hub, H1, province="02")] == ["02001"]


def test_reports_cli_writes_the_forms_as_xlsx(hub_dsn, hub, country, tmp_path, capsys):
    from desktop.cli import main

    out = tmp_path / "toan-quoc.xlsx"
    assert main(["hub", "reports", "--dsn", hub_dsn, "--period", "2026-H1", "--xlsx", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert out.stat().st_size > 5000 and payload["forms"]
    assert main(["hub", "completeness", "--dsn", hub_dsn, "--period", "2026-H1", "--province", "01"]) == 0
    text = capsys.readouterr().out
    assert "Đúng hạn" in text and "Chưa nộp" in text


def _own_rows(db) -> dict[str, dict]:
    return {r.form.id: {no: v for no, v in r.main_row().values.items() if v is not None}
            for r in register_reports.make_reports(db, H1)}


def _hub_rows(hub, code) -> dict[str, dict]:
    return {r.form.id: next(row.values for row in r.rows if row.key == code)
            for r in hub_reports.make_reports(hub, H1)}


def test_kept_rows_are_read_back_and_only_a_commune_with_a_new_bundle_is_computed_again(hub, country, tmp_path):
    run = hub_reports.HubReportRun(hub, H1, hub_reports.Scope("nation", "", "Toàn quốc"))
    first = {f.id: run.compute(f) for f in run.forms()}
    assert run.computed == ["01001", "01002", "02001"]
    run.close()
    assert _count_rows(hub) == 3 * len(first)
    run = hub_reports.HubReportRun(hub, H1, hub_reports.Scope("nation", "", "Toàn quốc"))
    again = {f.id: run.compute(f) for f in run.forms()}
    assert run.computed == [] and not run.built     # nothing computed: every row read back
    run.close()
    assert {k: (r.rows, r.total) for k, r in again.items()} == {k: (r.rows, r.total) for k, r in first.items()}

    # The commune works on and sends its next bundle: its row is computed again, and only its row.
    db = country["01002"]
    person = db.one("SELECT uuid FROM persons LIMIT 1")["uuid"]
    officer = db.one("SELECT uuid FROM officers WHERE role <> 'head' LIMIT 1")["uuid"]
    for i, kind in enumerate(KINDS):
        receive_case(db, CaseInput(kind=kind, received_on=date(2026, 3, 2 + i), summary=f"Vụ việc thêm {i}",
                                   requesters=[person], assignee_uuid=officer), today=TODAY)
    path = export.export_bundle(db, tmp_path / "next.gtb").path
    (result,) = import_files(hub, [path], keyring=Keyring())
    assert result.applied and not result.direct
    run = hub_reports.HubReportRun(hub, H1, hub_reports.Scope("nation", "", "Toàn quốc"))
    assert run.computed == ["01002"]
    run.close()
    own, held = _own_rows(db), _hub_rows(hub, "01002")
    assert own != {k: {n: v for n, v in r.rows[1].values.items() if v is not None} for k, r in first.items()}
    for form_id, values in own.items():
        assert {no: held[form_id][no] for no in values} == values, form_id


def _count_rows(hub) -> int:
    with hub.cursor() as cur:
        cur.execute("SELECT count(*) FROM hub.report_rows WHERE period_code = %s", (H1.code,))
        n = cur.fetchone()[0]
    hub.rollback()
    return n


def test_a_provinces_reader_computes_its_report_but_keeps_nothing(hub, country):
    from hub.trust import add_reader

    add_reader(hub, "hub_doc_01", "01")
    hub.execute("SET ROLE hub_doc_01")
    try:
        seen = {r.form.id: r for r in hub_reports.make_reports(hub, H1, province="01")}
    finally:
        hub.rollback()
        hub.execute("RESET ROLE")
        hub.commit()
    assert _count_rows(hub) == 0
    own = {r.form.id: r for r in hub_reports.make_reports(hub, H1, province="01")}
    assert _count_rows(hub) == 2 * len(own)
    assert {k: (r.rows, r.total) for k, r in seen.items()} == {k: (r.rows, r.total) for k, r in own.items()}


_FACT_COLUMNS = ("uuid", "kind", "received_on", "accepted_on", "handled_on", "handled_how", "ended_on", "end_action",
                 "state_at_end", "last_due", "first_due", "extended_in", "suspended_in", "published_in", "closed_on",
                 "satisfaction", "ground", "term_ground")


def test_each_cases_facts_equal_the_registers_including_a_suspended_deadline(hub, country, tmp_path):
    """Fact by fact, case by case: a suspended case keeps its old deadline only in what the step
    overwrote (data.before), which is no deadline in force (main's b65731b)."""
    from desktop.storage import report_facts as register_facts

    db = country["01001"]
    person = db.one("SELECT uuid FROM persons LIMIT 1")["uuid"]
    officer = db.one("SELECT uuid FROM officers WHERE role <> 'head' LIMIT 1")["uuid"]
    case = receive_case(db, CaseInput(kind="explanation", received_on=date(2026, 3, 2), summary="Vụ việc tạm đình chỉ",
                                      requesters=[person], assignee_uuid=officer), today=TODAY)
    from desktop.workflow.engine import rules_of

    case = act(db, case.uuid, "accept", effective_on=date(2026, 3, 4), note="ghi chú", today=TODAY)
    case = act(db, case.uuid, "suspend", effective_on=date(2026, 3, 9), note="ghi chú", today=TODAY,
               ground=rules_of(case).grounds["suspension"][0].code)
    suspended = db.one("SELECT data FROM events WHERE case_uuid = ? AND action = 'suspend'", (case.uuid,))
    assert suspended is not None and '"due_on"' in suspended["data"]
    assert "due_on" not in json.loads(suspended["data"])
    (result,) = import_files(hub, [export.export_bundle(db, tmp_path / "next.gtb").path], keyring=Keyring())
    assert result.applied

    cols = ", ".join(_FACT_COLUMNS)
    register_facts.build(db, H1.start, H1.end, "01001")
    own = sorted(tuple(r) for r in db.query(f"SELECT {cols} FROM temp.rp_case WHERE uuid IS NOT NULL"))
    run = hub_reports.HubReportRun(hub, H1, hub_reports.Scope("unit", "01001", "UBND xã 01001"), keep=False)
    run._build(["01001"])
    run.cur.execute(f"SELECT {cols} FROM pg_temp.rp_case WHERE uuid IS NOT NULL")
    held = sorted(tuple(int(v) if isinstance(v, int) else v for v in r) for r in run.cur.fetchall())
    run.close()
    assert len(own) > 20 and any(r[0] == case.uuid for r in own)
    assert held == own


_COMMITMENT_COLUMNS = ("uuid", "unit_code", "assignee_uuid", "made_on", "due_on", "done_on", "dropped", "case_uuid")


def test_each_commitments_facts_equal_the_registers(hub, country, tmp_path):
    """Commitment by commitment: the step that added it (read from the events' stored columns) and
    only the commitments still followed in the period, as the register's builder joins them."""
    from desktop.storage import report_facts as register_facts

    db = country["01001"]
    person = db.one("SELECT uuid FROM persons LIMIT 1")["uuid"]
    officer = db.one("SELECT uuid FROM officers WHERE role <> 'head' LIMIT 1")["uuid"]
    # Received, accepted, answered, then a commitment: done before the period (no longer followed,
    # so counted by no form), done in it, done late, left open, and one added after its end.
    steps = {"before": ("2025-10-01", "2025-12-01"), "in": ("2026-01-05", "2026-02-01"),
             "late": ("2026-02-02", "2026-05-20"), "open": ("2026-03-02", None), "after": ("2026-06-20", None)}
    for name, (made, done) in steps.items():
        received = date.fromisoformat(made) - timedelta(days=20)
        case = receive_case(db, CaseInput(kind="explanation", received_on=received, summary=f"Cam kết {name}",
                                          requesters=[person], assignee_uuid=officer), today=TODAY)
        case = act(db, case.uuid, "accept", effective_on=received + timedelta(days=2), note="ghi chú", today=TODAY)
        case = act(db, case.uuid, "reply", effective_on=received + timedelta(days=10), note="ghi chú", today=TODAY)
        due = (date.fromisoformat(made) + timedelta(days=30)).isoformat()
        case = act(db, case.uuid, "add_commitment", effective_on=date.fromisoformat(made), note="ghi chú",
                   today=TODAY, data={"commitment_due": due})
        if done:
            (k,) = case_repo.list_commitments(db, case.uuid)
            act(db, case.uuid, "complete_commitment", effective_on=date.fromisoformat(done), note="ghi chú",
                today=TODAY, data={"commitment_uuid": k.uuid})
    (result,) = import_files(hub, [export.export_bundle(db, tmp_path / "next.gtb").path], keyring=Keyring())
    assert result.applied

    cols = ", ".join(_COMMITMENT_COLUMNS)
    own, held = [], []
    for code in ("01001", "01002"):
        register_facts.build(country[code], H1.start, H1.end, code)
        own += [tuple(r) for r in country[code].query(f"SELECT {cols} FROM temp.rp_commitment")]
    run = hub_reports.HubReportRun(hub, H1, hub_reports.Scope("province", "01", "UBND tỉnh 01"), keep=False)
    run._build(["01001", "01002"])
    run.cur.execute(f"SELECT {cols} FROM pg_temp.rp_commitment")
    held = sorted(run.cur.fetchall())
    run.close()
    assert len(own) == 3               # in, late, open: neither the one done before nor the one after
    assert held == sorted(own)


def test_a_hub_at_0004_with_data_upgraded_gives_the_same_report(hub, country, tmp_path, pg_cluster):
    """The same provinces and bundles imported into a hub still at 0004, then upgraded: migration
    0005 derives the stored columns of the rows already there, and the report is the same."""
    import psycopg

    from hub.storage import db as hub_db

    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE hub_0005_check")
    old = hub_db.connect(pg_cluster.dsn("hub_0005_check"))
    try:
        hub_db.migrate(old, before="0005")
        for pcode in ("01", "02"):
            trust_register(old, tmp_path / f"tinh-{pcode}.sqlite")
        results = import_files(old, [tmp_path / f"{code}.gtb" for code in country], keyring=Keyring())
        assert all(r.applied for r in results), results
        with old.cursor() as cur:
            cur.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'hub' "
                        "AND table_name = 'events' AND column_name = 'detail'")
            assert cur.fetchone()[0] == 0       # really at 0004
        old.rollback()
        assert hub_db.migrate(old) == ["0005_report_columns"]
        upgraded = {r.form.id: (r.rows, r.total) for r in hub_reports.make_reports(old, H1)}
        fresh = {r.form.id: (r.rows, r.total) for r in hub_reports.make_reports(hub, H1)}
        assert upgraded == fresh and any(v for rows, _ in fresh.values() for r in rows for v in r.values.values())
    finally:
        old.close()
        with psycopg.connect(pg_cluster.dsn(), autocommit=True) as admin:
            admin.execute("DROP DATABASE hub_0005_check WITH (FORCE)")
