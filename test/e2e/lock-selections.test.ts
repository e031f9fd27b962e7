// The lock from outside, through a personal selection (DOC-07): the patient's selections are kept
// by the patient side, the minor and the legal representatives alike (MIN-01). A document the
// minor keeps from the representatives (MASK-03) must not show through a selection either: not
// as a member, nor as a version or a date that moves when the minor adds it, nor as an If-Match
// the representative's unchanged copy no longer meets (ACC-08), and the representative's own
// change must not drop what they cannot see. A real port, FHIR, each store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, List } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { RunningApp } from '../support/app.js';
import { TestClock } from '../support/clock.js';
import { startLockServer, type LockClients, type LockServer } from '../support/lock-clients.js';
import { minorRecord } from '../support/lock-records.js';
import { storeKinds } from '../support/stores.js';
import { as, proActor, submission } from '../support/world.js';

const SELECTION = { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-list-type', code: 'carnet-selection' }] };

for (const kind of storeKinds()) {
  describe(`DOC-07 / ACC-08 with MASK-03: a selection shows each holder only what they may see [${kind}]`, () => {
    let lock: LockServer;
    let server: RunningApp;
    let c: LockClients;
    const clock = new TestClock();
    const doctor = proActor('doctor');
    let patientKey: string;
    let ins: PatientIdentifier;
    let minor: Actor;
    let parent: Actor;
    let seen: string;
    let secret: string;
    let seen2: string;

    const selection = (title: string, members: string[], id?: string): List => ({
      resourceType: 'List',
      ...(id ? { id } : {}),
      status: 'current',
      mode: 'working',
      title,
      code: SELECTION,
      subject: { reference: `Patient/${patientKey}` },
      entry: members.map((m) => ({ item: { reference: `DocumentReference/${m}` } })),
    });
    const members = (l: List) => (l.entry ?? []).map((e) => e.item?.reference?.replace('DocumentReference/', ''));

    /** What `actor` is shown of one selection: read (with its ETag) and search. */
    async function shown(actor: Actor, id: string) {
      const read = await c.fhir(actor, `List/${id}`);
      expect(read.status).toBe(200);
      const list = read.json as List;
      const found = await c.fhir(actor, `List?code=carnet-selection&patient=Patient/${patientKey}`);
      expect(found.status).toBe(200);
      const inSearch = ((found.json as Bundle).entry ?? []).map((e) => e.resource as List).find((l) => l.id === id);
      return { versionId: list.meta?.versionId, lastUpdated: list.meta?.lastUpdated, date: list.date, members: members(list), search: inSearch && { versionId: inSearch.meta?.versionId, date: inSearch.date, members: members(inSearch) } };
    }

    async function deposit(confidentiality: string[]): Promise<string> {
      const sub = submission(ins, [{ authorId: doctor.idNatPs, authorStructure: doctor.structureId, confidentiality }]);
      return (await server.app.services.submissions.submit(as(doctor), sub)).assignedIds.Document1!.slice(9);
    }

    beforeAll(async () => {
      clock.set(new Date().toISOString());
      lock = await startLockServer(kind, {}, clock);
      ({ server, c } = lock);
      const made = await minorRecord(server.app.services, [{ given: 'Jeanne', family: 'Durand' }]);
      patientKey = made.patientKey;
      ins = made.ins;
      minor = { kind: 'patient', patientKey };
      parent = { kind: 'legal_representative', patientKey, representativeId: made.representativeIds[0] };
      seen = await deposit(['N']);
      seen2 = await deposit(['N']);
      secret = await deposit(['N', 'INVISIBLE_REPRESENTANTS_LEGAUX']);
    }, 60_000);
    afterAll(async () => {
      await lock?.close();
    });

    it('DOC-07 / ACC-08 / MASK-03: the minor adding a secret document moves neither the version nor the date the parent is shown; the minor sees the change', async () => {
      const made = await c.fhir(minor, 'List', { method: 'POST', body: selection('Suivi', [seen]) });
      expect(made.status).toBe(201);
      const id = (made.json as List).id!;
      const before = await shown(parent, id);
      expect(before.members).toEqual([seen]);
      clock.advance(60_000);
      const minorBefore = await shown(minor, id);
      const added = await c.fhir(minor, `List/${id}`, { method: 'PUT', body: selection('Suivi', [seen, secret], id) });
      expect(added.status).toBe(200);
      expect(await shown(parent, id)).toEqual(before);
      const minorAfter = await shown(minor, id);
      expect(minorAfter.members).toEqual([seen, secret]);
      expect(minorAfter.versionId).not.toEqual(minorBefore.versionId);
      expect(Date.parse(minorAfter.lastUpdated!)).toBeGreaterThan(Date.parse(minorBefore.lastUpdated!));
    });

    it('DOC-07 / ACC-08 / MASK-03: the parent’s change made against the version they were shown is taken, and keeps the secret member they cannot see', async () => {
      const made = await c.fhir(minor, 'List', { method: 'POST', body: selection('Vaccins', [seen]) });
      const id = (made.json as List).id!;
      const parentView = await shown(parent, id);
      clock.advance(60_000);
      expect((await c.fhir(minor, `List/${id}`, { method: 'PUT', body: selection('Vaccins', [seen, secret], id) })).status).toBe(200);
      clock.advance(60_000);
      // If-Match on the version the parent was shown: a 412 would say that something changed
      const etagPut = await fetchWithIfMatch(id, parentView.versionId!, selection('Vaccins et rappels', [seen, seen2], id));
      expect(etagPut).toBe(200);
      expect((await shown(parent, id)).members).toEqual([seen, seen2]);
      // the minor's secret member is still there for the minor
      expect((await shown(minor, id)).members).toEqual(expect.arrayContaining([seen, seen2, secret]));
    });

    it('DOC-07 / ACC-08 / MASK-03: a change the parent sees (a rename, a member they read) moves what they are shown', async () => {
      const made = await c.fhir(minor, 'List', { method: 'POST', body: selection('Bilan', [seen]) });
      const id = (made.json as List).id!;
      const before = await shown(parent, id);
      clock.advance(60_000);
      expect((await c.fhir(minor, `List/${id}`, { method: 'PUT', body: selection('Bilan', [seen, seen2], id) })).status).toBe(200);
      const after = await shown(parent, id);
      expect(after.versionId).not.toEqual(before.versionId);
      expect(Date.parse(after.lastUpdated!)).toBeGreaterThan(Date.parse(before.lastUpdated!));
      clock.advance(60_000);
      expect((await c.fhir(minor, `List/${id}`, { method: 'PUT', body: selection('Bilan annuel', [seen, seen2], id) })).status).toBe(200);
      expect((await shown(parent, id)).versionId).not.toEqual(after.versionId);
    });

    it('TRACE-05 / ACC-08 / MASK-03: the minor’s change that touched only a secret document is not in the parent’s history; a change the parent sees is', async () => {
      const made = await c.fhir(minor, 'List', { method: 'POST', body: selection('Trace', [seen]) });
      const id = (made.json as List).id!;
      /** the minor's saves of selections (their rows name the selection) that `reader` is shown */
      const saves = async (reader: Actor) =>
        (await server.app.services.historyView.read(as(reader), patientKey, { side: 'own', actions: ['selection.manage'], actorKinds: ['patient'], limit: 100, offset: 0 })).rows.filter(
          (r) => (r.row.details as { name?: string } | null)?.name !== undefined,
        ).length;
      const parentBefore = await saves(parent);
      const minorBefore = await saves(minor);
      clock.advance(60_000);
      expect((await c.fhir(minor, `List/${id}`, { method: 'PUT', body: selection('Trace', [seen, secret], id) })).status).toBe(200);
      expect(await saves(minor)).toBe(minorBefore + 1);
      expect(await saves(parent)).toBe(parentBefore);
      clock.advance(60_000);
      expect((await c.fhir(minor, `List/${id}`, { method: 'PUT', body: selection('Trace', [seen, secret, seen2], id) })).status).toBe(200);
      expect(await saves(parent)).toBe(parentBefore + 1);
    });

    /** A PUT by the parent with If-Match: W/"<version>"; its status. */
    async function fetchWithIfMatch(id: string, versionId: string, body: List): Promise<number> {
      const token = await server.tokenFor(parent);
      const r = await fetch(`${server.baseUrl}/fhir/List/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json', 'if-match': `W/"${versionId}"` },
        body: JSON.stringify(body),
      });
      await r.arrayBuffer();
      return r.status;
    }
  });
}
