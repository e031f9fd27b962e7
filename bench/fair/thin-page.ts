// The ITI-67 baseline: the thinnest service that does the same work per request as Carnet's
// page, in a process of its own — Fastify and `pg`, one transaction that selects the page in
// Carnet's own order (the first 20 current entries, with their count) and writes one trace row,
// then the rows as JSON. No rules, no FHIR mapping, no hash chain: a floor to be measured
// against, not a design.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { childArgs, runThinService } from './procs.js';

export interface ThinArgs {
  databaseUrl: string;
  schema: string;
  connections: number;
}

const PAGE = `SELECT * FROM document_entry WHERE patient_key = $1 AND is_latest AND status = ANY($2::text[])
  ORDER BY creation_time DESC NULLS LAST, stored_at DESC, entry_uuid LIMIT 20`;
const COUNT = 'SELECT count(*)::int AS n FROM document_entry WHERE patient_key = $1 AND is_latest AND status = ANY($2::text[])';
const TRACE = `INSERT INTO access_trace (chain_key, seq, trace_id, occurred_at, actor_kind, actor_id, action, outcome, channel, details, prev_hash, hash)
  VALUES ($1, 1, $1, now(), 'professional', $2, 'record.read', 'success', 'fhir', '{}', '', '')`;

runThinService(() => {
  const a = childArgs<ThinArgs>();
  const pool = new pg.Pool({ connectionString: a.databaseUrl, max: a.connections, options: `-c search_path=${a.schema}` });
  const app = Fastify();
  app.get<{ Querystring: { patient: string } }>('/page', async (req) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const statuses = ['Approved', 'Deprecated', 'Deleted'];
      const page = await client.query(PAGE, [req.query.patient, statuses]);
      const count = await client.query<{ n: number }>(COUNT, [req.query.patient, statuses]);
      // Its own chain key per row: one row written, no chain to lock.
      await client.query(TRACE, [randomUUID(), 'bench']);
      await client.query('COMMIT');
      return { total: count.rows[0]!.n, entry: page.rows };
    } catch (e) {
      process.stderr.write(`thin page service: ${(e as Error).message}\n`);
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
  });
  return { app, pool };
});
