// The world of the lock's matrix (ACC-08, ACC-09, TRACE-05): a minor's record whose readers are
// every kind of actor, and for each way of hiding a document two lineages, made through the
// services as the product makes them:
//   - versions: deposited, then given a new metadata version that carries the hiding (the
//     member `current`; the first version is `old`);
//   - replacement: a document (`predecessor`) replaced (RPLC) by one that carries the hiding
//     (`replacement`).
// In the main record the author then links each `current` member into the folder by ITI-57
// (SubmitAssociation) and withdraws the link by a second ITI-57 (the association Deprecated):
// history entries about a document only through an association (TRACE-05).
// A second record holds the same unhidden lineages, and blocks their author (ACC-03); a third
// blocks the author's structure (ACC-03, a structure's whole care team: the author and the nurse).
// `expected` says, from the rules stated in plain terms, who reads what.
import { randomUUID } from 'node:crypto';
import type { Actor, ProfessionalActor } from '../../src/domain/actor.js';
import { readableTypeList } from '../../src/domain/matrix.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { UpdateRequest } from '../../src/domain/update-request.js';
import { loadPolicy } from '../../src/profiles/load.js';
import type { Caller } from '../../src/services/deps.js';
import type { Services } from '../../src/services/index.js';
import { as, entryMetadata, newIns, proActor, submission, uid } from './world.js';

const policy = loadPolicy();

/** A consultation report: every reader of the matrix reads it. */
export const READABLE_TYPE = '11488-4';
/** A hospitalisation report: the FAQ's example of what a pédicure-podologue may not read (ACC-02). */
export const MATRIX_DENIED_TYPE = '34112-3';

export const HIDINGS = ['none', 'MASQUE_PS', 'INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX', 'matrix', 'blocked_author', 'blocked_structure'] as const;
export type Hiding = (typeof HIDINGS)[number];
export const MEMBERS = ['current', 'old', 'predecessor', 'replacement'] as const;
export type Member = (typeof MEMBERS)[number];

export interface Lineages {
  patientKey: string;
  ins: PatientIdentifier;
  /** entryUUIDs, bare */
  ids: Record<Member, string>;
  /** uniqueIds: of the versions' document, the predecessor, the replacement */
  uniqueIds: { versions: string; predecessor: string; replacement: string };
  /** the submission set that deposited the replacement */
  replacementSet: string;
  /** main record: the ITI-57 association (bare) that linked `current` into the folder, then was deprecated */
  folderLink: string | null;
}

export interface LockWorld {
  /** the minor's record (every hiding but the blocks), the record whose author is blocked, the one whose author's structure is */
  main: { patientKey: string; ins: PatientIdentifier; folder: string };
  blocked: { patientKey: string; ins: PatientIdentifier };
  blockedStructure: { patientKey: string; ins: PatientIdentifier };
  lineages: Record<Hiding, Lineages>;
  actors: Record<ActorName, Actor>;
}

export const ACTOR_NAMES = [
  'author',
  'medecin_traitant',
  'other_doctor',
  'nurse',
  'podiatrist',
  'bris_de_glace',
  'centre_15',
  'patient',
  'representative',
  'representative_with_doctor',
  'support',
] as const;
export type ActorName = (typeof ACTOR_NAMES)[number];

export function isProfessional(a: Actor): a is ProfessionalActor {
  return a.kind === 'professional';
}

const author = proActor('doctor');

/** ACC-03: whether the professional acts for the author's structure (blocked in the third record). */
export function actsForAuthorStructure(actor: Actor): boolean {
  return isProfessional(actor) && actor.structureId === author.structureId;
}
/** authorised, another structure than the author's: no care team in common */
const otherDoctor: ProfessionalActor = { kind: 'professional', mode: 'normal', idNatPs: '810000000021', profession: '10', specialty: 'SM26', structureId: '1690000002', given: 'Inès', family: 'Autre' };

