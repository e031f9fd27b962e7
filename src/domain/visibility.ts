// "Which documents of this record may this actor read", as data. The store compiles it to one
// SQL WHERE so that search results, totals and paging never count a hidden document (ACC-08),
// and decide() answers document.read through filterAllows, so the two cannot disagree.
//
// SQL twin (visibility-sql.ts), for one metadata version, on columns type_code text,
// confidentiality text[], status text, author_ids text[], authored_by_patient bool
// (confidentiality stored normalised, see confidentiality.ts):
//   kind 'none'  ->  FALSE
//   kind 'some'  ->  NOT (status = ANY($excludedStatuses))
//                AND ($allowedTypeCodes IS NULL OR type_code = ANY($allowedTypeCodes))
//                AND (NOT (confidentiality && $hiddenCodes) OR author_ids && $hiddenExemptAuthorIds)
//                AND ($onlyPatientAuthored IS NOT TRUE OR authored_by_patient)
// and a document is read only when that holds for the version itself, for its document's
// latest version and for its lineage's current member (ACC-09, lineage.ts).
import { professionalReadAccess, holderAccess, isMedecinTraitant } from './access.js';
import type { Actor } from './actor.js';
import { bindingAllows } from './binding.js';
import { INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX, MASQUE_PS } from './confidentiality.js';
import { readableTypeList } from './matrix.js';
import type { AvailabilityStatus } from './model.js';
import type { Policy } from './policy.js';
import type { ReasonCode } from './reasons.js';
import type { MemberFacts } from './lineage.js';
import type { DocumentFacts, RecordContext } from './record.js';
import type { Terminology } from './terminology.js';

export type VisibilityFilter =
  | { kind: 'none'; reason: ReasonCode }
  | {
      kind: 'some';
      /** null = no type restriction; this module always gives a list (fail closed on unknown types) */
      allowedTypeCodes: string[] | null;
      /** a document carrying any of these confidentiality codes is hidden... */
      hiddenCodes: string[];
      /** ...unless one of its authorIds is in this list (MASK-01: the author still sees it) */
      hiddenExemptAuthorIds: string[];
      excludedStatuses: AvailabilityStatus[];
      /** MASK-04: a representative bound to a doctor's presence sees only the patient's own deposits */
      onlyPatientAuthored?: boolean;
      emergency: boolean;
    };

/**
 * Deleted documents are gone for every reader (DOC-06: logical deletion); Submitted is the
 * transient state of an unfinished submission (DOC-03). Archived and Deprecated stay readable
 * (DOC-07: archived documents stay retrievable; a replaced version remains in the history).
 */
export const EXCLUDED_STATUSES: readonly AvailabilityStatus[] = ['Deleted', 'Submitted'];

const knownTypesCache = new WeakMap<Terminology, string[]>();

/** Every type of the terminology: the patient's side reads all of them, and only them (ACC-08). */
function knownTypeCodes(terminology: Terminology): string[] {
  let list = knownTypesCache.get(terminology);
  if (!list) {
    list = [...terminology.documentTypes.keys()].sort();
    knownTypesCache.set(terminology, list);
  }
  return list;
}

const none = (reason: ReasonCode): VisibilityFilter => ({ kind: 'none', reason });

