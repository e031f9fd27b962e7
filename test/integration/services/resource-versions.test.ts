// The versions of resources changed in place (domain/resource-versions.ts, migration 0040), at
// service level on each store: counted in the transaction of the change, never by a change that
// fails or changes nothing, and If-Match compared under the record's lock (R4 http.html#concurrency).
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import type { IfMatch } from '../../../src/domain/resource-versions.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

const at = (versionId: string): IfMatch => ({ any: false, versionIds: [versionId] });

describeEachStore('resource versions (R4 http.html#versioning, issue 12 item 4)', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  const patientVersion = async (patientKey: string) => (await w.services.records.get(patientCaller(patientKey), patientKey)).version;
  const stored = async (patientKey: string) =>
    (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM resource_version WHERE patient_key = $1', [patientKey])).rows[0].n;

  it('Patient: version 1 at its creation; $close and $reactivate each make the next one, at the time of the change', async () => {
    const { patientKey } = await adultRecord(w);
    const me = patientCaller(patientKey);
    const created = await patientVersion(patientKey);
    expect(created.versionId).toBe('1');
    const row = await w.services.records.get(me, patientKey);
    expect(created.lastUpdated).toBe(new Date(row.created_at).toISOString());
    w.clock.advance(60_000);
    await w.services.records.close(me, patientKey, undefined, at('1'));
    expect(await patientVersion(patientKey)).toEqual({ versionId: '2', lastUpdated: w.clock.now().toISOString() });
    w.clock.advance(60_000);
    await w.services.records.reactivate(me, patientKey, { any: true });
    expect(await patientVersion(patientKey)).toEqual({ versionId: '3', lastUpdated: w.clock.now().toISOString() });
  });

  it('If-Match: a change against another version is refused (precondition_failed) and leaves the resource and its version as they were', async () => {
    const { patientKey } = await adultRecord(w);
    const me = patientCaller(patientKey);
    await expect(w.services.records.close(me, patientKey, 'test', at('2'))).rejects.toMatchObject({ code: 'precondition_failed' });
    const after = await w.services.records.get(me, patientKey);
    expect({ status: after.status, version: after.version.versionId }).toEqual({ status: 'open', version: '1' });
    await expect(w.services.contacts.update(me, patientKey, { emergencyContacts: [{ name: 'Paul', phone: '0601020304' }] }, at('0'))).rejects.toMatchObject({ code: 'precondition_failed' });
    expect((await w.services.contacts.get(me, patientKey)).emergencyContacts).toEqual([]);
    // a change that fails after its version was counted counts nothing (one transaction):
    // the contacts are written, then an unknown representative undoes it all
    const update = { emergencyContacts: [{ name: 'Paul', phone: '0601020304' }], representatives: [{ representativeId: randomUUID(), email: 'r@example.org' }] };
    await expect(w.services.contacts.update(me, patientKey, update)).rejects.toMatchObject({ code: 'not_found' });
    expect(await stored(patientKey)).toBe(0);
    expect((await patientVersion(patientKey)).versionId).toBe('1');
  });

  it('If-Match under the lock: of two changes made against the same version, one is made and the other refused', async () => {
    const { patientKey } = await adultRecord(w);
    const me = patientCaller(patientKey);
    const results = await Promise.allSettled([
      w.services.consent.setEmergencyOpposition(me, patientKey, 'centre_15', true, at('1')),
      w.services.consent.setEmergencyOpposition(me, patientKey, 'bris_de_glace', true, at('1')),
      w.services.consent.setEmergencyOpposition(me, patientKey, 'centre_15', false, at('1')),
    ]);
    // the two settings are two Consents: each has its own version
    expect(results[1]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ versionId: '2' }) });
    const centre15 = [results[0], results[2]];
    expect(centre15.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(centre15.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['precondition_failed']);
    const summary = await w.services.consent.read(me, patientKey);
    expect(summary.settingVersions.centre_15.versionId).toBe('2');
  });

  it('Consent: a setting set to what it already is keeps its version; an authorisation is 1 as granted and 2 once revoked; the Patient follows the consents it shows', async () => {
    const { patientKey } = await adultRecord(w);
    const me = patientCaller(patientKey);
    expect((await w.services.consent.setEmergencyOpposition(me, patientKey, 'bris_de_glace', false)).versionId).toBe('1');
    expect((await w.services.consent.setEmergencyOpposition(me, patientKey, 'bris_de_glace', true)).versionId).toBe('2');
    const grant = await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: proActor('doctor').idNatPs, effect: 'permit' });
    expect(grant.version.versionId).toBe('1');
    // how a professional stands with the record is part of the Patient they read
    expect((await patientVersion(patientKey)).versionId).toBe('2');
    await expect(w.services.consent.revokeGrant(me, patientKey, grant.grant_id, at('2'))).rejects.toMatchObject({ code: 'precondition_failed' });
    w.clock.advance(1000);
    await w.services.consent.revokeGrant(me, patientKey, grant.grant_id, at('1'));
    const revoked = (await w.services.consent.read(me, patientKey, true)).grants.find((g) => g.grant_id === grant.grant_id)!;
    expect(revoked.version).toEqual({ versionId: '2', lastUpdated: w.clock.now().toISOString() });
    expect((await patientVersion(patientKey)).versionId).toBe('3');
    const designated = await w.services.consent.designateMedecinTraitant(me, patientKey, null);
    expect(designated.versionId).toBe('1');
  });

  it('List (personal selection): 1 as created, the next at each replacement, and no count left once deleted', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const me = patientCaller(patientKey);
    const doc = (await w.services.submissions.submit(as(proActor('doctor')), submission(ins, [{}]))).assignedIds.Document1;
    const id = await w.services.selections.save(me, patientKey, { name: 'Suivi', logicalIds: [doc] });
    const versionOf = async () => (await w.services.selections.view(me, patientKey)).find((s) => s.selection_id === id)!.version.versionId;
    expect(await versionOf()).toBe('1');
    await expect(w.services.selections.save(me, patientKey, { selectionId: id, name: 'Autre', logicalIds: [] }, at('2'))).rejects.toMatchObject({ code: 'precondition_failed' });
    await w.services.selections.save(me, patientKey, { selectionId: id, name: 'Autre', logicalIds: [] }, at('1'));
    expect(await versionOf()).toBe('2');
    await expect(w.services.selections.remove(me, patientKey, id, at('1'))).rejects.toMatchObject({ code: 'precondition_failed' });
    await w.services.selections.remove(me, patientKey, id, at('2'));
    expect(await stored(patientKey)).toBe(0);
  });

  it('DocumentReference: an archive made against another version is refused and the entry keeps its status and version', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const me = patientCaller(patientKey);
    const entryUuid = (await w.services.submissions.submit(as(proActor('doctor')), submission(ins, [{}]))).assignedIds.Document1;
    await expect(w.services.metadata.change(me, { entryUuid }, { flags: [], archived: true, delete: false }, at('1.1'))).rejects.toMatchObject({ code: 'precondition_failed' });
    const unchanged = await w.services.documents.read(me, { entryUuid });
    expect({ status: unchanged.availabilityStatus, changes: unchanged.statusChanges ?? 0 }).toEqual({ status: 'Approved', changes: 0 });
    const archived = await w.services.metadata.change(me, { entryUuid }, { flags: [], archived: true, delete: false }, at('1'));
    expect({ status: archived.availabilityStatus, changes: archived.statusChanges }).toEqual({ status: 'Archived', changes: 1 });
  });
});
