// ITI-43 Retrieve Document Set as MTOM, written as the documents are read from the store slice by
// slice. The answer must be the very bytes the whole-built answer had: a fixture taken from the
// implementation that held every document in memory (test/fixtures/xds/retrieve-mtom-answer.json)
// gives its headers and body, with what changes from one answer to the next (the MIME boundary, the
// Content-IDs, the message ids, the uniqueIds) named in order and the documents by length and hash.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { securityHeader } from '../../src/auth/vihf-issuer.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { buildMtomMessage } from '../../src/xds/mtom.js';
import { NS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { retrieveWithStoreLost } from '../support/failing-slices.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { envelope, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const ACTION = XDS_ACTIONS['ITI-43'];
const FIXTURE = new URL('../fixtures/xds/retrieve-mtom-answer.json', import.meta.url);

/** `length` bytes that are the same on every run (no two slices of them alike). */
function steadyBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 131 + (i >> 9) * 7 + seed) & 0xff;
  return out;
}

function retrieveBody(repo: string, uniqueIds: string[]): string {
  return (
    `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}">` +
    uniqueIds.map((uid) => `<xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${repo}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${uid}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`).join('') +
    `</xdsb:RetrieveDocumentSetRequest>`
  );
}

/** Replaces every occurrence of `what` in `buf` by `by`. */
function replaceAll(buf: Buffer, what: Buffer, by: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = buf.indexOf(what, from); at >= 0; at = buf.indexOf(what, from)) {
    parts.push(buf.subarray(from, at), by);
    from = at + what.length;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

interface NormalisedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The answer with its run-dependent parts named: the boundary, the root's and the documents'
 * Content-IDs and the message ids in order of appearance, the uniqueIds by their place in the
 * request, and each document's bytes by their length and SHA-256 (found where they are).
 */
function normalise(status: number, headers: Headers, body: Buffer, uniqueIds: string[], documents: Buffer[]): NormalisedAnswer {
  const contentType = headers.get('content-type') ?? '';
  const boundary = /boundary="([^"]+)"/.exec(contentType)![1]!;
  const names = new Map<string, string>([[boundary, 'BOUNDARY']]);
  const text = body.toString('latin1');
  for (const m of text.matchAll(/Content-ID: <([^>]+)>/g)) if (!names.has(m[1]!)) names.set(m[1]!, `CONTENT-ID-${names.size}`);
  for (const m of text.matchAll(/<wsa:(MessageID|RelatesTo)>([^<]+)</g)) names.set(m[2]!, m[1]!.toUpperCase());
  uniqueIds.forEach((u, i) => names.set(u, `UNIQUE-ID-${i + 1}`));
  let out = body;
  // documents first: their bytes may hold anything
  documents.forEach((d, i) => {
    out = replaceAll(out, d, Buffer.from(`[document ${i + 1}: ${d.length} bytes, sha256 ${createHash('sha256').update(d).digest('hex')}]`, 'latin1'));
  });
  for (const [value, name] of names) out = replaceAll(out, Buffer.from(value, 'latin1'), Buffer.from(name, 'latin1'));
  let ct = contentType;
  for (const [value, name] of names) ct = ct.split(value).join(name);
  const kept = ['x-content-type-options', 'content-security-policy', 'content-disposition'];
  // its value depends on the lengths of the names replaced: what is kept is that it is the body's
  const length = headers.get('content-length');
  return {
    status,
    headers: {
      'content-type': ct,
      'content-length': length === String(body.length) ? 'the length of the body' : `${length} (the body: ${body.length})`,
      ...Object.fromEntries(kept.map((k) => [k, headers.get(k) ?? '(none)'])),
    },
    body: out.toString('latin1'),
  };
}

describeEachStore('XDS door: ITI-43 MTOM answers written from the store', (db) => {
  let server: RunningApp;
  let w: World;
  let ins: PatientIdentifier;
  let patientKey: string;
  const doctor = proActor('doctor');
  const documents = [Buffer.from('first document', 'utf8'), steadyBytes(1_300_000, 1), steadyBytes(70_000, 2)];
  const uniqueIds: string[] = [];

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    ({ ins, patientKey } = await adultRecord(w));
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const sub = submission(ins, documents.map(() => ({})));
    sub.documents.forEach((d, i) => {
      d.content = documents[i]!;
      if (i > 0) d.metadata.mimeType = 'application/pdf';
    });
    await w.services.submissions.submit(as(doctor), sub);
    uniqueIds.push(...sub.documents.map((d) => d.metadata.uniqueId));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  /** POSTs an ITI-43 as MTOM asking for `asked` and gives the raw answer. */
  async function retrieve(asked: string[], base = server.baseUrl): Promise<{ status: number; headers: Headers; body: Buffer }> {
    const env = envelope(ACTION, retrieveBody(server.app.config.repositoryUniqueId, asked), securityHeader(vihfFor(doctor)));
    const m = buildMtomMessage(env, [], ACTION);
    const res = await fetch(`${base}/xds/repository`, { method: 'POST', headers: { 'content-type': m.contentType }, body: Buffer.concat(m.chunks) });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  it('a multi-document answer (small, over a megabyte, an unknown one) is byte for byte the whole-built answer', async () => {
    const asked = [uniqueIds[0]!, uniqueIds[1]!, '1.2.250.1.999.404', uniqueIds[2]!];
    const got = await retrieve(asked);
    const expected = JSON.parse(readFileSync(FIXTURE, 'utf8')) as NormalisedAnswer;
    expect(normalise(got.status, got.headers, got.body, asked, documents)).toEqual(expected);
  });

  it('TRACE-01: the store lost while a document is on its way cuts the connection, and the retrieval was traced before any byte left', async () => {
    const lost = await retrieveWithStoreLost(
      db(),
      patientKey,
      async (failing) => (await retrieve([uniqueIds[1]!], failing.baseUrl)).body,
      // the whole MTOM answer holds the document's bytes
      (body) => body.includes(documents[1]!),
    );
    expect(lost).toEqual({ wholeWhenUnarmed: true, failedWhenArmed: true, tracedWhileArmed: 1 });
  });
});
