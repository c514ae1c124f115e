"""0001: the register — units, officers, people, receptions, cases, events, commitments, calendar.

Every synchronised record carries a global ``uuid``, the ``unit_code`` of the unit that owns it
and a ``version`` bumped on each change, so that bundles merge without guessing (issue #5).
Events are append-only (triggers) and hash-chained per owning unit.
"""

from __future__ import annotations

NAME = "0001_register"

_SYNCED = """
    uuid TEXT NOT NULL UNIQUE,
    unit_code TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
"""

STATEMENTS = [
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    f"""CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,            -- administrative code (mã ĐVHC) or an agreed code
        name TEXT NOT NULL,                   -- "Ủy ban nhân dân xã Thụy Hùng"
        governing_body TEXT NOT NULL DEFAULT '',
        abbreviation TEXT NOT NULL DEFAULT '',  -- in document symbols: 12/TB-UBND
        place_name TEXT NOT NULL DEFAULT '',    -- in date lines: "Thụy Hùng, ngày …"
        parent_code TEXT,
        level TEXT NOT NULL DEFAULT 'commune' CHECK (level IN ('province', 'commune', 'regional', 'other')),
        is_remote INTEGER NOT NULL DEFAULT 0,   -- vùng sâu, vùng xa: longer complaint periods
        {_SYNCED}
    )""",
    f"""CREATE TABLE officers (
        id INTEGER PRIMARY KEY,
        full_name TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',         -- "Chủ tịch", "Phó Chủ tịch", "Công chức Văn phòng - Thống kê"
        role TEXT NOT NULL DEFAULT 'officer' CHECK (role IN ('head', 'deputy', 'officer')),
        can_sign INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        {_SYNCED}
    )""",
    f"""CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'organisation')),
        full_name TEXT NOT NULL,
        id_kind TEXT NOT NULL DEFAULT '' CHECK (id_kind IN ('', 'cccd', 'cmnd', 'passport', 'other')),
        id_number TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        representative TEXT NOT NULL DEFAULT '',  -- for an organisation: who speaks for it
        search_text TEXT NOT NULL DEFAULT '',     -- folded (no diacritics, đ→d) for FTS
        name_key TEXT NOT NULL DEFAULT '',        -- Vietnamese order, given name first
        {_SYNCED}
    )""",
    "CREATE INDEX persons_name ON persons(name_key)",
    "CREATE INDEX persons_id_number ON persons(id_number) WHERE id_number <> ''",
    "CREATE INDEX persons_phone ON persons(phone) WHERE phone <> ''",
    f"""CREATE TABLE receptions (
        id INTEGER PRIMARY KEY,
        received_on TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'periodic', 'adhoc')),
        host_uuid TEXT,                         -- officer who received (or the head)
        by_deputy INTEGER NOT NULL DEFAULT 0,   -- the head received through an authorised deputy
        person_uuid TEXT,                       -- the citizen (or the group's first representative)
        people_count INTEGER NOT NULL DEFAULT 1 CHECK (people_count >= 1),
        first_time INTEGER NOT NULL DEFAULT 1,
        case_kind TEXT NOT NULL DEFAULT '',     -- complaint / denunciation / petition … (Mẫu 03/TCD)
        content TEXT NOT NULL DEFAULT '',
        previous_handling TEXT NOT NULL DEFAULT '',
        request TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL DEFAULT 'recorded'
            CHECK (outcome IN ('recorded', 'accepted', 'guided', 'forwarded', 'answered')),
        within_competence INTEGER NOT NULL DEFAULT 1,
        guided_to TEXT NOT NULL DEFAULT '',
        forwarded_to TEXT NOT NULL DEFAULT '',
        doc_ref TEXT NOT NULL DEFAULT '',
        follow_up TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        case_uuid TEXT,
        search_text TEXT NOT NULL DEFAULT '',
        {_SYNCED}
    )""",
    "CREATE INDEX receptions_page ON receptions(received_on DESC, id DESC)",
    f"""CREATE TABLE reception_people (
        id INTEGER PRIMARY KEY,
        reception_uuid TEXT NOT NULL REFERENCES receptions(uuid),
        person_uuid TEXT NOT NULL REFERENCES persons(uuid),
        is_representative INTEGER NOT NULL DEFAULT 0,
        {_SYNCED},
        UNIQUE (reception_uuid, person_uuid)
    )""",
    f"""CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL DEFAULT '',        -- register number "15/2026"
        kind TEXT NOT NULL,                     -- explanation, petition, feedback, complaint_1, complaint_2, denunciation
        rules_id TEXT NOT NULL,                 -- the rule set in force on the receipt day
        channel TEXT NOT NULL DEFAULT 'reception'
            CHECK (channel IN ('reception', 'mail', 'online', 'forwarded', 'phone')),
        field TEXT NOT NULL DEFAULT 'other',
        summary TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL DEFAULT '',
        received_on TEXT NOT NULL,
        learned_on TEXT,                        -- complaints: when the decision became known (Art. 9)
        state TEXT NOT NULL,
        assignee_uuid TEXT,
        reception_uuid TEXT,
        is_complex INTEGER NOT NULL DEFAULT 0,
        is_remote INTEGER NOT NULL DEFAULT 0,
        confidential INTEGER NOT NULL DEFAULT 0,  -- denouncer's identity is secret (Luật Tố cáo Art. 9)
        due_on TEXT,                            -- current deadline, computed, never typed
        due_step TEXT,
        due_trace TEXT,
        paused_on TEXT,
        extensions INTEGER NOT NULL DEFAULT 0,
        satisfaction TEXT CHECK (satisfaction IS NULL OR satisfaction IN ('satisfied', 'partly', 'unsatisfied', 'unknown')),
        closed_on TEXT,
        published_on TEXT,
        requester_name TEXT NOT NULL DEFAULT '',  -- shown in the register ('' when confidential)
        requester_key TEXT NOT NULL DEFAULT '',   -- Vietnamese name order, for sorting
        search_text TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        {_SYNCED}
    )""",
    "CREATE INDEX cases_page ON cases(received_on DESC, id DESC)",
    "CREATE INDEX cases_due ON cases(due_on) WHERE due_on IS NOT NULL",
    "CREATE INDEX cases_assignee_due ON cases(assignee_uuid, due_on) WHERE due_on IS NOT NULL",
    "CREATE INDEX cases_state ON cases(state, received_on)",
    "CREATE INDEX cases_kind ON cases(kind, received_on)",
    "CREATE INDEX cases_requester ON cases(requester_key, id)",
    "CREATE INDEX cases_unit ON cases(unit_code, received_on)",
    f"""CREATE TABLE case_people (
        id INTEGER PRIMARY KEY,
        case_uuid TEXT NOT NULL REFERENCES cases(uuid),
        person_uuid TEXT NOT NULL REFERENCES persons(uuid),
        role TEXT NOT NULL DEFAULT 'requester' CHECK (role IN ('requester', 'representative')),
        {_SYNCED},
        UNIQUE (case_uuid, person_uuid, role)
    )""",
    "CREATE INDEX case_people_person ON case_people(person_uuid)",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        case_uuid TEXT NOT NULL REFERENCES cases(uuid),
        seq INTEGER NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,                       -- when it was recorded (ISO, local time)
        effective_on TEXT NOT NULL,             -- the legal date of the step
        note TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL DEFAULT '{}',        -- JSON: ground, deadline and its trace, meeting …
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        UNIQUE (case_uuid, seq)
    )""",
    "CREATE INDEX events_unit ON events(unit_code, id)",
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    f"""CREATE TABLE commitments (
        id INTEGER PRIMARY KEY,
        case_uuid TEXT NOT NULL REFERENCES cases(uuid),
        content TEXT NOT NULL,
        due_on TEXT,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
        done_on TEXT,
        note TEXT NOT NULL DEFAULT '',
        {_SYNCED}
    )""",
    "CREATE INDEX commitments_case ON commitments(case_uuid)",
    f"""CREATE TABLE calendar_days (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),  -- extra day off / make-up working day
        name TEXT NOT NULL DEFAULT '',
        {_SYNCED}
    )""",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,                   -- e.g. reveal_denouncer, export_bundle
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    )""",
    # Accent-folded shadow text indexed by FTS5 (external content): unicode61 alone does not
    # fold đ→d, so the same Python folding is applied to stored text and to queries.
    """CREATE VIRTUAL TABLE cases_fts USING fts5(
        search_text, content='cases', content_rowid='id', tokenize='unicode61', prefix='2 3')""",
    """CREATE VIRTUAL TABLE persons_fts USING fts5(
        search_text, content='persons', content_rowid='id', tokenize='unicode61', prefix='2 3')""",
    """CREATE VIRTUAL TABLE receptions_fts USING fts5(
        search_text, content='receptions', content_rowid='id', tokenize='unicode61', prefix='2 3')""",
]


def apply(db) -> None:  # db: sqlite_utils.Database, inside a transaction
    for statement in STATEMENTS:
        db.execute(statement)
