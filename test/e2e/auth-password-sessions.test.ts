// A new password ends the login's other sessions (AUTH-03, AUTH-04, AUTH-05). A session is a
// token the server signed, valid for its lifetime: one copied by someone else (the reason a
// patient changes a password, or asks the support desk for new credentials) stayed open after
// the change until it expired. The session that chose the new password stays open: its holder
// has just shown it and goes on where they are. A real port, each store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { activeSession, call, logIn, startPortal, type Portal } from '../support/patient-portal.js';
import { storeKinds } from '../support/stores.js';
import { newIns } from '../support/world.js';

const SUPPORT = { kind: 'support' as const, agentId: 'agent-pw-sessions' };

for (const kind of storeKinds()) {
  describe(`AUTH-03/AUTH-04/AUTH-05: a new password ends the login's other sessions [${kind}]`, () => {
    let portal: Portal;

    beforeAll(async () => {
      portal = await startPortal({}, kind);
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    async function newRecord() {
      const ins = newIns();
      const { patientKey } = await portal.server.app.services.records.create(
        { actor: SUPPORT, channel: 'test' },
        { identifiers: [ins], given: 'Louise', family: 'Girard', birthDate: '1983-04-12', consent: { givenBy: 'patient' } },
      );
      return { patientKey, ins };
    }

    /** What each door answers the token: the FHIR home page, the contact settings on /auth. */
    async function doors(patientKey: string, token: string) {
      return {
        fhir: (await call(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token })).status,
        auth: (await call(portal, 'GET', '/auth/contact', { token })).status,
      };
    }

    async function refusalsLogged(patientKey: string): Promise<string[]> {
      const r = await portal.db.query<{ operation: string }>(
        "SELECT operation FROM security_log WHERE reason = 'session_superseded' AND claims->>'patient' = $1 ORDER BY seq",
        [patientKey],
      );
      return r.rows.map((x) => x.operation);
    }

    it('AUTH-05 / AUTH-03: the password changed in one session: the other session is refused on the FHIR door and /auth (logged), the changing one goes on, a fresh login works', async () => {
      const { patientKey } = await newRecord();
      const email = 'louise.pw@example.org';
      const one = await activeSession(portal, patientKey, email);
      const other = await logIn(portal, one.login, one.password, email);
      expect(await doors(patientKey, other.token)).toEqual({ fhir: 200, auth: 200 });

      const newPassword = 'un tout autre mot de passe 2026';
      expect((await call(portal, 'POST', '/auth/password', { token: one.token, body: { newPassword, currentPassword: one.password } })).status).toBe(204);

      expect(await doors(patientKey, other.token)).toEqual({ fhir: 401, auth: 401 });
      const refused = await call(portal, 'GET', '/auth/contact', { token: other.token });
      expect(refused.json.error).toBe('session_superseded');
      expect(await refusalsLogged(patientKey)).toEqual(['GET /fhir/Patient/:id/$home', 'GET /auth/contact', 'GET /auth/contact']);

      expect(await doors(patientKey, one.token)).toEqual({ fhir: 200, auth: 200 });
      const fresh = await logIn(portal, one.login, newPassword, email);
      expect(await doors(patientKey, fresh.token)).toEqual({ fhir: 200, auth: 200 });
      // the old password opens nothing
      expect((await call(portal, 'POST', '/auth/login', { body: { login: one.login, password: one.password } })).status).toBe(401);
    });

    it('AUTH-04: the support service issues new credentials: every session the login had open is refused, the temporary password opens a new one', async () => {
      const { patientKey, ins } = await newRecord();
      const email = 'louise.reset@example.org';
      const s = await activeSession(portal, patientKey, email);
      const other = await logIn(portal, s.login, s.password, email);
      const agent = await portal.server.tokenFor(SUPPORT);
      const asked = await call(portal, 'POST', '/auth/support/requests', { body: { family: 'Girard', given: 'Louise', birthDate: '1983-04-12', identifier: ins, email } });
      expect(asked.status).toBe(202);
      const reset = await call(portal, 'POST', `/auth/support/requests/${asked.json.requestId}/handle`, { token: agent, body: { decision: 'issue' } });
      expect(reset.status).toBe(200);
      expect(reset.json).toMatchObject({ login: s.login, created: false });

      expect(await doors(patientKey, s.token)).toEqual({ fhir: 401, auth: 401 });
      expect(await doors(patientKey, other.token)).toEqual({ fhir: 401, auth: 401 });

      const temporary = await logIn(portal, reset.json.login, reset.json.temporaryPassword, email);
      expect(temporary.passwordChangeRequired).toBe(true);
      const chosen = 'encore un mot de passe 2026';
      expect((await call(portal, 'POST', '/auth/password', { token: temporary.token, body: { newPassword: chosen } })).status).toBe(204);
      const fresh = await logIn(portal, reset.json.login, chosen, email);
      expect(await doors(patientKey, fresh.token)).toEqual({ fhir: 200, auth: 200 });
    });

    it('AUTH-05 / MIN-02: a representative\'s login reaching two records: the new password closes the other device\'s session on the second record too', async () => {
      const email = 'claire.pw@example.org';
      const minor = async (given: string) => {
        const made = await portal.server.app.services.records.create(
          { actor: SUPPORT, channel: 'test' },
          { identifiers: [newIns()], given, family: 'Morel', birthDate: '2014-06-01', representatives: [{ relationship: 'parent', family: 'Morel', given: 'Claire', email }], consent: { givenBy: 'legal_representative', representativeIndex: 0 } },
        );
        return { patientKey: made.patientKey, representativeId: made.representativeIds[0]! };
      };
      const lea = await minor('Léa');
      const hugo = await minor('Hugo');
      const s = await activeSession(portal, lea.patientKey, email, { role: 'legal_representative', representativeId: lea.representativeId });
      const agent = await portal.server.tokenFor(SUPPORT);
      expect((await call(portal, 'POST', '/auth/accounts', { token: agent, body: { patientKey: hugo.patientKey, representativeId: hugo.representativeId, login: s.login } })).status).toBe(201);
      const device = await logIn(portal, s.login, s.password, email);
      const onHugo = await call(portal, 'POST', '/auth/switch', { token: device.token, body: { patient: hugo.patientKey } });
      expect(onHugo.status).toBe(200);
      expect(await doors(hugo.patientKey, onHugo.json.access_token)).toEqual({ fhir: 200, auth: 200 });

      expect((await call(portal, 'POST', '/auth/password', { token: s.token, body: { newPassword: 'le mot de passe de Claire 2026', currentPassword: s.password } })).status).toBe(204);

      expect(await doors(hugo.patientKey, onHugo.json.access_token)).toEqual({ fhir: 401, auth: 401 });
      expect(await doors(lea.patientKey, device.token)).toEqual({ fhir: 401, auth: 401 });
      expect(await doors(lea.patientKey, s.token)).toEqual({ fhir: 200, auth: 200 });
      // the session that changed it opens the second record anew
      const switched = await call(portal, 'POST', '/auth/switch', { token: s.token, body: { patient: hugo.patientKey } });
      expect(switched.status).toBe(200);
      expect(await doors(hugo.patientKey, switched.json.access_token)).toEqual({ fhir: 200, auth: 200 });
    });
  });
}

for (const kind of storeKinds()) {
  describe(`AUTH-05: the session that chose the new password accepts the terms of use and goes on [${kind}]`, () => {
    let portal: Portal;
    beforeAll(async () => {
      portal = await startPortal({ CARNET_TERMS_VERSION: '2026-02' }, kind);
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('AUTH-05: a terms-pending session changes the password, then accepts the terms: its new token opens the record; the other session stays refused', async () => {
      const { patientKey } = await portal.server.app.services.records.create(
        { actor: SUPPORT, channel: 'test' },
        { identifiers: [newIns()], given: 'Paul', family: 'Girard', birthDate: '1975-02-02', consent: { givenBy: 'patient' } },
      );
      const email = 'paul.terms@example.org';
      const s = await activeSession(portal, patientKey, email);
      expect(s.answer.terms_acceptance_required).toBe(true);
      const other = await logIn(portal, s.login, s.password, email);
      expect((await call(portal, 'POST', '/auth/password', { token: s.token, body: { newPassword: 'le mot de passe de Paul 2026', currentPassword: s.password } })).status).toBe(204);

      const accepted = await call(portal, 'POST', '/auth/terms', { token: s.token, body: { version: '2026-02' } });
      expect(accepted.status).toBe(200);
      expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: accepted.json.access_token })).status).toBe(200);
      const late = await call(portal, 'POST', '/auth/terms', { token: other.token, body: { version: '2026-02' } });
      expect([late.status, late.json.error]).toEqual([401, 'session_superseded']);
    });

    it('AUTH-01: the terms-pending session gives way to the one its acceptance opens — once that one is logged out, a copy of the first neither reads nor accepts the terms again', async () => {
      const { patientKey } = await portal.server.app.services.records.create(
        { actor: SUPPORT, channel: 'test' },
        { identifiers: [newIns()], given: 'Anne', family: 'Girard', birthDate: '1979-06-06', consent: { givenBy: 'patient' } },
      );
      const s = await activeSession(portal, patientKey, 'anne.terms@example.org');
      expect(s.answer.terms_acceptance_required).toBe(true);
      const accepted = await call(portal, 'POST', '/auth/terms', { token: s.token, body: { version: '2026-02' } });
      expect(accepted.status).toBe(200);
      const successor: string = accepted.json.access_token;
      expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: successor })).status).toBe(200);
      expect((await call(portal, 'POST', '/auth/logout', { token: successor })).status).toBe(204);
      const again = await call(portal, 'POST', '/auth/terms', { token: s.token, body: { version: '2026-02' } });
      expect([again.status, again.json.error]).toEqual([401, 'session_ended']);
      expect((await call(portal, 'GET', '/auth/contact', { token: s.token })).status).toBe(401);
    });
  });
}
