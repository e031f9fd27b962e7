// TRACE-05, second half: a request whose caller is not established (no identity; unsigned,
// badly signed, expired or foreign assertion or token) never enters a patient's trace. It goes to
// the server's security log: append-only, chained, verified, and rate-limited. Real SOAP and
// real HTTP on a port.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { SignJWT, generateKeyPair } from 'jose';
import { buildVihfAssertion, securityHeader, subjectDn } from '../../src/auth/vihf-issuer.js';
import { formatCx } from '../../src/domain/hl7v2.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { verifySecurityLog } from '../../src/store/security-log-repo.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { TestClock } from '../support/clock.js';
import { describeEachStore } from '../support/stores.js';
import { testSigner } from '../support/vihf-keys.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { adhocQuery, cx, faultSubcode, isFault, postSoap, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';
const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";
const TRACE_ACTION = 'https://carnet.example/fhir/CodeSystem/dmp-trace-action';

describeEachStore('TRACE-05: refused identities go to the security log, never to a patient\'s trace', (db) => {
  let server: RunningApp;
  let w: World;
  const doctor = proActor('doctor');
  let rec: { patientKey: string; ins: PatientIdentifier };

  const chainLength = async (patientKey: string) =>
    Number((await db().query<{ n: string }>('SELECT count(*)::text AS n FROM access_trace WHERE chain_key = $1', [patientKey])).rows[0]!.n);
  const logRows = async (requestId: string) =>
    (await db().query<{ channel: string; reason: string; operation: string; claims: Record<string, string> }>(
      'SELECT channel, reason, operation, claims FROM security_log WHERE request_id = $1',
      [requestId],
    )).rows;

  /** The patient's AuditEvent history as the FHIR door gives it, without the reads of the history itself. */
  async function history(): Promise<string[]> {
    const token = await server.tokenFor({ kind: 'patient', patientKey: rec.patientKey });
    const res = await fetch(`${server.baseUrl}/fhir/AuditEvent?patient=Patient/${rec.patientKey}&_count=100`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const events = ((await res.json()) as Bundle).entry?.map((e) => e.resource as AuditEvent) ?? [];
    return events.filter((e) => !e.subtype?.some((t) => t.system === TRACE_ACTION && t.code === 'trace.read')).map((e) => JSON.stringify(e));
  }

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    rec = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    await w.services.submissions.submit(as(doctor), submission(rec.ins, [{ authorId: doctor.idNatPs }]));
  });
  afterAll(async () => {
    await server.close();
  });

  it('TRACE-05: an unsigned VIHF naming a real INS and a real professional adds no row to that patient\'s chain, and the patient\'s history does not show it', async () => {
    const historyBefore = await history();
    const before = await chainLength(rec.patientKey);
    const unsigned = buildVihfAssertion(
      { idNatPs: doctor.idNatPs, profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: doctor.structureId!, subjectName: 'Alice Martin', mode: 'normal', patientId: rec.ins },
      { issuer: subjectDn(testSigner('trusted').certificatePem) },
    );
    const requestId = `unsigned-${randomUUID()}`;
    const res = await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], adhocQuery(FIND_DOCUMENTS, { $XDSDocumentEntryPatientId: cx(rec.ins), $XDSDocumentEntryStatus: APPROVED }), {
      security: securityHeader(unsigned),
      requestId,
    });
    expect({ fault: isFault(res), subcode: faultSubcode(res) }).toEqual({ fault: true, subcode: 'wsse:InvalidSecurity' });
    expect(await chainLength(rec.patientKey)).toBe(before);
    expect(await logRows(requestId)).toEqual([
      { channel: 'xds', reason: 'unsigned', operation: 'ITI-18', claims: { subject: doctor.idNatPs, patient: formatCx(rec.ins) } },
    ]);

    // The patient's own history is what it was, apart from the patient's own readings of it.
    expect(await history()).toEqual(historyBefore);
  });

  it('TRACE-05: every kind of refused identity, on both doors, lands in the security log with what it claimed, and no patient chain grows', async () => {
    const before = await chainLength(rec.patientKey);
    const registry = `${server.baseUrl}/xds/registry`;
    const query = adhocQuery(FIND_DOCUMENTS, { $XDSDocumentEntryPatientId: cx(rec.ins), $XDSDocumentEntryStatus: APPROVED });
    const expired = vihfFor(doctor, { patientId: rec.ins, now: new Date(Date.now() - 7200_000), validitySeconds: 600 });
    const foreign = vihfFor(doctor, { patientId: rec.ins, signer: testSigner('untrusted') });
    const tampered = vihfFor(doctor, { patientId: rec.ins }).replace(doctor.idNatPs, proActor('doctor2').idNatPs);
    const xdsCases: Array<[string, string | null, string]> = [
      ['missing', null, 'missing'],
      ['expired', securityHeader(expired), 'expired'],
      ['foreign', securityHeader(foreign), 'untrusted'],
      ['tampered', securityHeader(tampered), 'invalid_signature'],
    ];
    for (const [name, security, reason] of xdsCases) {
      const requestId = `xds-${name}-${randomUUID()}`;
      expect(isFault(await postSoap(registry, XDS_ACTIONS['ITI-18'], query, { security, requestId }))).toBe(true);
      expect((await logRows(requestId)).map((r) => ({ channel: r.channel, reason: r.reason }))).toEqual([{ channel: 'xds', reason }]);
    }

    // FHIR: no token, a token that is no JWT, an expired one, one signed by a key nobody trusts
    // that claims the patient's own record.
    const { privateKey } = await generateKeyPair('ES256');
    const stranger = await new SignJWT({ subject_type: 'patient', patient_key: rec.patientKey })
      .setProtectedHeader({ alg: 'ES256', kid: 'nobody' })
      .setSubject(rec.patientKey)
      .setAudience('carnet')
      .setExpirationTime('1h')
      .sign(privateKey);
    const expiredToken = await server.app.verifier.sign({ sub: rec.patientKey, subject_type: 'patient', patient_key: rec.patientKey }, -120);
    const fhirCases: Array<[string, string | undefined, string]> = [
      ['none', undefined, 'missing'],
      ['garbage', 'not-a-jwt', 'malformed'],
      ['expired', expiredToken, 'expired'],
      ['stranger', stranger, 'untrusted'],
    ];
    for (const [name, token, reason] of fhirCases) {
      const requestId = `fhir-${name}-${randomUUID()}`;
      const headers: Record<string, string> = { 'x-request-id': requestId };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${server.baseUrl}/fhir/AuditEvent?patient=Patient/${rec.patientKey}`, { headers });
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      const rows = await logRows(requestId);
      expect(rows.map((r) => ({ channel: r.channel, reason: r.reason, operation: r.operation }))).toEqual([{ channel: 'fhir', reason, operation: 'GET /fhir/AuditEvent' }]);
      if (name === 'stranger') expect(rows[0]!.claims).toMatchObject({ subject: rec.patientKey, patient: rec.patientKey });
    }
    // the /auth session routes too
    const requestId = `auth-${randomUUID()}`;
    expect((await fetch(`${server.baseUrl}/auth/contact`, { headers: { 'x-request-id': requestId } })).status).toBe(401);
    expect((await logRows(requestId)).map((r) => r.channel)).toEqual(['auth']);

    expect(await chainLength(rec.patientKey)).toBe(before);
    expect((await verifySecurityLog(db())).broken).toBeUndefined();
  });

  it('TRACE-05: the database refuses to alter or remove security log rows', async () => {
    for (const sql of ["UPDATE security_log SET reason = 'nothing'", 'DELETE FROM security_log', 'TRUNCATE security_log']) {
      await expect(db().query(sql)).rejects.toThrow(/append-only/);
    }
  });

  it('TRACE-05: past the per-minute limit refusals are counted, not written; the next row carries the count, and the chain stays whole', async () => {
    const clock = new TestClock(Date.parse('2031-01-01T00:00:10Z'));
    const limited = await startTestApp(db(), { CARNET_SECURITY_LOG_PER_MINUTE: '3' }, { clock });
    try {
      const ask = async () => (await fetch(`${limited.baseUrl}/fhir/DocumentReference`, { headers: { 'x-request-id': `flood-${randomUUID()}` } })).status;
      const seqBefore = Number((await db().query<{ seq: string }>('SELECT seq::text AS seq FROM security_log_head')).rows[0]!.seq);
      for (let i = 0; i < 10; i++) expect(await ask()).toBe(401);
      const head = (await db().query<{ seq: string }>('SELECT seq::text AS seq FROM security_log_head')).rows[0]!;
      expect(Number(head.seq) - seqBefore).toBe(3);
      // the next minute: one row more, which says that 7 were left out before it
      clock.advance(60_000);
      expect(await ask()).toBe(401);
      const last = (await db().query<{ suppressed_before: string }>('SELECT suppressed_before::text AS suppressed_before FROM security_log ORDER BY seq DESC LIMIT 1')).rows[0]!;
      expect(Number(last.suppressed_before)).toBe(7);
      expect(await verifySecurityLog(db())).toEqual({ rows: expect.any(Number), pendingSuppressed: 0 });
    } finally {
      await limited.close();
    }
  });
});
