// What the door benchmarks share: driving a server with autocannon, a concurrent loop for the
// baselines, the baselines themselves (the same rows written and read straight through `pg`,
// no HTTP, no rules, no trace: the floor, not a target), and one report line with the ratios.
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PatientIdentifier } from '../src/domain/model.js';
import type { Caller } from '../src/services/deps.js';
import { fmt, percentile } from './stats.js';

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no type declarations; it is loaded as CommonJS.
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

export function figuresOf(r: AutocannonResult): Figures {
  return { perSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

/** `connections` loops calling `fn` (each with its own `state`) for `seconds`; per-call latencies give p50/p99. */
export async function concurrently<S = undefined>(connections: number, seconds: number, stateOf: () => S, fn: (state: S) => Promise<void>): Promise<Figures> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const state = stateOf();
      while (Date.now() < end) {
        const t = process.hrtime.bigint();
        await fn(state);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / ((Date.now() - started) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export function reportLine(name: string, ours: Figures, floor: Figures): string {
  return (
    `${name}: ${fmt(ours.perSecond, 1)} req/s, p50 ${fmt(ours.p50, 1)} ms, p99 ${fmt(ours.p99, 1)} ms | pg baseline ${fmt(floor.perSecond, 1)}/s, ` +
    `p50 ${fmt(floor.p50, 2)} ms, p99 ${fmt(floor.p99, 2)} ms | ratio: throughput ${fmt(ours.perSecond / floor.perSecond)}x, p50 ${fmt(ours.p50 / floor.p50, 1)}x, p99 ${fmt(ours.p99 / floor.p99, 1)}x`
  );
}

/** Baseline of a deposit: the content row and the entry row of one document, one transaction. */
export async function baselineDeposit(raw: pg.Pool, patientKey: string, content: Buffer): Promise<void> {
  const cl = await raw.connect();
  try {
    await cl.query('BEGIN');
    const digest = createHash('sha256').update(randomUUID()).digest('hex');
    await cl.query('INSERT INTO document_content (patient_key, sha256, sha1, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5, now())', [
      patientKey,
      digest,
      digest.slice(0, 40),
      content.byteLength,
      content,
    ]);
    const uuid = randomUUID();
    await cl.query(
      `INSERT INTO document_entry (patient_key, entry_uuid, logical_id, lineage_id, version, is_latest, unique_id, status, mime_type, type_code, class_code,
         confidentiality, submission_set_uuid, content_sha256, stored_at, metadata)
       VALUES ($1, $2, $2, $2, 1, true, $3, 'Approved', 'application/octet-stream', '11488-4', '10', '{N}', $2, $4, now(), $5)`,
      [patientKey, uuid, `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`)}`, digest, JSON.stringify({ uniqueId: uuid })],
    );
    await cl.query('COMMIT');
  } catch (e) {
    await cl.query('ROLLBACK');
    throw e;
  } finally {
    cl.release();
  }
}

/** Baseline of a search page: the first 20 current entries and their count, by index. */
export async function baselinePage(raw: pg.Pool, patientKey: string): Promise<void> {
  await raw.query('SELECT * FROM document_entry WHERE patient_key = $1 AND is_latest ORDER BY creation_time DESC LIMIT 20', [patientKey]);
  await raw.query('SELECT count(*) FROM document_entry WHERE patient_key = $1 AND is_latest', [patientKey]);
}

/** Baseline of an unpaged query: every current entry of a record with its metadata. */
export async function baselineAll(raw: pg.Pool, patientKey: string): Promise<void> {
  await raw.query("SELECT * FROM document_entry WHERE patient_key = $1 AND is_latest AND status = 'Approved'", [patientKey]);
}

/** Baseline of a retrieval: one document's bytes by key. */
export async function baselineContent(raw: pg.Pool, patientKey: string, sha256: string): Promise<void> {
  await raw.query('SELECT bytes FROM document_content WHERE patient_key = $1 AND sha256 = $2', [patientKey, sha256]);
}

/** The depositing doctor of the benchmarks, and who opens their records. */
export const DOCTOR = { idNatPs: '810000000001', profession: '10', structureId: '1750000001', given: 'Alice', family: 'Martin' };
export const SUPPORT: Caller = { actor: { kind: 'support', agentId: 'bench' }, channel: 'cli' };

/** A fresh INS-like identifier (13 digits, not a real NIR). */
export function ins(): PatientIdentifier {
  return { system: '1.2.250.1.213.1.4.8', value: (BigInt(`0x${randomBytes(6).toString('hex')}`) % 10_000_000_000_000n).toString().padStart(13, '1') };
}
