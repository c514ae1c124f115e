"""The facts a report counts, as they stood in a period: one row per case, reception, commitment.

For a period ``[start, end]`` this module builds three temporary tables with set-based SQL (one
pass over the events of the cases that matter to the period, read from ``report_events``: each
event's step and the values of its JSON data the facts use, extracted once when the event was
written — migration 0019):

- ``rp_case``: each case received by the cut-off and not settled before the period (of the kinds
  asked for, ``CaseNeed``; the columns the events make that are not asked for are left NULL), with the
  dates of its steps **as recorded by the cut-off** (events with ``effective_on <= end``): first
  handling (leaving "received": accept, refuse, guide, forward, withdraw), acceptance (thụ lý),
  the end of the matter (reply, refusal, guidance, forwarding, termination, withdrawal), its state
  at the cut-off, the deadline in force when it ended (the last deadline an event set before it:
  start of a step, extension, resumption, complexity), extensions, suspension, publication,
  satisfaction. Opening balances (kê khai đầu kỳ, table ``report_openings``) become rows too,
  received the day before the period, so that they count as carried over.
- ``rp_reception``: each reception (lượt tiếp) of the period.
- ``rp_commitment``: each commitment made by the cut-off.

Facts are named SQL conditions over those rows (``FACTS``), each with its Vietnamese meaning; the
report forms (``resources/reports/forms/*.json``) combine them per cell. A cell's value and the
list of what it counts come from the same condition, so a figure always explains itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from desktop.storage.db import Database

# States that end a matter (the rule sets' final states, plus "replied": the answer was given).
END_STATES = ("replied", "refused", "guided", "forwarded", "terminated", "withdrawn", "closed")
_ENDS = ", ".join(f"'{s}'" for s in END_STATES)


@dataclass(frozen=True)
class Fact:
    entity: str      # case | reception | commitment
    sql: str         # a condition over the entity's row (alias r), parameters :s and :e
    label: str       # Vietnamese meaning, shown when a cell explains itself


def _k(kinds: tuple[str, ...]) -> str:
    return "r.kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


FACTS: dict[str, Fact] = {}
KIND_FACTS: dict[str, tuple[str, ...]] = {}   # fact -> the case kinds it admits (only those)


def _fact(name: str, entity: str, sql: str, label: str) -> None:
    FACTS[name] = Fact(entity, sql, label)


# -- cases: kind ----------------------------------------------------------------------------------
for _name, _kinds, _label in (
        ("kn", ("complaint_1", "complaint_2"), "khiếu nại"),
        ("kn1", ("complaint_1",), "khiếu nại lần đầu"),
        ("kn2", ("complaint_2",), "khiếu nại lần hai"),
        ("tc", ("denunciation",), "tố cáo"),
        ("kp", ("petition", "feedback"), "kiến nghị, phản ánh"),
        ("gt", ("explanation",), "yêu cầu giải trình"),
        ("national", ("complaint_1", "complaint_2", "denunciation", "petition", "feedback"),
         "khiếu nại, tố cáo, kiến nghị, phản ánh (không gồm yêu cầu giải trình)")):
    _fact(_name, "case", _k(_kinds), _label)
    KIND_FACTS[_name] = _kinds
for _field, _label in (("land", "đất đai"), ("construction", "xây dựng"), ("environment", "môi trường"),
                       ("justice", "tư pháp"), ("civil_status", "hộ tịch"), ("policy", "chế độ, chính sách"),
                       ("personnel", "cán bộ, công chức"), ("finance", "tài chính"), ("other", "lĩnh vực khác")):
    _fact(f"field_{_field}", "case", f"r.field = '{_field}'", f"lĩnh vực {_label}")
_fact("field_admin", "case", "r.field <> 'justice'", "lĩnh vực hành chính (mọi lĩnh vực trừ tư pháp)")

# -- cases: handling of the petition (xử lý đơn) ----------------------------------------------------
_fact("h_carried", "case", "r.received_on < :s AND (r.handled_on IS NULL OR r.handled_on >= :s)",
      "nhận trước kỳ, chưa xử lý xong khi bắt đầu kỳ (kỳ trước chuyển sang)")
_fact("h_new", "case", "r.received_on >= :s", "tiếp nhận trong kỳ")
_fact("h_total", "case", "(r.received_on >= :s OR r.handled_on IS NULL OR r.handled_on >= :s)",
      "phải xử lý trong kỳ (kỳ trước chuyển sang và tiếp nhận trong kỳ)")
_fact("h_done", "case", "r.handled_on IS NOT NULL AND (r.received_on >= :s OR r.handled_on >= :s)",
      "đã xử lý trong kỳ (đến ngày chốt số liệu)")
_fact("h_pending", "case", "r.handled_on IS NULL", "chưa xử lý tại ngày chốt số liệu (chuyển kỳ sau)")
for _action, _label in (("accept", "thụ lý (thuộc thẩm quyền)"), ("refuse", "từ chối, không thụ lý"),
                        ("guide", "hướng dẫn đến cơ quan có thẩm quyền"), ("forward", "chuyển đơn"),
                        ("withdraw", "người gửi rút đơn")):
    _fact(f"h_{_action}", "case", f"r.handled_how = '{_action}'", f"xử lý bằng cách {_label}")
_fact("h_not_competent", "case", "r.handled_how IN ('guide', 'forward')",
      "không thuộc thẩm quyền (hướng dẫn hoặc chuyển đơn)")
_fact("h_on_time", "case", "r.handled_on IS NOT NULL AND (r.first_due IS NULL OR r.handled_on <= r.first_due)",
      "xử lý trong thời hạn của bước đầu")
_fact("h_late", "case", "r.handled_on IS NOT NULL AND r.first_due IS NOT NULL AND r.handled_on > r.first_due",
      "xử lý quá thời hạn của bước đầu")
_fact("h_in_period", "case", "r.handled_on >= :s", "xử lý trong kỳ")

# TT 06/2025/TT-TTCP 02/XLD–04/GQTC read a case's registration as its classification (research
# note, option b): every petition to handle is "đã xử lý"; guided or forwarded ones are outside
# competence; the others (accepted, refused = không thụ lý, withdrawn, still waiting) are within.
_fact("x_competent", "case", "coalesce(r.handled_how, '') NOT IN ('guide', 'forward')",
      "thuộc thẩm quyền (không hướng dẫn, không chuyển đơn)")
_fact("x_withdrawn", "case",
      "(r.end_action = 'withdraw' OR (r.end_action = 'terminate' AND r.term_ground = 'withdrawn'))",
      "rút toàn bộ nội dung (đã đình chỉ giải quyết)")
_fact("x_other_field_kn", "case", "r.field NOT IN ('land', 'policy')", "lĩnh vực khác (không phải đất đai, chế độ chính sách)")
_fact("x_admin_field", "case", "r.field IN ('land', 'construction', 'environment', 'civil_status', 'policy', "
      "'personnel', 'finance')", "lĩnh vực hành chính (chế độ chính sách, đất đai, công chức công vụ …)")
_fact("decided_in", "case", "r.end_action = 'reply' AND r.ended_on >= :s",
      "ban hành quyết định, kết luận, văn bản trả lời trong kỳ")

# -- cases: resolution of accepted matters (giải quyết thuộc thẩm quyền) ---------------------------------
_fact("r_carried", "case", "r.accepted_on < :s AND (r.ended_on IS NULL OR r.ended_on >= :s)",
      "đã thụ lý trước kỳ, chưa giải quyết xong khi bắt đầu kỳ (kỳ trước chuyển sang)")
_fact("r_new", "case", "r.accepted_on >= :s", "thụ lý trong kỳ")
_fact("r_total", "case", "r.accepted_on IS NOT NULL AND (r.accepted_on >= :s OR r.ended_on IS NULL OR r.ended_on >= :s)",
      "phải giải quyết trong kỳ (kỳ trước chuyển sang và thụ lý trong kỳ)")
_fact("r_done", "case", "r.accepted_on IS NOT NULL AND r.ended_on >= :s",
      "đã giải quyết trong kỳ (đến ngày chốt số liệu)")
_fact("r_pending", "case", "r.accepted_on IS NOT NULL AND r.ended_on IS NULL", "đang giải quyết tại ngày chốt")
_fact("r_decided", "case", "r.end_action = 'reply'", "giải quyết bằng văn bản (quyết định, kết luận, trả lời)")
_fact("r_withdrawn", "case", "r.end_action = 'withdraw'", "người yêu cầu rút toàn bộ")
_fact("r_terminated", "case", "r.end_action = 'terminate'", "đình chỉ giải quyết")
_fact("r_on_time", "case", "r.end_action = 'reply' AND (r.last_due IS NULL OR r.ended_on <= r.last_due)",
      "giải quyết đúng thời hạn (so với thời hạn có hiệu lực khi giải quyết)")
_fact("r_late", "case", "r.end_action = 'reply' AND r.last_due IS NOT NULL AND r.ended_on > r.last_due",
      "giải quyết quá thời hạn")
_fact("overdue_at_end", "case",
      "r.ended_on IS NULL AND r.state_at_end <> 'suspended' AND r.last_due IS NOT NULL AND r.last_due < :e",
      "chưa giải quyết và đã quá hạn tại ngày chốt (không tính vụ việc đang tạm đình chỉ)")
_fact("suspended_at_end", "case", "r.state_at_end = 'suspended'", "đang tạm đình chỉ tại ngày chốt")

# -- cases: steps within the period (the accountability report) --------------------------------------
_fact("accepted_in", "case", "r.accepted_on >= :s", "tiếp nhận (thụ lý) trong kỳ")
_fact("refused_in", "case", "r.handled_how = 'refuse' AND r.handled_on >= :s", "từ chối trong kỳ")
_fact("guided_in", "case", "r.handled_how = 'guide' AND r.handled_on >= :s", "hướng dẫn trong kỳ")
_fact("explained_in", "case", "r.end_action = 'reply' AND r.ended_on >= :s", "đã trả lời, giải trình trong kỳ")
_fact("extended_in", "case", "r.extended_in > 0", "gia hạn trong kỳ")
_fact("suspended_in", "case", "r.suspended_in > 0", "tạm đình chỉ trong kỳ")
_fact("terminated_in", "case", "r.end_action = 'terminate' AND r.ended_on >= :s", "đình chỉ trong kỳ")
_fact("withdrawn_in", "case", "r.end_action = 'withdraw' AND r.ended_on >= :s", "rút yêu cầu trong kỳ")
_fact("published_in", "case", "r.published_in > 0", "công khai kết quả trong kỳ")
_fact("closed_in", "case", "r.closed_on >= :s", "kết thúc hồ sơ trong kỳ")
for _level, _label in (("satisfied", "hài lòng"), ("partly", "hài lòng một phần"),
                       ("unsatisfied", "không hài lòng"), ("unknown", "không có ý kiến")):
    _fact(f"sat_{_level}", "case", f"r.satisfaction = '{_level}'", f"người yêu cầu {_label}")
for _ground in ("art4_conditions", "out_of_scope", "already_explained", "already_accepted", "conduct",
                "representative_papers", "other"):
    _fact(f"ground_{_ground}", "case", f"r.ground = '{_ground}'", f"lý do từ chối “{_ground}”")

# -- receptions ------------------------------------------------------------------------------------------
for _name, _sql, _label in (
        ("regular", "r.kind = 'regular'", "tiếp thường xuyên"),
        ("staff_regular", "r.kind = 'regular' AND r.host_is_head = 0",
         "tiếp thường xuyên (không do Thủ trưởng tiếp)"),
        ("head_in_person", "(r.kind IN ('periodic', 'adhoc') AND r.by_deputy = 0) OR (r.kind = 'regular' "
                           "AND r.host_is_head = 1)", "Thủ trưởng trực tiếp tiếp (kể cả tiếp thường xuyên)"),
        ("head_deputy", "r.kind IN ('periodic', 'adhoc') AND r.by_deputy = 1",
         "người được Thủ trưởng ủy quyền tiếp định kỳ, đột xuất"),
        ("periodic", "r.kind = 'periodic'", "tiếp định kỳ của người đứng đầu"),
        ("adhoc", "r.kind = 'adhoc'", "tiếp đột xuất của người đứng đầu"),
        ("by_head", "r.kind IN ('periodic', 'adhoc')", "tiếp định kỳ và đột xuất của người đứng đầu"),
        ("in_person", "r.by_deputy = 0", "người đứng đầu trực tiếp tiếp"),
        ("deputy", "r.by_deputy = 1", "người được ủy quyền tiếp"),
        ("first_time", "r.first_time = 1", "tiếp lần đầu"),
        ("repeat", "r.first_time = 0", "tiếp nhiều lần"),
        ("group", "r.people_count >= 5", "đoàn đông người (từ 05 người)"),
        ("rc_kn", "r.case_kind IN ('complaint_1', 'complaint_2')", "nội dung khiếu nại"),
        ("rc_tc", "r.case_kind = 'denunciation'", "nội dung tố cáo"),
        ("rc_kp", "r.case_kind IN ('petition', 'feedback')", "nội dung kiến nghị, phản ánh"),
        ("rc_gt", "r.case_kind = 'explanation'", "nội dung yêu cầu giải trình"),
        ("rc_other", "r.case_kind NOT IN ('complaint_1', 'complaint_2', 'denunciation', 'petition', 'feedback', "
                     "'explanation')", "nội dung chưa phân loại"),
        ("competent", "r.within_competence = 1", "thuộc thẩm quyền"),
        ("not_competent", "r.within_competence = 0", "không thuộc thẩm quyền"),
        ("out_guided", "r.outcome = 'guided'", "hướng dẫn"),
        ("out_forwarded", "r.outcome = 'forwarded'", "chuyển đơn"),
        ("out_accepted", "r.outcome = 'accepted'", "tiếp nhận, thụ lý"),
        ("out_answered", "r.outcome = 'answered'", "trả lời trực tiếp")):
    _fact(_name, "reception", _sql, _label)

# -- commitments -----------------------------------------------------------------------------------------
_fact("c_made_in", "commitment", "r.made_on >= :s", "cam kết ghi nhận trong kỳ")
_fact("c_done", "commitment", "r.done_on IS NOT NULL", "đã thực hiện đến ngày chốt")
_fact("c_done_on_time", "commitment", "r.done_on IS NOT NULL AND (r.due_on IS NULL OR r.done_on <= r.due_on)",
      "thực hiện đúng hạn")
_fact("c_done_late", "commitment", "r.done_on IS NOT NULL AND r.due_on IS NOT NULL AND r.done_on > r.due_on",
      "thực hiện quá hạn")
_fact("c_overdue", "commitment", "r.done_on IS NULL AND r.dropped = 0 AND r.due_on IS NOT NULL AND r.due_on < :e",
      "chưa thực hiện, đã quá hạn tại ngày chốt")
_fact("c_open", "commitment", "r.done_on IS NULL AND r.dropped = 0", "đang theo dõi tại ngày chốt")
_fact("c_followed", "commitment", "r.dropped = 0 AND (r.made_on >= :s OR r.done_on IS NULL OR r.done_on >= :s)",
      "phải theo dõi trong kỳ")

TABLES = {"case": "temp.rp_case", "reception": "temp.rp_reception", "commitment": "temp.rp_commitment"}

# What a cell may add up besides counting rows: entity -> measure -> (SQL of one row's amount, label).
MEASURES = {
    "case": {"count": ("1", "số vụ việc"),
             "late_days": ("max(julianday(r.ended_on) - julianday(r.last_due), 0)", "số ngày quá hạn")},
    "reception": {"count": ("1", "số lượt tiếp"), "people": ("r.people_count", "số người")},
    "commitment": {"count": ("1", "số cam kết")},
}
# Measures counted as distinct values rather than summed: entity -> measure -> SQL of the key.
DISTINCT = {"reception": {"matters": ("r.matter", "số vụ việc"), "days": ("r.received_on", "số kỳ (ngày) tiếp")}}


# The cases that can matter to a period: still open, or settled (or published) since its start. Each
# branch is served by an index (0009), so a province's millions of long-settled cases are not read.
RELEVANT = ("SELECT id FROM cases WHERE closed_on IS NULL UNION ALL SELECT id FROM cases WHERE closed_on >= :s "
            "UNION ALL SELECT id FROM cases WHERE published_on >= :s")


# The columns of ``rp_case`` that the events make, each group from one or two aggregates over the case's
# events up to the cut-off. A form reads a few of them: each group is built only when a form reads it
# (``CaseNeed``). "First/last event such that …" is the min/max of a key that sorts by (date,) seq and
# carries the value after it: seq as six digits. FILTER, not CASE inside the aggregate: a row the filter
# refuses does not call the aggregate at all (most of a case's events concern none of these columns).
_SEQ = "substr(1000000 + e.seq, 2)"
_HANDLED = (f"min(e.effective_on || {_SEQ} || e.action) "
            "FILTER (WHERE e.from_state = 'received' AND e.to_state <> 'received')")
_ENDED = (f"min(e.effective_on || {_SEQ} || e.action) "
          f"FILTER (WHERE e.to_state IN ({_ENDS}) AND coalesce(e.from_state, '') NOT IN ({_ENDS}))")
_LAST_DUE = f"max({_SEQ} || e.due_mark) FILTER (WHERE e.due_mark IS NOT NULL)"
_STEPS_IN = ("coalesce(sum((e.action = 'extend') + 1000 * (e.action = 'suspend') + 1000000 * (e.action = 'publish')) "
             "FILTER (WHERE e.effective_on >= :s AND e.action IN ('extend', 'suspend', 'publish')), 0)")
_CLOSED = f"min({_SEQ} || e.effective_on || coalesce(e.satisfaction, '')) FILTER (WHERE e.action = 'close')"
CASE_COLUMNS: dict[str, str] = {   # column -> its SQL (over the case c and its events e, grouped by case)
    "accepted_on": "min(e.effective_on) FILTER (WHERE e.action = 'accept')",
    "handled_on": f"substr({_HANDLED}, 1, 10)", "handled_how": f"substr({_HANDLED}, 17)",
    "ended_on": f"substr({_ENDED}, 1, 10)", "end_action": f"substr({_ENDED}, 17)",
    "state_at_end": f"substr(max({_SEQ} || e.to_state), 7)",
    "last_due": f"nullif(substr({_LAST_DUE}, 7), '-')",
    "first_due": "min(nullif(e.due_mark, '-')) FILTER (WHERE e.action = 'receive')",
    "extended_in": f"{_STEPS_IN} % 1000", "suspended_in": f"{_STEPS_IN} / 1000 % 1000",
    "published_in": f"{_STEPS_IN} / 1000000",
    "closed_on": f"substr({_CLOSED}, 7, 10)", "satisfaction": f"nullif(substr({_CLOSED}, 17), '')",
    "ground": "max(e.ground) FILTER (WHERE e.action = 'refuse')",
    "term_ground": "max(e.ground) FILTER (WHERE e.action = 'terminate')",
}
@dataclass(frozen=True)
class CaseNeed:
    """What of ``rp_case`` a form reads: the event-made columns (``CASE_COLUMNS``) and the case kinds
    (``None``: every kind). A form's every cell counts only cases of some kinds (02/XLD the national
    kinds, GT-01 requests for explanation): the cases of other kinds are not read at all."""
    columns: frozenset[str] = frozenset(CASE_COLUMNS)
    kinds: frozenset[str] | None = None

    def covers(self, other: "CaseNeed") -> bool:
        return other.columns <= self.columns and (self.kinds is None or (
            other.kinds is not None and other.kinds <= self.kinds))


ALL_CASES = CaseNeed()


def columns_read(*sql: str) -> frozenset[str]:
    """The event-made columns of ``rp_case`` that these conditions or amounts (over the row ``r``) read."""
    import re

    return frozenset(c for text in sql for c in re.findall(r"\br\.(\w+)", text) if c in CASE_COLUMNS)


def _kinds_sql(kinds: frozenset[str] | None, column: str) -> str:
    return f"AND {column} IN ({', '.join(repr(k) for k in sorted(kinds))})" if kinds is not None else ""


def _build_case_sql(unit_code: str | None, need: CaseNeed = ALL_CASES) -> str:
    unit = "AND c.unit_code = :u" if unit_code else ""
    # One aggregate query, no subquery: each column is read off its aggregate where it is made (SQLite
    # computes an aggregate written twice, e.g. ``handled`` for the date and the action, once). Through a
    # subquery every case row was produced, copied and read again: 5-12 % of the build on the 1M register
    # (measured, issue #14). A column no form of this run reads is NULL, never computed.
    made = ",\n           ".join(f"{CASE_COLUMNS[c] if c in need.columns else 'NULL'} AS {c}" for c in CASE_COLUMNS)
    return f"""
    CREATE TEMP TABLE rp_case AS
    SELECT c.id AS id, c.uuid AS uuid, NULL AS opening_uuid, c.unit_code AS unit_code, c.kind AS kind,
           c.field AS field, c.assignee_uuid AS assignee_uuid, c.received_on AS received_on,
           {made}
    FROM cases c JOIN report_events e ON e.case_uuid = c.uuid AND e.effective_on <= :e
    WHERE c.id IN ({RELEVANT}) AND c.received_on <= :e {unit} {_kinds_sql(need.kinds, "c.kind")}
    GROUP BY c.id"""


def _opening_rows_sql(unit_code: str | None, need: CaseNeed = ALL_CASES) -> str:
    """Opening balances as rows: ``unhandled`` petitions not yet handled and ``unresolved``
    accepted matters, received (and accepted) the day before the period that holds ``as_of``."""
    unit = ("AND o.unit_code = :u " if unit_code else "") + _kinds_sql(need.kinds, "o.kind")
    return f"""
    INSERT INTO temp.rp_case (id, uuid, opening_uuid, unit_code, kind, field, assignee_uuid, received_on,
                              accepted_on, handled_on, handled_how, ended_on, end_action, state_at_end,
                              last_due, first_due, extended_in, suspended_in, published_in, closed_on,
                              satisfaction, ground, term_ground)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                            WHERE i < (SELECT coalesce(max(unhandled + unresolved), 0) FROM report_openings))
    SELECT NULL, NULL, o.uuid, o.unit_code, o.kind, 'other', NULL, :before,
           CASE WHEN n.i <= o.unresolved THEN :before END,
           CASE WHEN n.i <= o.unresolved THEN :before END,
           CASE WHEN n.i <= o.unresolved THEN 'accept' END,
           NULL, NULL, CASE WHEN n.i <= o.unresolved THEN 'accepted' ELSE 'received' END,
           NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL
    FROM report_openings o JOIN n ON n.i <= o.unhandled + o.unresolved
    WHERE o.as_of BETWEEN :s AND :e {unit}"""


ENTITIES = ("case", "reception", "commitment")


def parameters(start: date, end: date, unit_code: str | None = None) -> dict:
    """The SQL parameters of a period's facts (``:s``, ``:e``, ``:before``, ``:u``)."""
    params = {"s": start.isoformat(), "e": end.isoformat(), "before": (start - timedelta(days=1)).isoformat()}
    if unit_code:
        params["u"] = unit_code
    return params


