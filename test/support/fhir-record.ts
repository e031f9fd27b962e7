// End-to-end helpers for the record's FHIR resources (Patient, Consent, AuditEvent, directory):
// a server on a real port with the directory of world.ts, records made through the services,
// and a small FHIR client over fetch that speaks JSON or XML.
import type { Actor, ProfessionalActor } from '../../src/domain/actor.js';
import type { Consent, Patient, Resource } from '@medplum/fhirtypes';
import { fhirJsonToXml, fhirXmlToJson } from '../../src/fhir/xml.js';
import { CS } from '../../src/fhir/mappings/carnet-fhir.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from './app.js';
import { openTestPglite } from './stores.js';
import { newIns, OTHER_STRUCTURE, PROS, seedDirectory, STRUCTURE, submission } from './world.js';
import type { PatientIdentifier } from '../../src/domain/model.js';

export { PROS, STRUCTURE, OTHER_STRUCTURE, newIns };

export const INS = 'urn:oid:1.2.250.1.213.1.4.8';
export const IDNAT_PS = 'urn:oid:1.2.250.1.71.4.2.1';
export const IDNAT_STRUCT = 'urn:oid:1.2.250.1.71.4.2.2';
export const BASE = 'https://carnet.example/fhir';

export interface RecordServer {
  db: Db;
  server: RunningApp;
  fhirBase: string;
  close(): Promise<void>;
}

export async function startRecordServer(): Promise<RecordServer> {
  const db = await openTestPglite();
  const server = await startTestApp(db);
  await seedDirectory(server.app.services.directory, '1 rue du Test, Paris');
  return {
    db,
    server,
    fhirBase: `${server.baseUrl}/fhir`,
    close: async () => {
      await server.close();
      await db.close();
    },
  };
}

export function pro(name: keyof typeof PROS, over: Partial<ProfessionalActor> = {}): ProfessionalActor {
  return { kind: 'professional', mode: 'normal', ...PROS[name], ...over };
}

export function patientActor(patientKey: string): Actor {
  return { kind: 'patient', patientKey };
}

/** An adult's record, created through the services by a support agent. */
export async function adultRecord(rs: RecordServer): Promise<{ patientKey: string; ins: PatientIdentifier }> {
  const ins = newIns();
  const { patientKey } = await rs.server.app.services.records.create(
    { actor: { kind: 'support', agentId: 'agent-1' }, channel: 'test' },
    { identifiers: [ins], given: 'Jeanne', family: 'Durand', gender: 'female', birthDate: '1980-05-17', consent: { givenBy: 'patient' } },
  );
  return { patientKey, ins };
}

export interface FhirAnswer<T = Resource> {
  status: number;
  body: T;
  headers: Headers;
}

/** One FHIR request as `actor` (no token when actor is null), in JSON or XML both ways. */
export async function fhir<T = Resource>(
  rs: RecordServer,
  actor: Actor | null,
  method: string,
  path: string,
  options: { body?: Resource; format?: 'json' | 'xml' } = {},
): Promise<FhirAnswer<T>> {
  const format = options.format ?? 'json';
  const type = format === 'xml' ? 'application/fhir+xml' : 'application/fhir+json';
  const headers: Record<string, string> = { accept: type };
  if (actor) headers.authorization = `Bearer ${await rs.server.tokenFor(actor)}`;
  let body: string | undefined;
  if (options.body) {
    headers['content-type'] = type;
    body = format === 'xml' ? fhirJsonToXml(options.body) : JSON.stringify(options.body);
  }
  const res = await fetch(`${rs.fhirBase}/${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    if (format === 'xml') {
      if (!res.headers.get('content-type')?.includes('application/fhir+xml')) throw new Error(`expected FHIR XML, got ${res.headers.get('content-type')}`);
      parsed = fhirXmlToJson(text);
    } else parsed = JSON.parse(text);
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** The OperationOutcome reason code (CS.REASON) of an error answer. */
export function reasonOf(body: unknown): string | undefined {
  const issue = (body as { issue?: { details?: { coding?: { system?: string; code?: string }[] } }[] }).issue?.[0];
  return issue?.details?.coding?.find((c) => c.system === CS.REASON)?.code;
}

/** Deposits one document (a consultation report) as `author`, through the services; returns its entryUUID. */
export async function deposit(rs: RecordServer, author: ProfessionalActor, ins: PatientIdentifier): Promise<string> {
  const result = await rs.server.app.services.submissions.submit(
    { actor: author, channel: 'test' },
    submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]),
  );
  // the entryUUID as the FHIR door names a DocumentReference: without urn:uuid:
  return result.assignedIds.Document1.replace(/^urn:uuid:/, '');
}

const CATEGORY = 'https://carnet.example/fhir/CodeSystem/dmp-consent-category';
const SCOPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] };
/** R4 ppc-1: a Consent names its policy; the door writes OPTIN for a permit, OPTOUT for a deny. */
const POLICY = (type: 'permit' | 'deny') => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: type === 'permit' ? 'OPTIN' : 'OPTOUT' }] });

/** An authorisation (permit) or a block (deny) of a Practitioner or an Organization. */
export function grantConsent(patientKey: string, type: 'Practitioner' | 'Organization', id: string, effect: 'permit' | 'deny'): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: SCOPE,
    category: [{ coding: [{ system: CATEGORY, code: 'access' }] }],
    patient: { reference: `Patient/${patientKey}` },
    policyRule: POLICY(effect),
    provision: {
      type: effect,
      actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: `${type}/${id}` } }],
    },
  };
}

/** The patient's setting of one emergency mode: deny = opposed (ACC-05). */
export function emergencyConsent(patientKey: string, mode: 'bris_de_glace' | 'centre_15', type: 'permit' | 'deny'): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: SCOPE,
    category: [{ coding: [{ system: CATEGORY, code: 'emergency' }] }],
    patient: { reference: `Patient/${patientKey}` },
    policyRule: POLICY(type),
    provision: { type, purpose: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-access-mode', code: mode }] },
  };
}

/** The médecin traitant designation (ACC-06). */
export function medecinTraitantConsent(patientKey: string, idNatPs: string, status: 'active' | 'inactive' = 'active'): Consent {
  return {
    resourceType: 'Consent',
    status,
    scope: SCOPE,
    category: [{ coding: [{ system: CATEGORY, code: 'medecin-traitant' }] }],
    patient: { reference: `Patient/${patientKey}` },
    policyRule: POLICY('permit'),
    provision: { type: 'permit', actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PCP' }] }, reference: { reference: `Practitioner/${idNatPs}` } }] },
  };
}

/** A DMP creation request: a Patient carrying, contained, the patient's own creation Consent (DMP-01). */
export function creationPatient(o: { family: string; given: string; birthDate: string; identifierSystem?: string; insValue?: string }): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: o.identifierSystem ?? INS, value: o.insValue ?? newIns().value }],
    name: [{ family: o.family, given: [o.given] }],
    birthDate: o.birthDate,
    contained: [
      {
        resourceType: 'Consent',
        id: 'creation',
        status: 'active',
        scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
        category: [{ coding: [{ system: `${BASE}/CodeSystem/dmp-consent-category`, code: 'dmp-creation' }] }],
        patient: { reference: '#' },
        performer: [{ reference: '#' }],
        provision: { type: 'permit' },
      },
    ],
  };
}