/**
 * Who reads a member of a lineage hidden by `hiding`, from the rules in plain terms: the matrix
 * (ACC-02), the block (ACC-03), MASK-01 (only the author and the médecin traitant among
 * professionals, in every mode), MASK-02 (not the patient nor the representatives), MASK-03
 * (not the representatives), MASK-04 (a representative bound to a doctor's presence reads only
 * what the patient side deposited: nothing here), support never. ACC-09: every member of a
 * lineage follows the hiding of its current member, so the answer is the same for the four.
 */
export function expected(name: ActorName, hiding: Hiding, actor: Actor): boolean {
  if (name === 'support' || name === 'representative_with_doctor') return false;
  const type = hiding === 'matrix' ? MATRIX_DENIED_TYPE : READABLE_TYPE;
  if (isProfessional(actor) && !readableTypeList(policy.matrix, actor.profession, actor.specialty).includes(type)) return false;
  switch (hiding) {
    case 'none':
    case 'matrix':
      return true;
    case 'blocked_author':
      return name !== 'author';
    case 'blocked_structure':
      // refused to whoever acts for the structure; what it deposited stays readable by the others
      return !actsForAuthorStructure(actor);
    case 'MASQUE_PS':
      return !isProfessional(actor) || name === 'author' || name === 'medecin_traitant';
    case 'INVISIBLE_PATIENT':
      return isProfessional(actor);
    case 'INVISIBLE_REPRESENTANTS_LEGAUX':
      return name !== 'representative';
  }
}

/** A new metadata version made by ITI-57 (the author dates the document differently): nothing hidden by it. */
async function updateByAuthor(services: Services, ins: PatientIdentifier, patientKey: string, entryUuid: string): Promise<string> {
  const current = await services.documents.read({ actor: { kind: 'patient', patientKey }, channel: 'test' }, { entryUuid });
  const id = `urn:uuid:${randomUUID()}`;
  const metadata = {
    ...entryMetadata(ins, { authorId: author.idNatPs, authorStructure: author.structureId, uniqueId: current.uniqueId, typeCode: current.typeCode!.code, classCode: current.classCode!.code, creationTime: '20260111093000' }),
    hash: current.hash,
    size: current.size,
    repositoryUniqueId: current.repositoryUniqueId,
  };
  const ss = submission(ins, []).submissionSet;
  const req: UpdateRequest = { submissionSet: { ...ss, id: `urn:uuid:${randomUUID()}` }, documents: [{ id, logicalId: entryUuid, previousVersion: current.version, propagate: true, metadata }], folders: [], statusChanges: [], associations: [] };
  await services.metadata.applyUpdate(as(author), req);
  return id;
}

/** ITI-57 by the author: the document joins the folder (HasMember), then a second request deprecates that link. */
async function linkThenWithdraw(services: Services, ins: PatientIdentifier, folder: string, document: string): Promise<string> {
  const request = (): UpdateRequest => ({ submissionSet: { ...submission(ins, []).submissionSet, id: `urn:uuid:${randomUUID()}` }, documents: [], folders: [], statusChanges: [], associations: [] });
  const link = `urn:uuid:${randomUUID()}`;
  await services.metadata.applyUpdate(as(author), { ...request(), associations: [{ id: link, type: 'HasMember', sourceId: folder, targetId: document }] });
  await services.metadata.applyUpdate(as(author), { ...request(), statusChanges: [{ id: 'withdraw', targetId: link, from: 'Approved', to: 'Deprecated' }] });
  return link.slice(9);
}

