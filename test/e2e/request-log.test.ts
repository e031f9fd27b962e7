// One log line per request that an integrator can match with an answer: the request id of the
// answer's x-request-id header and of the trace row, the caller's kind and id, and on a refusal
// Carnet's error code with the rule's reason — the reason an answer about a hidden document must
// not give. Never a patient identifier, a name, a code or a token.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import { NS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { errorCodes, postSoap, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { capturedLog } from '../support/captured-log.js';

const author = proActor('doctor');
const colleague = proActor('doctor2');
const pharmacist = proActor('pharmacist');

interface LogLine {
  msg: string;
  requestId?: string;
  url?: string;
  status?: number;
  actor?: { kind: string; id: string; mode?: string };
  error?: string;
  reason?: string;
}

describeEachStore('the request log', (db) => {
  let server: RunningApp;
  let w: World;
  const log = capturedLog<LogLine>();
  const written = log.written;
  let ins: { value: string; system: string };
  let patientKey: string;
  let maskedId: string;
  let maskedUniqueId: string;
  let authorToken: string;

  /** The request's line, once written: the log follows the answer, it does not precede it. */
  const lineFor = async (requestId: string): Promise<LogLine> => {
    const mine = (await log.linesFor(requestId)).filter((l) => l.msg === 'request');
    expect(mine).toHaveLength(1);
    return mine[0]!;
  };
  const traceRowsFor = async (requestId: string) =>
    (await db().query<{ actor_id: string; outcome: string; reason: string | null }>('SELECT actor_id, outcome, reason FROM access_trace WHERE request_id = $1', [requestId])).rows;

  beforeAll(async () => {
    server = await startTestApp(db(), {}, { logger: log.logger });
    w = await makeWorld(db());
    ({ ins, patientKey } = await adultRecord(w));
    const me = patientCaller(patientKey);
    for (const p of [author, colleague]) await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    const sub = submission(ins, [{ typeCode: '11488-4', authorId: author.idNatPs, confidentiality: ['N', 'MASQUE_PS'] }]);
    await w.services.submissions.submit(as(author), sub);
    maskedUniqueId = sub.documents[0]!.metadata.uniqueId;
    authorToken = await server.tokenFor(author);
    const found = (await (await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=${patientKey}`, { headers: { authorization: `Bearer ${authorToken}` } })).json()) as Bundle<DocumentReference>;
    maskedId = found.entry![0]!.resource!.id!;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('ACC-01: an unauthorised professional\'s search: one line with the caller, the code and the reason, under the request id of the answer and of the trace', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient.identifier=urn:oid:${ins.system}|${ins.value}`, {
      headers: { authorization: `Bearer ${await server.tokenFor(pharmacist)}` },
    });
    expect(res.status).toBe(403);
    const requestId = res.headers.get('x-request-id')!;
    const line = await lineFor(requestId);
    expect(line).toMatchObject({ status: 403, actor: { kind: 'professional', id: pharmacist.idNatPs }, error: 'forbidden', reason: 'not_authorised' });
    expect(line.url).toBe('/fhir/DocumentReference?patient.identifier');
    expect(await traceRowsFor(requestId)).toEqual([expect.objectContaining({ actor_id: pharmacist.idNatPs, outcome: 'denied', reason: 'not_authorised' })]);
  });

  it('ACC-08: a masked document read by id answers as unknown, and only the log line gives the reason', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference/${maskedId}`, {
      headers: { authorization: `Bearer ${await server.tokenFor(colleague)}`, 'x-request-id': 'integrator-ticket-4711' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('integrator-ticket-4711');
    expect(await lineFor('integrator-ticket-4711')).toMatchObject({ status: 404, actor: { id: colleague.idNatPs }, error: 'not_found', reason: 'masked' });
    expect((await traceRowsFor('integrator-ticket-4711'))[0]).toMatchObject({ reason: 'masked' });
  });

  it('ACC-08: the same document retrieved through the XDS door (ITI-43): XDSDocumentUniqueIdError in the answer, the reason in the log', async () => {
    const body =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest>` +
      `<xdsb:RepositoryUniqueId>${server.app.config.repositoryUniqueId}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${maskedUniqueId}</xdsb:DocumentUniqueId>` +
      `</xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    const res = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-43'], body, { assertion: vihfFor(colleague, { patientId: ins }), requestId: 'xds-ticket-0815' });
    expect(errorCodes(res)).toEqual(['XDSDocumentUniqueIdError']);
    expect(await lineFor('xds-ticket-0815')).toMatchObject({ actor: { kind: 'professional', id: colleague.idNatPs }, error: 'not_found', reason: 'masked' });
  });

  it('a refused identity: no caller, the code and why', async () => {
    const fhir = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=${patientKey}`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(fhir.status).toBe(401);
    const line = await lineFor(fhir.headers.get('x-request-id')!);
    expect(line.actor).toBeUndefined();
    expect(line.error).toBe('unauthenticated');

    const xds = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-43'], '<x/>', { security: null, requestId: 'xds-no-vihf' });
    expect(xds.status).toBeGreaterThanOrEqual(400);
    expect(await lineFor('xds-no-vihf')).toMatchObject({ error: 'unauthenticated', reason: expect.any(String) });
  });

  it('an answer that is not an error names its caller, and no error nor reason', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference/${maskedId}`, { headers: { authorization: `Bearer ${authorToken}` } });
    expect(res.status).toBe(200);
    const line = await lineFor(res.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 200, actor: { kind: 'professional', id: author.idNatPs } });
    expect([line.error, line.reason]).toEqual([undefined, undefined]);
  });

  it('AUTH-06: no line holds the patient\'s INS, name, a document code, a token or an assertion', () => {
    const all = written.join('\n');
    expect(written.length).toBeGreaterThan(5);
    for (const secret of [ins.value, 'Jeanne', 'Durand', '11488-4', 'MASQUE_PS', authorToken, 'Bearer', 'saml2:']) expect(all).not.toContain(secret);
  });
});
