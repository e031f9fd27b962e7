// An AuditEvent as a line of the patient's history (TRACE-03): when, who, what, on which
// document, and the marks the server put on it for the patient side.
import type { AuditEvent } from '@medplum/fhirtypes';
import { CS } from './systems';

export interface HistoryEntry {
  id: string;
  at: string;
  /** the trace action (document.read, consent.manage…); the catalogues say it in words */
  action: string;
  outcome: 'success' | 'refused' | 'failed';
  side: 'own' | 'professional' | 'other';
  isNew: boolean;
  firstAccess: boolean;
  emergency: boolean;
  /** a professional: Practitioner id (IdNat_PS) and name */
  practitionerId?: string;
  actorName?: string;
  actorKind?: string;
  profession?: string;
  /** the document concerned, when there is one */
  documentId?: string;
  /** a login (TRACE-05): the wrong passwords since the last login or lock, and the end of the last lock */
  failedAttemptsBefore?: number;
  lockedUntil?: string;
}

export function historyEntry(e: AuditEvent): HistoryEntry {
  const marks = new Set((e.meta?.tag ?? []).filter((t) => t.system === CS.historyMark).map((t) => t.code));
  const user = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  const ref = user?.who?.reference ?? '';
  const practitionerId = ref.startsWith('Practitioner/') ? ref.slice('Practitioner/'.length) : undefined;
  const roles = (user?.role ?? []).flatMap((r) => r.coding ?? []);
  const detail = (type: string) => e.entity?.flatMap((x) => x.detail ?? []).find((d) => d.type === type)?.valueString;
  const failed = Number(detail('failedAttemptsBefore'));
  const lockedUntil = detail('lockedUntil');
  const doc = e.entity?.map((x) => x.what?.reference ?? '').find((r) => r.startsWith('DocumentReference/'));
  return {
    id: e.id ?? '',
    at: e.recorded ?? '',
    action: e.subtype?.find((s) => s.system === CS.traceAction)?.code ?? '',
    outcome: e.outcome === '0' ? 'success' : e.outcome === '4' ? 'refused' : 'failed',
    side: marks.has('own') ? 'own' : marks.has('professional') ? 'professional' : 'other',
    isNew: marks.has('new-since-last-login'),
    firstAccess: marks.has('first-access'),
    emergency: marks.has('emergency-access'),
    practitionerId,
    actorName: practitionerId ? user?.who?.display : undefined,
    actorKind: roles.find((c) => c.system?.endsWith('dmp-actor-kind'))?.code ?? (practitionerId ? 'professional' : undefined),
    profession: practitionerId ? roles.find((c) => c.system === CS.profession)?.code : undefined,
    documentId: doc ? doc.slice('DocumentReference/'.length) : undefined,
    ...(Number.isInteger(failed) && failed > 0 ? { failedAttemptsBefore: failed } : {}),
    ...(lockedUntil ? { lockedUntil } : {}),
  };
}
