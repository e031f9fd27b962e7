// The hostile corpus against a real server, once per store: every request is refused with a 4xx
// (or a SOAP Fault, or an XDS Failure naming its error) and a clear message, shows no stack trace
// nor internal detail, costs the server under 2 s of CPU, leaves /health answering, and writes nothing to the
// documents, the registry, the outbox or a patient's trace. A search that the server may run (an
// injected value is only text) must find nothing and leave at most its own trace row.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import { ensureFhirDefinitions } from '../../src/fhir/definitions.js';
import type { Db } from '../../src/store/db.js';
import { NO_RECORD_CHAIN } from '../../src/store/trace-repo.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission } from '../support/world.js';
import { cx } from '../support/xds-client.js';
import { hostileCorpus, type HostileRequest } from './corpus.js';
import { xdsCorpus } from './corpus-xds.js';

// What "fast" means here is what the request costs, not how long a loaded machine took to answer
// it: the server runs in this process, so the process's CPU time (every thread: the event loop and
// the FHIR worker) over one request bounds what that request made the server do. The wall-clock
// limit only tells a stall (no answer at all) from a slow machine.
const CPU_BUDGET_MS = 2000;
const STALL_MS = 60_000;

/** What a stack trace, a driver, a library's own error code or a file path looks like in an answer. */
const INTERNALS = /\bFST_[A-Z_]+|\bERR_[A-Z_]{3,}|\n\s+at |\bat [\w$.<>]+ \(|node_modules|\/src\/|\.ts:\d+|\.js:\d+|SQLSTATE|syntax error at or near|invalid input syntax|relation "|TypeError|ReferenceError|RangeError|Maximum call stack/;

interface Answer {
  status: number;
  text: string;
}

async function send(base: string, r: HostileRequest): Promise<Answer> {
  const res = await fetch(`${base}${r.path}`, {
    method: r.method,
    headers: r.headers,
    body: r.body as RequestInit['body'],
    signal: AbortSignal.timeout(STALL_MS),
  });
  return { status: res.status, text: await res.text() };
}

/** The refusal's message, as each door writes it; undefined when there is none. */
function messageOf(r: HostileRequest, a: Answer): string | undefined {
  if (r.door === 'xds') {
    return (
      /<env:Reason><env:Text[^>]*>([^<]+)</.exec(a.text)?.[1] ??
      // the VersionMismatch answered to a SOAP 1.1 sender, in SOAP 1.1
      /<faultstring>([^<]+)</.exec(a.text)?.[1] ??
      /<rs:RegistryError[^>]*codeContext="([^"]+)"/.exec(a.text)?.[1] ??
      /codeContext="([^"]+)"/.exec(a.text)?.[1]
    );
  }
  try {
    const body = JSON.parse(a.text) as { issue?: Array<{ diagnostics?: string }>; message?: string };
    // Node's own refusals (431: headers too large) carry a message too.
    return body.issue?.[0]?.diagnostics ?? body.message;
  } catch {
    return undefined;
  }
}

/** A search that ran: it found nothing. */
function foundNothing(r: HostileRequest, a: Answer): boolean {
  if (a.status < 200 || a.status >= 300) return false;
  if (r.door === 'xds') {
    return /ResponseStatusType:Success/.test(a.text) && !/<rim:(ExtrinsicObject|RegistryPackage|ObjectRef)\b/.test(a.text);
  }
  const bundle = JSON.parse(a.text) as Bundle;
  return bundle.resourceType === 'Bundle' && (bundle.entry ?? []).every((e) => e.resource?.resourceType === 'OperationOutcome');
}

/**
 * Refused: 4xx, an XDS answer whose status is Failure with an error code, or a SOAP Fault that the
 * SOAP 1.2 HTTP binding answers with 500 (VersionMismatch, MustUnderstand: Part 2 §7.5.1.2).
 */
function refused(r: HostileRequest, a: Answer): boolean {
  if (a.status >= 400 && a.status < 500) return true;
  if (r.door === 'xds' && a.status === 500 && /<(env|soap11):Fault>[\s\S]*(env|soap11):(VersionMismatch|MustUnderstand)</.test(a.text)) return true;
  return r.door === 'xds' && a.status === 200 && /ResponseStatusType:Failure/.test(a.text) && /errorCode="XDS\w+"/.test(a.text);
}

const COUNTED = ['dmp', 'document_entry', 'registry_object', 'registry_unique_id', 'document_content', 'submission_set', 'folder', 'association', 'outbox', 'access_grant', 'account', 'creation_code'];

