-- TRACE-01/02: a record's trace is kept in several hash chains ("lanes") instead of one, so that
-- concurrent accesses to one record no longer queue on a single chain head: an access appends to
-- whichever lane no other transaction holds (trace-repo.ts). Each lane is a chain of its own, with
-- its own head, verified on its own (`carnet trace verify`).
--
-- The chain every record had becomes its lane 0, unchanged: a lane-0 row hashes exactly as rows
-- did before (trace-repo.ts leaves the lane out of the hashed content when it is 0), so the rows
-- written before this migration still verify. Adding a column with a constant default rewrites
-- no row (and fires no trigger of the append-only table).
ALTER TABLE access_trace ADD COLUMN lane smallint NOT NULL DEFAULT 0 CHECK (lane >= 0);
ALTER TABLE access_trace DROP CONSTRAINT access_trace_pkey;
ALTER TABLE access_trace ADD PRIMARY KEY (chain_key, lane, seq);

ALTER TABLE access_trace_head ADD COLUMN lane smallint NOT NULL DEFAULT 0 CHECK (lane >= 0);
ALTER TABLE access_trace_head DROP CONSTRAINT access_trace_head_pkey;
ALTER TABLE access_trace_head ADD PRIMARY KEY (chain_key, lane);

-- Every chain has all of its lanes' heads (8: TRACE_LANES in trace-repo.ts), created together, so
-- that a lane removed whole, rows and head, is seen missing by the verification. The empty lanes
-- of the existing chains start at the genesis hash.
INSERT INTO access_trace_head (chain_key, lane, seq, hash)
SELECT h.chain_key, g.lane, 0, repeat('0', 64)
FROM access_trace_head h, generate_series(1, 7) AS g(lane)
ON CONFLICT DO NOTHING;

-- Histories are read newest first across the lanes: by time, then by position in the lane (rows
-- one transaction writes share its lane and may share a millisecond), then by lane. This index
-- serves that order read backwards, and the time ranges as the one it replaces did.
CREATE INDEX access_trace_by_time_seq ON access_trace (chain_key, occurred_at, seq, lane);
DROP INDEX access_trace_by_time;
