// The MHD routes on a real port, with a real FHIR client: a hospital and a laboratory deposit
// (ITI-65, JSON and XML), consumers search (ITI-67 with every parameter, paging, totals), read
// lists (ITI-66), retrieve (ITI-68, raw and as Binary), and patients and authors change
// visibility, archive and delete by PATCH.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Binary, Bundle, DocumentReference, List, OperationOutcome } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import { fhirJsonToXml, fhirXmlToJson } from '../../src/fhir/xml.js';
import type { Actor } from '../../src/domain/actor.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, PROS, type World } from '../support/world.js';

const doctor = proActor('doctor');
const doctor2 = proActor('doctor2');
/** A PATCH answer: the DocumentReference, or an OperationOutcome. */
type Answer = Omit<DocumentReference, 'resourceType'> & { resourceType: string; issue?: OperationOutcome['issue'] };

const AUTHOR = { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' };
const LAB = { idNatPs: doctor2.idNatPs, family: 'Petit', given: 'Bruno' };

for (const kind of storeKinds()) {
  describe(`MHD routes [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let w: World;
    let patientKey: string;
    let insToken: string;
    const fhirUrl = () => `${server.baseUrl}/fhir`;

    async function clientFor(actor: Actor): Promise<Client> {
      return new Client({ baseUrl: fhirUrl(), bearerToken: await server.tokenFor(actor) });
    }

    async function call(actor: Actor, path: string, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${await server.tokenFor(actor)}`);
      return fetch(`${fhirUrl()}${path}`, { ...init, headers });
    }

    const idsOf = (b: Bundle) =>
      (b.entry ?? []).filter((e) => e.resource?.resourceType === 'DocumentReference').map((e) => e.resource!.id as string).sort();

    async function search(actor: Actor, query: string): Promise<Bundle> {
      const res = await call(actor, `/DocumentReference?patient=Patient/${patientKey}&${query}`);
      const body = (await res.json()) as Bundle;
      expect({ status: res.status, query, body: res.status === 200 ? 'ok' : body }).toEqual({ status: 200, query, body: 'ok' });
      return body;
    }

    let discharge: string;
    let lab: string;
    let masked: string;

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      w = await makeWorld(db);
      const rec = await adultRecord(w);
      patientKey = rec.patientKey;
      insToken = `urn:oid:${rec.ins.system}|${rec.ins.value}`;
      for (const p of [doctor, doctor2, proActor('podiatrist'), proActor('nurse')]) {
        await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
      }
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    it('ITI-65: a hospital deposits a discharge summary (11490-0) with fhir-kit-client and gets a transaction-response', async () => {
      const client = await clientFor(doctor);
      const bundle = provideBundle({
        patient: `${fhirUrl()}/Patient/${patientKey}`,
        docs: [{ typeCode: '11490-0', author: AUTHOR, content: 'Lettre de liaison', creation: '2026-01-05T08:00:00Z', period: { start: '2026-01-01T00:00:00Z', end: '2026-01-05T00:00:00Z' }, event: 'EV1', related: { system: 'urn:oid:1.2.250.1.999.8', value: 'SEJ-1' } }],
      });
      const answer = (await client.transaction({ body: bundle as never })) as unknown as Bundle;
      expect(answer.type).toBe('transaction-response');
      expect(answer.entry).toHaveLength(3);
      for (const e of answer.entry ?? []) expect(e.response?.status).toMatch(/^201/);
      const location = answer.entry?.find((e) => e.response?.location?.startsWith('DocumentReference/'))?.response?.location as string;
      discharge = location.split('/')[1];
      const binary = answer.entry?.find((e) => e.response?.location?.startsWith('Binary/'))?.response?.location;
      expect(binary).toBe(`Binary/${discharge}`);
      const dr = (await client.read({ resourceType: 'DocumentReference', id: discharge })) as unknown as DocumentReference;
      expect(dr.type?.coding?.[0]?.code).toBe('11490-0');
      expect(dr.subject?.reference).toBe(`Patient/${patientKey}`);
      expect(dr.content[0].attachment.url).toBe(`${fhirUrl()}/Binary/${discharge}`);
    });

    it('issue 12 item 1 (MHD ITI-65 §2:3.65.4.2.2, R4 http read): every response.location of a transaction-response reads, the SubmissionSet List included', async () => {
      // a record of its own, so that the counts of the searches below stay those of this file's deposits
      const own = await adultRecord(w);
      await w.services.consent.addGrant(patientCaller(own.patientKey), own.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      const bundle = provideBundle({ patient: `Patient/${own.patientKey}`, docs: [{ typeCode: '11490-0', author: AUTHOR, content: 'Compte rendu', creation: '2026-01-06T08:00:00Z' }] });
      const res = await call(doctor, '', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
      const answer = (await res.json()) as Bundle;
      const locations = (answer.entry ?? []).map((e) => e.response?.location ?? '');
      expect(locations.map((l) => l.split('/')[0]).sort()).toEqual(['Binary', 'DocumentReference', 'List']);
      for (const location of locations) {
        const read = await call(doctor, `/${location}`, { headers: { accept: 'application/fhir+json' } });
        expect({ location, status: read.status }).toEqual({ location, status: 200 });
        expect(((await read.json()) as { id?: string }).id).toBe(location.split('/')[1]);
      }
      const list = (await (await call(doctor, `/${locations.find((l) => l.startsWith('List/'))}`)).json()) as List;
      expect(list.code?.coding?.[0]?.code).toBe('submissionset');
    });

    it('issue 12 item 10 (R4 DocumentReference.date, MHD 4.2 ITI-65/ITI-67): the date the source gave its DocumentReference is the one read and searched; without one, the registry\'s time', async () => {
      const own = await adultRecord(w);
      await w.services.consent.addGrant(patientCaller(own.patientKey), own.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      const bundle = provideBundle({
        patient: `Patient/${own.patientKey}`,
        docs: [
          { typeCode: '11490-0', author: AUTHOR, content: 'Lettre datée', date: '2019-06-15T12:00:00+02:00' },
          { typeCode: '11502-2', author: LAB, content: 'Sans date' },
        ],
      });
      const res = await call(doctor, '', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
      expect(res.status).toBe(200);
      const ids = ((await res.json()) as Bundle).entry!.map((e) => e.response?.location ?? '').filter((l) => l.startsWith('DocumentReference/')).map((l) => l.split('/')[1]!);
      const read = async (id: string) => (await (await call(doctor, `/DocumentReference/${id}`)).json()) as { date?: string; type?: { coding?: Array<{ code?: string }> } };
      const docs = await Promise.all(ids.map(read));
      const dated = ids[docs.findIndex((d) => d.type?.coding?.[0]?.code === '11490-0')]!;
      const undated = ids[docs.findIndex((d) => d.type?.coding?.[0]?.code === '11502-2')]!;
      expect((await read(dated)).date).toBe('2019-06-15T12:00:00+02:00');
      expect(Date.parse((await read(undated)).date ?? '')).toBeGreaterThan(Date.parse('2025-01-01'));
      const found = async (date: string) => idsOf((await (await call(doctor, `/DocumentReference?patient=Patient/${own.patientKey}&date=${date}`)).json()) as Bundle);
      expect(await found('lt2020-01-01')).toEqual([dated]);
      expect(await found('2019-06-15')).toEqual([dated]);
      expect(await found('ge2025-01-01')).toEqual([undated]);
    });

    it('ITI-65: a laboratory deposits a result (11502-2) in XML and is answered in XML', async () => {
      const bundle = provideBundle({ patient: `Patient/${patientKey}`, docs: [{ typeCode: '11502-2', author: LAB, content: 'Hb 14 g/dL', creation: '2026-02-01T10:00:00Z' }] });
      const res = await call(doctor2, '', { method: 'POST', headers: { 'content-type': 'application/fhir+xml', accept: 'application/fhir+xml' }, body: fhirJsonToXml(bundle) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/fhir+xml');
      const answer = fhirXmlToJson<Bundle>(await res.text());
      lab = answer.entry?.find((e) => e.response?.location?.startsWith('DocumentReference/'))?.response?.location?.split('/')[1] as string;
      expect(lab).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('ITI-65: an in-bundle Patient identified by INS is the same record; a masked document is deposited', async () => {
      const bundle = provideBundle({ patient: 'urn:uuid:00000000-0000-4000-8000-0000000000aa', docs: [{ typeCode: '11488-4', author: AUTHOR, confidentiality: ['N', 'MASQUE_PS'], creation: '2026-03-01T10:00:00Z' }] });
      const [system, value] = insToken.split('|');
      bundle.entry!.push({ fullUrl: 'urn:uuid:00000000-0000-4000-8000-0000000000aa', resource: { resourceType: 'Patient', identifier: [{ system, value }] }, request: { method: 'POST', url: 'Patient' } });
      const res = await call(doctor, '', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as Bundle;
      masked = answer.entry?.find((e) => e.response?.location?.startsWith('DocumentReference/'))?.response?.location?.split('/')[1] as string;
      expect(masked).toBeDefined();
    });

    it('ITI-65: refusals are 4xx OperationOutcomes and store nothing', async () => {
      const before = (await search(doctor, '_count=0')).total;
      const unknownPatient = await call(doctor, '', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(provideBundle({ patient: 'Patient/00000000-0000-4000-8000-000000000000', docs: [{}] })) });
      expect(unknownPatient.status).toBe(400);
      const wrongClass = await call(doctor, '', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(provideBundle({ patient: `Patient/${patientKey}`, docs: [{}, { typeCode: '11490-0', classCode: '11' }] })) });
      expect(wrongClass.status).toBe(400);
      const outcome = (await wrongClass.json()) as OperationOutcome;
      expect(outcome.resourceType).toBe('OperationOutcome');
      const notAResource = await call(doctor, '', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ hello: 1 }) });
      expect(notAResource.status).toBe(400);
      const batch = await call(doctor, '', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...provideBundle({ patient: `Patient/${patientKey}`, docs: [{}] }), type: 'batch' }) });
      expect(batch.status).toBe(422);
      expect((await search(doctor, '_count=0')).total).toBe(before);
    });

    it('ITI-67: GET and POST _search by patient or patient.identifier find the same documents', async () => {
      const byKey = await search(doctor, '');
      expect(idsOf(byKey)).toEqual([discharge, lab, masked].sort());
      const client = await clientFor(doctor);
      const byIns = (await client.search({ resourceType: 'DocumentReference', searchParams: { 'patient.identifier': insToken, status: 'current' } })) as unknown as Bundle;
      expect(idsOf(byIns)).toEqual(idsOf(byKey));
      const res = await call(doctor, '/DocumentReference/_search', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ patient: `Patient/${patientKey}`, type: 'http://loinc.org|11502-2' }).toString(),
      });
      expect(res.status).toBe(200);
      expect(idsOf((await res.json()) as Bundle)).toEqual([lab]);
    });

    it('ITI-67: each MHD parameter narrows the search', async () => {
      const cases: Array<[string, string[]]> = [
        ['status=current', [discharge, lab, masked]],
        ['status=superseded', []],
        ['type=http://loinc.org|11490-0', [discharge]],
        ['type=11490-0,11502-2', [discharge, lab]],
        ['category=https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument|10', [discharge, lab, masked]],
        ['category=99', []],
        ['creation=ge2026-02-01', [lab, masked]],
        ['creation=lt2026-02-01', [discharge]],
        ['creation=2026-01', [discharge]],
        ['date=ge2000-01-01', [discharge, lab, masked]],
        ['date=lt2000-01-01', []],
        ['period=ge2026-01-03', [discharge]],
        ['period=lt2025-12-01', []],
        ['facility=SA01', [discharge, lab, masked]],
        ['facility=SA99', []],
        ['setting=ETABLISSEMENT', [discharge, lab, masked]],
        ['event=EV1', [discharge]],
        ['format=urn:ihe:iti:xds-sd:text:2008', [discharge, lab, masked]],
        ['security-label=MASQUE_PS', [masked]],
        ['security-label=N', [discharge, lab, masked]],
        [`identifier=urn:uuid:${lab}`, [lab]],
        ['related=urn:oid:1.2.250.1.999.8|SEJ-1', [discharge]],
        ['author.family=mart', [discharge, masked]],
        ['author.given=Bruno', [lab]],
        ['author.family:exact=Petit', [lab]],
        ['isArchived=false', [discharge, lab, masked]],
        ['isArchived=true', []],
      ];
      for (const [query, expected] of cases) {
        const b = await search(doctor, query);
        expect({ query, ids: idsOf(b) }).toEqual({ query, ids: [...expected].sort() });
        expect({ query, total: b.total }).toEqual({ query, total: expected.length });
      }
      const dr = (await (await call(doctor, `/DocumentReference/${lab}`)).json()) as DocumentReference;
      const uniqueId = dr.masterIdentifier?.value as string;
      expect(idsOf(await search(doctor, `identifier=${encodeURIComponent(uniqueId)}`))).toEqual([lab]);
    });

    it('issue 12 item 3 (MHD ITI-67 §2:3.67.4.1.2, R4 search.html#errors): unknown parameters are ignored, named in an outcome entry and left out of self; refused under Prefer: handling=strict', async () => {
      const strict = await call(doctor, `/DocumentReference?patient=Patient/${patientKey}&color=blue`, { headers: { prefer: 'handling=strict' } });
      expect(strict.status).toBe(400);
      const ignoring = await call(doctor, `/DocumentReference?patient=Patient/${patientKey}&color=blue&type:text=x`);
      expect(ignoring.status).toBe(200);
      const b = (await ignoring.json()) as Bundle;
      const outcome = b.entry?.find((e) => e.search?.mode === 'outcome');
      expect(outcome?.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(JSON.stringify(outcome?.resource)).toContain('color, type:text');
      expect(idsOf(b)).toEqual([discharge, lab, masked].sort());
      const self = new URL(b.link!.find((l) => l.relation === 'self')!.url);
      expect([...self.searchParams.keys()].sort()).toEqual(['_count', '_offset', 'patient']);
      const noPatient = await call(doctor, '/DocumentReference?status=current');
      expect(noPatient.status).toBe(400);
    });

    it('ITI-67: _count, _offset, _sort and links page through; ACC-08: totals never count hidden documents', async () => {
      const first = await search(doctor, '_count=2&_sort=-date');
      expect(first.total).toBe(3);
      expect(first.entry).toHaveLength(2);
      expect(idsOf(first)).toEqual([lab, masked].sort());
      const next = first.link?.find((l) => l.relation === 'next')?.url as string;
      expect(next).toContain('_offset=2');
      const res = await fetch(next, { headers: { authorization: `Bearer ${await server.tokenFor(doctor)}` } });
      const second = (await res.json()) as Bundle;
      expect(idsOf(second)).toEqual([discharge]);
      expect(second.link?.some((l) => l.relation === 'previous')).toBe(true);
      expect(second.link?.some((l) => l.relation === 'next')).toBe(false);
      const asc = await search(doctor, '_sort=date');
      expect(asc.entry?.[0]?.resource?.id).toBe(discharge);
      // issue 12 item 6 (MHD ITI-67 §2:3.67.4.2.2): Bundle.total is always there, _total=none or not
      const none = await search(doctor, '_total=none&_count=1');
      expect(none.total).toBe(3);
      expect(none.link?.some((l) => l.relation === 'next')).toBe(true);
      const big = await search(doctor, '_count=100000');
      expect(big.entry).toHaveLength(3);
      // ACC-08: another doctor does not see the masked document, in pages or in the total.
      const other = await search(doctor2, '_count=1');
      expect(other.total).toBe(2);
      const hidden = await call(doctor2, `/DocumentReference/${masked}`);
      const absent = await call(doctor2, '/DocumentReference/00000000-0000-4000-8000-000000000000');
      expect(hidden.status).toBe(404);
      expect(absent.status).toBe(404);
      // ACC-02: the podiatrist's matrix leaves out the discharge summary.
      const podiatrist = await search(proActor('podiatrist'), '');
      expect(idsOf(podiatrist)).not.toContain(discharge);
      expect(podiatrist.total).toBe(podiatrist.entry?.length);
    });

    it('ITI-67: answers in XML when asked and reads XML searches back', async () => {
      const res = await call(doctor, `/DocumentReference?patient=Patient/${patientKey}&_format=xml`);
      expect(res.headers.get('content-type')).toContain('application/fhir+xml');
      const bundle = fhirXmlToJson<Bundle>(await res.text());
      expect(idsOf(bundle)).toEqual([discharge, lab, masked].sort());
    });

    it('ITI-66: submission sets and folders, with hidden documents left out of the entries', async () => {
      const client = await clientFor(doctor);
      const sets = (await client.search({ resourceType: 'List', searchParams: { patient: `Patient/${patientKey}`, code: 'submissionset' } })) as unknown as Bundle;
      expect(sets.total).toBe(3);
      const members = (sets.entry ?? []).flatMap((e) => ((e.resource as List).entry ?? []).map((x) => x.item.reference));
      expect(members.sort()).toEqual([discharge, lab, masked].map((id) => `DocumentReference/${id}`).sort());
      const other = await call(doctor2, `/List?patient=Patient/${patientKey}`);
      const otherSets = (await other.json()) as Bundle;
      expect(otherSets.total).toBe(2);
      const seen = (otherSets.entry ?? []).flatMap((e) => ((e.resource as List).entry ?? []).map((x) => x.item.reference));
      expect(seen).not.toContain(`DocumentReference/${masked}`);
      const bySource = await call(doctor, `/List?patient.identifier=${encodeURIComponent(insToken)}&sourceId=urn:oid:1.2.250.1.999.2&status=current&date=ge2026-01-01&designationType=04`);
      expect(((await bySource.json()) as Bundle).total).toBe(3);
      const folders = await call(doctor, `/List?patient=Patient/${patientKey}&code=folder`);
      expect(((await folders.json()) as Bundle).total).toBe(0);
      expect((await call(doctor, `/List?patient=Patient/${patientKey}&nope=1`)).status).toBe(200);
      expect((await call(doctor, `/List?patient=Patient/${patientKey}&nope=1`, { headers: { prefer: 'handling=strict' } })).status).toBe(400);
    });

    it('ITI-68: raw bytes with the mimeType, or a Binary resource in JSON or XML; hidden is 404', async () => {
      const raw = await call(doctor, `/Binary/${lab}`);
      expect(raw.status).toBe(200);
      expect(raw.headers.get('content-type')).toContain('text/plain');
      expect(await raw.text()).toBe('Hb 14 g/dL');
      const json = await call(doctor, `/Binary/${lab}`, { headers: { accept: 'application/fhir+json' } });
      const binary = (await json.json()) as Binary;
      expect(binary.resourceType).toBe('Binary');
      expect(Buffer.from(binary.data as string, 'base64').toString()).toBe('Hb 14 g/dL');
      const xml = await call(doctor, `/Binary/${lab}?_format=xml`);
      expect(fhirXmlToJson<Binary>(await xml.text()).contentType).toBe('text/plain');
      const client = await clientFor(doctor);
      const viaClient = (await client.read({ resourceType: 'Binary', id: lab })) as unknown as Binary;
      expect(viaClient.data).toBe(binary.data);
      expect((await call(doctor, `/Binary/${lab}`, { headers: { accept: 'image/png' } })).status).toBe(406);
      expect((await call(doctor2, `/Binary/${masked}`)).status).toBe(404);
      expect((await call(doctor, '/Binary/not-a-uuid')).status).toBe(404);
    });

    describe('PATCH', () => {
      const TRE_A07 = 'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument';
      async function patch(actor: Actor, path: string, ops: unknown[]): Promise<{ status: number; body: Answer }> {
        const res = await call(actor, path, { method: 'PATCH', headers: { 'content-type': 'application/json-patch+json' }, body: JSON.stringify(ops) });
        return { status: res.status, body: (await res.json()) as Answer };
      }

      it('MASK-01/MASK-05: the patient masks (new id, same logicalId) and unmasks; a professional may not mask', async () => {
        const me = { kind: 'patient' as const, patientKey };
        const refused = await patch(doctor2, `/DocumentReference/${lab}`, [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code: 'MASQUE_PS' }] } }]);
        expect(refused.status).toBe(403);
        const m = await patch(me, `/DocumentReference/${lab}`, [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code: 'MASQUE_PS' }] } }]);
        expect(m.status).toBe(200);
        expect(m.body.id).not.toBe(lab);
        expect(m.body.securityLabel?.map((s) => s.coding?.[0]?.code)).toContain('MASQUE_PS');
        expect(idsOf(await search(doctor, ''))).not.toContain(m.body.id);
        expect(idsOf(await search(doctor2, ''))).toContain(m.body.id);
        const logical = m.body.identifier?.find((i) => i.type?.text === 'logicalId')?.value;
        expect(logical).toBe(`urn:uuid:${lab}`);
        // the old version is no longer the document: the client gets a conflict.
        expect((await patch(me, `/DocumentReference/${lab}`, [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code: 'MASQUE_PS' }] } }])).status).toBe(409);
        const u = await patch(me, `/DocumentReference?identifier=${encodeURIComponent(logical as string)}`, [{ op: 'replace', path: '/securityLabel', value: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }] }] }]);
        expect(u.status).toBe(200);
        expect(u.body.securityLabel?.map((s) => s.coding?.[0]?.code)).toEqual(['N']);
        lab = u.body.id as string;
        expect(idsOf(await search(doctor, ''))).toContain(lab);
      });

      it('MASK-03: INVISIBLE_REP_LEGAUX is read as the representatives flag, which the rules then judge', async () => {
        // An adult's record has no legal representative to hide from: the rules refuse (403),
        // where an unknown label would have been refused by the door itself (422).
        const r = await patch(doctor2, `/DocumentReference/${lab}`, [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code: 'INVISIBLE_REP_LEGAUX' }] } }]);
        expect({ status: r.status, issue: r.body.issue?.[0]?.code }).toEqual({ status: 403, issue: 'forbidden' });
        const unknown = await patch(doctor2, `/DocumentReference/${lab}`, [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code: 'MASQUE_PT' }] } }]);
        expect(unknown.status).toBe(422);
      });

      it('DOC-07: archive and unarchive through the isArchived extension; isArchived=true finds it', async () => {
        const ext = { url: 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived', valueBoolean: true };
        const me = { kind: 'patient' as const, patientKey };
        expect((await patch(doctor, `/DocumentReference/${discharge}`, [{ op: 'add', path: '/extension', value: [ext] }])).status).toBe(403);
        const a = await patch(me, `/DocumentReference/${discharge}`, [{ op: 'add', path: '/extension', value: [ext] }]);
        expect(a.status).toBe(200);
        expect(a.body.id).toBe(discharge);
        expect(idsOf(await search(doctor, 'isArchived=true'))).toEqual([discharge]);
        expect(idsOf(await search(doctor, ''))).not.toContain(discharge);
        expect((await call(doctor, `/Binary/${discharge}`)).status).toBe(200);
        const u = await patch(me, `/DocumentReference/${discharge}`, [{ op: 'remove', path: '/extension' }]);
        expect(u.status).toBe(200);
        expect(idsOf(await search(doctor, 'isArchived=true'))).toEqual([]);
      });

      it('refuses other changes (422), bad patches (400) and other media types (415)', async () => {
        const other = await patch(doctor, `/DocumentReference/${discharge}`, [{ op: 'add', path: '/description', value: 'changed' }]);
        expect(other.status).toBe(422);
        expect(other.body.resourceType).toBe('OperationOutcome');
        const level = await patch(doctor, `/DocumentReference/${discharge}`, [{ op: 'replace', path: '/securityLabel', value: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'V' }] }] }]);
        expect(level.status).toBe(422);
        const status = await patch(doctor, `/DocumentReference/${discharge}`, [{ op: 'replace', path: '/status', value: 'superseded' }]);
        expect(status.status).toBe(422);
        const failedTest = await patch(doctor, `/DocumentReference/${discharge}`, [{ op: 'test', path: '/status', value: 'superseded' }]);
        expect(failedTest.status).toBe(422);
        const bad = await patch(doctor, `/DocumentReference/${discharge}`, [{ op: 'frobnicate', path: '/x' }]);
        expect(bad.status).toBe(400);
        const notArray = await patch(doctor, `/DocumentReference/${discharge}`, {} as unknown as unknown[]);
        expect(notArray.status).toBe(400);
        const res = await call(doctor, `/DocumentReference/${discharge}`, { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'x' });
        expect(res.status).toBe(415);
      });

      it('DOC-06: only the author deletes (status entered-in-error); the document is then gone', async () => {
        const op = [{ op: 'replace', path: '/status', value: 'entered-in-error' }];
        const notAuthor = await patch(doctor2, `/DocumentReference/${discharge}`, op);
        expect(notAuthor.status).toBe(403);
        const uniqueId = ((await (await call(doctor, `/DocumentReference/${discharge}`)).json()) as DocumentReference).masterIdentifier?.value as string;
        const done = await patch(doctor, `/DocumentReference?identifier=${encodeURIComponent(uniqueId)}`, op);
        expect(done.status).toBe(200);
        expect(done.body.status).toBe('entered-in-error');
        expect(idsOf(await search(doctor, ''))).not.toContain(discharge);
        expect((await call(doctor, `/Binary/${discharge}`)).status).toBe(404);
      });
    });

    it('declares every route in the CapabilityStatement', async () => {
      const cs = (await (await fetch(`${fhirUrl()}/metadata`)).json()) as { rest: Array<{ resource: Array<{ type: string; interaction: { code: string }[]; searchParam?: { name: string }[] }>; interaction?: { code: string }[] }> };
      const rest = cs.rest[0];
      const dr = rest.resource.find((r) => r.type === 'DocumentReference');
      expect(dr?.interaction.map((i) => i.code).sort()).toEqual(['patch', 'read', 'search-type', 'vread']);
      expect(dr?.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'patient.identifier', 'isArchived', 'author.family', 'security-label']));
      // search-type is ITI-66, read and vread every List; create, update, delete the patient's personal selections (DOC-07, code carnet-selection)
      expect(rest.resource.find((r) => r.type === 'List')?.interaction.map((i) => i.code).sort()).toEqual(['create', 'delete', 'read', 'search-type', 'update', 'vread']);
      expect(rest.resource.find((r) => r.type === 'Binary')?.interaction.map((i) => i.code)).toEqual(['read']);
      expect(rest.interaction?.map((i) => i.code)).toContain('transaction');
    });

    it('keeps the services and the door in step: a deposit by the service is found through the door', async () => {
      const page = await w.services.documents.find(as(doctor), { patientKey }, { countTotal: true, limit: 100 });
      expect(idsOf(await search(doctor, '_count=100'))).toEqual(page.entries.map((e) => e.entryUuid.slice(9)).sort());
      expect(PROS.doctor.idNatPs).toBe(doctor.idNatPs);
    });
  });
}
