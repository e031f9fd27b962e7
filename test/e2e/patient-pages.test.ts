// The patient's pages on a real port, beyond the journey: display settings, authorisations,
// contacts, copy requests, selections, the history's marks and filters, the whole download, and
// the legal representatives of a minor, each with an own account, under MASK-03 and MASK-04.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent, Bundle, DocumentReference, List, Parameters, Patient } from '@medplum/fhirtypes';
import { runJobs } from '../../src/services/jobs.js';
import { activeSession, call, param, provide, resourcesOf, startPortal, SUPPORT_MAILBOX, type Portal } from '../support/patient-portal.js';
import { newIns, proActor } from '../support/world.js';
import { readZip } from '../support/zip.js';

const MARK = 'https://carnet.example/fhir/CodeSystem/dmp-history-mark';
const CATEGORY = 'https://carnet.example/fhir/CodeSystem/dmp-consent-category';
const SCOPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] };
const AGENT = { actor: { kind: 'support' as const, agentId: 'agent-3' }, channel: 'test' as const };
const TRE_A05 = 'https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire';
const tags = (e: AuditEvent) => (e.meta?.tag ?? []).filter((t) => t.system === MARK).map((t) => t.code);
const ids = (b: Bundle) => resourcesOf(b).map((r) => r.id);

function accessConsent(patientKey: string, idNatPs: string, type: 'permit' | 'deny') {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: SCOPE,
    category: [{ coding: [{ system: CATEGORY, code: 'access' }] }],
    patient: { reference: `Patient/${patientKey}` },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: type === 'permit' ? 'OPTIN' : 'OPTOUT' }] },
    provision: { type, actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: `Practitioner/${idNatPs}` } }] },
  };
}

