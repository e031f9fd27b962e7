// The ITI-65 / ITI-41 baseline: the thinnest service that stores a deposit as Carnet's tables
// hold one, in a process of its own — Fastify and `pg`, the request's bytes taken as the
// document, then one transaction writing the rows Carnet writes for a one-document submission:
// the content, the entry, the submission set and its HasMember association, their three
// registry objects and two uniqueIds, and one trace row with its chain's head moved (the
// record's chain locked, as each access to a record is). No metadata to read, no rules, no
// profile checks: a floor to be measured against, not a design. Its trace rows go to a chain of
// their own per record, so that Carnet's chains in the same store stay whole.
import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { childArgs, runThinService } from './procs.js';

export interface ThinDepositArgs {
  databaseUrl: string;
  schema: string;
  connections: number;
}

/**
 * Locks the chain's head (creating it on the first row) and returns it, as Carnet's append does.
 * One lane (0): the thin service's clients never share a record, so they never wait on a head.
 */
const HEAD = `INSERT INTO access_trace_head (chain_key, lane, seq, hash) VALUES ($1, 0, 0, '') ON CONFLICT (chain_key, lane)
  DO UPDATE SET seq = access_trace_head.seq RETURNING seq::text, hash`;

/** Every row of the deposit in one statement ($1 record, $2 entry, $3 set, $4 association, ...). */
const ROWS = `WITH content AS (
    INSERT INTO document_content (patient_key, sha256, sha1, size, bytes, created_at) VALUES ($1, $5, $6, $7, $8, now())
  ), entry AS (
    INSERT INTO document_entry (patient_key, entry_uuid, logical_id, lineage_id, version, is_latest, unique_id, status, mime_type, type_code, class_code,
      confidentiality, submission_set_uuid, content_sha256, stored_at, metadata)
    VALUES ($1, $2, $2, $2, 1, true, $9, 'Approved', 'application/octet-stream', '11488-4', '10', '{N}', $3, $5, now(), $11)
  ), sset AS (
    INSERT INTO submission_set (patient_key, entry_uuid, unique_id, source_id, status, submission_time, stored_at, metadata)
    VALUES ($1, $3, $10, '1.2.250.1.999', 'Approved', now(), now(), $12)
  ), member AS (
    INSERT INTO association (patient_key, entry_uuid, type, source_uuid, target_uuid, status, submission_set_status, stored_at, metadata)
    VALUES ($1, $4, 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember', $3, $2, 'Approved', 'Original', now(), '{}')
  ), objects AS (
    INSERT INTO registry_object (entry_uuid, patient_key, object_type)
    VALUES ($2, $1, 'DocumentEntry'), ($3, $1, 'SubmissionSet'), ($4, $1, 'Association')
  ), unique_ids AS (
    INSERT INTO registry_unique_id (unique_id, patient_key, object_type, logical_id, sha1, size)
    VALUES ($9, $1, 'DocumentEntry', $2, $6, $7), ($10, $1, 'SubmissionSet', $3, NULL, NULL)
  ), trace AS (
    INSERT INTO access_trace (chain_key, seq, trace_id, occurred_at, actor_kind, actor_id, action, outcome, channel, details, prev_hash, hash)
    VALUES ($13, $14, $2, now(), 'professional', 'bench', 'document.create', 'success', 'fhir', '{}', $15, $16)
  )
  UPDATE access_trace_head SET seq = $14, hash = $16 WHERE chain_key = $13 AND lane = 0`;

/** A chain key of the thin service's own for a record (a uuid drawn from the record's key). */
function chainOf(patientKey: string): string {
  const h = createHash('sha256').update(`thin deposit chain:${patientKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Metadata of about the size Carnet keeps for an entry and a submission set. */
const ENTRY_METADATA = { padding: 'm'.repeat(1200) };
const SET_METADATA = { padding: 's'.repeat(400) };

const oid = (uuid: string) => `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`)}`;

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
      const chain = chainOf(req.query.patient);
      const head = (await client.query<{ seq: string; hash: string }>(HEAD, [chain])).rows[0]!;
      const seq = Number(head.seq) + 1;
      const hash = createHash('sha256').update(`${head.hash}|${seq}|${uuid}`).digest('hex');
      const setUuid = randomUUID();
      await client.query(ROWS, [req.query.patient, uuid, setUuid, randomUUID(), sha256, sha1, content.byteLength, content,
        oid(uuid), oid(setUuid), JSON.stringify({ ...ENTRY_METADATA, uniqueId: uuid }), JSON.stringify(SET_METADATA), chain, seq, head.hash, hash]);
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
