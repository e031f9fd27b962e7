-- carnet_lineage_current (0010) returns at most one row (its LIMIT 1), but PostgreSQL estimated
-- the default of a set-returning function, 1,000 rows, for it. The visibility filter calls it once
-- per row of a record (store/visibility-sql.ts): a plan reading a record of 1,000 documents was
-- then costed as if it ran 1,000 scans of 1,000 rows, which made the plan a kept statement could
-- reuse (generic) look dearer than planning it again for each request's values (custom), and
-- PostgreSQL planned ITI-18's ids statement afresh on every request (~0.35 ms of ~2 ms). The true
-- row count gives both plans their real cost. Estimates only: what the function returns is unchanged.
ALTER FUNCTION carnet_lineage_current(uuid, uuid) ROWS 1;
