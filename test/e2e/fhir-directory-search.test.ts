import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import { fhir, IDNAT_PS, IDNAT_STRUCT, OTHER_STRUCTURE, pro, PROS, startRecordServer, STRUCTURE, type RecordServer } from '../support/fhir-record.js';

describe('FHIR directory: Practitioner, PractitionerRole, Organization', () => {
  let rs: RecordServer;
  let client: Client;
  beforeAll(async () => {
    rs = await startRecordServer();
    client = new Client({ baseUrl: rs.fhirBase, bearerToken: await rs.server.tokenFor(pro('nurse')) });
  });
  afterAll(async () => {
    await rs.close();
  });

  const search = async (resourceType: string, searchParams: Record<string, string>) =>
    (await client.search({ resourceType, searchParams })) as unknown as Bundle;

  it('reads a Practitioner by IdNat_PS and finds it by identifier', async () => {
    const p = (await client.read({ resourceType: 'Practitioner', id: PROS.doctor.idNatPs })) as unknown as Practitioner;
    expect(p.identifier).toEqual([{ system: IDNAT_PS, value: PROS.doctor.idNatPs }]);
    expect(p.name).toEqual([{ family: 'Martin', given: ['Alice'] }]);
    expect(p.qualification?.[0].code.coding?.[0].code).toBe('10');
    const found = await search('Practitioner', { identifier: `${IDNAT_PS}|${PROS.doctor.idNatPs}` });
    expect(found.total).toBe(1);
    expect(found.entry![0].resource!.id).toBe(PROS.doctor.idNatPs);
  });

  it('finds practitioners by family, given and name', async () => {
    expect((await search('Practitioner', { family: 'mart' })).entry?.map((e) => e.resource!.id)).toEqual([PROS.doctor.idNatPs]);
    expect((await search('Practitioner', { given: 'Bru' })).entry?.map((e) => e.resource!.id)).toEqual([PROS.doctor2.idNatPs]);
    expect((await search('Practitioner', { name: 'Roux' })).total).toBe(1);
    expect((await search('Practitioner', { family: 'Nobody' })).total).toBe(0);
  });

  it('PAT-04: finds professionals and structures by place (part of the structure\'s address, :contains, as the web page asks), with the other criteria', async () => {
    const inParis = await search('PractitionerRole', { 'address:contains': 'paris' });
    expect(inParis.entry?.map((e) => e.resource!.id).sort()).toEqual([PROS.doctor.idNatPs, PROS.nurse.idNatPs, PROS.secretary.idNatPs].sort());
    expect((await search('PractitionerRole', { 'address:contains': 'Paris', role: '60' })).entry?.map((e) => e.resource!.id)).toEqual([PROS.nurse.idNatPs]);
    expect((await search('PractitionerRole', { 'address:contains': 'Lyon' })).total).toBe(0);
    expect((await search('Organization', { 'address:contains': 'rue du test' })).entry?.map((e) => e.resource!.id)).toEqual([STRUCTURE]);
    // without a modifier, the start of the address (R4 string search)
    expect((await search('Organization', { address: '1 rue du t' })).entry?.map((e) => e.resource!.id)).toEqual([STRUCTURE]);
    expect((await search('Organization', { address: 'rue du test' })).total).toBe(0);
    // a LIKE wildcard typed by the user is a character, not a wildcard
    expect((await search('Organization', { 'address:contains': '%' })).total).toBe(0);
    expect((await search('Organization', { address: '%' })).total).toBe(0);
  });

  it('finds PractitionerRoles by organization, role and specialty', async () => {
    const inStructure = await search('PractitionerRole', { organization: `Organization/${STRUCTURE}` });
    expect(inStructure.entry?.map((e) => e.resource!.id).sort()).toEqual([PROS.doctor.idNatPs, PROS.nurse.idNatPs, PROS.secretary.idNatPs].sort());
    const doctors = await search('PractitionerRole', { role: '10', specialty: 'SM26' });
    expect(doctors.total).toBe(3);
    const role = doctors.entry!.map((e) => e.resource as PractitionerRole).find((r) => r.id === PROS.doctor2.idNatPs)!;
    expect(role.organization?.reference).toBe(`Organization/${OTHER_STRUCTURE}`);
    expect(role.practitioner?.reference).toBe(`Practitioner/${PROS.doctor2.idNatPs}`);
    expect(role.specialty?.[0].coding?.[0]).toEqual({ system: 'urn:oid:1.2.250.1.71.4.2.5', code: 'SM26' });
    const read = (await client.read({ resourceType: 'PractitionerRole', id: PROS.nurse.idNatPs })) as unknown as PractitionerRole;
    expect(read.code?.[0].coding?.[0].code).toBe('60');
  });

  it('reads and finds Organizations by IdNat_Struct and name', async () => {
    const org = (await client.read({ resourceType: 'Organization', id: STRUCTURE })) as unknown as Organization;
    expect(org).toMatchObject({ name: 'CH de Test', identifier: [{ system: IDNAT_STRUCT, value: STRUCTURE }], address: [{ text: '1 rue du Test, Paris' }] });
    expect((await search('Organization', { identifier: `${IDNAT_STRUCT}|${OTHER_STRUCTURE}` })).entry?.[0].resource?.id).toBe(OTHER_STRUCTURE);
    expect((await search('Organization', { name: 'cabinet au' })).total).toBe(1);
    expect((await search('Organization', { name: 'autre' })).total).toBe(0);
    expect((await search('Organization', { 'name:contains': 'autre' })).total).toBe(1);
  });

  it('pages with _count and offers a next link', async () => {
    const page = await search('Practitioner', { _count: '3' });
    expect(page.entry).toHaveLength(3);
    expect(page.total).toBe(Object.keys(PROS).length);
    expect(page.link?.find((l) => l.relation === 'next')?.url).toContain('_offset=3');
  });

  it('answers in XML', async () => {
    const res = await fhir<Practitioner>(rs, pro('doctor'), 'GET', `Practitioner/${PROS.dentist.idNatPs}`, { format: 'xml' });
    expect(res.status).toBe(200);
    expect(res.body.name?.[0].family).toBe('Dent');
  });

  it('answers 404 for an unknown id, 400 for an identifier of another system, 401 without a token', async () => {
    expect((await fhir(rs, pro('doctor'), 'GET', 'Practitioner/899999999999')).status).toBe(404);
    expect((await fhir(rs, pro('doctor'), 'GET', 'Organization/0')).status).toBe(404);
    expect((await fhir(rs, pro('doctor'), 'GET', 'PractitionerRole/0')).status).toBe(404);
    expect((await fhir(rs, pro('doctor'), 'GET', 'Practitioner?identifier=urn:oid:1.2.3|1')).status).toBe(400);
    expect((await fhir(rs, null, 'GET', 'Practitioner')).status).toBe(401);
  });

  it('declares what it serves in the CapabilityStatement', async () => {
    const cs = (await client.capabilityStatement()) as unknown as { rest: { resource: { type: string; interaction: { code: string }[]; searchParam?: { name: string }[]; operation?: { name: string }[] }[] }[] };
    const byType = new Map(cs.rest[0].resource.map((r) => [r.type, r]));
    for (const t of ['Patient', 'Consent', 'AuditEvent', 'Practitioner', 'PractitionerRole', 'Organization']) expect(byType.has(t)).toBe(true);
    expect(byType.get('Consent')!.interaction.map((i) => i.code).sort()).toEqual(['create', 'read', 'search-type', 'update', 'vread']);
    expect(byType.get('Patient')!.operation?.map((o) => o.name).sort()).toEqual(expect.arrayContaining(['close', 'reactivate']));
    expect(byType.get('AuditEvent')!.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'agent', 'date', 'entity', 'action', 'purpose-of-use']));
  });
});