def drop(db: Database) -> None:
    """Forget the fact tables on this connection (every one, whichever period built it)."""
    # The facts live in memory, not in a temporary file: a province's period is a hundred thousand
    # rows and more, and writing them through the file cost a fifth of building them (measured on the
    # 1M-case register). SQLite refuses the switch inside a transaction (and the switch drops the
    # connection's temporary tables, all of them transient): then the facts go where they went.
    if not db.conn.in_transaction and db.scalar("PRAGMA temp_store") != 2:
        db.execute("PRAGMA temp_store = MEMORY")
    for table in TABLES.values():
        db.execute(f"DROP TABLE IF EXISTS {table}")


def build_entity(db: Database, entity: str, params: dict, need: CaseNeed = ALL_CASES) -> None:
    """Build one fact table (``TABLES[entity]``) of the period ``params`` describes (``parameters``);
    of ``rp_case``, what ``need`` says (every column and kind unless told)."""
    unit_code = params.get("u")
    if entity == "case":
        db.execute("DROP TABLE IF EXISTS temp.rp_case")
        db.execute(_build_case_sql(unit_code, need), params)
        if db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_openings'") and db.one(
                "SELECT 1 FROM report_openings WHERE as_of BETWEEN :s AND :e LIMIT 1", params):
            db.execute(_opening_rows_sql(unit_code, need), params)
    elif entity == "reception":
        unit = "AND unit_code = :u" if unit_code else ""
        db.execute(f"""
            CREATE TEMP TABLE rp_reception AS
            SELECT id, uuid, unit_code, host_uuid AS assignee_uuid, received_on, kind, by_deputy, people_count,
                   first_time, case_kind, within_competence, outcome, coalesce(case_uuid, uuid) AS matter,
                   coalesce((SELECT o.role = 'head' FROM officers o WHERE o.uuid = receptions.host_uuid), 0)
                       AS host_is_head
            FROM receptions WHERE received_on BETWEEN :s AND :e {unit}""", params)
    elif entity == "commitment":
        unit = "AND c.unit_code = :u" if unit_code else ""
        db.execute(f"""
            CREATE TEMP TABLE rp_commitment AS
            SELECT c.id, c.uuid, c.unit_code, k.assignee_uuid, e.effective_on AS made_on, c.due_on,
                   CASE WHEN c.done_on <= :e THEN c.done_on END AS done_on,
                   (c.status = 'dropped') AS dropped, c.case_uuid
            FROM commitments c
            CROSS JOIN report_events e ON e.case_uuid = c.case_uuid AND e.action = 'add_commitment'
                          AND e.commitment_uuid = c.uuid
            JOIN cases k ON k.uuid = c.case_uuid
            WHERE e.effective_on <= :e AND (c.done_on IS NULL OR c.done_on >= :s) {unit}""", params)
    else:
        raise ValueError(entity)


