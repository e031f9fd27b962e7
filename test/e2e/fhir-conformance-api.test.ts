// The conformance kit on a real port: the published profiles, terminologies and search
// parameters (public, read + search), the CapabilityStatement links to them, and $validate
// answering with the same validation as an ITI-65 write.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, CapabilityStatement, OperationOutcome, StructureDefinition } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import { fhirJsonToXml } from '../../src/fhir/xml.js';
import { CS, EXT } from '../../src/fhir/mappings/carnet-fhir.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { openTestPglite } from '../support/stores.js';
import { adultRecord, makeWorld, proActor } from '../support/world.js';

const SD = 'https://carnet.example/fhir/StructureDefinition';
const example = (id: string) => JSON.parse(readFileSync(new URL(`../../profiles/fhir/examples/${id}.json`, import.meta.url), 'utf8'))[0];

describe('conformance resources and $validate', () => {
  let db: Db;
  let server: RunningApp;
  let token: string;
  let patientKey: string;
  const get = (path: string) => fetch(`${server.baseUrl}/fhir${path}`, { headers: { accept: 'application/fhir+json' } });
  const post = (path: string, body: unknown, type = 'application/fhir+json') =>
    fetch(`${server.baseUrl}/fhir${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type, accept: 'application/fhir+json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    db = await openTestPglite();
    const w = await makeWorld(db);
    patientKey = (await adultRecord(w)).patientKey;
    server = await startTestApp(db);
    token = await server.tokenFor(proActor('doctor'));
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('serves every profile with its snapshot, without a token, by search and by id', async () => {
    const res = await get('/StructureDefinition');
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle<StructureDefinition>;
    const profiles = (bundle.entry ?? []).filter((e) => e.resource?.type !== 'Extension');
    expect(profiles).toHaveLength(12);
    for (const e of profiles) expect(e.resource?.snapshot?.element?.length).toBeGreaterThan(5);
    const byUrl = (await (await get(`/StructureDefinition?url=${encodeURIComponent(`${SD}/carnet-document-reference`)}`)).json()) as Bundle;
    expect(byUrl.entry?.map((e) => e.resource?.id)).toEqual(['carnet-document-reference']);
    const byName = (await (await get('/StructureDefinition?name=CarnetConsent')).json()) as Bundle;
    expect(byName.total).toBe(1);
    expect((await get('/StructureDefinition/carnet-patient')).status).toBe(200);
    expect((await get('/StructureDefinition/nope')).status).toBe(404);
  });

  it('issue 12 item 7: every extension and code system of its own the server writes is published, readable by id and found by url', async () => {
    const extensions = Object.values(EXT).filter((url) => url.startsWith(`${SD}/`));
    const systems = Object.values(CS);
    expect(extensions.length).toBeGreaterThan(10);
    for (const [type, urls] of [['StructureDefinition', extensions], ['CodeSystem', systems]] as const) {
      for (const url of urls) {
        const found = (await (await get(`/${type}?url=${encodeURIComponent(url)}`)).json()) as Bundle<StructureDefinition>;
        expect({ url, total: found.total }).toEqual({ url, total: 1 });
        const id = url.slice(url.lastIndexOf('/') + 1);
        const read = await get(`/${type}/${id}`);
        expect({ url, status: read.status }).toEqual({ url, status: 200 });
        expect(((await read.json()) as { url: string }).url).toBe(url);
      }
    }
    const errors = (await (await get(`/CodeSystem/carnet-error-code`)).json()) as { content: string; concept: Array<{ code: string }> };
    expect(errors.content).toBe('complete');
    expect(errors.concept.map((c) => c.code)).toEqual(expect.arrayContaining(['invalid_metadata', 'forbidden', 'not_found']));
    const caps = (await (await get('/metadata')).json()) as { rest: Array<{ resource: Array<{ type: string; interaction?: Array<{ code: string }>; searchParam?: Array<{ name: string }> }> }> };
    for (const type of ['StructureDefinition', 'CodeSystem']) {
      const declared = caps.rest[0].resource.find((r) => r.type === type);
      expect(declared?.interaction?.map((i) => i.code)).toEqual(expect.arrayContaining(['read', 'search-type']));
      expect(declared?.searchParam?.map((p) => p.name)).toContain('url');
    }
  });

  it('serves the DMP terminologies and the search parameters', async () => {
    const vs = (await (await get('/ValueSet/JDV-J66-TypeCode-DMP')).json()) as { expansion: { contains: unknown[] } };
    expect(vs.expansion.contains.length).toBeGreaterThan(100);
    const cs = (await (await get('/CodeSystem?name=TRE_G15')).json()) as Bundle;
    expect(cs.total).toBe(1);
    const sp = (await (await get('/SearchParameter?name=DocumentReference_isArchived')).json()) as Bundle;
    expect(sp.total).toBe(1);
    expect((await get('/ValueSet?version=1')).status).toBe(400);
  });

  it('CapabilityStatement: supportedProfile and searchParam.definition point at them', async () => {
    const caps = (await (await get('/metadata')).json()) as CapabilityStatement;
    const dr = caps.rest?.[0]?.resource?.find((r) => r.type === 'DocumentReference');
    expect(dr?.supportedProfile).toEqual(expect.arrayContaining([`${SD}/carnet-document-reference`, `${SD}/carnet-document-reference-minimal`]));
    // a parameter that implements a published definition names it (issue 12 item 8); the server's own stands for the others
    expect(dr?.searchParam?.find((p) => p.name === 'isArchived')?.definition).toBe('https://interop.esante.gouv.fr/ig/fhir/pdsm/SearchParameter/isArchived');
    const list = caps.rest?.[0]?.resource?.find((r) => r.type === 'List');
    expect(list?.searchParam?.find((p) => p.name === 'sourceId')?.definition).toBe('https://profiles.ihe.net/ITI/MHD/SearchParameter/List-SourceId');
    expect(dr?.operation?.map((o) => o.name)).toContain('validate');
    expect(caps.rest?.[0]?.resource?.find((r) => r.type === 'StructureDefinition')?.interaction?.map((i) => i.code)).toEqual(['read', 'search-type']);
  });

  it('$validate accepts an example and reports a broken one, in JSON, XML and as Parameters', async () => {
    const ok = (await (await post('/DocumentReference/$validate', example('carnet-document-reference'))).json()) as OperationOutcome;
    expect(ok.issue.map((i) => i.severity)).toEqual(['information']);
    const broken = example('carnet-document-reference');
    broken.type.coding[0].code = '99999-9';
    delete broken.context.facilityType;
    const res = await post('/DocumentReference/$validate', fhirJsonToXml(broken), 'application/fhir+xml');
    expect(res.status).toBe(200);
    const bad = (await res.json()) as OperationOutcome;
    expect(bad.issue.map((i) => [i.code, i.expression?.[0]])).toEqual(
      expect.arrayContaining([
        ['code-invalid', 'DocumentReference.type'],
        ['required', 'DocumentReference.context.facilityType'],
      ]),
    );
    const viaParams = (await (
      await post('/DocumentReference/$validate', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: broken }, { name: 'profile', valueUri: `${SD}/carnet-document-reference-minimal` }] })
    ).json()) as OperationOutcome;
    expect(viaParams.issue.map((i) => i.expression?.[0])).not.toContain('DocumentReference.context.facilityType');
    expect((await post(`/DocumentReference/$validate?profile=${encodeURIComponent(`${SD}/nope`)}`, broken)).status).toBe(400);
  });

  it('an ITI-65 write is refused for what $validate reports (same validation)', async () => {
    const bundle = provideBundle({ patient: `Patient/${patientKey}`, docs: [{ typeCode: '99999-9' }] });
    const validated = (await (await post('/Bundle/$validate', bundle)).json()) as OperationOutcome;
    const refused = await post('', bundle);
    expect(refused.status).toBe(400);
    const outcome = (await refused.json()) as OperationOutcome;
    const typeIssue = validated.issue.find((i) => i.code === 'code-invalid');
    expect(typeIssue?.expression?.[0]).toMatch(/^Bundle\.entry\[\d+\]\.resource\.type$/);
    expect(JSON.stringify(outcome)).toContain('JDV-J66-TypeCode-DMP');
  });
});
