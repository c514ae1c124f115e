-- The hub's first schema (issue #19). Append-only: change the schema with 0002, 0003 …
--
-- Every row carries the code of the unit that owns it (unit_code) and of its province
-- (province_code). Keys start with unit_code, so the record tables can be spread over several
-- servers by unit code (Citus: create_distributed_table(…, 'unit_code')) without touching the
-- importer; the key registry, units and readers are small reference tables.
CREATE SCHEMA IF NOT EXISTS hub;

-- Units known to the hub (communes and provinces), from the provinces' key registries.
CREATE TABLE hub.units (
    unit_code     text PRIMARY KEY,
    province_code text NOT NULL,
    name          text NOT NULL DEFAULT '',
    level         text NOT NULL DEFAULT 'commune' CHECK (level IN ('province', 'commune'))
);

-- Recipients: each province's X25519 bundle key, its private part still wrapped by the
-- province's passphrase exactly as its register stores it (desktop/sync/crypto.py).
CREATE TABLE hub.recipients (
    fingerprint     text PRIMARY KEY,
    province_code   text NOT NULL,
    public_key      bytea NOT NULL,
    private_key_pem bytea NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now()
);

-- Communes' signing keys, as each province registered them (fingerprint read over the phone).
CREATE TABLE hub.peer_keys (
    fingerprint    text PRIMARY KEY,
    role           text NOT NULL CHECK (role IN ('commune', 'province')),
    unit_code      text NOT NULL,
    unit_name      text NOT NULL DEFAULT '',
    province_code  text NOT NULL,
    signing_key    bytea NOT NULL,
    registered_at  text NOT NULL,
    revoked_at     text,
    revoked_reason text NOT NULL DEFAULT ''
);
CREATE INDEX peer_keys_unit ON hub.peer_keys (unit_code);

-- Every bundle imported (the hub's inbox): the replay, gap and chain checks read it.
CREATE TABLE hub.bundles (
    unit_code       text NOT NULL,
    bundle_sha256   text NOT NULL,
    province_code   text NOT NULL,
    seq             integer NOT NULL,
    bundle_id       text NOT NULL,
    previous_sha256 text,
    key_fingerprint text NOT NULL,
    kind            text NOT NULL,
    period_label    text NOT NULL DEFAULT '',
    created_at      text NOT NULL,
    imported_at     timestamptz NOT NULL DEFAULT now(),
    sequence_status text NOT NULL,
    manifest        jsonb NOT NULL,
    result          jsonb NOT NULL,
    PRIMARY KEY (unit_code, bundle_sha256)
);
CREATE UNIQUE INDEX bundles_sha ON hub.bundles (bundle_sha256);

-- Records kept aside: a true conflict (same version, other content) or a rejected record.
CREATE TABLE hub.conflicts (
    unit_code     text NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    province_code text NOT NULL,
    bundle_sha256 text NOT NULL,
    tbl           text NOT NULL,
    uuid          text NOT NULL,
    version       bigint,
    kind          text NOT NULL CHECK (kind IN ('conflict', 'rejected')),
    reason        text NOT NULL,
    incoming      jsonb,
    local         jsonb,
    detected_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_code, id)
);

-- The two large record types, partitioned by the year the record was made (immutable: a case's
-- created_at, an event's at), so a year's data can be detached, archived or moved as one piece.
CREATE TABLE hub.cases (
    unit_code     text NOT NULL,
    year          integer NOT NULL,
    uuid          text NOT NULL,
    province_code text NOT NULL,
    version       bigint NOT NULL,
    data          jsonb NOT NULL,
    PRIMARY KEY (unit_code, year, uuid)
) PARTITION BY RANGE (year);

CREATE TABLE hub.events (
    unit_code     text NOT NULL,
    year          integer NOT NULL,
    uuid          text NOT NULL,
    province_code text NOT NULL,
    version       bigint NOT NULL DEFAULT 0,
    data          jsonb NOT NULL,
    PRIMARY KEY (unit_code, year, uuid)
) PARTITION BY RANGE (year);

DO $$
DECLARE y integer;
BEGIN
    FOR y IN 2015..2035 LOOP
        EXECUTE format('CREATE TABLE hub.cases_%s PARTITION OF hub.cases FOR VALUES FROM (%s) TO (%s)', y, y, y + 1);
        EXECUTE format('CREATE TABLE hub.events_%s PARTITION OF hub.events FOR VALUES FROM (%s) TO (%s)', y, y, y + 1);
    END LOOP;
END $$;
CREATE TABLE hub.cases_other PARTITION OF hub.cases DEFAULT;
CREATE TABLE hub.events_other PARTITION OF hub.events DEFAULT;

-- A case is looked up by its uuid alone to refuse one unit's uuid reused by another.
CREATE INDEX cases_uuid ON hub.cases (uuid);
CREATE INDEX events_uuid ON hub.events (uuid);
CREATE INDEX events_case ON hub.events (unit_code, (data->>'case_uuid'));

-- Every other record type (units, officers, persons, receptions, links, documents, calendar
-- days, and types a later register adds): one table, keyed by type.
CREATE TABLE hub.records (
    unit_code     text NOT NULL,
    tbl           text NOT NULL,
    uuid          text NOT NULL,
    province_code text NOT NULL,
    version       bigint NOT NULL,
    data          jsonb NOT NULL,
    PRIMARY KEY (unit_code, tbl, uuid)
);
CREATE INDEX records_uuid ON hub.records (tbl, uuid);

-- Readers: a database role per province sees only that province's rows (row-level security).
CREATE TABLE hub.readers (
    role_name     text NOT NULL,
    province_code text NOT NULL,
    PRIMARY KEY (role_name, province_code)
);

-- The provinces a role may read. SECURITY DEFINER, so readers need no access to hub.readers;
-- the role is passed in, since inside such a function current_user is the function's owner.
CREATE FUNCTION hub.reader_provinces(reader text) RETURNS text[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = hub, pg_temp
    AS $$ SELECT coalesce(array_agg(province_code), '{}') FROM hub.readers WHERE role_name = reader $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cases', 'events', 'records', 'bundles', 'conflicts'] LOOP
        EXECUTE format('ALTER TABLE hub.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY province_reader ON hub.%I FOR SELECT '
                       'USING (province_code = ANY (hub.reader_provinces(current_user::text)))', t);
    END LOOP;
END $$;
