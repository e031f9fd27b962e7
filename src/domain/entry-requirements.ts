// What a registry requires of submitted metadata before any access rule is asked (ITI TF-3
// 4.2/4.3 required attributes; DOC-01 for the class/type pair, which decide() checks). The
// limited-metadata option (MHD minimal) relaxes the coded attributes.
import { CarnetError } from './errors.js';
import { isDocumentUniqueId, isPlainIdentifier } from './identifiers.js';
import { metadataSizeProblems } from './metadata-limits.js';
import type { DocumentEntryMetadata, FolderMetadata, SubmissionSetMetadata } from './model.js';

const DTM = /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2})?)?)?)?)?$/;

/** A UTC instant from calendar fields, years 0-99 included (Date.UTC reads them as 1900-1999). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): Date {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  date.setUTCFullYear(y, mo - 1, d);
  return date;
}

/** An HL7 DTM (YYYY[MM[DD[hh[mm[ss]]]]]) naming a real instant: no month 13, no day 45, no year 0000. */
export function isDtm(value: string): boolean {
  if (!DTM.test(value)) return false;
  const [y, mo = '01', d = '01', h = '00', mi = '00', s = '00'] = value.match(/^(\d{4})|(\d{2})/g)!;
  if (+y === 0) return false;
  const date = utc(+y, +mo, +d, +h, +mi, +s);
  return date.getUTCMonth() === +mo - 1 && date.getUTCDate() === +d && +h < 24 && +mi < 60 && +s < 60;
}

/** The instant an XDS DTM denotes (the start of its precision), UTC. */
export function dtmToDate(value: string): Date {
  const parts = value.match(/^(\d{4})|(\d{2})/g)!;
  const [y, mo = '01', d = '01', h = '00', mi = '00', s = '00'] = parts;
  return utc(+y, +mo, +d, +h, +mi, +s);
}

/** A value quoted back in a message, cut short. */
function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

function problem(location: string, message: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location });
}

function checkTimes(where: string, pairs: Array<[string, string | undefined]>, out: CarnetError[]): void {
  for (const [name, v] of pairs) {
    if (v !== undefined && !isDtm(v)) out.push(problem(where, `${name} "${v}" is not a valid date-time (YYYY[MM[DD[hh[mm[ss]]]]])`));
  }
}

/** `stored`: the version `m` follows (ITI-57), whose values past the metadata limits it may carry. */
export function documentEntryProblems(id: string, m: DocumentEntryMetadata, stored?: DocumentEntryMetadata): CarnetError[] {
  const out: CarnetError[] = metadataSizeProblems(`DocumentEntry ${id}`, id, m, stored);
  const need = (ok: unknown, what: string) => {
    if (!ok || (Array.isArray(ok) && ok.length === 0)) out.push(problem(id, `DocumentEntry ${id}: ${what} is missing`));
  };
  need(m.uniqueId, 'uniqueId');
  if (m.uniqueId && !isDocumentUniqueId(m.uniqueId)) out.push(problem(id, `DocumentEntry ${id}: uniqueId "${clip(m.uniqueId)}" is not an OID (or OID^extension)`));
  need(m.patientId?.value && m.patientId.system, 'patientId');
  need(m.mimeType, 'mimeType');
  need(m.typeCode?.code, 'typeCode');
  need(m.classCode?.code, 'classCode');
  if (!m.limitedMetadata) {
    need(m.formatCode?.code, 'formatCode');
    need(m.healthcareFacilityTypeCode?.code, 'healthcareFacilityTypeCode');
    need(m.practiceSettingCode?.code, 'practiceSettingCode');
    need(m.confidentialityCodes, 'confidentialityCode');
    need(m.creationTime, 'creationTime');
    need(m.languageCode, 'languageCode');
    need(m.sourcePatientId, 'sourcePatientId');
  }
  for (const c of [m.typeCode, m.classCode, m.formatCode, m.healthcareFacilityTypeCode, m.practiceSettingCode, ...m.confidentialityCodes, ...m.eventCodes]) {
    if (c && c.code && !c.system) out.push(problem(id, `DocumentEntry ${id}: code "${c.code}" has no coding scheme`));
  }
  checkTimes(`DocumentEntry ${id}`, [['creationTime', m.creationTime], ['serviceStartTime', m.serviceStartTime], ['serviceStopTime', m.serviceStopTime]], out);
  // reason content_metadata: with the document at hand (ITI-41) this is the repository's error.
  const content = (message: string) => new CarnetError('invalid_metadata', message, { location: id, reason: 'content_metadata' });
  if (m.hash !== undefined && !/^[0-9a-f]{40}$/i.test(m.hash)) out.push(content(`DocumentEntry ${id}: hash is not a SHA-1 in hexadecimal`));
  if (m.size !== undefined && (!Number.isInteger(m.size) || m.size < 0)) out.push(content(`DocumentEntry ${id}: size is not a byte count`));
  return out;
}

/**
 * ITI-42 Register (ITI TF-3 4.2.3.2, Table 4.3.1.3-3): a stable document registered from another
 * repository must say where it is and what it is (repositoryUniqueId, hash, size); an ITI-41
 * repository computes these itself, so only a register-only submission is held to them.
 */
export function registeredElsewhereProblems(id: string, m: DocumentEntryMetadata): CarnetError[] {
  if (m.objectType === 'on-demand') return [];
  const out: CarnetError[] = [];
  if (!m.repositoryUniqueId) out.push(problem(id, `DocumentEntry ${id}: repositoryUniqueId is missing (required when registering a stable document)`));
  if (m.hash === undefined) out.push(problem(id, `DocumentEntry ${id}: hash is missing (required when registering a stable document)`));
  if (m.size === undefined) out.push(problem(id, `DocumentEntry ${id}: size is missing (required when registering a stable document)`));
  return out;
}

export function submissionSetProblems(id: string, m: SubmissionSetMetadata): CarnetError[] {
  const out: CarnetError[] = metadataSizeProblems(`SubmissionSet ${id}`, id, m);
  const need = (ok: unknown, what: string) => {
    if (!ok) out.push(problem(id, `SubmissionSet ${id}: ${what} is missing`));
  };
  need(m.uniqueId, 'uniqueId');
  if (m.uniqueId && !isPlainIdentifier(m.uniqueId)) out.push(problem(id, `SubmissionSet ${id}: uniqueId "${clip(m.uniqueId)}" is not an identifier (an OID)`));
  need(m.sourceId, 'sourceId');
  need(m.patientId?.value && m.patientId.system, 'patientId');
  need(m.submissionTime, 'submissionTime');
  if (!m.limitedMetadata) need(m.contentTypeCode?.code, 'contentTypeCode');
  checkTimes(`SubmissionSet ${id}`, [['submissionTime', m.submissionTime]], out);
  return out;
}

/** `stored`: the version `m` follows (ITI-57), whose values past the metadata limits it may carry. */
export function folderProblems(id: string, m: FolderMetadata, stored?: FolderMetadata): CarnetError[] {
  const out: CarnetError[] = metadataSizeProblems(`Folder ${id}`, id, m, stored);
  if (!m.uniqueId) out.push(problem(id, `Folder ${id}: uniqueId is missing`));
  else if (!isPlainIdentifier(m.uniqueId)) out.push(problem(id, `Folder ${id}: uniqueId "${clip(m.uniqueId)}" is not an identifier (an OID)`));
  if (!m.patientId?.value || !m.patientId.system) out.push(problem(id, `Folder ${id}: patientId is missing`));
  if (!m.limitedMetadata && m.codeList.length === 0) out.push(problem(id, `Folder ${id}: codeList is missing`));
  return out;
}
