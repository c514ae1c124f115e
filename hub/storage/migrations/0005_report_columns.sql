-- The values the reports read of cases and events, kept typed beside the record (issue #19: the
-- first six-month national report within 5 s per form).
--
-- A report reads, of every event of the cases that matter to its period, its case, step, states,
-- legal date and four values of its own "data" text (the deadline it set, the satisfaction at
-- closing, the ground of a refusal or termination, the commitment it adds); of every such case its
-- kind, field, officer and dates. Unpacking them from the jsonb at each report was two thirds of
-- the first national report's time (measured on 4.4 M events). The register keeps the same values
-- of its events in report_events (desktop migration 0019); here they are stored generated
-- columns: the server computes them from "data" whenever a row is written (COPY, INSERT, the
-- merge's UPDATE of a newer version), so they can never disagree with the record they come from,
-- and nothing of the importer changes. The JSON keeps its own text: these are copies.
--
-- An event's "data" is JSON text inside the record (the register's events.data column). Its four
-- values are read by hub.event_detail_of, once per event: NULL where the text does not name any
-- of them; where it is not valid JSON (never written by the application) NULLs, as the register's
-- report_events does, instead of refusing the event. due_mark is the top-level "due_on": the
-- date; '-' when the step cleared the deadline (JSON null); NULL when the event says nothing of
-- it (a "due_on" inside "before" is the old value, not one set).
CREATE TYPE hub.event_detail AS (due_mark text, satisfaction text, ground text, commitment_uuid text);

CREATE FUNCTION hub.event_detail_of(d text) RETURNS hub.event_detail
    -- Not parallel safe: its block that catches JSON errors is a subtransaction.
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE AS $$
DECLARE
    j jsonb;
BEGIN
    -- The keys' names anywhere in the text: a cheap test before the JSON is parsed.
    IF strpos(d, '"due_on"') = 0 AND strpos(d, '"satisfaction"') = 0 AND strpos(d, '"ground"') = 0
       AND strpos(d, '"commitment_uuid"') = 0 THEN
        RETURN NULL;
    END IF;
    BEGIN
        j := d::jsonb;
    EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
        RETURN NULL;
    END;
    IF jsonb_typeof(j) <> 'object' THEN
        RETURN NULL;
    END IF;
    RETURN ROW(CASE WHEN j ? 'due_on' THEN coalesce(j->>'due_on', '-') END, j->>'satisfaction', j->>'ground',
               j->>'commitment_uuid')::hub.event_detail;
END $$;

-- One ALTER per table: each is rewritten once (partitions included).
ALTER TABLE hub.events
    ADD COLUMN case_uuid    text GENERATED ALWAYS AS (data->>'case_uuid') STORED,
    -- As sent (a whole number in the register); text, so no record is ever refused for it here.
    ADD COLUMN seq          text GENERATED ALWAYS AS (data->>'seq') STORED,
    ADD COLUMN action       text GENERATED ALWAYS AS (data->>'action') STORED,
    ADD COLUMN from_state   text GENERATED ALWAYS AS (data->>'from_state') STORED,
    ADD COLUMN to_state     text GENERATED ALWAYS AS (data->>'to_state') STORED,
    ADD COLUMN effective_on text GENERATED ALWAYS AS (data->>'effective_on') STORED,
    ADD COLUMN detail       hub.event_detail GENERATED ALWAYS AS (hub.event_detail_of(data->>'data')) STORED;

ALTER TABLE hub.cases
    ADD COLUMN kind          text GENERATED ALWAYS AS (data->>'kind') STORED,
    ADD COLUMN field         text GENERATED ALWAYS AS (data->>'field') STORED,
    ADD COLUMN assignee_uuid text GENERATED ALWAYS AS (data->>'assignee_uuid') STORED,
    ADD COLUMN received_on   text GENERATED ALWAYS AS (data->>'received_on') STORED,
    ADD COLUMN closed_on     text GENERATED ALWAYS AS (data->>'closed_on') STORED,
    ADD COLUMN published_on  text GENERATED ALWAYS AS (data->>'published_on') STORED;

-- A case's events by their case: the stored column, not the expression computed again.
DROP INDEX hub.events_case;
CREATE INDEX events_case ON hub.events (unit_code, case_uuid);
