// ACC-08, ACC-09 for what a caller names by id in a change (a deposit's associations): whether a
// stored document exists for that caller at all. A caller who may read it knows it; so do those
// who may replace it (DOC-05: its author, a professional of the author's structure, the insurer
// of its own data), unless a rule hides it from them. Anyone else (a document hidden from them,
// or a record where the patient has not authorised them, who may still deposit: DOC-02) gets the
// answer of an id never registered: a refusal would say the document exists.
import type { Actor } from './actor.js';
import { decide } from './decide.js';
import type { Policy } from './policy.js';
import { hidesExistence } from './reasons.js';
import type { DocumentFacts, RecordContext } from './record.js';

export function knowsOfDocument(policy: Policy, actor: Actor, ctx: RecordContext, doc: DocumentFacts, now: Date): boolean {
  const read = decide(policy, actor, ctx, doc, 'document.read', now);
  if (read.permit) return true;
  return !hidesExistence(read.reason) && decide(policy, actor, ctx, doc, 'document.replace', now).permit;
}
