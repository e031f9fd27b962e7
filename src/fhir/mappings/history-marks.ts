// TRACE-03 marks on AuditEvent for the patient side, as meta.tag codes of one Carnet code system:
//   own | professional      which side of the history the entry belongs to
//   new-since-last-login    the entry happened after the reader's previous login
//   first-access            the professional's earliest access to the record
//   emergency-access        an access in an emergency mode (ACC-05)
// The links TRACE-03 asks for are the event's own: entity.what (the document) and agent.who (the
// professional).
import type { AuditEvent, Coding } from '@medplum/fhirtypes';
import type { MarkedRow } from '../../services/history-view.js';
import { CS } from './carnet-fhir.js';

export const HISTORY_MARKS = {
  own: 'own',
  professional: 'professional',
  newSinceLastLogin: 'new-since-last-login',
  firstAccess: 'first-access',
  emergency: 'emergency-access',
} as const;

/** How each mark reads, in the tags and in the published code system. */
export const HISTORY_MARK_DISPLAY: Record<(typeof HISTORY_MARKS)[keyof typeof HISTORY_MARKS], string> = {
  own: 'Mes actions',
  professional: 'Actions des professionnels de santé',
  'new-since-last-login': 'Nouveau depuis la dernière connexion',
  'first-access': 'Premier accès de ce professionnel',
  'emergency-access': 'Accès en urgence',
};

export function historyMarkCodes(marks: MarkedRow['marks']): string[] {
  const codes: string[] = [];
  if (marks.side === 'own') codes.push(HISTORY_MARKS.own);
  if (marks.side === 'professional') codes.push(HISTORY_MARKS.professional);
  if (marks.newSinceLastLogin) codes.push(HISTORY_MARKS.newSinceLastLogin);
  if (marks.firstAccessByProfessional) codes.push(HISTORY_MARKS.firstAccess);
  if (marks.emergency) codes.push(HISTORY_MARKS.emergency);
  return codes;
}

export function withHistoryMarks(event: AuditEvent, marks: MarkedRow['marks']): AuditEvent {
  const tag: Coding[] = historyMarkCodes(marks).map((code) => ({ system: CS.HISTORY_MARK, code, display: HISTORY_MARK_DISPLAY[code as keyof typeof HISTORY_MARK_DISPLAY] }));
  return tag.length ? { ...event, meta: { ...event.meta, tag: [...(event.meta?.tag ?? []), ...tag] } } : event;
}
