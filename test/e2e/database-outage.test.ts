// The database misbehaving is a 503 with Retry-After, never a 500, and the server recovers by
// itself: a statement held past the statement timeout, then every connection of the pool cut
// while submissions run and new ones refused for a while. Nothing acknowledged is lost. Runs on
// a PostgreSQL database of its own (created and dropped here), since it cuts its connections.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureFhirDefinitions } from '../../src/fhir/definitions.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrations.js';
import { openPostgres } from '../../src/store/pg-db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { storeKinds } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor, submission, uid } from '../support/world.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { adhocQuery, cx, faultSubcode, isFault, postSoap, responseStatus, vihfFor, XDS_ACTIONS, type XdsAnswer } from '../support/xds-client.js';
import { STORED_QUERY_IDS } from '../../src/xds/query/params.js';

const url = process.env.DATABASE_URL;
const onPostgres = storeKinds().includes('postgres');

function urlFor(database: string): string {
  const u = new URL(url!);
  u.pathname = `/${database}`;
  return u.toString();
}

(onPostgres ? describe : describe.skip)('database outage [postgres]', () => {
  const database = `carnet_test_outage_${randomBytes(5).toString('hex')}`;
  /**
   * Set when the file's cleanup starts: a test that ran out of time does not stop its own loops
   * (Jest moves on without ending it), so they end here, before the server and database go.
   */
  let over = false;

  /** Waits for a condition, polling: the test's timeout bounds the wait, however slow the machine. */
  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    while (!over) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the test ended while waiting for ${what}`);
  }
  let admin: Db;
  let db: Db;
  let server: RunningApp;
  let token: string;
  let patientKey: string;
  let ins: PatientIdentifier;
  const doctor = proActor('doctor');

  beforeAll(async () => {
    admin = openPostgres({ connectionString: url!, maxConnections: 1 });
    await admin.exec(`CREATE DATABASE ${database}`);
    db = openPostgres({ connectionString: urlFor(database), maxConnections: 4, statementTimeoutMs: 1000, connectTimeoutMs: 1000 });
    await migrate(db);
    const w = await makeWorld(db);
    server = await startTestApp(db);
    // As `carnet serve` does at start, so that the first submission does not index them.
    ensureFhirDefinitions();
    const rec = await adultRecord(w);
    patientKey = rec.patientKey;
    ins = rec.ins;
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    token = await server.tokenFor(doctor);
  }, 60_000);

  afterAll(async () => {
    over = true;
    await server?.close();
    await db?.close();
    if (admin) {
      await admin.exec(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).catch(() => {});
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]).catch(() => {});
      await admin.exec(`DROP DATABASE IF EXISTS ${database}`);
      await admin.close();
    }
  });

  const search = () =>
    fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}`, { headers: { authorization: `Bearer ${token}` } });

  async function submit(uniqueId: string): Promise<number> {
    const res = await fetch(`${server.baseUrl}/fhir`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(provideBundle({ patient: `Patient/${patientKey}`, docs: [{ uniqueId, content: `document ${uniqueId}` }] })),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it('answers 503 with Retry-After when a statement runs past the statement timeout', async () => {
    // Another session holds the record's table: the search waits, and the timeout cuts it.
    const locker = openPostgres({ connectionString: urlFor(database), maxConnections: 1 });
    try {
      const held = locker.transaction(async (tx) => {
        await tx.exec('LOCK TABLE dmp IN ACCESS EXCLUSIVE MODE');
        const res = await search();
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { issue: Array<{ code: string; diagnostics: string }> } };
      });
      const answer = await held;
      expect({ status: answer.status, retryAfter: answer.retryAfter, code: answer.body.issue[0]!.code }).toEqual({ status: 503, retryAfter: '5', code: 'transient' });
      expect(answer.body.issue[0]!.diagnostics).toMatch(/took too long/);
    } finally {
      await locker.close();
    }
    expect((await search()).status).toBe(200);
  }, 30_000);

  /** ITI-18 FindDocuments of the record and ITI-41 of one document, as the XDS door takes them. */
  function xdsRequests(): Array<Promise<XdsAnswer>> {
    const assertion = vihfFor(doctor);
    const registry = `${server.baseUrl}/xds/registry`;
    const slots = { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')" };
    const sub = submission(ins, [{ authorId: doctor.idNatPs }]);
    const cid = 'doc1@test';
    const provide = postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], writeProvideAndRegisterRequest(sub, new Map([['Document1', cid]])), {
      assertion,
      attachments: [{ contentId: cid, contentType: 'text/plain', body: sub.documents[0]!.content! }],
    });
    return [
      postSoap(registry, XDS_ACTIONS['ITI-18'], adhocQuery(STORED_QUERY_IDS.FindDocuments, slots, 'LeafClass'), { assertion }),
      postSoap(registry, XDS_ACTIONS['ITI-18'], adhocQuery(STORED_QUERY_IDS.FindDocuments, slots, 'ObjectRef'), { assertion }),
      provide,
    ];
  }

  it('the XDS door: a statement past the timeout answers ITI-18 (LeafClass, ObjectRef) and ITI-41 with a 503 Receiver Fault and Retry-After, no stack, never a RegistryResponse "internal error"', async () => {
    const locker = openPostgres({ connectionString: urlFor(database), maxConnections: 1 });
    let answers: XdsAnswer[];
    try {
      answers = await locker.transaction(async (tx) => {
        await tx.exec('LOCK TABLE dmp IN ACCESS EXCLUSIVE MODE');
        return Promise.all(xdsRequests());
      });
    } finally {
      await locker.close();
    }
    expectXdsOutage(answers);
    expect((await Promise.all(xdsRequests())).map(responseStatus)).toEqual(['Success', 'Success', 'Success']);
  }, 30_000);

  /** 503 Receiver Faults with Retry-After, no stack, never a RegistryResponse or "internal error". */
  function expectXdsOutage(answers: XdsAnswer[]): void {
    for (const a of answers) {
      expect({ status: a.status, retryAfter: a.headers.get('retry-after'), fault: isFault(a), status2: responseStatus(a) }).toEqual({ status: 503, retryAfter: '5', fault: true, status2: undefined });
      expect(faultSubcode(a)).toBeUndefined();
      expect(a.xml).not.toMatch(/\n\s+at |internal error|XDSRegistryError/);
    }
  }

  it('answers 503 while the connections are cut and refused, recovers by itself, and loses no acknowledged write', async () => {
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let running = true;
    const writer = async () => {
      while (running && !over) {
        const id = uid();
        const status = await submit(id).catch(() => 0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) acknowledged.push(id);
      }
    };
    const writers = [writer(), writer(), writer()];
    try {
      await until('a first acknowledged write', async () => acknowledged.length > 0);
      // The database goes away: no new connection, every open one cut.
      await admin.exec(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      await until('503 answers while the database is away', async () => (statuses.get(503) ?? 0) >= 3);
      const health = await fetch(`${server.baseUrl}/health`);
      expect({ status: health.status, retryAfter: health.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
      const refusedSearch = await search();
      expect({ status: refusedSearch.status, retryAfter: refusedSearch.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
      expectXdsOutage(await Promise.all(xdsRequests()));
      // It comes back: the same server serves again, without a restart.
      const before = acknowledged.length;
      await admin.exec(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await until('writes acknowledged again', async () => acknowledged.length > before + 2);
    } finally {
      running = false;
      await Promise.all(writers);
    }
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
    expect((await search()).status).toBe(200);
    // Only 200s and 503s: the outage never showed as a 500 or anything else.
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    const stored = await db.query<{ unique_id: string }>('SELECT unique_id FROM document_entry WHERE unique_id = ANY($1)', [acknowledged]);
    expect(stored.rows.map((r) => r.unique_id).sort()).toEqual([...acknowledged].sort());
  }, 240_000);
});
