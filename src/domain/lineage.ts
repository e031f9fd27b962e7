// ACC-09: a document's lineage. Its metadata versions (same logicalId: masking and the other
// visibility flags make a new version with a new id, MASK-05) and the documents it replaced or
// that replaced it (RPLC, XFRM_RPLC) are one lineage, and an old id must never open what the
// lineage's current state hides. So a member is read only by whoever may read the member
// itself, the latest version of its own document, and the lineage's current member
// (visibility.ts checks the three with the same filter; the store's SQL twin is
// visibility-sql.ts).
//
// Which member is current: every document of a lineage has a generation (1 for a document that
// replaced nothing; a replacement joins the lineage of what it replaces as its newest
// generation, merging two lineages when it replaces documents of both). The current member is
// the latest version of the document of the highest generation among those whose latest
// version is not Deleted; equal generations (only possible between the roots of merged
// lineages) are ordered by logicalId, highest first. A lineage whose every document is
// deleted has no current member: nobody reads any of it anyway, since each member's own
// latest version is deleted.
import type { AvailabilityStatus } from './model.js';

/** What the visibility rule reads of one metadata version. */
export interface MemberFacts {
  typeCode: string;
  /** normalised codes (aliases resolved, see confidentiality.ts) */
  confidentiality: string[];
  status: AvailabilityStatus;
  /** author person ids and the depositing professional */
  authorIds: string[];
  authoredByPatient: boolean;
}

/** The other members whose visibility a member follows (ACC-09). */
export interface LineageGate {
  /** the latest metadata version of the member's own document (the member itself when latest) */
  latest: MemberFacts;
  /** the lineage's current member; null when every document of the lineage is deleted */
  current: MemberFacts | null;
}

/** A document alone in its lineage, read at its latest version: it follows only itself. */
export function loneMember(facts: MemberFacts): LineageGate {
  return { latest: facts, current: facts.status === 'Deleted' ? null : facts };
}

/** One metadata version as the lineage rule places it. */
export interface LineageVersion {
  logicalId: string;
  /** the generation of its document in the lineage (see above) */
  generation: number;
  /** the latest metadata version of its document */
  latest: boolean;
  status: AvailabilityStatus;
}

/** The lineage's current member among its versions, or null (every document deleted). */
export function currentMember<V extends LineageVersion>(versions: readonly V[]): V | null {
  let best: V | null = null;
  for (const v of versions) {
    if (!v.latest || v.status === 'Deleted') continue;
    if (!best || v.generation > best.generation || (v.generation === best.generation && v.logicalId > best.logicalId)) best = v;
  }
  return best;
}
