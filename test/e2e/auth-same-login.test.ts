// MIN-01/02: a legal representative of two minors logs in once. The support service joins the
// representative's account on the second child's record to the login they already hold; the
// login's answer lists both records, and the session opens the other one without a second
// password or code. Each record still decides for itself (MIN-03), every opening is traced on
// the record it opens, and the terms of use are accepted once for both.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Actor } from '../../src/domain/actor.js';
import { activeSession, call, logIn, startPortal, type Portal } from '../support/patient-portal.js';
import { newIns } from '../support/world.js';

const SUPPORT: Actor = { kind: 'support', agentId: 'agent-same-login' };
const TERMS = '2026-01';

describe('auth door: one login for the records of several children', () => {
  let portal: Portal;
  const email = `claire.${process.pid}@example.org`;
  let lea: { patientKey: string; representativeId: string };
  let hugo: { patientKey: string; representativeId: string };
  let session: Awaited<ReturnType<typeof activeSession>>;

  async function minor(given: string, birthDate: string) {
    const made = await portal.server.app.services.records.create(
      { actor: SUPPORT, channel: 'test' },
      { identifiers: [newIns()], given, family: 'Morel', birthDate, representatives: [{ relationship: 'parent', family: 'Morel', given: 'Claire', email }], consent: { givenBy: 'legal_representative', representativeIndex: 0 } },
    );
    return { patientKey: made.patientKey, representativeId: made.representativeIds[0] };
  }

  beforeAll(async () => {
    portal = await startPortal({ CARNET_TERMS_VERSION: TERMS });
    lea = await minor('Léa', '2012-04-03');
    hugo = await minor('Hugo', '2015-09-21');
    session = await activeSession(portal, lea.patientKey, email, { role: 'legal_representative', representativeId: lea.representativeId });
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('MIN-02: the support service joins the representative\'s account on the second record to the login they hold; nothing secret is issued', async () => {
    const joined = await call(portal, 'POST', '/auth/accounts', { actor: SUPPORT, body: { patientKey: hugo.patientKey, representativeId: hugo.representativeId, login: session.login.toUpperCase() } });
    expect(joined.status).toBe(201);
    expect(joined.json).toEqual({ accountId: expect.any(String), login: session.login });
    // once only; never a patient's login; never by the representative themself
    const again = await call(portal, 'POST', '/auth/accounts', { actor: SUPPORT, body: { patientKey: hugo.patientKey, representativeId: hugo.representativeId, login: session.login } });
    expect([again.status, again.json.error]).toEqual([409, 'account_exists']);
    const adult = await portal.server.app.services.records.create({ actor: SUPPORT, channel: 'test' }, { identifiers: [newIns()], given: 'Anne', family: 'Roy', birthDate: '1980-01-01', gender: 'female', consent: { givenBy: 'patient' } });
    const own = await activeSession(portal, adult.patientKey, `anne.${process.pid}@example.org`);
    const third = await minor('Zoé', '2016-02-02');
    const patientsLogin = await call(portal, 'POST', '/auth/accounts', { actor: SUPPORT, body: { patientKey: third.patientKey, representativeId: third.representativeId, login: own.login } });
    expect([patientsLogin.status, patientsLogin.json.error]).toEqual([422, 'unknown_login']);
    const bySelf = await call(portal, 'POST', '/auth/accounts', { token: session.token, body: { patientKey: third.patientKey, representativeId: third.representativeId, login: session.login } });
    expect(bySelf.status).toBe(403);
    // the support desk cannot reset the joined account's password: the login's own account is reset
    const reset = await call(portal, 'POST', '/auth/accounts', { actor: SUPPORT, body: { patientKey: hugo.patientKey, role: 'legal_representative', representativeId: hugo.representativeId } });
    expect(reset.status).toBe(409);
  });

  it('MIN-01 / MIN-02: one login lists both records; after the terms, accepted once, the session opens the second record, traced there', async () => {
    const first = await logIn(portal, session.login, session.password, email);
    expect(first.answer).toMatchObject({
      patient: lea.patientKey,
      terms_acceptance_required: true,
      records: [
        { patient: lea.patientKey, holder: { role: 'legal_representative', representativeId: lea.representativeId } },
        { patient: hugo.patientKey, holder: { role: 'legal_representative', representativeId: hugo.representativeId } },
      ],
    });
    // nothing opens before the terms are accepted
    expect((await call(portal, 'POST', '/auth/switch', { token: first.token, body: { patient: hugo.patientKey } })).status).toBe(403);
    const accepted = await call(portal, 'POST', '/auth/terms', { token: first.token, body: { version: TERMS } });
    expect(accepted.status).toBe(200);
    const switched = await call(portal, 'POST', '/auth/switch', { token: accepted.json.access_token, body: { patient: hugo.patientKey } });
    expect(switched.status).toBe(200);
    expect(switched.json).toMatchObject({ patient: hugo.patientKey, holder: { role: 'legal_representative', representativeId: hugo.representativeId }, terms_acceptance_required: false, password_change_required: false });
    expect(switched.json.records).toHaveLength(2);
    // each session reaches its own record only
    expect((await call(portal, 'GET', `/fhir/Patient/${hugo.patientKey}`, { token: switched.json.access_token })).status).toBe(200);
    expect((await call(portal, 'GET', `/fhir/Patient/${hugo.patientKey}`, { token: accepted.json.access_token })).status).not.toBe(200);
    // and back
    const back = await call(portal, 'POST', '/auth/switch', { token: switched.json.access_token, body: { patient: lea.patientKey } });
    expect([back.status, back.json.patient]).toEqual([200, lea.patientKey]);
    const traced = await portal.db.query<{ action: string; outcome: string; details: Record<string, unknown> }>(
      "SELECT action, outcome, details FROM access_trace WHERE chain_key = $1 AND action IN ('auth.login', 'auth.terms.accept') ORDER BY seq",
      [hugo.patientKey],
    );
    expect(traced.rows.map((r) => [r.action, r.outcome, r.details.sameLogin])).toEqual([
      ['auth.terms.accept', 'success', true],
      ['auth.login', 'success', true],
    ]);
  });

  it('MIN-01: a record the login does not reach is not found, whatever it is; bad input is a 400', async () => {
    const s = await logIn(portal, session.login, session.password, email);
    const other = await minor('Tom', '2014-01-01');
    expect((await call(portal, 'POST', '/auth/switch', { token: s.token, body: { patient: other.patientKey } })).status).toBe(404);
    expect((await call(portal, 'POST', '/auth/switch', { token: s.token, body: { patient: 'Patient/x' } })).status).toBe(400);
    expect((await call(portal, 'POST', '/auth/switch', { body: { patient: hugo.patientKey } })).status).toBe(401);
  });

  it('AUTH-05 / MIN-02: from the second record\'s session, the password and the code contact are the login\'s own: a change there serves the next login', async () => {
    const s = await logIn(portal, session.login, session.password, email);
    const onHugo = (await call(portal, 'POST', '/auth/switch', { token: s.token, body: { patient: hugo.patientKey } })).json.access_token as string;
    expect((await call(portal, 'GET', '/auth/contact', { token: onHugo })).json).toMatchObject({ login: session.login, email, passwordTemporary: false });
    const changed = await call(portal, 'PUT', '/auth/contact', { token: onHugo, body: { phone: '06 11 22 33 44' } });
    expect(changed.json).toMatchObject({ email, phone: '+33611223344' });
    expect((await call(portal, 'GET', '/auth/contact', { token: s.token })).json.phone).toBe('+33611223344');
    const password = 'les marronniers du parc de la Tête d’Or';
    expect((await call(portal, 'POST', '/auth/password', { token: onHugo, body: { currentPassword: session.password, newPassword: password } })).status).toBe(204);
    session = { ...session, password };
    expect((await logIn(portal, session.login, password, email)).answer.patient).toBe(lea.patientKey);
  });

  it('MIN-03: when the first child\'s record no longer lets the representative in, the login opens the second, and the first is refused and traced', async () => {
    await portal.server.app.services.representatives.end({ actor: SUPPORT, channel: 'test' }, lea.patientKey, lea.representativeId);
    const s = await logIn(portal, session.login, session.password, email);
    expect(s.answer).toMatchObject({ patient: hugo.patientKey, records: [{ patient: hugo.patientKey }] });
    const refused = await call(portal, 'POST', '/auth/switch', { token: s.token, body: { patient: lea.patientKey } });
    expect([refused.status, refused.json.error]).toEqual([403, 'representative_access_ended']);
    const denied = await portal.db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE chain_key = $1 AND action = 'auth.login' AND outcome = 'denied'", [lea.patientKey]);
    expect(denied.rows[0].n).toBe(1);
  });
});