describe('the patient\'s pages on the FHIR door', () => {
  let portal: Portal;
  const doctor = proActor('doctor');
  const doctor2 = proActor('doctor2');
  const nurse = proActor('nurse');
  let n = 0;
  const mail = (who: string) => `${who}.${process.pid}.${++n}@example.org`;

  async function adult() {
    const { patientKey } = await portal.server.app.services.records.create(AGENT, { identifiers: [newIns()], given: 'Paul', family: 'Morel', birthDate: '1975-03-02', consent: { givenBy: 'patient' } });
    const email = mail('paul');
    const session = await activeSession(portal, patientKey, email);
    return { patientKey, email, token: session.token, session };
  }

  beforeAll(async () => {
    portal = await startPortal();
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('PAT-02: the page size and the sort by author name are stored, and the patient\'s ITI-67 searches default to them', async () => {
    const { patientKey, token } = await adult();
    await provide(portal, { ...doctor, family: 'Zola' }, patientKey, [{ typeCode: '11488-4', creation: '2026-01-03T09:00:00Z' }]);
    await provide(portal, { ...doctor2, family: 'Abel' }, patientKey, [{ typeCode: '11488-4', creation: '2026-01-01T09:00:00Z' }]);
    await provide(portal, { ...nurse, family: 'Martin' }, patientKey, [{ typeCode: '11488-4', creation: '2026-01-02T09:00:00Z' }]);
    const set = await call<Parameters>(portal, 'POST', `/fhir/Patient/${patientKey}/$preferences`, {
      token,
      body: { resourceType: 'Parameters', parameter: [{ name: 'pageSize', valueInteger: 2 }, { name: 'sortOrder', valueCode: 'author' }] },
    });
    expect(set.status).toBe(200);
    expect((await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$preferences`, { token })).json.parameter).toEqual([
      { name: 'pageSize', valueInteger: 2 },
      { name: 'sortOrder', valueCode: 'author' },
    ]);
    const page = await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { token });
    const families = resourcesOf<DocumentReference>(page.json).map((d) => (d.contained?.find((c) => c.resourceType === 'Practitioner') as { name?: { family?: string }[] })?.name?.[0]?.family);
    expect(families).toEqual(['Abel', 'Martin']);
    expect(page.json.total).toBe(3);
    expect(page.json.link?.find((l) => l.relation === 'next')?.url).toContain('_count=2');
    // what the request says wins; a professional's search keeps the server's defaults
    expect(resourcesOf((await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}&_count=10&_sort=-date`, { token })).json)).toHaveLength(3);
    expect((await call(portal, 'POST', `/fhir/Patient/${patientKey}/$preferences`, { token, body: { resourceType: 'Parameters', parameter: [{ name: 'pageSize', valueInteger: 500 }] } })).status).toBe(400);
    expect((await call(portal, 'POST', `/fhir/Patient/${patientKey}/$preferences`, { actor: doctor, body: { resourceType: 'Parameters', parameter: [{ name: 'pageSize', valueInteger: 5 }] } })).status).toBe(403);
  });

  it('PAT-04: the patient authorises and blocks professionals and opposes an emergency mode, at any time', async () => {
    const { patientKey, token } = await adult();
    expect((await call(portal, 'POST', '/fhir/Consent', { token, body: accessConsent(patientKey, doctor.idNatPs, 'permit') })).status).toBe(201);
    expect((await call(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { actor: doctor })).status).toBe(200);
    expect((await call(portal, 'POST', '/fhir/Consent', { token, body: accessConsent(patientKey, doctor2.idNatPs, 'deny') })).status).toBe(201);
    expect((await call(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { actor: { ...doctor2, mode: 'bris_de_glace' } })).status).toBe(403);
    const oppose = {
      resourceType: 'Consent', status: 'active', scope: SCOPE, category: [{ coding: [{ system: CATEGORY, code: 'emergency' }] }], patient: { reference: `Patient/${patientKey}` },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      provision: { type: 'deny', purpose: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-access-mode', code: 'bris_de_glace' }] },
    };
    expect([200, 201]).toContain((await call(portal, 'POST', '/fhir/Consent', { token, body: oppose })).status);
    expect((await call(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { actor: { ...nurse, mode: 'bris_de_glace' } })).status).toBe(403);
  });

  it('PAT-05: emergency contacts and the representatives\' details are read and changed by the patient side; Patient.contact shows the contacts to it and to professionals who may read the record', async () => {
    const { patientKey, token } = await adult();
    const update = await call<Parameters>(portal, 'POST', `/fhir/Patient/${patientKey}/$contacts`, {
      token,
      body: {
        resourceType: 'Parameters',
        parameter: [{ name: 'emergencyContact', part: [{ name: 'name', valueString: 'Anne Morel' }, { name: 'relationship', valueString: 'sœur' }, { name: 'phone', valueString: '06 12 34 56 78' }] }],
      },
    });
    expect(update.status).toBe(200);
    expect(param(update.json, 'emergencyContact')[0].part).toEqual([
      { name: 'name', valueString: 'Anne Morel' },
      { name: 'relationship', valueString: 'sœur' },
      { name: 'phone', valueString: '+33612345678' },
    ]);
    const mine = await call<Patient>(portal, 'GET', `/fhir/Patient/${patientKey}`, { token });
    expect(mine.json.contact?.[0]).toMatchObject({ name: { text: 'Anne Morel' }, telecom: [{ system: 'phone', value: '+33612345678' }] });
    await call(portal, 'POST', '/fhir/Consent', { token, body: accessConsent(patientKey, doctor.idNatPs, 'permit') });
    // The authorised doctor sees the emergency contacts on the Patient (PAT-05, traced), but not the
    // patient side's own page of contacts and representatives' details.
    expect((await call<Patient>(portal, 'GET', `/fhir/Patient/${patientKey}`, { actor: doctor })).json.contact?.[0]).toMatchObject({ name: { text: 'Anne Morel' } });
    expect((await call<Patient>(portal, 'GET', `/fhir/Patient/${patientKey}`, { actor: doctor2 })).json.contact).toBeUndefined();
    expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$contacts`, { actor: doctor })).status).toBe(403);
    const bad = await call(portal, 'POST', `/fhir/Patient/${patientKey}/$contacts`, { token, body: { resourceType: 'Parameters', parameter: [{ name: 'emergencyContact', part: [{ name: 'name', valueString: 'Sans moyen' }] }] } });
    expect(bad.status).toBe(400);
    const cleared = await call<Parameters>(portal, 'POST', `/fhir/Patient/${patientKey}/$contacts`, { token, body: { resourceType: 'Parameters', parameter: [{ name: 'clearEmergencyContacts', valueBoolean: true }] } });
    expect(param(cleared.json, 'emergencyContact')).toEqual([]);
  });

  it('PAT-07: a formal copy request is stored, traced and mailed to the support service', async () => {
    const { patientKey, token } = await adult();
    const res = await call<Parameters>(portal, 'POST', `/fhir/Patient/${patientKey}/$copy-request`, {
      token,
      body: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'reason', valueString: 'Changement de médecin à l\'étranger' },
          { name: 'delivery', valueCode: 'postal' },
          { name: 'address', valueString: '3 rue des Lilas, 75011 Paris' },
          { name: 'part', valueCode: 'documents' },
        ],
      },
    });
    expect(res.status).toBe(201);
    const requestId = param(res.json, 'requestId')[0].valueString as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(param(res.json, 'supportNotified')[0].valueBoolean).toBe(true);
    await runJobs(portal.server.app.services);
    const [m] = await portal.sink.waitFor(SUPPORT_MAILBOX, 1);
    expect(m.subject).toBe(`Demande de copie du DMP ${requestId}`);
    expect(m.text).toContain(patientKey);
    expect(m.text).not.toContain('Lilas');
    const own = resourcesOf<AuditEvent>((await call<Bundle>(portal, 'GET', '/fhir/AuditEvent?_own=true&_count=100', { token })).json);
    expect(own.some((e) => e.subtype?.some((s) => s.code === 'record.copy_request') && e.outcome === '0')).toBe(true);
    expect((await call(portal, 'POST', `/fhir/Patient/${patientKey}/$copy-request`, { token, body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'x' }, { name: 'delivery', valueCode: 'pigeon' }] } })).status).toBe(400);
    expect((await call(portal, 'POST', `/fhir/Patient/${patientKey}/$copy-request`, { actor: doctor, body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'x' }, { name: 'delivery', valueCode: 'email' }] } })).status).toBe(403);
  });

  it('DOC-07: personal selections are Lists the patient creates, reads, searches, changes and deletes; a document hidden since drops out', async () => {
    const { patientKey, token } = await adult();
    await call(portal, 'POST', '/fhir/Consent', { token, body: accessConsent(patientKey, doctor.idNatPs, 'permit') });
    const [a, b] = await provide(portal, doctor, patientKey, [{ typeCode: '11488-4' }, { typeCode: '11502-2' }]);
    const list: List = {
      resourceType: 'List', status: 'current', mode: 'working', title: 'Cardiologie',
      code: { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-list-type', code: 'carnet-selection' }] },
      subject: { reference: `Patient/${patientKey}` },
      entry: [{ item: { reference: `DocumentReference/${a}` } }, { item: { reference: `DocumentReference/${b}` } }],
    };
    const created = await call<List>(portal, 'POST', '/fhir/List', { token, body: list });
    expect(created.status).toBe(201);
    const id = created.json.id!;
    expect(created.headers.get('location')).toMatch(new RegExp(`/fhir/List/${id}/_history/1$`));
    expect(created.json.entry?.map((e) => e.item.reference)).toEqual([`DocumentReference/${a}`, `DocumentReference/${b}`]);
    const found = await call<Bundle>(portal, 'GET', '/fhir/List?code=carnet-selection', { token });
    expect(ids(found.json)).toEqual([id]);
    // MASK-02: the doctor hides b from the patient until an announcement consultation
    const hide = await call(portal, 'PATCH', `/fhir/DocumentReference/${b}`, {
      actor: doctor, contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument', code: 'INVISIBLE_PATIENT' }] } }],
    });
    expect(hide.status).toBe(200);
    expect((await call<List>(portal, 'GET', `/fhir/List/${id}`, { token })).json.entry?.map((e) => e.item.reference)).toEqual([`DocumentReference/${a}`]);
    const renamed = await call<List>(portal, 'PUT', `/fhir/List/${id}`, { token, body: { ...list, id, title: 'Cœur', entry: [{ item: { reference: `DocumentReference/${a}` } }] } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.title).toBe('Cœur');
    expect((await call(portal, 'PUT', `/fhir/List/${id}`, { token, body: { ...list, id, entry: [{ item: { reference: `DocumentReference/${b}` } }] } })).status).toBe(404);
    expect((await call(portal, 'GET', `/fhir/List/${id}`, { actor: doctor })).status).toBe(403);
    expect((await call(portal, 'DELETE', `/fhir/List/${id}`, { token })).status).toBe(204);
    expect((await call(portal, 'GET', `/fhir/List/${id}`, { token })).status).toBe(404);
  });

  it('TRACE-03: emergency accesses are marked, the history filters by author, and what was seen at the last login is no longer new', async () => {
    const { patientKey, token, session, email } = await adult();
    portal.clock.advance(60_000);
    await provide(portal, doctor, patientKey, [{ typeCode: '11488-4' }]);
    portal.clock.advance(60_000);
    expect((await call(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { actor: { ...nurse, mode: 'bris_de_glace' } })).status).toBe(200);
    const history = resourcesOf<AuditEvent>((await call<Bundle>(portal, 'GET', '/fhir/AuditEvent?_own=false&_count=100', { token })).json);
    const emergency = history.filter((e) => tags(e).includes('emergency-access'));
    expect(emergency.length).toBeGreaterThan(0);
    expect(emergency.every((e) => e.agent?.[0].who?.reference === `Practitioner/${nurse.idNatPs}`)).toBe(true);
    expect(history.filter((e) => tags(e).includes('first-access')).map((e) => e.agent?.[0].who?.reference).sort()).toEqual([`Practitioner/${doctor.idNatPs}`, `Practitioner/${nurse.idNatPs}`].sort());
    const byNurse = resourcesOf<AuditEvent>((await call<Bundle>(portal, 'GET', `/fhir/AuditEvent?agent=Practitioner/${nurse.idNatPs}`, { token })).json);
    expect(byNurse.length).toBeGreaterThan(0);
    expect(byNurse.every((e) => e.agent?.[0].who?.reference === `Practitioner/${nurse.idNatPs}`)).toBe(true);
    expect(history.every((e) => tags(e).includes('new-since-last-login'))).toBe(true);
    // "new" is relative to the login before the current session: after two more logins, the
    // accesses seen in between are not new any more
    const { logIn } = await import('../support/patient-portal.js');
    portal.clock.advance(60_000);
    await logIn(portal, session.login, session.password, email);
    portal.clock.advance(60_000);
    const again = await logIn(portal, session.login, session.password, email);
    const later = resourcesOf<AuditEvent>((await call<Bundle>(portal, 'GET', '/fhir/AuditEvent?_own=false&_count=100', { token: again.token })).json);
    expect(later.filter((e) => tags(e).includes('new-since-last-login'))).toEqual([]);
    expect((await call(portal, 'GET', '/fhir/AuditEvent?_own=maybe', { token })).status).toBe(400);
  });

  it('TRACE-05: the patient\'s history says, on the next login, the wrong passwords before it and the end of the last lock', async () => {
    const { session, token } = await adult();
    const wrong = async (n: number) => {
      for (let i = 0; i < n; i++) expect((await call(portal, 'POST', '/auth/login', { body: { login: session.login, password: `pas le bon ${i}` } })).status).toBe(401);
    };
    const rightPassword = async () => expect((await call(portal, 'POST', '/auth/login', { body: { login: session.login, password: session.password } })).status).toBe(200);
    const logins = async () =>
      resourcesOf<AuditEvent>((await call<Bundle>(portal, 'GET', '/fhir/AuditEvent?_own=true&_count=100', { token })).json)
        .filter((e) => e.subtype?.some((s) => s.code === 'auth.login.password'))
        .map((e) => e.entity?.find((x) => x.name === 'account')?.detail ?? []);
    await wrong(3);
    portal.clock.advance(16 * 60_000);
    await rightPassword();
    const [afterLock] = await logins();
    expect(afterLock).toEqual([{ type: 'lockedUntil', valueString: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    await wrong(2);
    await rightPassword();
    expect((await logins())[0]).toEqual([{ type: 'failedAttemptsBefore', valueString: '2' }]);
  });

  it('PAT-06: the whole record by default: every visible document, the history and the authorisations; a professional cannot download', async () => {
    const { patientKey, token } = await adult();
    await call(portal, 'POST', '/fhir/Consent', { token, body: accessConsent(patientKey, doctor.idNatPs, 'permit') });
    const [d1] = await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', content: 'un' }]);
    const [hidden] = await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', content: 'caché', confidentiality: ['N', 'INVISIBLE_PATIENT'] }]);
    const res = await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download`, { token });
    expect(res.status).toBe(200);
    const files = new Map(readZip(res.bytes).map((e) => [e.name, e.data]));
    expect(files.has(`documents/${d1}.txt`)).toBe(true);
    expect([...files.keys()].some((k) => k.includes(hidden))).toBe(false);
    const auth = JSON.parse(files.get('authorisations.json')!.toString('utf8'));
    expect(auth.grants).toEqual([expect.objectContaining({ subject: { kind: 'professional', id: doctor.idNatPs }, effect: 'authorised' })]);
    expect(auth.emergencyOppositions).toEqual({ bris_de_glace: false, centre_15: false });
    expect(JSON.parse(files.get('manifest.json')!.toString('utf8')).parts).toEqual(['documents', 'history', 'authorisations']);
    expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download`, { actor: doctor })).status).toBe(403);
    expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download?parts=photos`, { token })).status).toBe(400);
  });

  describe('a minor\'s record and its two legal representatives', () => {
    let patientKey: string;
    let reps: string[];
    let rep1: string;
    let rep2: string;
    let minor: string;
    let forReps: string;
    let hiddenFromReps: string;
    let ownDoc: string;

    beforeAll(async () => {
      const created = await portal.server.app.services.records.create(AGENT, {
        identifiers: [newIns()], given: 'Léo', family: 'Morel', birthDate: '2014-06-01',
        representatives: [
          { relationship: 'parent', family: 'Morel', given: 'Claire', email: mail('claire') },
          { relationship: 'parent', family: 'Morel', given: 'Marc', email: mail('marc') },
        ],
        consent: { givenBy: 'legal_representative', representativeIndex: 0 },
      });
      patientKey = created.patientKey;
      reps = created.representativeIds;
    });

    it('MIN-02: each of the two representatives has an own account and an own login on the minor\'s record', async () => {
      const s1 = await activeSession(portal, patientKey, mail('rep1'), { role: 'legal_representative', representativeId: reps[0] });
      const s2 = await activeSession(portal, patientKey, mail('rep2'), { role: 'legal_representative', representativeId: reps[1] });
      expect(s1.login).not.toBe(s2.login);
      rep1 = s1.token;
      rep2 = s2.token;
      minor = (await activeSession(portal, patientKey, mail('leo'))).token;
      const contacts = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$contacts`, { token: rep1 });
      expect(param(contacts.json, 'representative')).toHaveLength(2);
      expect((await call(portal, 'POST', '/fhir/Consent', { token: rep1, body: accessConsent(patientKey, doctor.idNatPs, 'permit') })).status).toBe(201);
      [forReps, hiddenFromReps] = await provide(portal, doctor, patientKey, [
        { typeCode: '11488-4', content: 'consultation' },
        { typeCode: '11488-4', content: 'consultation confidentielle', confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'] },
      ]);
    });

    it('MASK-03: a document hidden from the representatives is absent from their home, list, history links and download; the minor sees it', async () => {
      for (const token of [rep1, rep2]) {
        const home = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token });
        expect(param(home.json, 'currentCount')[0].valueInteger).toBe(1);
        expect(ids((await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { token })).json)).toEqual([forReps]);
        const zip = readZip((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download?parts=documents`, { token })).bytes).map((e) => e.name);
        expect(zip.some((n) => n.includes(hiddenFromReps))).toBe(false);
        expect(zip).toContain(`documents/${forReps}.txt`);
      }
      const mine = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: minor });
      expect(param(mine.json, 'currentCount')[0].valueInteger).toBe(2);
    });

    it('MASK-04: with a doctor\'s presence required for one representative, that one sees no medical document online; the other is unchanged', async () => {
      await portal.server.app.services.representatives.setDoctorPresenceRequired({ actor: { kind: 'patient', patientKey }, channel: 'test' }, patientKey, reps[1], true);
      // the patient side's own deposit ("Expression libre") stays visible to everyone
      const bundle = (await import('../support/mhd-bundle.js')).provideBundle({ patient: `Patient/${patientKey}`, docs: [{ typeCode: 'EXPPAT_2', classCode: '90', content: 'mon texte', mimeType: 'text/plain' }] });
      // "Expression libre": a patient type outside LOINC (TRE_A05)
      for (const e of bundle.entry ?? []) {
        if (e.resource?.resourceType === 'DocumentReference') e.resource.type = { coding: [{ system: TRE_A05, code: 'EXPPAT_2' }] };
      }
      const own = await call<Bundle>(portal, 'POST', '/fhir', { token: minor, body: bundle });
      expect({ status: own.status, outcome: own.status === 200 ? undefined : own.json }).toEqual({ status: 200, outcome: undefined });
      ownDoc = /DocumentReference\/([^/]+)/.exec(own.json.entry?.find((e) => /DocumentReference/.test(e.response?.location ?? ''))?.response?.location ?? '')![1];
      const home2 = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: rep2 });
      expect(param(home2.json, 'latest').map((l) => l.resource.id)).toEqual([ownDoc]);
      expect(param(home2.json, 'category').map((c) => c.part[0].valueCoding.code)).toEqual(['90']);
      const zip = readZip((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download?parts=documents`, { token: rep2 })).bytes).map((e) => e.name).filter((n) => n.endsWith('.txt'));
      expect(zip).toEqual([`documents/${ownDoc}.txt`]);
      expect((await call<Bundle>(portal, 'GET', `/fhir/DocumentReference/${forReps}`, { token: rep2 })).status).toBe(404);
      const home1 = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: rep1 });
      expect(param(home1.json, 'currentCount')[0].valueInteger).toBe(2);
    });
  });

  it('AUTH-05: the patient switches the code channel to SMS; the next login code leaves by SMS, never by mail', async () => {
    const { patientKey, token, session, email } = await adult();
    const put = await call(portal, 'PUT', '/auth/contact', { token, body: { phone: '06 98 76 54 32', codeChannel: 'sms' } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ codeChannel: 'sms', phone: '+33698765432' });
    const before = portal.sink.messages.filter((m) => m.to.includes(email) && m.subject.includes('code de connexion')).length;
    const start = await call(portal, 'POST', '/auth/login', { body: { login: session.login, password: session.password } });
    expect(start.json).toMatchObject({ channel: 'sms' });
    const sms = await portal.server.app.services.outbox.list({ recipient: '+33698765432', kind: 'login_code' });
    expect(sms.length).toBe(1);
    expect(portal.sink.messages.filter((m) => m.to.includes(email) && m.subject.includes('code de connexion')).length).toBe(before);
    expect(patientKey).toBeTruthy();
  });
});
