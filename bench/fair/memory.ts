// Memory of large documents in and out (issue 13: "≤ 3x the bytes in flight for MTOM in and out"):
// eight 20 MB ITI-43 (MTOM) retrievals at once, eight 20 MB ITI-68 (`GET /fhir/Binary`) at once,
// and eight 20 MB ITI-41 (MTOM) deposits at once, each client on a record of its own. The
// server runs in a process of its own (server.ts, on PostgreSQL); its memory is read by the kernel:
// before each window the server collects its garbage, its peak resident size is reset
// (`/proc/<pid>/clear_refs`) and its resident size read; after the window its peak (`VmHWM`) is
// the highest the window reached. Growth / bytes in flight is the figure. The retrieved documents
// are written into the store by SQL from this process, so that the server reading them never held
// them before (a deposit leaves memory the process keeps for reuse).
// Settings: BENCH_REPEATS (windows per kind, default 3), BENCH_DOC_MB (20), BENCH_CONNECTIONS (8).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { buildMtomMessage, readSoapPayload } from '../../src/xds/mtom.js';
import { XDS_ACTIONS } from '../../src/xds/soap.js';
import { NS } from '../../src/xml/index.js';
import { fmt, median } from '../stats.js';
import { envelope, submission } from '../xds.js';
import { doctorSecurity, startFairRun } from './carnet-servers.js';
import type { Child } from './procs.js';
import type { ServerReady } from './server.js';

const MIME = 'application/pdf';

/** An ITI-41 MTOM request of one document of these bytes, as a PDF (a type served without a charset check). */
function pnrPdf(patient: PatientIdentifier, content: Buffer, security: string): { headers: Record<string, string>; body: Buffer; uniqueId: string } {
  const sub = submission(patient, [content]);
  const meta = sub.documents[0]!.metadata;
  meta.mimeType = MIME;
  meta.formatCode = { code: 'urn:ihe:iti:xds-sd:pdf:2008', system: '1.3.6.1.4.1.19376.1.2.3' };
  const cid = `${randomUUID()}@bench`;
  const env = envelope(XDS_ACTIONS['ITI-41'], writeProvideAndRegisterRequest(sub, new Map([['Document1', cid]])), security);
  const m = buildMtomMessage(env, [{ contentId: cid, contentType: MIME, body: content }], XDS_ACTIONS['ITI-41']);
  return { headers: { 'content-type': m.contentType }, body: Buffer.concat(m.chunks), uniqueId: meta.uniqueId };
}

