// What the lock's tests over XDS.b share: ids in the store's form and the request's, an answer's
// words with every id but the one asked about made neutral (a hidden id's answer must match an
// unknown one's word for word), and the ITI-57 requests they send.
import { randomUUID } from 'node:crypto';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { Db } from '../../src/store/db.js';
import type { DocumentEntryMetadata } from '../../src/domain/model.js';
import { writeDocumentEntry, writeSubmitObjectsRequest } from '../../src/xds/ebrim/write.js';
import { submission } from './world.js';
import { responseStatus, type XdsAnswer } from './xds-client.js';

export const ASSOCIATION = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:';
export const ITI_ASSOCIATION = 'urn:ihe:iti:2010:AssociationType:';

/** An entryUUID as the store holds it: bare, lower-case. */
export const bare = (id: string): string => id.replace(/^urn:uuid:/i, '').toLowerCase();
export const urn = (id: string): string => `urn:uuid:${bare(id)}`;

/** An answer with the id asked about, every other UUID, OID and time made neutral. */
export function sameWords(text: string, asked: string): string {
  return text
    .split(bare(asked))
    .join('<id>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/1\.2\.250\.1\.999\.\d+(\.\d+)*/g, '<oid>')
    .replace(/"(creationTime|submissionTime|lastUpdated|date)":"[^"]*"/g, '"$1":"<t>"');
}

/** An XDS answer's status and RegistryResponse, in the words `sameWords` keeps. */
export const registryWords = (answer: XdsAnswer, asked: string): string => `${responseStatus(answer)} ${sameWords(answer.xml.slice(answer.xml.indexOf('<rs:RegistryResponse')), asked)}`;

/** ITI-57: the status of `target` changed, from the request's submission set (`$SS`, see `registryUpdate`). */
export const statusChange = (target: string, from = 'Approved', to = 'Deprecated'): string =>
  `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${ITI_ASSOCIATION}UpdateAvailabilityStatus" sourceObject="$SS" targetObject="${target}">` +
  `<rim:Slot name="OriginalStatus"><rim:ValueList><rim:Value>urn:oasis:names:tc:ebxml-regrep:StatusType:${from}</rim:Value></rim:ValueList></rim:Slot>` +
  `<rim:Slot name="NewStatus"><rim:ValueList><rim:Value>urn:oasis:names:tc:ebxml-regrep:StatusType:${to}</rim:Value></rim:ValueList></rim:Slot></rim:Association>`;

/** ITI-57: `metadata` as the version after `previousVersion` of its logical id, stored as `entryUuid` and held by the request's set (`$SS`). */
export const newVersion = (metadata: DocumentEntryMetadata, entryUuid: string, previousVersion: number): string =>
  writeDocumentEntry(metadata, entryUuid) +
  `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${ASSOCIATION}HasMember" sourceObject="$SS" targetObject="${entryUuid}">` +
  `<rim:Slot name="SubmissionSetStatus"><rim:ValueList><rim:Value>Original</rim:Value></rim:ValueList></rim:Slot>` +
  `<rim:Slot name="PreviousVersion"><rim:ValueList><rim:Value>${previousVersion}</rim:Value></rim:ValueList></rim:Slot></rim:Association>`;

/** An ITI-57 request on the patient's record holding these raw objects, `$SS` naming its new submission set. */
export function registryUpdate(ins: PatientIdentifier, objects: string): string {
  const ssId = `urn:uuid:${randomUUID()}`;
  return writeSubmitObjectsRequest({ submissionSet: { ...submission(ins, []).submissionSet, id: ssId }, documents: [], folders: [], associations: [] }).replace(
    '</rim:RegistryObjectList>',
    `${objects.replaceAll('$SS', ssId)}</rim:RegistryObjectList>`,
  );
}

/** The association of `type` from `source` to `target` in the record (urn:uuid: form). */
export async function associationBetween(db: Db, patientKey: string, source: string, target: string, type = 'HasMember'): Promise<string> {
  const r = await db.query<{ e: string }>('SELECT entry_uuid::text AS e FROM association WHERE patient_key = $1 AND source_uuid = $2 AND target_uuid = $3 AND type = $4', [
    patientKey,
    bare(source),
    bare(target),
    type,
  ]);
  return urn(r.rows[0]!.e);
}
