// PAT-05 for professionals: the record's emergency contacts are on its Patient for a professional
// who may read the record (authorised, or in an emergency mode the patient did not oppose), and
// for nobody else among professionals; each look is traced on the record.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Patient } from '@medplum/fhirtypes';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, STRUCTURE, type World } from '../support/world.js';

const CONTACTS = [{ name: 'Paul Durand', relationship: 'frère', phone: '+33612345678' }];
const SHOWN = [
  {
    relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'C', display: 'Emergency Contact' }] }, { text: 'frère' }],
    name: { text: 'Paul Durand' },
    telecom: [{ system: 'phone', value: '+33612345678' }],
  },
];

describeEachStore('PAT-05: professionals see the emergency contacts under the access rules', (db) => {
  let server: RunningApp;
  let w: World;
  let patientKey: string;

  async function patientAs(actor: ProfessionalActor, key = patientKey): Promise<{ status: number; contact?: Patient['contact'] }> {
    const res = await fetch(`${server.baseUrl}/fhir/Patient/${key}`, { headers: { authorization: `Bearer ${await server.tokenFor(actor)}` } });
    const body = (await res.json()) as Patient;
    return { status: res.status, contact: body.contact };
  }
  async function contactTraces(key = patientKey) {
    const r = await db().query<{ actor_id: string; outcome: string; reason: string | null; access_mode: string }>(
      "SELECT actor_id, outcome, reason, access_mode FROM access_trace WHERE chain_key = $1 AND action = 'record.emergency_contacts' ORDER BY seq",
      [key],
    );
    return r.rows;
  }

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    ({ patientKey } = await adultRecord(w));
    const patient = patientCaller(patientKey);
    await w.services.contacts.update(patient, patientKey, { emergencyContacts: CONTACTS });
    // The hospital's care team is authorised (the doctor, the nurse, the secretary are members); the dentist is blocked.
    await w.services.consent.addGrant(patient, patientKey, { subjectKind: 'structure', subjectId: STRUCTURE, effect: 'permit' });
    await w.services.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: proActor('dentist').idNatPs, effect: 'deny' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('PAT-05: an authorised professional reads the contacts on the Patient, and the look is traced', async () => {
    expect(await patientAs(proActor('doctor'))).toEqual({ status: 200, contact: SHOWN });
    expect(await patientAs(proActor('nurse'))).toEqual({ status: 200, contact: SHOWN });
    expect(await contactTraces()).toEqual([
      { actor_id: proActor('doctor').idNatPs, outcome: 'success', reason: null, access_mode: 'normal' },
      { actor_id: proActor('nurse').idNatPs, outcome: 'success', reason: null, access_mode: 'normal' },
    ]);
  });

  it('ACC-01: a professional the patient did not authorise sees the Patient without its contacts', async () => {
    const before = (await contactTraces()).length;
    expect(await patientAs(proActor('doctor2'))).toEqual({ status: 200, contact: undefined });
    expect((await contactTraces()).length).toBe(before);
  });

  it('ACC-03 / ACC-04: a blocked professional, and administrative staff of an authorised team, see no contact', async () => {
    expect(await patientAs(proActor('dentist'))).toEqual({ status: 403, contact: undefined });
    expect(await patientAs(proActor('secretary'))).toEqual({ status: 403, contact: undefined });
    // Both are refused the record itself (traced as such), before any contact is looked at.
    expect((await contactTraces()).map((r) => r.actor_id)).toEqual([proActor('doctor').idNatPs, proActor('nurse').idNatPs]);
  });

  it('ACC-05: in an emergency mode the patient did not oppose, the contacts are shown and the look is marked as an emergency access; an opposed mode shows none', async () => {
    const breakGlass = proActor('doctor2', { mode: 'bris_de_glace' });
    expect((await patientAs(breakGlass)).contact).toEqual(SHOWN);
    const rows = await db().query<{ details: { emergency?: boolean } }>(
      "SELECT details FROM access_trace WHERE chain_key = $1 AND action = 'record.emergency_contacts' AND actor_id = $2",
      [patientKey, breakGlass.idNatPs],
    );
    expect(rows.rows).toEqual([{ details: expect.objectContaining({ emergency: true }) }]);

    const other = await adultRecord(w);
    await w.services.contacts.update(patientCaller(other.patientKey), other.patientKey, { emergencyContacts: CONTACTS });
    await w.services.consent.setEmergencyOpposition(patientCaller(other.patientKey), other.patientKey, 'bris_de_glace', true);
    expect((await patientAs(breakGlass, other.patientKey)).contact).toBeUndefined();
    expect(await contactTraces(other.patientKey)).toEqual([{ actor_id: breakGlass.idNatPs, outcome: 'denied', reason: 'emergency_opposed', access_mode: 'bris_de_glace' }]);
  });

  it('DMP-05: once the record is closed, no professional sees its contacts', async () => {
    const closing = await adultRecord(w);
    const patient = patientCaller(closing.patientKey);
    await w.services.contacts.update(patient, closing.patientKey, { emergencyContacts: CONTACTS });
    await w.services.consent.addGrant(patient, closing.patientKey, { subjectKind: 'professional', subjectId: proActor('doctor').idNatPs, effect: 'permit' });
    expect((await patientAs(proActor('doctor'), closing.patientKey)).contact).toEqual(SHOWN);
    await w.services.records.close(patient, closing.patientKey, 'test');
    expect((await patientAs(proActor('doctor'), closing.patientKey)).contact).toBeUndefined();
    expect(await w.services.contacts.emergencyContactsFor(as(proActor('doctor')), closing.patientKey).catch((e: Error) => e.message)).toBe('the record is closed');
  });
});
