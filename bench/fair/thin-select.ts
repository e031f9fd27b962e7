// The ITI-18 baselines: a raw `pg` select of the record's current entries in Carnet's own order
// (`creation_time DESC NULLS LAST, stored_at DESC, entry_uuid`), in a process of its own behind
// Fastify — `/ids` selects their entryUUIDs only (the floor of an ObjectRef answer), `/rows` the
// whole rows (the floor of a LeafClass answer), both written back as JSON. No rules, no trace, no
// XML: a floor to be measured against, not a design. `/ids-traced` is the ids' select with one
// trace row inserted in the same statement (its own chain key, no chain to lock, no hash), so
// that its commit waits for the WAL's flush as Carnet's does (TRACE-01): the floor of what a
// durably traced read costs, beside the read alone.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { childArgs, runThinService } from './procs.js';

export interface ThinSelectArgs {
  databaseUrl: string;
  schema: string;
  connections: number;
}

const WHERE = `WHERE patient_key = $1 AND is_latest AND status = 'Approved' ORDER BY creation_time DESC NULLS LAST, stored_at DESC, entry_uuid`;
const TRACED = `WITH t AS (
    INSERT INTO access_trace (chain_key, seq, trace_id, occurred_at, actor_kind, actor_id, action, outcome, channel, details, prev_hash, hash)
    VALUES ($2, 1, $2, now(), 'professional', 'bench', 'record.read', 'success', 'xds', '{}', '', '')
  )
  SELECT entry_uuid FROM document_entry ${WHERE}`;

runThinService(() => {
  const a = childArgs<ThinSelectArgs>();
  const pool = new pg.Pool({ connectionString: a.databaseUrl, max: a.connections, options: `-c search_path=${a.schema}` });
  const app = Fastify();
  app.get<{ Querystring: { patient: string } }>('/ids', async (req) => (await pool.query(`SELECT entry_uuid FROM document_entry ${WHERE}`, [req.query.patient])).rows);
  app.get<{ Querystring: { patient: string } }>('/ids-traced', async (req) => (await pool.query(TRACED, [req.query.patient, randomUUID()])).rows);
  app.get<{ Querystring: { patient: string } }>('/rows', async (req) => (await pool.query(`SELECT * FROM document_entry ${WHERE}`, [req.query.patient])).rows);
  return { app, pool };
});