export function visibilityFilter(policy: Policy, actor: Actor, ctx: RecordContext, now: Date): VisibilityFilter {
  // ACC-10: a caller bound to another patient sees nothing of this record.
  if (!bindingAllows(actor, ctx.identifiers)) return none('other_patient');
  switch (actor.kind) {
    case 'professional': {
      const access = professionalReadAccess(policy, actor, ctx);
      if (!access.ok) return none(access.reason);
      const readable = readableTypeList(policy.matrix, actor.profession, actor.specialty);
      if (readable.length === 0) return none('matrix_denied');
      // MASK-01: masked documents stay visible to their author and to the médecin traitant DMP,
      // in every access mode. MASK-02/03 flags do not concern professionals.
      const mt = isMedecinTraitant(ctx, actor);
      return {
        kind: 'some',
        allowedTypeCodes: [...readable],
        hiddenCodes: mt ? [] : [MASQUE_PS],
        hiddenExemptAuthorIds: mt ? [] : [actor.idNatPs],
        excludedStatuses: [...EXCLUDED_STATUSES],
        emergency: access.emergency,
      };
    }
    case 'patient':
    case 'legal_representative': {
      const access = holderAccess(actor, ctx, now);
      if (!access.ok) return none(access.reason);
      // DMP-05: a closed record is inaccessible until the patient reactivates it.
      if (ctx.status === 'closed') return none('record_closed');
      const common = {
        kind: 'some' as const,
        allowedTypeCodes: [...knownTypeCodes(policy.terminology)],
        hiddenExemptAuthorIds: [],
        excludedStatuses: [...EXCLUDED_STATUSES],
        emergency: false,
      };
      if (access.holder.kind === 'patient') return { ...common, hiddenCodes: [INVISIBLE_PATIENT] };
      // MASK-02 hides from the patient and the representatives; MASK-03 from the representatives.
      return {
        ...common,
        hiddenCodes: [INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX],
        ...(access.holder.representative.doctorPresenceRequired ? { onlyPatientAuthored: true } : {}),
      };
    }
    case 'support':
    case 'insurer':
    case 'system':
      // Support agents, the insurer's feed and jobs never read medical documents.
      return none('unsupported_actor');
  }
}

/** Whether the filter admits one metadata version on its own facts. */
export function memberAllows(f: VisibilityFilter, doc: MemberFacts): boolean {
  if (f.kind === 'none') return false;
  if (f.excludedStatuses.includes(doc.status)) return false;
  if (f.allowedTypeCodes !== null && !f.allowedTypeCodes.includes(doc.typeCode)) return false;
  if (f.onlyPatientAuthored === true && !doc.authoredByPatient) return false;
  const hidden = doc.confidentiality.some((c) => f.hiddenCodes.includes(c));
  if (hidden && !doc.authorIds.some((a) => f.hiddenExemptAuthorIds.includes(a))) return false;
  return true;
}

/**
 * ACC-08 / ACC-09: the filter admits a document version when it admits the version, the latest
 * version of its document and its lineage's current member (when the lineage still has one).
 */
export function filterAllows(f: VisibilityFilter, doc: DocumentFacts): boolean {
  if (!memberAllows(f, doc) || doc.lineage === null) return false;
  const { latest, current } = doc.lineage;
  return memberAllows(f, latest) && (current === null || memberAllows(f, current));
}

const HIDING_REASON: Record<string, ReasonCode> = {
  [MASQUE_PS]: 'masked',
  [INVISIBLE_PATIENT]: 'invisible_to_patient',
  [INVISIBLE_REPRESENTANTS_LEGAUX]: 'invisible_to_representatives',
};

function memberHiddenReason(policy: Policy, f: VisibilityFilter & { kind: 'some' }, doc: MemberFacts): ReasonCode {
  if (f.excludedStatuses.includes(doc.status)) return 'document_unavailable';
  if (f.allowedTypeCodes !== null && !f.allowedTypeCodes.includes(doc.typeCode)) {
    return policy.terminology.documentTypes.has(doc.typeCode) ? 'matrix_denied' : 'unknown_document_type';
  }
  if (f.onlyPatientAuthored === true && !doc.authoredByPatient) return 'doctor_presence_required';
  const code = doc.confidentiality.find((c) => f.hiddenCodes.includes(c));
  return (code !== undefined && HIDING_REASON[code]) || 'not_authorised';
}

/**
 * Why filterAllows said no, for traces and for decide(); checked in the same order as
 * filterAllows. A version hidden only by another member of its lineage is `lineage_hidden`.
 * Only meaningful when filterAllows(f, doc) is false.
 */
export function hiddenReason(policy: Policy, f: VisibilityFilter, doc: DocumentFacts): ReasonCode {
  if (f.kind === 'none') return f.reason;
  if (!memberAllows(f, doc)) return memberHiddenReason(policy, f, doc);
  // an old version of a deleted document is as gone as the document (DOC-06)
  if (doc.lineage && f.excludedStatuses.includes(doc.lineage.latest.status)) return 'document_unavailable';
  return 'lineage_hidden';
}
