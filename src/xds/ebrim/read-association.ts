// ebRIM Association -> SubmittedAssociation. Associations carry their own slots (status changes,
// previous version, propagation) and the documentation classification, read apart from the
// objects they link.
import type { ExtraSlot } from '../../domain/model.js';
import type { SubmittedAssociation } from '../../domain/submission.js';
import { NS, attr, childElements } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { ASSOCIATION_DOCUMENTATION_SCHEME, ASSOCIATION_DOCUMENTATION_SLOT, associationTypeFromUrn } from './constants.js';
import { extraSlots, problem, readCoded, readSlots, readStatus, single, type Problems } from './read-fields.js';

const ASSOCIATION_SLOTS = new Set(['SubmissionSetStatus', 'PreviousVersion', 'OriginalStatus', 'NewStatus', 'AssociationPropagation']);

export function readAssociation(as: Element, classifications: Element[], problems: Problems): SubmittedAssociation {
  const id = attr(as, 'id') ?? '';
  const loc = id || 'Association';
  if (!id) problem(problems, loc, 'an Association has no id');
  const rawType = attr(as, 'associationType') ?? '';
  const type = associationTypeFromUrn(rawType);
  if (!type) problem(problems, loc, `unknown associationType ${rawType || '(none)'} on ${loc}`);
  const sourceId = attr(as, 'sourceObject');
  const targetId = attr(as, 'targetObject');
  if (!sourceId) problem(problems, loc, `sourceObject is missing on ${loc}`);
  if (!targetId) problem(problems, loc, `targetObject is missing on ${loc}`);
  const slots = readSlots(as, problems, loc);
  const a: SubmittedAssociation = { id, type: type ?? 'HasMember', sourceId: sourceId ?? '', targetId: targetId ?? '' };
  if (id.startsWith('urn:uuid:')) a.entryUuid = id;
  const sss = single(slots, 'SubmissionSetStatus', problems, loc);
  if (sss !== undefined) {
    if (sss === 'Original' || sss === 'Reference') a.submissionSetStatus = sss;
    else problem(problems, loc, `SubmissionSetStatus of ${loc} must be Original or Reference (got ${sss})`);
  }
  const pv = single(slots, 'PreviousVersion', problems, loc);
  if (pv !== undefined) a.previousVersion = pv;
  const os = single(slots, 'OriginalStatus', problems, loc);
  if (os !== undefined) a.originalStatus = os;
  const ns = single(slots, 'NewStatus', problems, loc);
  if (ns !== undefined) a.newStatus = ns;
  const ap = single(slots, 'AssociationPropagation', problems, loc);
  if (ap !== undefined) {
    if (ap === 'yes' || ap === 'no') a.associationPropagation = ap === 'yes';
    else problem(problems, loc, `AssociationPropagation of ${loc} must be yes or no (got ${ap})`);
  }
  const status = readStatus(as, problems, loc);
  if (status) a.availabilityStatus = status;
  const extra: ExtraSlot[] = extraSlots(slots, ASSOCIATION_SLOTS) ?? [];
  for (const cl of [...childElements(as, NS.rim, 'Classification'), ...classifications]) {
    if (attr(cl, 'classificationScheme') !== ASSOCIATION_DOCUMENTATION_SCHEME) continue;
    const c = readCoded(cl, problems, loc, 'association documentation');
    if (c) extra.push({ name: ASSOCIATION_DOCUMENTATION_SLOT, values: [`${c.code}^${c.display ?? ''}^${c.system}`] });
  }
  if (extra.length) a.extraSlots = extra;
  return a;
}
