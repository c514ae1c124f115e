-- A uuid belongs to one unit: the merge rejects a record whose uuid another unit already uses
-- (for cases and events, in the same year's partition), so (tbl, uuid) and (uuid, year) are
-- already unique. Saying so in the indexes lets a unit's first bundle be copied straight into
-- the tables with the server itself refusing a taken uuid as it inserts (hub.storage.records
-- .copy_first), instead of a look-up per record beforehand. Same indexes, now unique.
-- Under Citus a unique index must hold the distribution column: there these three stay plain
-- (CREATE INDEX) and copy_first looks each uuid up first, as it does when they are not unique.
DROP INDEX hub.cases_uuid;
CREATE UNIQUE INDEX cases_uuid ON hub.cases (uuid, year);
DROP INDEX hub.events_uuid;
CREATE UNIQUE INDEX events_uuid ON hub.events (uuid, year);
DROP INDEX hub.records_uuid;
CREATE UNIQUE INDEX records_uuid ON hub.records (tbl, uuid);
