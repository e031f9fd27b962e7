// The ITI-18 baselines: a raw `pg` select of the record's current entries in Carnet's own order
// (`creation_time DESC NULLS LAST, stored_at DESC, entry_uuid`), in a process of its own behind
// Fastify — `/ids` selects their entryUUIDs only (the floor of an ObjectRef answer), `/rows` the
// whole rows (the floor of a LeafClass answer), both written back as JSON. No rules, no trace, no
// XML: a floor to be measured against, not a design.
import Fastify from 'fastify';
import pg from 'pg';
import { childArgs, runThinService } from './procs.js';

export interface ThinSelectArgs {
  databaseUrl: string;
  schema: string;
  connections: number;
}

const WHERE = `WHERE patient_key = $1 AND is_latest AND status = 'Approved' ORDER BY creation_time DESC NULLS LAST, stored_at DESC, entry_uuid`;

runThinService(() => {
  const a = childArgs<ThinSelectArgs>();
  const pool = new pg.Pool({ connectionString: a.databaseUrl, max: a.connections, options: `-c search_path=${a.schema}` });
  const app = Fastify();
  app.get<{ Querystring: { patient: string } }>('/ids', async (req) => (await pool.query(`SELECT entry_uuid FROM document_entry ${WHERE}`, [req.query.patient])).rows);
  app.get<{ Querystring: { patient: string } }>('/rows', async (req) => (await pool.query(`SELECT * FROM document_entry ${WHERE}`, [req.query.patient])).rows);
  return { app, pool };
});
