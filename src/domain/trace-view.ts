// TRACE-03: how the patient reads the access history: split into the patient side's own actions
// and the professionals' actions, filterable by author, with the marks the FAQ describes
// (new since the last login, a professional's first access, emergency accesses).
import type { Actor } from './actor.js';

export interface HistoryEntry {
  id: string;
  /** ISO timestamp */
  at: string;
  actorKind: Actor['kind'];
  actorId: string;
  emergency: boolean;
  /** what the entry links to (TRACE-03): a document or a professional */
  documentId?: string;
}

export type HistorySide = 'own' | 'professional' | 'other';

export interface MarkedEntry extends HistoryEntry {
  side: HistorySide;
  newSinceLastLogin: boolean;
  /** the earliest entry of this professional in the history */
  firstAccessByProfessional: boolean;
}

function sideOf(kind: Actor['kind']): HistorySide {
  if (kind === 'patient' || kind === 'legal_representative') return 'own';
  return kind === 'professional' ? 'professional' : 'other';
}

/** Marks entries; the result is newest first, as the history is shown. */
export function markHistory(entries: readonly HistoryEntry[], lastLoginAt: string | null): MarkedEntry[] {
  const since = lastLoginAt === null ? Number.NEGATIVE_INFINITY : Date.parse(lastLoginAt);
  const chronological = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id));
  const seen = new Set<string>();
  const marked = chronological.map((e) => {
    const side = sideOf(e.actorKind);
    const first = side === 'professional' && !seen.has(e.actorId);
    if (side === 'professional') seen.add(e.actorId);
    return { ...e, side, newSinceLastLogin: Date.parse(e.at) > since, firstAccessByProfessional: first };
  });
  return marked.reverse();
}

export function filterHistory(entries: readonly MarkedEntry[], by: { side?: HistorySide; actorId?: string }): MarkedEntry[] {
  return entries.filter((e) => (by.side === undefined || e.side === by.side) && (by.actorId === undefined || e.actorId === by.actorId));
}

/** What marking one page of the history needs besides the page itself. */
export interface PageMarks {
  /** when the reader logged in before the current session (null: never, so every entry is new) */
  lastLoginAt: string | null;
  /** for each professional of the page, the id of that professional's earliest access to the record */
  firstAccessOf: ReadonlyMap<string, string>;
}

/**
 * TRACE-03 for one page of a longer history: the first access of a professional is known from
 * the whole record (the store finds it), not from the page, so paging never moves the mark.
 * The page keeps its order.
 */
export function markPage(entries: readonly HistoryEntry[], marks: PageMarks): MarkedEntry[] {
  const since = marks.lastLoginAt === null ? Number.NEGATIVE_INFINITY : Date.parse(marks.lastLoginAt);
  return entries.map((e) => {
    const side = sideOf(e.actorKind);
    return {
      ...e,
      side,
      newSinceLastLogin: Date.parse(e.at) > since,
      firstAccessByProfessional: side === 'professional' && marks.firstAccessOf.get(e.actorId) === e.id,
    };
  });
}

/** The actor kinds of each side, for the store's filter (TRACE-03: own actions / professionals'). */
export const SIDE_ACTOR_KINDS: Record<Exclude<HistorySide, 'other'>, Actor['kind'][]> = {
  own: ['patient', 'legal_representative'],
  professional: ['professional'],
};
