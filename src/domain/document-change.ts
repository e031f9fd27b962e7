// One change of a document's metadata as the record makes it (TD3.3, a FHIR JSON Patch): its
// visibility flags (MASK-01..03), its archiving (DOC-07), its deletion (DOC-06). However many
// parts a change has, it is one decision over the whole (every part permitted on the document as
// it stands, the first refusal answering for all) and one write: all of it or nothing.
import type { Action } from './actions.js';
import { INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX, MASQUE_PS, type VisibilityChange, type VisibilityFlag } from './confidentiality.js';

export interface DocumentChange {
  flags: VisibilityChange[];
  /** archive (true) or unarchive (false) */
  archived?: boolean;
  delete: boolean;
}

/** Who may set or lift each flag is its own action (MASK-01, MASK-02, MASK-03). */
export const FLAG_ACTION: Readonly<Record<VisibilityFlag, Action>> = Object.freeze({
  [MASQUE_PS]: 'document.mask',
  [INVISIBLE_PATIENT]: 'document.patient_visibility',
  [INVISIBLE_REPRESENTANTS_LEGAUX]: 'document.representative_visibility',
});

/** The actions a change asks for, each once, in the order its parts are listed. */
export function changeActions(change: DocumentChange): Action[] {
  const actions: Action[] = change.flags.map((f) => FLAG_ACTION[f.flag]);
  if (change.archived !== undefined) actions.push('document.archive');
  if (change.delete) actions.push('document.delete');
  return [...new Set(actions)];
}
