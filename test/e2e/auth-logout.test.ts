// Logging out ends the session on the server (AUTH-01). A session is a token the server signs,
// valid for its lifetime: a page that only forgot it left it working for anyone holding a copy
// (a shared computer's memory, a proxy's log, a screenshot of the developer tools). A real port,
// each store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { activeSession, call, logIn, startPortal, type Portal } from '../support/patient-portal.js';
import { storeKinds } from '../support/stores.js';
import { newIns } from '../support/world.js';

const SUPPORT = { kind: 'support' as const, agentId: 'agent-logout' };

for (const kind of storeKinds()) {
  describe(`AUTH-01: POST /auth/logout ends the session on the server [${kind}]`, () => {
    let portal: Portal;
    let patientKey: string;

    beforeAll(async () => {
      portal = await startPortal({}, kind);
      ({ patientKey } = await portal.server.app.services.records.create(
        { actor: SUPPORT, channel: 'test' },
        { identifiers: [newIns()], given: 'Camille', family: 'Bernard', birthDate: '1979-11-03', consent: { givenBy: 'patient' } },
      ));
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('AUTH-01: after logout the token (or any copy of it) is refused by the FHIR door and /auth; another session of the same login still works', async () => {
      const email = 'camille.logout@example.org';
      const s = await activeSession(portal, patientKey, email);
      const home = `/fhir/Patient/${patientKey}/$home`;
      expect((await call(portal, 'GET', home, { token: s.token })).status).toBe(200);
      expect((await call(portal, 'GET', '/auth/contact', { token: s.token })).status).toBe(200);

      const out = await call(portal, 'POST', '/auth/logout', { token: s.token });
      expect(out.status).toBe(204);
      expect(out.headers.get('cache-control')).toBe('no-store');

      const after = {
        fhir: (await call(portal, 'GET', home, { token: s.token })).status,
        contact: (await call(portal, 'GET', '/auth/contact', { token: s.token })).status,
        switch: (await call(portal, 'POST', '/auth/switch', { token: s.token, body: { patient: patientKey } })).status,
        logoutAgain: (await call(portal, 'POST', '/auth/logout', { token: s.token })).status,
      };
      expect(after).toEqual({ fhir: 401, contact: 401, switch: 401, logoutAgain: 401 });

      const again = await logIn(portal, s.login, s.password, email);
      expect((await call(portal, 'GET', home, { token: again.token })).status).toBe(200);
    });

    it('AUTH-01: logout needs a session: without a token it is refused', async () => {
      expect((await call(portal, 'POST', '/auth/logout')).status).toBe(401);
    });
  });
}
