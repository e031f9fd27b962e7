// Records the lock's outside attacks start from, made through the services as the product makes
// them: a minor's record with legal representatives (MIN-01), and an adult's record with a
// folder, its author and another authorised doctor (ACC-01); an adult's record whose patient
// authorises and blocks professionals (ACC-01, ACC-03).
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { NewRepresentative } from '../../src/services/record-creation.js';
import type { Caller } from '../../src/services/deps.js';
import type { Services } from '../../src/services/index.js';
import { as, newIns, submission } from './world.js';

const SUPPORT: Caller = { actor: { kind: 'support', agentId: 'agent-1' }, channel: 'test' };

/** A minor's record (born `birthDate`), created with the first representative's consent. */
export async function minorRecord(
  services: Services,
  representatives: Array<Pick<NewRepresentative, 'given' | 'family' | 'email'>>,
  birthDate = '2014-03-02',
): Promise<{ patientKey: string; ins: PatientIdentifier; representativeIds: string[] }> {
  const ins = newIns();
  const created = await services.records.create(SUPPORT, {
    identifiers: [ins],
    given: 'Léo',
    family: 'Durand',
    birthDate,
    representatives: representatives.map((r) => ({ relationship: 'parent' as const, ...r })),
    consent: { givenBy: 'legal_representative', representativeIndex: 0 },
  });
  return { patientKey: created.patientKey, ins, representativeIds: created.representativeIds };
}

/** An adult's record whose patient authorises `permit` and blocks `deny` (ACC-01, ACC-03). */
export async function adultRecordAllowing(
  services: Services,
  permit: ProfessionalActor[],
  deny: ProfessionalActor[] = [],
  person = { given: 'Jeanne', family: 'Durand', birthDate: '1980-05-17' },
): Promise<{ patientKey: string; ins: PatientIdentifier }> {
  const ins = newIns();
  const { patientKey } = await services.records.create(SUPPORT, { identifiers: [ins], ...person, consent: { givenBy: 'patient' } });
  const patient = as({ kind: 'patient', patientKey });
  for (const p of permit) await services.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
  for (const p of deny) await services.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'deny' });
  return { patientKey, ins };
}

/**
 * An adult's record that authorises `readers`, and a folder `author` made there with one document
 * everyone reads; `file` puts one more document of `author` into it, in a submission set of its own.
 */
export async function recordWithFolder(services: Services, author: ProfessionalActor, readers: ProfessionalActor[]) {
  const { patientKey, ins } = await adultRecordAllowing(services, readers, [], { given: 'Rose', family: 'Lemaire', birthDate: '1970-05-06' });
  const first = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]);
  first.folders = [{ id: 'Folder01', metadata: { uniqueId: `1.2.250.1.999.4.${Date.now()}.${process.pid}`, patientId: ins, codeList: [{ code: 'SUIVI', system: '1.2.250.1.999.3' }] } }];
  first.associations.push({ id: 'assocF', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
  first.associations.push({ id: 'assocD', type: 'HasMember', sourceId: 'Folder01', targetId: 'Document1' });
  const folder = (await services.submissions.submit(as(author), first)).assignedIds.Folder01!.slice(9);
  const file = async (confidentiality: string[]): Promise<void> => {
    const sub = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId, confidentiality }]);
    sub.associations.push({ id: 'inFolder', type: 'HasMember', sourceId: `urn:uuid:${folder}`, targetId: 'Document1' });
    await services.submissions.submit(as(author), sub);
  };
  return { patientKey, ins, folder, file };
}
