// The custom operations are published as OperationDefinitions (public, read-only, linked from the
// CapabilityStatement), and each one's documented parameters are what its route takes and
// answers: an undocumented name is refused with the list of accepted names, which must be the
// documented `in` names (and parts); every name an answer carries is a documented `out` one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { creationPatient } from '../support/fhir-record.js';
import type { Bundle, CapabilityStatement, OperationDefinition, OperationDefinitionParameter, OperationOutcome, Parameters, ParametersParameter, Patient } from '@medplum/fhirtypes';
import { call, provide, startPortal, type Answer, type Portal } from '../support/patient-portal.js';
import { newIns, proActor } from '../support/world.js';

const OPS = ['close', 'reactivate', 'home', 'preferences', 'contacts', 'download', 'copy-request', 'validate'];

describe('OperationDefinitions of the custom operations', () => {
  let portal: Portal;
  let patientKey: string;
  let token: string;
  let defs: Map<string, OperationDefinition>;
  const me = () => ({ token });

  beforeAll(async () => {
    portal = await startPortal();
    const created = await call<Patient>(portal, 'POST', '/fhir/Patient', {
      actor: { kind: 'support', agentId: 'agent-3' },
      body: creationPatient({ family: 'Leroy', given: 'Anne', birthDate: '1982-04-09' }),
    });
    expect(created.status).toBe(201);
    patientKey = created.json.id!;
    token = await portal.server.tokenFor({ kind: 'patient', patientKey });
    await provide(portal, proActor('doctor'), patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'CR', creation: '2026-01-05T09:00:00Z' }]);
    const all = await call<Bundle<OperationDefinition>>(portal, 'GET', '/fhir/OperationDefinition');
    expect(all.status).toBe(200);
    defs = new Map((all.json.entry ?? []).map((e) => [e.resource!.code, e.resource!]));
  });
  afterAll(async () => {
    await portal?.close();
  });

  const params = (code: string, use: 'in' | 'out') => (defs.get(code)!.parameter ?? []).filter((p) => p.use === use);
  const names = (list: OperationDefinitionParameter[]) => list.map((p) => p.name).sort();
  const partNames = (code: string, use: 'in' | 'out', name: string) => names(params(code, use).find((p) => p.name === name)?.part ?? []);
  /** The accepted names a refusal lists: "...: unknown parameter x (a, b, c)". */
  const accepted = (a: Answer<OperationOutcome>) => {
    expect(a.status).toBe(400);
    const m = /\(([^()]*)\)$/.exec(a.json.issue[0].diagnostics ?? '');
    return (m?.[1] ?? '').split(', ').sort();
  };
  /** Every parameter (and part) of an answer is documented as out, within its cardinality. */
  const checkOut = (code: string, answer: Parameters) => {
    const documented = params(code, 'out');
    const check = (given: ParametersParameter[], doc: OperationDefinitionParameter[], at: string) => {
      for (const g of given) expect({ at, name: g.name, documented: doc.some((d) => d.name === g.name) }).toEqual({ at, name: g.name, documented: true });
      for (const d of doc) {
        const n = given.filter((g) => g.name === d.name).length;
        expect({ at, name: d.name, n, ok: n >= d.min && (d.max === '*' || n <= Number(d.max)) }).toEqual({ at, name: d.name, n, ok: true });
      }
      for (const g of given) if (g.part) check(g.part, doc.find((d) => d.name === g.name)?.part ?? [], `${at}.${g.name}`);
    };
    check(answer.parameter ?? [], documented, code);
  };

  it('each operation of the CapabilityStatement links a served, public OperationDefinition of that code', async () => {
    const caps = (await call<CapabilityStatement>(portal, 'GET', '/fhir/metadata')).json;
    const linked = (caps.rest?.[0]?.resource ?? []).flatMap((r) => (r.operation ?? []).map((o) => ({ type: r.type, ...o })));
    expect([...new Set(linked.map((o) => o.name))].sort()).toEqual([...OPS].sort());
    for (const op of linked) {
      const found = await call<Bundle<OperationDefinition>>(portal, 'GET', `/fhir/OperationDefinition?url=${encodeURIComponent(op.definition)}`);
      expect({ op: op.name, total: found.json.total }).toEqual({ op: op.name, total: 1 });
      const def = found.json.entry![0].resource!;
      expect(def.code).toBe(op.name);
      expect(def.resource).toContain(op.type);
      expect((await call(portal, 'GET', `/fhir/OperationDefinition/${def.id}`)).status).toBe(200);
    }
  });

  it('$preferences: takes its documented in parameters, answers its documented out ones', async () => {
    expect(accepted(await call(portal, 'POST', `/fhir/Patient/${patientKey}/$preferences`, { ...me(), body: { resourceType: 'Parameters', parameter: [{ name: 'colour', valueString: 'blue' }] } }))).toEqual(names(params('preferences', 'in')));
    const set = await call<Parameters>(portal, 'POST', `/fhir/Patient/${patientKey}/$preferences`, { ...me(), body: { resourceType: 'Parameters', parameter: [{ name: 'pageSize', valueInteger: 25 }, { name: 'sortOrder', valueCode: 'author' }] } });
    expect(set.status).toBe(200);
    checkOut('preferences', set.json);
    checkOut('preferences', (await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$preferences`, me())).json);
  });

  it('$home: answers its documented out parameters', async () => {
    const home = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, me());
    expect(home.status).toBe(200);
    expect(home.json.parameter?.some((p) => p.name === 'category')).toBe(true);
    checkOut('home', home.json);
  });

  it('$contacts: takes its documented in parameters and parts, answers its documented out ones', async () => {
    const post = (parameter: ParametersParameter[]) => call<OperationOutcome>(portal, 'POST', `/fhir/Patient/${patientKey}/$contacts`, { ...me(), body: { resourceType: 'Parameters', parameter } });
    expect(accepted(await post([{ name: 'nickname', valueString: 'x' }]))).toEqual(names(params('contacts', 'in')));
    expect(accepted(await post([{ name: 'emergencyContact', part: [{ name: 'name', valueString: 'Paul' }, { name: 'fax', valueString: '1' }] }]))).toEqual(partNames('contacts', 'in', 'emergencyContact'));
    expect(accepted(await post([{ name: 'representative', part: [{ name: 'id', valueId: 'r1' }, { name: 'family', valueString: 'X' }] }]))).toEqual(partNames('contacts', 'in', 'representative'));
    const set = await call<Parameters>(portal, 'POST', `/fhir/Patient/${patientKey}/$contacts`, {
      ...me(),
      body: { resourceType: 'Parameters', parameter: [{ name: 'emergencyContact', part: [{ name: 'name', valueString: 'Paul Leroy' }, { name: 'relationship', valueString: 'frère' }, { name: 'phone', valueString: '0601020304' }, { name: 'email', valueString: 'paul@example.org' }] }] },
    });
    expect(set.status).toBe(200);
    checkOut('contacts', set.json);
    expect((await post([{ name: 'clearEmergencyContacts', valueBoolean: true }])).status).toBe(200);
  });

  it('$copy-request: takes its documented in parameters, answers its documented out ones', async () => {
    const url = `/fhir/Patient/${patientKey}/$copy-request`;
    expect(accepted(await call(portal, 'POST', url, { ...me(), body: { resourceType: 'Parameters', parameter: [{ name: 'urgency', valueCode: 'high' }] } }))).toEqual(names(params('copy-request', 'in')));
    const done = await call<Parameters>(portal, 'POST', url, {
      ...me(),
      body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'dossier pour un avocat' }, { name: 'delivery', valueCode: 'postal' }, { name: 'address', valueString: '1 rue du Test, Paris' }, { name: 'part', valueCode: 'documents' }] },
    });
    expect(done.status).toBe(201);
    checkOut('copy-request', done.json);
  });

  it('$download: takes its documented query parameters only', async () => {
    const url = `/fhir/Patient/${patientKey}/$download`;
    expect(accepted(await call(portal, 'GET', `${url}?format=tar`, me()))).toEqual(names(params('download', 'in')));
    const docs = (await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, me())).json.entry!.map((e) => e.resource!.id);
    const zip = await call(portal, 'GET', `${url}?parts=documents,history&documents=${docs[0]}`, me());
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
  });

  it('$close and $reactivate: take their documented in parameters and answer an OperationOutcome (return)', async () => {
    expect(params('close', 'out').map((p) => [p.name, p.type])).toEqual([['return', 'OperationOutcome']]);
    expect(params('reactivate', 'in')).toEqual([]);
    expect(accepted(await call(portal, 'POST', `/fhir/Patient/${patientKey}/$close`, { ...me(), body: { resourceType: 'Parameters', parameter: [{ name: 'when', valueDate: '2026-01-01' }] } }))).toEqual(names(params('close', 'in')));
    const closed = await call<OperationOutcome>(portal, 'POST', `/fhir/Patient/${patientKey}/$close`, { ...me(), body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'à la demande du patient' }] } });
    expect([closed.status, closed.json.resourceType]).toEqual([200, 'OperationOutcome']);
    const open = await call<OperationOutcome>(portal, 'POST', `/fhir/Patient/${patientKey}/$reactivate`, me());
    expect([open.status, open.json.resourceType]).toEqual([200, 'OperationOutcome']);
  });

  it('$validate: takes resource and profile, answers an OperationOutcome (return)', async () => {
    const url = '/fhir/Patient/$validate';
    const patient = { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: newIns().value }] };
    expect(accepted(await call(portal, 'POST', url, { ...me(), body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }, { name: 'mode', valueCode: 'create' }] } }))).toEqual(names(params('validate', 'in')));
    const ok = await call<OperationOutcome>(portal, 'POST', url, {
      ...me(),
      body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }, { name: 'profile', valueUri: 'https://carnet.example/fhir/StructureDefinition/carnet-patient' }] },
    });
    expect([ok.status, ok.json.resourceType, ok.json.issue[0].severity]).toEqual([200, 'OperationOutcome', 'information']);
  });
});
