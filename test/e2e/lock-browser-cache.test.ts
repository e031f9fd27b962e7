// The lock from outside, through a browser's cache. Every answer of the FHIR door depends on who
// asks (ACC-08), but the address alone names it: the minor and a parent using one family browser
// ask for the same `DocumentReference/<id>` or `Patient/<id>/$home`. A DocumentReference carries
// Last-Modified, which lets a browser reuse a stored answer without asking again (RFC 9111 §4.2.2),
// so the parent would be shown, from the cache, the secret document the minor opened. Every
// answer must therefore forbid storing it; a real port, each store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Actor } from '../../src/domain/actor.js';
import { call, provide, startPortal, type Portal } from '../support/patient-portal.js';
import { minorRecord } from '../support/lock-records.js';
import { storeKinds } from '../support/stores.js';
import { proActor } from '../support/world.js';

for (const kind of storeKinds()) {
  describe(`ACC-08 / MASK-03: no answer of the FHIR door is kept by a browser for the next holder [${kind}]`, () => {
    let portal: Portal;
    let patientKey: string;
    let minor: Actor;
    let parent: Actor;
    let secret: string;

    beforeAll(async () => {
      portal = await startPortal({}, kind);
      const created = await minorRecord(portal.server.app.services, [{ given: 'Jeanne', family: 'Durand' }]);
      patientKey = created.patientKey;
      minor = { kind: 'patient', patientKey };
      parent = { kind: 'legal_representative', patientKey, representativeId: created.representativeIds[0] };
      [secret] = await provide(portal, proActor('doctor'), patientKey, [{ typeCode: '11488-4', classCode: '10', confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'], content: 'secret du mineur' }]);
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('ACC-08 / MASK-03: what the minor reads of a secret document (its reference, its bytes, the list, the home page, the history) says no-store; the parent asking the same address is answered as for an unknown id', async () => {
      const paths = [
        `/fhir/DocumentReference/${secret}`,
        `/fhir/DocumentReference/${secret}/_history/1`,
        `/fhir/Binary/${secret}`,
        `/fhir/DocumentReference?patient=Patient/${patientKey}`,
        `/fhir/DocumentReference?patient=Patient/${patientKey}&_format=xml`,
        `/fhir/Patient/${patientKey}/$home`,
        `/fhir/AuditEvent?patient=Patient/${patientKey}`,
      ];
      const stored: unknown[] = [];
      for (const path of paths) {
        const res = await call(portal, 'GET', path, { actor: minor });
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        if (!/\bno-store\b/.test(res.headers.get('cache-control') ?? '')) stored.push({ path, cacheControl: res.headers.get('cache-control'), lastModified: res.headers.get('last-modified') });
      }
      expect(stored).toEqual([]);
      const asked = await call(portal, 'GET', `/fhir/DocumentReference/${secret}`, { actor: parent });
      expect(asked.status).toBe(404);
      expect(asked.headers.get('cache-control')).toContain('no-store');
    });

    it('ACC-08: the refusals, errors and unchanged answers of the FHIR door say no-store too, and so do the web space’s session answers', async () => {
      const token = await portal.server.tokenFor(minor);
      const ask = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
        const res = await fetch(`${portal.server.baseUrl}${path}`, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
        await res.arrayBuffer();
        return { path, status: res.status, cacheControl: res.headers.get('cache-control'), etag: res.headers.get('etag') };
      };
      const auth = { authorization: `Bearer ${token}` };
      const bytes = await ask(`/fhir/Binary/${secret}`, { headers: { ...auth, accept: 'application/octet-stream' } });
      const answers = [
        await ask(`/fhir/DocumentReference/${secret}`),
        await ask(`/fhir/DocumentReference/${secret}`, { headers: { authorization: 'Bearer not-a-token' } }),
        await ask('/fhir/NoSuchType/1', { headers: auth }),
        await ask(`/fhir/DocumentReference?patient=Patient/${patientKey}&_format=text/csv`, { headers: auth }),
        await ask(`/fhir/DocumentReference?patient=Patient/${patientKey}&nosuchparam=1`, { headers: { ...auth, prefer: 'handling=strict' } }),
        await ask('/fhir/List', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' }),
        await ask(`/fhir/Binary/${secret}`, { headers: { ...auth, accept: 'application/octet-stream', 'if-none-match': bytes.etag ?? '"none"' } }),
        await ask('/auth/contact', { headers: auth }),
        await ask('/auth/copy-requests', { headers: auth }),
        await ask('/auth/contact'),
      ];
      const stored = answers.filter((a) => !/\bno-store\b/.test(a.cacheControl ?? ''));
      expect(stored).toEqual([]);
    });
  });
}
