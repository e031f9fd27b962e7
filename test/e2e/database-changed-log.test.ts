// A request answered 503 `database_changed` (a statement kept prepared whose tables another process
// changed: src/store/db-errors.ts) tells its caller only to retry; the server's log has one warning
// with PostgreSQL's own words (SQLSTATE, routine, message), under the request's id, for the
// operator to find who changed the tables. The store is made to fail the request's first statement
// as the server's store does (the real failure, on PostgreSQL: pg-kept-statements.test.ts).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { translateDbError } from '../../src/store/db-errors.js';
import { NS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, proActor } from '../support/world.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { adhocQuery, cx, postSoap, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { capturedLog } from '../support/captured-log.js';

const doctor = proActor('doctor');
/** PostgreSQL's words, as `pg` hands them over: none may reach an answer */
const CAUSE = { sqlState: '0A000', routine: 'RevalidateCachedQuery', message: 'cached plan must not change result type' };

function headersText(headers: Headers): string {
  const lines: string[] = [];
  headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join('\n');
}

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  status?: number;
  error?: string;
  reason?: string;
  cause?: unknown;
}

describeEachStore('a request answered 503 database_changed', (db) => {
  let server: RunningApp;
  const log = capturedLog<LogLine>();
  /** the next statement of the store fails as a kept statement whose tables changed shape */
  let failNext = false;
  let patientKey: string;
  let ins: { value: string; system: string };

  const changed = () => {
    failNext = false;
    return Promise.reject(translateDbError(Object.assign(new Error(CAUSE.message), { code: CAUSE.sqlState, routine: CAUSE.routine, severity: 'ERROR' })));
  };
  const failing = (): Db => ({
    ...db(),
    query: (sql, params) => (failNext ? changed() : db().query(sql, params)),
    transaction: (fn) => (failNext ? changed() : db().transaction(fn)),
  });

  const linesFor = log.linesFor;

  beforeAll(async () => {
    server = await startTestApp(failing(), {}, { logger: log.logger });
    ({ patientKey, ins } = await adultRecord(await makeWorld(db())));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  function expectLogged(lines: LogLine[]): void {
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toEqual([expect.objectContaining({ cause: CAUSE, msg: expect.stringMatching(/database_changed/) })]);
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ status: 503, error: 'unavailable', reason: 'database_changed' });
    expect(JSON.stringify(lines.filter((l) => l.level !== 40))).not.toMatch(/cached plan|RevalidateCachedQuery|0A000/);
  }

  it('FHIR: 503 with Retry-After, a warning with the cause in the log, no trace of it in the answer', async () => {
    const token = await server.tokenFor(doctor);
    failNext = true;
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=${patientKey}`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'changed-fhir' } });
    const body = await res.text();
    expect({ status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    expect(body).toMatch(/the database changed while this request ran; retry/);
    expect(`${body} ${headersText(res.headers)}`).not.toMatch(/cached plan|RevalidateCachedQuery|0A000/);
    expectLogged(await linesFor('changed-fhir'));
  });

  it('XDS (ITI-43): 503 with Retry-After, a warning with the cause in the log, no trace of it in the answer', async () => {
    const body =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest>` +
      `<xdsb:RepositoryUniqueId>${server.app.config.repositoryUniqueId}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>1.2.3.4.5</xdsb:DocumentUniqueId>` +
      `</xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    const assertion = vihfFor(doctor, { patientId: ins });
    failNext = true;
    const res = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-43'], body, { assertion, requestId: 'changed-xds' });
    expect({ status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    expect(res.xml).toMatch(/the database changed while this request ran; retry/);
    expect(`${res.xml} ${headersText(res.headers)}`).not.toMatch(/cached plan|RevalidateCachedQuery|0A000/);
    expectLogged(await linesFor('changed-xds'));
  });

  it('XDS (ITI-18, FindDocuments as LeafClass, written as it is read): 503 with Retry-After, a warning with the cause in the log, no trace of it in the answer', async () => {
    const query = adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')" });
    const assertion = vihfFor(doctor);
    failNext = true;
    const res = await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], query, { assertion, requestId: 'changed-xds-18' });
    expect({ status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    expect(res.xml).toMatch(/the database changed while this request ran; retry/);
    expect(`${res.xml} ${headersText(res.headers)}`).not.toMatch(/cached plan|RevalidateCachedQuery|0A000/);
    expectLogged(await linesFor('changed-xds-18'));
  });
});
