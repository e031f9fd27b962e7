// FHIR R4 string search on a real port, both stores: author.family / author.given match the start
// of a name once case and accents are gone, whichever Unicode form either was written in; :exact
// is the whole name as written; a document the reader may not see is neither found nor counted
// by an accent-matching name (ACC-08); the directory's names alike; a value past the metadata
// value limit is refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import { METADATA_MAX_VALUE_LENGTH } from '../../src/domain/metadata-limits.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor, type World } from '../support/world.js';

const doctor = proActor('doctor');
const doctor2 = proActor('doctor2');
const NFD_DEMO = 'De\u0301mo';

for (const kind of storeKinds()) {
  describe(`FHIR string search [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let w: World;
    let patientKey: string;
    const ids: Record<'nfc' | 'nfd' | 'hidden' | 'inside', string> = { nfc: '', nfd: '', hidden: '', inside: '' };

    async function call(actor: Actor, path: string): Promise<Response> {
      return fetch(`${server.baseUrl}/fhir${path}`, { headers: { authorization: `Bearer ${await server.tokenFor(actor)}`, accept: 'application/fhir+json' } });
    }

    /** The documents found (by name in `ids`) and the total, for `name=value`. */
    async function found(actor: Actor, name: string, value: string): Promise<{ docs: string[]; total?: number }> {
      const res = await call(actor, `/DocumentReference?patient=Patient/${patientKey}&${name}=${encodeURIComponent(value)}`);
      expect({ name, value, status: res.status }).toEqual({ name, value, status: 200 });
      const b = (await res.json()) as Bundle;
      const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
      return { docs: (b.entry ?? []).map((e) => byId[e.resource?.id ?? ''] ?? 'other').sort(), total: b.total };
    }

    async function deposit(family: string, given: string, confidentiality?: string[]): Promise<string> {
      const bundle = provideBundle({ patient: `Patient/${patientKey}`, docs: [{ typeCode: '11490-0', author: { idNatPs: doctor.idNatPs, family, given }, content: family, confidentiality }] });
      const res = await fetch(`${server.baseUrl}/fhir`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await server.tokenFor(doctor)}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(bundle),
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as Bundle;
      return answer.entry!.map((e) => e.response?.location ?? '').find((l) => l.startsWith('DocumentReference/'))!.split('/')[1]!;
    }

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      w = await makeWorld(db);
      patientKey = (await adultRecord(w)).patientKey;
      for (const p of [doctor, doctor2]) {
        await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
      }
      ids.nfc = await deposit('Démo', 'Élodie');
      ids.nfd = await deposit(NFD_DEMO, 'Jean');
      ids.hidden = await deposit('DÉMONT', 'Luc', ['N', 'MASQUE_PS']);
      ids.inside = await deposit('Ledemo', 'Anne');
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    it('R4 string search: author.family "Démo" is found by demo, DEMO, démo and an NFD-written démo, both spellings of the name alike', async () => {
      for (const value of ['demo', 'DEMO', 'démo', NFD_DEMO.toLowerCase(), 'DÉ', 'd']) {
        expect({ value, ...(await found(doctor2, 'author.family', value)) }).toEqual({ value, docs: ['nfc', 'nfd'], total: 2 });
      }
      expect(await found(doctor2, 'author.given', 'elo')).toEqual({ docs: ['nfc'], total: 1 });
      expect(await found(doctor2, 'author.given', 'ÉLODIE')).toEqual({ docs: ['nfc'], total: 1 });
    });

    it('R4 string search: a value found inside a name but not at its start matches nothing', async () => {
      expect(await found(doctor2, 'author.family', 'emo')).toEqual({ docs: [], total: 0 });
      expect(await found(doctor2, 'author.family', 'ledemo')).toEqual({ docs: ['inside'], total: 1 });
      expect(await found(doctor2, 'author.family', 'demox')).toEqual({ docs: [], total: 0 });
    });

    it('R4 string search :exact: the whole name, case and accents kept, either Unicode form', async () => {
      expect(await found(doctor2, 'author.family:exact', 'Démo')).toEqual({ docs: ['nfc', 'nfd'], total: 2 });
      expect(await found(doctor2, 'author.family:exact', NFD_DEMO)).toEqual({ docs: ['nfc', 'nfd'], total: 2 });
      for (const value of ['demo', 'Demo', 'DÉMO', 'Dém']) {
        expect({ value, ...(await found(doctor2, 'author.family:exact', value)) }).toEqual({ value, docs: [], total: 0 });
      }
      expect(await found(doctor2, 'author.given:exact', 'Élodie')).toEqual({ docs: ['nfc'], total: 1 });
    });

    it('ACC-08: a document hidden from the reader is neither found nor counted by an accent-matching name', async () => {
      // its author sees it: the name does match
      expect(await found(doctor, 'author.family', 'demo')).toEqual({ docs: ['hidden', 'nfc', 'nfd'], total: 3 });
      expect(await found(doctor2, 'author.family', 'demo')).toEqual({ docs: ['nfc', 'nfd'], total: 2 });
      expect(await found(doctor2, 'author.family', 'demont')).toEqual({ docs: [], total: 0 });
      expect(await found(doctor2, 'author.family:exact', 'DÉMONT')).toEqual({ docs: [], total: 0 });
    });

    it('R4 string search in the directory: Practitioner family / given and Organization name, case and accents ignored, either Unicode form', async () => {
      const directory = server.app.services.directory;
      await directory.putStructure({ structure_id: 'S-ACCENTS', name: 'Clinique Sainte-Hélène', activity_sector: 'SA01', address: 'Quai de l\u2019Étang, Sète' });
      await directory.putProfessional({ id_nat_ps: '899999999901', given: 'Zoé', family: 'Démoulin', profession: '10', specialty: null, structure_id: 'S-ACCENTS', telecom: null });
      await directory.putProfessional({ id_nat_ps: '899999999902', given: 'Zoe\u0301', family: 'De\u0301moulin', profession: '10', specialty: null, structure_id: 'S-ACCENTS', telecom: null });
      const idsOf = async (path: string) => {
        const res = await call(doctor2, path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        return ((await res.json()) as Bundle).entry?.map((e) => e.resource?.id).sort() ?? [];
      };
      const both = ['899999999901', '899999999902'];
      for (const family of ['demoulin', 'DÉMOU', 'de\u0301m']) expect({ family, ids: await idsOf(`/Practitioner?family=${encodeURIComponent(family)}`) }).toEqual({ family, ids: both });
      expect(await idsOf(`/Practitioner?given=${encodeURIComponent('ZOE')}&family=demou`)).toEqual(both);
      expect(await idsOf('/Practitioner?family=moulin')).toEqual([]);
      expect(await idsOf(`/Organization?name=${encodeURIComponent('CLINIQUE SAINTE-HELE')}`)).toEqual(['S-ACCENTS']);
      expect(await idsOf(`/Organization?name:contains=${encodeURIComponent('sainte-helene')}`)).toEqual(['S-ACCENTS']);
      expect(await idsOf(`/Organization?address:contains=${encodeURIComponent('ÉTANG')}`)).toEqual(['S-ACCENTS']);
    });

    it('R4 string search in the directory: Organization name and address, and the place of a PractitionerRole, match the start; :contains anywhere; :exact the whole as written', async () => {
      const directory = server.app.services.directory;
      await directory.putStructure({ structure_id: 'S-PREFIX', name: 'Centre de santé Sèvres', activity_sector: 'SA01', address: 'Rue de Sèvres, Lorient' });
      await directory.putProfessional({ id_nat_ps: '899999999911', given: 'Inès', family: 'Quéré', profession: '10', specialty: null, structure_id: 'S-PREFIX', telecom: null });
      const search = async (path: string) => {
        const res = await call(doctor2, path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        const b = (await res.json()) as Bundle;
        return { ids: b.entry?.filter((e) => e.search?.mode !== 'outcome').map((e) => e.resource?.id).sort() ?? [], total: b.total };
      };
      const q = (v: string) => encodeURIComponent(v);
      // the start, case and accents ignored
      expect(await search(`/Organization?name=${q('centre de sante')}`)).toEqual({ ids: ['S-PREFIX'], total: 1 });
      expect(await search(`/Organization?address=${q('RUE DE SEV')}`)).toEqual({ ids: ['S-PREFIX'], total: 1 });
      // a value inside the text but not at its start matches nothing without :contains
      expect(await search(`/Organization?name=${q('sevres')}`)).toEqual({ ids: [], total: 0 });
      expect(await search(`/Organization?address=${q('lorient')}`)).toEqual({ ids: [], total: 0 });
      expect(await search(`/PractitionerRole?address=${q('lorient')}`)).toEqual({ ids: [], total: 0 });
      expect(await search(`/Organization?name:contains=${q('SÈVRES')}`)).toEqual({ ids: ['S-PREFIX'], total: 1 });
      expect(await search(`/Organization?address:contains=${q('lorient')}`)).toEqual({ ids: ['S-PREFIX'], total: 1 });
      expect(await search(`/PractitionerRole?address:contains=${q('lorient')}`)).toEqual({ ids: ['899999999911'], total: 1 });
      expect(await search(`/PractitionerRole?address=${q('rue de sèvres')}`)).toEqual({ ids: ['899999999911'], total: 1 });
      expect(await search(`/Practitioner?family:contains=${q('ERE')}`)).toEqual({ ids: ['899999999911'], total: 1 });
      // :exact: the whole text, case and accents kept
      expect(await search(`/Organization?name:exact=${q('Centre de santé Sèvres')}`)).toEqual({ ids: ['S-PREFIX'], total: 1 });
      expect(await search(`/Organization?name:exact=${q('centre de santé sèvres')}`)).toEqual({ ids: [], total: 0 });
      expect(await search(`/Practitioner?family:exact=${q('Quéré')}&given:exact=${q('Inès')}`)).toEqual({ ids: ['899999999911'], total: 1 });
      expect(await search(`/Practitioner?family:exact=${q('Quere')}`)).toEqual({ ids: [], total: 0 });
    });

    it('R4 search: a string modifier the directory does not support is named as ignored, and refused under handling=strict', async () => {
      const lenient = await call(doctor2, `/Organization?name:text=x&_count=1`);
      const bundle = (await lenient.json()) as Bundle;
      const outcome = bundle.entry?.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome | undefined;
      expect({ status: lenient.status, names: JSON.stringify(outcome?.issue ?? []).includes('name:text') }).toEqual({ status: 200, names: true });
      const strict = await fetch(`${server.baseUrl}/fhir/Organization?name:text=x`, {
        headers: { authorization: `Bearer ${await server.tokenFor(doctor2)}`, accept: 'application/fhir+json', prefer: 'handling=strict' },
      });
      expect(strict.status).toBe(400);
    });

    it('a search value past the metadata value limit is refused with a 400 OperationOutcome naming its parameter', async () => {
      const atLimit = 'd'.repeat(METADATA_MAX_VALUE_LENGTH);
      expect(await found(doctor2, 'author.family', atLimit)).toEqual({ docs: [], total: 0 });
      for (const name of ['author.family', 'author.given:exact', 'type']) {
        const res = await call(doctor2, `/DocumentReference?patient=Patient/${patientKey}&${name}=${'d'.repeat(METADATA_MAX_VALUE_LENGTH + 1)}`);
        const outcome = (await res.json()) as OperationOutcome;
        const bare = name.split(':')[0]!;
        expect({ status: res.status, type: outcome.resourceType, names: JSON.stringify(outcome.issue).includes(bare), echoes: JSON.stringify(outcome).includes(atLimit) }).toEqual({
          status: 400,
          type: 'OperationOutcome',
          names: true,
          echoes: false,
        });
      }
      // an OR-list of short alternatives is the values limit's to bound, not this one
      const many = Array.from({ length: 200 }, (_, i) => `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',');
      expect(many.length).toBeGreaterThan(METADATA_MAX_VALUE_LENGTH);
      expect(await found(doctor2, 'identifier', many)).toEqual({ docs: [], total: 0 });
    });
  });
}