def build(db: Database, start: date, end: date, unit_code: str | None = None) -> dict:
    """(Re)build the period's three fact tables on this connection; returns the SQL parameters."""
    params = parameters(start, end, unit_code)
    drop(db)
    for entity in ENTITIES:
        build_entity(db, entity, params)
    return params


def monthly_series(db: Database, params: dict, start_day: int) -> list[tuple[str, int, int, int, int]]:
    """Per report month of the period (months run from ``start_day``): (month "YYYY-MM", cases
    received, matters ended, decisions on time, decisions) — read from ``rp_case`` as built."""
    def bucket(col: str) -> str:
        if start_day <= 1:
            return f"strftime('%Y-%m', {col})"
        return (f"strftime('%Y-%m', {col}, 'start of month', CASE WHEN cast(strftime('%d', {col}) AS INTEGER) "
                f">= {int(start_day)} THEN '+1 month' ELSE '+0 month' END)")

    received = dict(db.query(f"SELECT {bucket('r.received_on')}, count(*) FROM temp.rp_case r "
                             "WHERE r.received_on >= :s AND r.uuid IS NOT NULL GROUP BY 1", params))
    ended = {row[0]: row[1:] for row in db.query(
        f"SELECT {bucket('r.ended_on')}, count(*), sum({FACTS['r_on_time'].sql}), sum(r.end_action = 'reply') "
        "FROM temp.rp_case r WHERE r.ended_on >= :s GROUP BY 1", params)}
    months = sorted(set(received) | set(ended))
    return [(m, received.get(m, 0), *(ended.get(m) or (0, 0, 0))) for m in months]


def overdue_by_officer(db: Database, params: dict) -> list[tuple[str, int]]:
    """Matters overdue and unresolved at the cut-off, per officer (name), most first."""
    rows = db.query(f"SELECT coalesce(o.full_name, 'Chưa phân công'), count(*) FROM temp.rp_case r "
                    f"LEFT JOIN officers o ON o.uuid = r.assignee_uuid WHERE {FACTS['overdue_at_end'].sql} "
                    "GROUP BY 1 ORDER BY 2 DESC, 1", params)
    return [(r[0], r[1]) for r in rows]
