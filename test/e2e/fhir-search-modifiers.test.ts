// FHIR R4 search modifiers on a real port, both stores: on every search of the door, a parameter
// with a modifier the search does not honour (`status:not`, `identifier:of-type`, `date:missing`...)
// is ignored and named (an outcome entry, and out of the self link), or refused (400) under
// Prefer: handling=strict — never dropped in silence, which answered more than was asked. The
// modifiers a search honours (`actor:identifier`, `agent:identifier`) still work.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor, type World } from '../support/world.js';

const doctor = proActor('doctor');

for (const kind of storeKinds()) {
  describe(`FHIR search modifiers [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let w: World;
    let patientKey: string;
    let patient: Actor;

    async function call(actor: Actor, path: string, strict = false): Promise<Response> {
      const headers: Record<string, string> = { authorization: `Bearer ${await server.tokenFor(actor)}`, accept: 'application/fhir+json' };
      if (strict) headers.prefer = 'handling=strict';
      return fetch(`${server.baseUrl}/fhir${path}`, { headers });
    }

    /** What a lenient search answered: its status, the parameters its outcome names, whether its self link keeps `key`, its match count. */
    async function lenient(actor: Actor, path: string, key: string) {
      const res = await call(actor, path);
      const b = (await res.json()) as Bundle;
      const outcome = b.entry?.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome | undefined;
      const self = decodeURIComponent(b.link?.find((l) => l.relation === 'self')?.url ?? '');
      return {
        status: res.status,
        named: JSON.stringify(outcome?.issue ?? []).includes(key),
        inSelf: self.includes(`${key}=`),
        matches: b.entry?.filter((e) => e.search?.mode === 'match').length ?? 0,
      };
    }

    /** A search with an unhonoured modifier: named and left out of the self link, leniently; 400 under strict. */
    async function refusedOrNamed(actor: Actor, path: string, key: string) {
      expect({ path, ...(await lenient(actor, path, key)), matches: undefined }).toEqual({ path, status: 200, named: true, inSelf: false, matches: undefined });
      const strict = await call(actor, path, true);
      const body = (await strict.json()) as OperationOutcome;
      expect({ path, status: strict.status, names: JSON.stringify(body.issue ?? []).includes(key) }).toEqual({ path, status: 400, names: true });
    }

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      w = await makeWorld(db);
      patientKey = (await adultRecord(w)).patientKey;
      patient = { kind: 'patient', patientKey };
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      const bundle = provideBundle({ patient: `Patient/${patientKey}`, docs: [{ typeCode: '11490-0', author: { idNatPs: doctor.idNatPs, family: 'Demo', given: 'Ana' }, content: 'x' }] });
      const res = await fetch(`${server.baseUrl}/fhir`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await server.tokenFor(doctor)}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(bundle),
      });
      expect(res.status).toBe(200);
    });

    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    it('Consent: status:not is named (the active grant is not thereby hidden or widened), or refused under strict; actor:identifier still honoured', async () => {
      const base = `/Consent?patient=Patient/${patientKey}`;
      await refusedOrNamed(patient, `${base}&status:not=active`, 'status:not');
      await refusedOrNamed(patient, `${base}&category:text=access`, 'category:text');
      await refusedOrNamed(patient, `${base}&patient:identifier=urn:oid:1.2.250.1.213.1.4.8|1`, 'patient:identifier');
      const byActor = await lenient(patient, `${base}&actor:identifier=${doctor.idNatPs}`, 'actor:identifier');
      expect(byActor).toEqual({ status: 200, named: false, inSelf: true, matches: byActor.matches });
      expect(byActor.matches).toBeGreaterThan(0);
    });

    it('AuditEvent: date:missing and action:not are named, or refused under strict; agent:identifier still honoured', async () => {
      const base = `/AuditEvent?patient=Patient/${patientKey}`;
      await refusedOrNamed(patient, `${base}&date:missing=true`, 'date:missing');
      await refusedOrNamed(patient, `${base}&action:not=R`, 'action:not');
      const byAgent = await lenient(patient, `${base}&agent:identifier=${doctor.idNatPs}`, 'agent:identifier');
      expect(byAgent).toEqual({ status: 200, named: false, inSelf: true, matches: byAgent.matches });
    });

    it('Patient: identifier:of-type is named, or refused under strict', async () => {
      await refusedOrNamed(doctor, `/Patient?_id=${patientKey}&identifier:of-type=x`, 'identifier:of-type');
    });

    it('RelatedPerson: patient:identifier is named, or refused under strict', async () => {
      await refusedOrNamed(patient, `/RelatedPerson?patient=Patient/${patientKey}&patient:identifier=x`, 'patient:identifier');
    });

    it('Practitioner, PractitionerRole, Organization: a token modifier is named, or refused under strict; string modifiers still honoured', async () => {
      await refusedOrNamed(doctor, `/Practitioner?identifier:of-type=x`, 'identifier:of-type');
      await refusedOrNamed(doctor, `/PractitionerRole?role:text=x`, 'role:text');
      await refusedOrNamed(doctor, `/Organization?identifier:missing=true`, 'identifier:missing');
      await refusedOrNamed(doctor, `/Practitioner?name:text=x`, 'name:text');
      expect(await lenient(doctor, `/Organization?name:contains=a&_count=1`, 'name:contains')).toEqual({ status: 200, named: false, inSelf: true, matches: 1 });
    });

    it('List (selections): code:not=carnet-selection is not read as a selection search; it is named, or refused under strict', async () => {
      await refusedOrNamed(patient, `/List?patient=Patient/${patientKey}&code:not=carnet-selection`, 'code:not');
      await refusedOrNamed(patient, `/List?patient=Patient/${patientKey}&code=carnet-selection&patient:identifier=x`, 'patient:identifier');
    });

    it('List (ITI-66) and DocumentReference (ITI-67): status:not and type:text are named, or refused under strict', async () => {
      await refusedOrNamed(doctor, `/List?patient=Patient/${patientKey}&status:not=current`, 'status:not');
      await refusedOrNamed(doctor, `/DocumentReference?patient=Patient/${patientKey}&status:not=current`, 'status:not');
      await refusedOrNamed(doctor, `/DocumentReference?patient=Patient/${patientKey}&type:text=lettre`, 'type:text');
    });

    it('a control parameter with a modifier (_count:x) is named and not used as the page size, or refused under strict', async () => {
      const path = `/DocumentReference?patient=Patient/${patientKey}&_count:x=0`;
      await refusedOrNamed(doctor, path, '_count:x');
      expect((await lenient(doctor, path, '_count:x')).matches).toBe(1);
    });

    it('$download: a parameter with a modifier (parts:not) is refused, not read as every part', async () => {
      const res = await call(patient, `/Patient/${patientKey}/$download?parts:not=history`);
      expect(res.status).toBe(400);
    });
  });
}