async function rowCounts(db: Db): Promise<Record<string, number>> {
  const sql = [...COUNTED.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`), `(SELECT count(*) FROM access_trace WHERE chain_key <> $1)::int AS patient_trace`].join(', ');
  const r = await db.query<Record<string, number>>(`SELECT ${sql}`, [NO_RECORD_CHAIN]);
  return r.rows[0]!;
}

describeEachStore('hostile corpus', (db) => {
  let server: RunningApp;
  let corpus: HostileRequest[];

  beforeAll(async () => {
    const w = await makeWorld(db());
    // A smaller document limit keeps the oversized bodies of the corpus cheap to send, and the
    // cheapest password cost keeps the logins' scrypt (not the subject here) out of the 2 s.
    server = await startTestApp(db(), { CARNET_DOCUMENT_BODY_LIMIT: '16mb', CARNET_PASSWORD_SCRYPT_COST: '14' });
    // As `carnet serve` does at start: the R4 definitions indexed and the FHIR worker threads
    // loaded before any request, so that the 2 s measure requests, not the start.
    ensureFhirDefinitions();
    await server.app.http.fhirWork.warm();
    const doctor = proActor('doctor');
    const rec = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    await w.services.submissions.submit(as(doctor), submission(rec.ins, [{ content: 'the one document of the record' }]));
    const page = await w.services.documents.find(as(doctor), { patientKey: rec.patientKey }, {});
    const ctx = { token: await server.tokenFor(doctor), patientKey: rec.patientKey, ins: rec.ins, documentId: page.entries[0]!.entryUuid.replace(/^urn:uuid:/, '') };
    corpus = hostileCorpus(ctx, {
      fhirBundle: (o) => {
        const b = provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ uniqueId: o.uniqueId, creation: o.creation, title: o.title, date: o.date }] });
        // provideBundle writes urn:oid:<uniqueId>: a value that is no OID stays as given.
        return JSON.parse(JSON.stringify(b).replace(`urn:oid:${o.uniqueId}`, o.uniqueId?.startsWith('1.2') ? `urn:oid:${o.uniqueId}` : String(o.uniqueId)));
      },
      xds: xdsCorpus({ doctor, cx: cx(rec.ins), submission: () => submission(rec.ins, [{ content: 'hostile' }]) }),
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('holds at least 150 hostile requests over FHIR, XDS and /auth', () => {
    const doors = new Set(corpus.map((r) => r.door));
    expect({ enough: corpus.length >= 150, doors: [...doors].sort() }).toEqual({ enough: true, doors: ['auth', 'fhir', 'xds'] });
  });

  it('refuses every one quickly and clearly, stays healthy and writes nothing', async () => {
    const failures: string[] = [];
    // Nothing but the corpus writes here: the counts after one request are those before the next.
    let before = await rowCounts(db());
    for (const r of corpus) {
      let answer: Answer;
      let cpuMs = Infinity;
      try {
        // The request's cost is the least of up to three sends: the process's CPU also holds what
        // no request caused (a definition loaded on first use, V8 compiling PGlite's WebAssembly in
        // the background, a collection), which a loaded machine stretches past the budget. A
        // request that costs the server too much costs it on every send. Each send must also write
        // nothing (the counts below are read after the last).
        for (let tries = 0; tries < 3 && cpuMs > CPU_BUDGET_MS; tries++) {
          const cpuBefore = process.cpuUsage();
          answer = await send(server.baseUrl, r);
          const cpu = process.cpuUsage(cpuBefore);
          cpuMs = Math.min(cpuMs, (cpu.user + cpu.system) / 1000);
        }
      } catch (e) {
        failures.push(`${r.name}: no answer within ${STALL_MS} ms (${(e as Error).name})`);
        before = await rowCounts(db());
        continue;
      }
      answer = answer!;
      const problems: string[] = [];
      if (cpuMs > CPU_BUDGET_MS) problems.push(`cost ${Math.round(cpuMs)} ms of CPU (budget ${CPU_BUDGET_MS} ms)`);
      const shown = (answer.text.includes('<env:Body>') ? answer.text.slice(answer.text.indexOf('<env:Body>')) : answer.text).slice(0, 300);
      const ran = r.search && foundNothing(r, answer);
      if (!ran && !refused(r, answer)) problems.push(`answered ${answer.status}: ${shown}`);
      if (!ran && !messageOf(r, answer)?.trim()) problems.push(`no clear message: ${shown}`);
      if (INTERNALS.test(answer.text)) problems.push(`internal detail shown: ${INTERNALS.exec(answer.text)![0]}`);
      const health = await fetch(`${server.baseUrl}/health`, { signal: AbortSignal.timeout(STALL_MS) }).catch(() => undefined);
      if (health?.status !== 200) problems.push(`/health answered ${health?.status ?? 'nothing'} afterwards`);
      const after = await rowCounts(db());
      for (const [table, n] of Object.entries(after)) {
        const allowed = table === 'patient_trace' && ran ? 1 : 0;
        if (n - before[table]! > allowed) problems.push(`${n - before[table]!} row(s) written to ${table}`);
      }
      before = after;
      if (problems.length) failures.push(`${r.name}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