export async function seedLockWorld(services: Services): Promise<LockWorld> {
  const support: Caller = { actor: { kind: 'support', agentId: 'agent-1' }, channel: 'test' };
  // the same two parents in both records, so that each reader is one actor on either
  const parents = [randomUUID(), randomUUID()];
  async function minorRecord(): Promise<{ patientKey: string; ins: PatientIdentifier; reps: string[] }> {
    const ins = newIns();
    const created = await services.records.create(support, {
      identifiers: [ins],
      given: 'Léo',
      family: 'Durand',
      birthDate: '2014-03-02',
      representatives: [
        { representativeId: parents[0], relationship: 'parent', given: 'Jeanne', family: 'Durand' },
        { representativeId: parents[1], relationship: 'parent', given: 'Marc', family: 'Durand' },
      ],
      consent: { givenBy: 'legal_representative', representativeIndex: 0 },
    });
    return { patientKey: created.patientKey, ins, reps: created.representativeIds };
  }

  const main = await minorRecord();
  const parent: Caller = as({ kind: 'legal_representative', patientKey: main.patientKey, representativeId: main.reps[0] });
  const permit = async (caller: Caller, patientKey: string, subjectKind: 'professional' | 'structure', subjectId: string) =>
    services.consent.addGrant(caller, patientKey, { subjectKind, subjectId, effect: 'permit' });
  for (const p of [author, proActor('doctor2'), otherDoctor, proActor('podiatrist')]) await permit(parent, main.patientKey, 'professional', p.idNatPs);
  // the nurse reads as a member of the author's structure's care team (ACC-04)
  await permit(parent, main.patientKey, 'structure', author.structureId!);
  await services.consent.designateMedecinTraitant(parent, main.patientKey, proActor('doctor2').idNatPs);
  // MASK-04: the minor asked that the second representative read only with a doctor present
  await services.representatives.setDoctorPresenceRequired(as({ kind: 'patient', patientKey: main.patientKey }), main.patientKey, main.reps[1], true);

  // the records of the blocks: the same readers, authorised alike
  const blockRecord = async () => {
    const r = await minorRecord();
    const p: Caller = as({ kind: 'legal_representative', patientKey: r.patientKey, representativeId: r.reps[0] });
    for (const x of [author, proActor('doctor2'), otherDoctor, proActor('podiatrist')]) await permit(p, r.patientKey, 'professional', x.idNatPs);
    await permit(p, r.patientKey, 'structure', author.structureId!);
    await services.consent.designateMedecinTraitant(p, r.patientKey, proActor('doctor2').idNatPs);
    // MASK-04 is the minor's decision (not a representative's)
    await services.representatives.setDoctorPresenceRequired(as({ kind: 'patient', patientKey: r.patientKey }), r.patientKey, r.reps[1], true);
    return { ...r, parent: p };
  };
  const blockedRecord = await blockRecord();
  const blockedParent = blockedRecord.parent;
  const structureRecord = await blockRecord();

  const byAuthor = { authorId: author.idNatPs, authorStructure: author.structureId };
  const typeOf = (h: Hiding) => (h === 'matrix' ? MATRIX_DENIED_TYPE : READABLE_TYPE);
  const recordOf = (h: Hiding) => (h === 'blocked_author' ? blockedRecord : h === 'blocked_structure' ? structureRecord : main);

  // First deposits: for each hiding, the versions' document and the predecessor, unhidden; those
  // of the main record in one folder (the replacement joins it, DOC-05).
  const firsts = new Map<Hiding, { versions: string; predecessor: string; uniqueIds: [string, string] }>();
  let folder = '';
  for (const r of [main, blockedRecord, structureRecord]) {
    const hidings = HIDINGS.filter((h) => recordOf(h) === r);
    const docs = hidings.flatMap((h) => [
      { ...byAuthor, typeCode: typeOf(h), content: `${h} versions ${uid()}` },
      { ...byAuthor, typeCode: READABLE_TYPE, content: `${h} predecessor ${uid()}` },
    ]);
    const sub = submission(r.ins, docs);
    if (r === main) {
      sub.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: r.ins, codeList: [{ code: 'LOCK', system: '1.2.250.1.999.3' }] } }];
      sub.associations.push({ id: 'assocF', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
      docs.forEach((_, i) => sub.associations.push({ id: `assocF${i}`, type: 'HasMember', sourceId: 'Folder01', targetId: `Document${i + 1}` }));
    }
    const assigned = (await services.submissions.submit(as(author), sub)).assignedIds;
    if (r === main) folder = assigned.Folder01!.slice(9);
    hidings.forEach((h, i) => {
      firsts.set(h, {
        versions: assigned[`Document${2 * i + 1}`]!,
        predecessor: assigned[`Document${2 * i + 2}`]!,
        uniqueIds: [sub.documents[2 * i]!.metadata.uniqueId, sub.documents[2 * i + 1]!.metadata.uniqueId],
      });
    });
  }

  const lineages = {} as Record<Hiding, Lineages>;
  for (const h of HIDINGS) {
    const r = recordOf(h);
    const first = firsts.get(h)!;
    // the hiding arrives as a new metadata version, by whoever may set it
    let current: string;
    const ref = { entryUuid: first.versions };
    if (h === 'MASQUE_PS') current = (await services.metadata.setVisibility(parent, ref, 'MASQUE_PS', true)).entryUuid;
    else if (h === 'INVISIBLE_PATIENT' || h === 'INVISIBLE_REPRESENTANTS_LEGAUX') current = (await services.metadata.setVisibility(as(author), ref, h, true)).entryUuid;
    else current = await updateByAuthor(services, r.ins, r.patientKey, first.versions);
    // ...and as a replacement deposited with it
    const confidentiality = h === 'MASQUE_PS' || h === 'INVISIBLE_PATIENT' || h === 'INVISIBLE_REPRESENTANTS_LEGAUX' ? ['N', h] : ['N'];
    const rplc = submission(r.ins, [{ ...byAuthor, typeCode: typeOf(h), confidentiality, content: `${h} replacement ${uid()}` }]);
    rplc.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: first.predecessor });
    const assigned = (await services.submissions.submit(as(author), rplc)).assignedIds;
    lineages[h] = {
      patientKey: r.patientKey,
      ins: r.ins,
      ids: { current: current.slice(9), old: first.versions.slice(9), predecessor: first.predecessor.slice(9), replacement: assigned.Document1!.slice(9) },
      uniqueIds: { versions: first.uniqueIds[0], predecessor: first.uniqueIds[1], replacement: rplc.documents[0]!.metadata.uniqueId },
      replacementSet: assigned.SubmissionSet01!.slice(9),
      folderLink: r === main ? await linkThenWithdraw(services, main.ins, `urn:uuid:${folder}`, current) : null,
    };
  }
  // ACC-03: the second record's author is blocked, the third record's author's structure, after depositing
  await services.consent.addGrant(blockedParent, blockedRecord.patientKey, { subjectKind: 'professional', subjectId: author.idNatPs, effect: 'deny' });
  await services.consent.addGrant(structureRecord.parent, structureRecord.patientKey, { subjectKind: 'structure', subjectId: author.structureId!, effect: 'deny' });

  const actors: Record<ActorName, Actor> = {
    author,
    medecin_traitant: proActor('doctor2'),
    other_doctor: otherDoctor,
    nurse: proActor('nurse'),
    podiatrist: proActor('podiatrist'),
    bris_de_glace: proActor('pharmacist', { mode: 'bris_de_glace' }),
    centre_15: proActor('regulator', { mode: 'centre_15', regulationCentre: true }),
    patient: { kind: 'patient', patientKey: main.patientKey },
    representative: { kind: 'legal_representative', patientKey: main.patientKey, representativeId: main.reps[0] },
    representative_with_doctor: { kind: 'legal_representative', patientKey: main.patientKey, representativeId: main.reps[1] },
    support: { kind: 'support', agentId: 'agent-1' },
  };
  return { main: { patientKey: main.patientKey, ins: main.ins, folder }, blocked: { patientKey: blockedRecord.patientKey, ins: blockedRecord.ins }, blockedStructure: { patientKey: structureRecord.patientKey, ins: structureRecord.ins }, lineages, actors };
}

/** The actor as it reads `patientKey` (the patient side reads its own record only). */
export function actorOn(actor: Actor, patientKey: string): Actor {
  return actor.kind === 'patient' || actor.kind === 'legal_representative' ? { ...actor, patientKey } : actor;
}
