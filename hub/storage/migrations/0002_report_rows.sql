-- Each commune's row of every report form, kept once computed (issue #19: a national report in
-- seconds). A commune's row depends only on its own records, so it stays valid until a bundle of
-- that unit is imported (bundles_seen is the number of the unit's bundles the row was computed
-- from) or the form's definition changes (forms_version). A report reads the rows still valid and
-- computes only the others, in one set-based pass over those communes' records.
CREATE TABLE hub.report_rows (
    unit_code     text NOT NULL,
    period_code   text NOT NULL,
    form_id       text NOT NULL,
    province_code text NOT NULL,
    forms_version text NOT NULL,
    bundles_seen  bigint NOT NULL,
    computed_at   timestamptz NOT NULL DEFAULT now(),
    row_values    jsonb NOT NULL,
    PRIMARY KEY (unit_code, period_code, form_id)
);
ALTER TABLE hub.report_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY province_reader ON hub.report_rows FOR SELECT
    USING (province_code = ANY (hub.reader_provinces(current_user::text)));
