// How the FHIR door names a record. A record is `Patient/<patientKey>` (the record's internal
// key, a UUID that says nothing about the person); it is also reachable by any of its
// identifiers (INS...), as `patient.identifier=urn:oid:<oid>|<value>` in searches and as the
// identifiers of a Patient carried in an ITI-65 Bundle. Nothing here decides access: a name
// only leads to a record, and the services decide what the caller may do with it.
import type { Patient, Reference } from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import type { PatientIdentifier, StoredDocumentEntry } from '../../domain/model.js';
import type { Caller, Services } from '../../services/index.js';
import { identifierSystemToOid, oidToIdentifierSystem } from '../codes.js';
import type { PatientLink } from '../mhd/provide-subjects.js';

const PATIENT_ID = /(?:^|\/)Patient\/([^/?#]+)$/;

/** The logical id a `patient` search value or a subject reference names, if any. */
export function patientIdOf(reference: string): string | undefined {
  const m = PATIENT_ID.exec(reference);
  if (m) return decodedId(m[1]!);
  return /^[A-Za-z0-9\-.]{1,64}$/.test(reference) ? reference : undefined;
}

/** A reference's id with its escapes decoded; undefined when they are not UTF-8 (`%E0%A4%A`): no id. */
function decodedId(id: string): string | undefined {
  try {
    return decodeURIComponent(id);
  } catch {
    return undefined;
  }
}

/** `system|value` (system as `urn:oid:` or bare OID) -> identifier; a value alone is refused. */
export function parseIdentifierToken(token: string, what: string): PatientIdentifier {
  const bar = token.indexOf('|');
  const system = bar < 0 ? '' : token.slice(0, bar);
  const value = bar < 0 ? token : token.slice(bar + 1);
  if (!system || !value) throw new CarnetError('invalid_metadata', `${what} must be system|value (e.g. urn:oid:1.2.250.1.213.1.4.8|<INS>)`);
  return { system: identifierSystemToOid(system), value };
}

const identifierKey = (pid: PatientIdentifier) => `${pid.system}|${pid.value}`;

/**
 * ITI-65 subject resolution: Patient/<key> (relative or absolute), or a Bundle Patient's
 * identifiers. The services first hold the caller to the patient its identity names (ACC-10).
 * `recordKeyOf` then tells the record each identifier it answered was found in, so that the
 * submission does not look it up a second time.
 */
export function patientResolver(services: Services, caller: Caller) {
  const keys = new Map<string, string>();
  const found = (record: { key: string; identifier: PatientIdentifier } | null): PatientIdentifier | null => {
    if (record) keys.set(identifierKey(record.identifier), record.key);
    return record?.identifier ?? null;
  };
  const resolve = async (link: PatientLink): Promise<PatientIdentifier | null> => {
    if (link.resource) {
      const key = link.resource.id ? [{ patientKey: link.resource.id }] : [];
      return found(await services.submissions.subject(caller, [...key, ...identifiersOfResource(link.resource)]));
    }
    const id = PATIENT_ID.exec(link.reference)?.[1];
    if (!id) return null;
    const patientKey = decodedId(id);
    if (patientKey === undefined) return null;
    return found(await services.submissions.subject(caller, [{ patientKey }]));
  };
  return Object.assign(resolve, { recordKeyOf: (pid: PatientIdentifier): string | undefined => keys.get(identifierKey(pid)) });
}

/** The identifiers a Patient resource carries (those with a system and a value). */
function identifiersOfResource(patient: Patient): PatientIdentifier[] {
  return (patient.identifier ?? []).flatMap((i) => (i.system && i.value ? [{ system: identifierSystemToOid(i.system), value: i.value }] : []));
}

/** How a stored object refers to its patient: by key, with the identifier for readers that want it. */
export function patientReferenceOf(patientKey: string) {
  return (pid: PatientIdentifier): Reference<Patient> => ({
    reference: `Patient/${patientKey}`,
    identifier: { system: oidToIdentifierSystem(pid.system), value: pid.value },
  });
}

/** toDocumentReference options shared by every route that answers DocumentReferences. */
export function documentReferenceOptions(publicUrl: string, entry: StoredDocumentEntry) {
  return {
    patientReference: patientReferenceOf(entry.patientKey),
    binaryUrl: (e: StoredDocumentEntry) => `${publicUrl}/fhir/Binary/${e.entryUuid.replace(/^urn:uuid:/, '')}`,
  };
}
