-- The communes' record ledgers and signed chain heads (issue #17 items 5-6, issue #19 item 2).
--
-- A bundle carries its commune's record ledger (desktop/storage/ledger.py) and a head signed by
-- the commune's key. The hub checks them with the province's own code (desktop/sync/chain.py
-- check_bundle, through hub/chain.py) and keeps them here, so that a history rewritten later,
-- even with the app's own code, no longer continues the chain the hub holds and is refused at
-- the next import. Until now the entries were kept as records (hub.records, tbl = 'ledger'):
-- they move here, typed, keyed by (unit_code, seq) as the chain is.
CREATE TABLE hub.ledger (
    unit_code     text NOT NULL,
    seq           bigint NOT NULL,
    province_code text NOT NULL,
    uuid          text NOT NULL,
    tbl           text NOT NULL,
    record_uuid   text NOT NULL,
    version       bigint NOT NULL,
    digest        text NOT NULL,
    prev_hash     text NOT NULL,
    hash          text NOT NULL,
    PRIMARY KEY (unit_code, seq)
);
-- The digests a record ever had (a record matched against an entry of an earlier bundle).
CREATE INDEX ledger_record ON hub.ledger (unit_code, tbl, record_uuid);

-- Every head the hub accepted, as signed (the evidence of what each commune's chain held).
CREATE TABLE hub.ledger_heads (
    unit_code       text NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    province_code   text NOT NULL,
    bundle_sha256   text NOT NULL,
    seq             bigint NOT NULL,
    hash            text NOT NULL,
    signed_at       text NOT NULL,
    key_fingerprint text NOT NULL,
    signature       text NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_code, id)
);

-- The entries already imported as records move over (well-formed ones; one per (unit, seq)).
INSERT INTO hub.ledger (unit_code, seq, province_code, uuid, tbl, record_uuid, version, digest, prev_hash, hash)
SELECT DISTINCT ON (unit_code, (data->>'seq')::bigint)
       unit_code, (data->>'seq')::bigint, province_code, uuid, data->>'tbl', data->>'record_uuid',
       (data->>'version')::bigint, data->>'digest', data->>'prev_hash', data->>'hash'
FROM hub.records
WHERE tbl = 'ledger'
  AND data->>'seq' ~ '^[0-9]{1,18}$' AND data->>'version' ~ '^-?[0-9]{1,18}$'
  AND jsonb_typeof(data->'tbl') = 'string' AND jsonb_typeof(data->'record_uuid') = 'string'
  AND jsonb_typeof(data->'digest') = 'string' AND jsonb_typeof(data->'prev_hash') = 'string'
  AND jsonb_typeof(data->'hash') = 'string'
ORDER BY unit_code, (data->>'seq')::bigint, uuid;
DELETE FROM hub.records r USING hub.ledger l
WHERE r.tbl = 'ledger' AND r.unit_code = l.unit_code AND r.uuid = l.uuid;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ledger', 'ledger_heads'] LOOP
        EXECUTE format('ALTER TABLE hub.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY province_reader ON hub.%I FOR SELECT '
                       'USING (province_code = ANY (hub.reader_provinces(current_user::text)))', t);
    END LOOP;
END $$;
