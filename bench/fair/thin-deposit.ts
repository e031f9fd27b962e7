// The ITI-65 / ITI-41 baseline: the thinnest service that stores a deposit as Carnet's tables
// hold one, in a process of its own — Fastify and `pg`, the request's bytes taken as the
// document, then one transaction writing its content row, its entry row and one trace row. No
// metadata to read, no rules, no registry objects, no hash chain: a floor to be measured
// against, not a design.
import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { childArgs, runThinService } from './procs.js';

export interface ThinDepositArgs {
  databaseUrl: string;
  schema: string;
  connections: number;
}

const CONTENT = 'INSERT INTO document_content (patient_key, sha256, sha1, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5, now())';
const ENTRY = `INSERT INTO document_entry (patient_key, entry_uuid, logical_id, lineage_id, version, is_latest, unique_id, status, mime_type, type_code, class_code,
    confidentiality, submission_set_uuid, content_sha256, stored_at, metadata)
  VALUES ($1, $2, $2, $2, 1, true, $3, 'Approved', 'application/octet-stream', '11488-4', '10', '{N}', $2, $4, now(), $5)`;
const TRACE = `INSERT INTO access_trace (chain_key, seq, trace_id, occurred_at, actor_kind, actor_id, action, outcome, channel, details, prev_hash, hash)
  VALUES ($1, 1, $1, now(), 'professional', $2, 'document.create', 'success', 'fhir', '{}', '', '')`;

runThinService(() => {
  const a = childArgs<ThinDepositArgs>();
  const pool = new pg.Pool({ connectionString: a.databaseUrl, max: a.connections, options: `-c search_path=${a.schema}` });
  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post<{ Querystring: { patient: string }; Body: Buffer }>('/deposit', async (req, reply) => {
    const content = req.body;
    const sha256 = createHash('sha256').update(content).digest('hex');
    const sha1 = createHash('sha1').update(content).digest('hex');
    const uuid = randomUUID();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(CONTENT, [req.query.patient, sha256, sha1, content.byteLength, content]);
      await client.query(ENTRY, [req.query.patient, uuid, `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`)}`, sha256, JSON.stringify({ uniqueId: uuid })]);
      // Its own chain key per row: one row written, no chain to lock.
      await client.query(TRACE, [randomUUID(), 'bench']);
      await client.query('COMMIT');
    } catch (e) {
      process.stderr.write(`thin deposit service: ${(e as Error).message}\n`);
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
    return reply.code(201).send({ id: uuid });
  });
  return { app, pool };
});