function retrieveRequest(repositoryUniqueId: string, uniqueId: string, security: string): { headers: Record<string, string>; body: Buffer } {
  const body =
    `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${repositoryUniqueId}</xdsb:RepositoryUniqueId>` +
    `<xdsb:DocumentUniqueId>${uniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
  const m = buildMtomMessage(envelope(XDS_ACTIONS['ITI-43'], body, security), [], XDS_ACTIONS['ITI-43']);
  return { headers: { 'content-type': m.contentType }, body: Buffer.concat(m.chunks) };
}

const kib = (line: string | undefined) => Number(/(\d+)\s*kB/.exec(line ?? '')?.[1] ?? NaN) * 1024;

/** The kernel's view of a process's memory: resident now, and the peak since the last reset. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n');
  return { rss: kib(status.find((l) => l.startsWith('VmRSS:'))), hwm: kib(status.find((l) => l.startsWith('VmHWM:'))) };
}

interface MemoryWindow {
  idle: number;
  peak: number;
  ms: number;
  load: number;
}

/** One window: `clients` requests at once, the server's peak resident size over them. */
async function window(server: Child<ServerReady>, clients: number, request: (i: number) => Promise<void>): Promise<MemoryWindow> {
  await server.ask('gc');
  // 5: reset the peak resident size (VmHWM) to the present one (proc(5), clear_refs)
  writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  const idle = memoryOf(server.pid).rss;
  const load = loadavg()[0]!;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: clients }, (_, i) => request(i)));
  const ms = Date.now() - t0;
  return { idle, peak: memoryOf(server.pid).hwm, ms, load };
}

/** The body of an answer read as it arrives, its bytes counted and hashed (the client holds none of it). */
async function drain(res: Response): Promise<{ length: number; sha256: string }> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    length += chunk.byteLength;
  }
  return { length, sha256: hash.digest('hex') };
}

/**
 * The bench's loader: one `size`-byte PDF per record, written by SQL from this process (the
 * server's process never held it), as the record's one document's content, its metadata's size
 * and hash with it.
 */
async function loadDocuments(databaseUrl: string, schema: string, patients: string[], size: number): Promise<Array<{ uniqueId: string; sha256: string }>> {
  const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const out: Array<{ uniqueId: string; sha256: string }> = [];
    for (const patientKey of patients) {
      const bytes = randomBytes(size);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const sha1 = createHash('sha1').update(bytes).digest('hex');
      await client.query('INSERT INTO document_content (patient_key, sha256, sha1, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5, now())', [patientKey, sha256, sha1, size, bytes]);
      const r = await client.query<{ unique_id: string }>(
        `UPDATE document_entry SET content_sha256 = $2, mime_type = $4,
           metadata = metadata || jsonb_build_object('hash', $3::text, 'size', $5::bigint, 'mimeType', $4::text)
         WHERE patient_key = $1 AND is_latest RETURNING unique_id`,
        [patientKey, sha256, sha1, MIME, size],
      );
      if (r.rowCount !== 1) throw new Error(`expected one document in ${patientKey}, found ${r.rowCount}`);
      out.push({ uniqueId: r.rows[0]!.unique_id, sha256 });
    }
    return out;
  } finally {
    await client.end();
  }
}

export async function runMemoryBench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const env = (name: string, d: number) => (process.env[name] ? Number(process.env[name]) : d);
  const clients = env('BENCH_CONNECTIONS', 8);
  const repeats = env('BENCH_REPEATS', 3);
  const size = env('BENCH_DOC_MB', 20) * 1024 * 1024;
  const inFlight = clients * size;
  const mb = (b: number) => `${fmt(b / 1024 / 1024, 0)} MB`;
  log(`memory: ${clients} x ${mb(size)} documents at once per window, ${repeats} windows each; bytes in flight ${mb(inFlight)}; ITI-43 and ITI-68 on one server process, ITI-41 on another`);
  const report = (name: string, ws: MemoryWindow[]) => {
    const growth = ws.map((w) => w.peak - w.idle);
    // the first window's idle is the server's before any large document; later windows start from
    // what the earlier ones left (freed memory the process keeps and reuses), so both are given
    const overStart = ws.map((w) => w.peak - ws[0]!.idle);
    log(
      `${name}, ${clients} x ${mb(size)} at once: growth over each window's start ${growth.map(mb).join(', ')}, peak over the first window's start ${overStart.map(mb).join(', ')} ` +
        `(idle ${ws.map((w) => mb(w.idle)).join(', ')}; ${ws.map((w) => `${fmt(w.ms / 1000, 1)} s`).join(', ')}; load ${ws.map((w) => fmt(w.load, 1)).join(', ')}) | ` +
        `/ bytes in flight: first window ${fmt(growth[0]! / inFlight, 2)}x, median ${fmt(median(growth) / inFlight, 2)}x, worst over start ${fmt(Math.max(...overStart) / inFlight, 2)}x (target <= 3x)`,
    );
  };

  // Out: ITI-43 and ITI-68 windows alternate on a server that never held a large document before.
  const out = await startFairRun({ databaseUrl: options.databaseUrl, records: clients, documents: 1, compare: false, log });
  try {
    const [, server, schema] = out.servers.at(-1)!;
    const { base, patients, doctorToken } = server.ready;
    const security = doctorSecurity();
    // the server runs with the default configuration (server.ts)
    const repositoryUniqueId = loadConfig({ CARNET_DEV_MODE: 'true' }).repositoryUniqueId;
    const docs = await loadDocuments(options.databaseUrl, schema, patients, size);
    const binaries = await Promise.all(docs.map((d, i) => binaryPathOf(base, patients[i]!, d.uniqueId, doctorToken)));
    const iti43: MemoryWindow[] = [];
    const iti68: MemoryWindow[] = [];
    for (let r = 0; r < repeats; r++) {
      iti43.push(
        await window(server, clients, async (i) => {
          const q = retrieveRequest(repositoryUniqueId, docs[i]!.uniqueId, security);
          const res = await fetch(`${base}/xds/repository`, { method: 'POST', headers: q.headers, body: q.body as unknown as RequestInit['body'] });
          // the answer is read whole here (the client's memory, not the server's), to check its document
          const payload = readSoapPayload(Buffer.from(await res.arrayBuffer()), res.headers.get('content-type') ?? '');
          const doc = [...payload.attachments.values()][0];
          if (!payload.envelope.includes('ResponseStatusType:Success') || !doc || createHash('sha256').update(doc).digest('hex') !== docs[i]!.sha256) {
            throw new Error(`ITI-43 did not give the document back (${res.status})`);
          }
        }),
      );
      iti68.push(
        await window(server, clients, async (i) => {
          const res = await fetch(`${base}${binaries[i]}`, { headers: { authorization: `Bearer ${doctorToken}` } });
          const got = await drain(res);
          if (res.status !== 200 || got.sha256 !== docs[i]!.sha256) throw new Error(`ITI-68 did not give the document back (${res.status}, ${got.length} bytes)`);
        }),
      );
    }
    report('ITI-43 (MTOM)', iti43);
    report('ITI-68 (raw)', iti68);
  } finally {
    await out.close();
  }

  // In: ITI-41 on a server of its own.
  const into = await startFairRun({ databaseUrl: options.databaseUrl, records: clients, documents: 1, compare: false, log });
  try {
    const server = into.servers.at(-1)![1];
    const { base, identifiers } = server.ready;
    const security = doctorSecurity();
    const iti41: MemoryWindow[] = [];
    for (let r = 0; r < repeats; r++) {
      const requests = identifiers.map((id) => pnrPdf(id, randomBytes(size), security));
      iti41.push(
        await window(server, clients, async (i) => {
          const res = await fetch(`${base}/xds/repository`, { method: 'POST', headers: requests[i]!.headers, body: requests[i]!.body as unknown as RequestInit['body'] });
          const text = await res.text();
          if (!text.includes('ResponseStatusType:Success')) throw new Error(`ITI-41 did not succeed (${res.status}): ${text.slice(0, 300)}`);
        }),
      );
    }
    report('ITI-41 (MTOM)', iti41);
  } finally {
    await into.close();
  }
}

/** `/fhir/Binary/<id>` of the record's document of this uniqueId. */
async function binaryPathOf(base: string, patientKey: string, uniqueId: string, token: string): Promise<string> {
  const res = await fetch(`${base}/fhir/DocumentReference?patient=Patient/${patientKey}&_count=100`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
  const bundle = (await res.json()) as { entry?: Array<{ resource: { id: string; masterIdentifier?: { value?: string } } }> };
  const found = bundle.entry?.find((e) => e.resource.masterIdentifier?.value?.endsWith(uniqueId));
  if (!found) throw new Error(`no DocumentReference of ${uniqueId} in Patient/${patientKey}`);
  return `/fhir/Binary/${found.resource.id}`;
}
