// The version of the Patient a record shows (R4 meta.versionId): read, checked against If-Match
// and moved on by every service that changes what the Patient shows (records, contacts,
// consents), hence shared apart from any one of them.
import { checkIfMatch, versionOf, type IfMatch, type ResourceVersion } from '../domain/resource-versions.js';
import type { Tx } from '../store/db.js';
import type { LoadedRecord } from '../store/record-repo.js';
import { bumpVersion, getVersion } from '../store/resource-version-repo.js';

/**
 * The version of the Patient a record shows. Its state (closed or open, emergency contacts) and
 * the consents a reader's standing comes from change it (bumpPatientVersion); read in the
 * transaction that reads the record.
 */
export async function patientVersion(tx: Tx, record: LoadedRecord): Promise<ResourceVersion> {
  return versionOf(await getVersion(tx, record.row.patient_key, 'Patient', record.row.patient_key), new Date(record.row.created_at));
}

/**
 * R4 http.html#concurrency: a change of the Patient asked against another version than the
 * current one is refused (412). Checked before the change's own rules, as a precondition is.
 */
export async function checkPatientIfMatch(tx: Tx, record: LoadedRecord, ifMatch: IfMatch | undefined): Promise<void> {
  if (ifMatch) checkIfMatch(ifMatch, await patientVersion(tx, record));
}

/** A change of what the Patient shows: its next version, in the change's transaction. */
export async function changePatientVersion(tx: Tx, patientKey: string, at: Date): Promise<void> {
  await bumpVersion(tx, patientKey, 'Patient', patientKey, at);
}
