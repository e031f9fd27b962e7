// Issue "the record's rules": decisions per second of the pure function, and the cost of the
// visibility filter in SQL: a visible-documents search for a patient with 1,000 documents as a
// restricted professional (matrix + masking) against the same search as the patient, measured
// in the same run, alternating, so that the ratio is fair.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../src/domain/actor.js';
import { decide } from '../src/domain/decide.js';
import { loneMember, type MemberFacts } from '../src/domain/lineage.js';
import type { StoredDocumentEntry } from '../src/domain/model.js';
import { documentFacts, type DocumentFacts, type RecordContext } from '../src/domain/record.js';
import { loadPolicy } from '../src/profiles/load.js';
import { createServices } from '../src/services/index.js';
import type { Caller } from '../src/services/deps.js';
import { systemClock } from '../src/services/deps.js';
import type { Db } from '../src/store/db.js';
import { insertEntryVersion } from '../src/store/document-repo.js';
import { insertDmp } from '../src/store/record-repo.js';
import { fmt, median, timeEach } from './stats.js';

const policy = loadPolicy();

export function benchDecisions(durationMs = 1000): { perSecond: number } {
  const types = [...policy.terminology.documentTypes.keys()];
  const ctx: RecordContext = {
    patientKey: 'p',
    identifiers: [{ system: '1.2.250.1.213.1.4.8', value: '180000000000001' }],
    status: 'open',
    birthDate: '1980-01-01',
    emancipated: false,
    protectedAdult: false,
    medecinTraitant: '810000000002',
    grants: [
      { subjectKind: 'structure', subjectId: '1750000001', effect: 'permit' },
      { subjectKind: 'professional', subjectId: '810000000003', effect: 'deny' },
    ],
    emergencyOppositions: { bris_de_glace: false, centre_15: true },
    legalRepresentatives: [],
  };
  const actors: Actor[] = [
    { kind: 'professional', idNatPs: '810000000001', profession: '10', structureId: '1750000001', mode: 'normal' },
    { kind: 'professional', idNatPs: '810000000004', profession: '60', structureId: '1750000001', mode: 'normal' },
    { kind: 'professional', idNatPs: '810000000005', profession: '80', mode: 'bris_de_glace' },
    { kind: 'patient', patientKey: 'p' },
  ];
  const docs: DocumentFacts[] = types.slice(0, 50).map((t, i) => {
    const own: MemberFacts = { typeCode: t, confidentiality: i % 7 === 0 ? ['N', 'MASQUE_PS'] : ['N'], status: 'Approved', authorIds: ['810000000001'], authoredByPatient: false };
    return { ...own, classCode: policy.terminology.documentTypes.get(t)!.classCode, authorStructures: [], lineage: loneMember(own) };
  });
  const now = new Date();
  let n = 0;
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) {
      decide(policy, actors[i % actors.length], ctx, docs[i % docs.length], 'document.read', now);
    }
    n += 1000;
  }
  return { perSecond: Math.round(n / (durationMs / 1000)) };
}

async function recordWithDocuments(db: Db, count: number): Promise<string> {
  const patientKey = randomUUID();
  const now = new Date();
  await insertDmp(db, {
    patientKey,
    identifiers: [{ system: '1.2.250.1.213.1.4.8', value: `B${patientKey.slice(0, 12)}` }],
    emancipated: false,
    protectedAdult: false,
    consentBy: 'patient',
    creationChannel: 'professional',
    createdBy: 'bench',
    now,
  });
  await db.query("INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by) VALUES ($1, $2, 'professional', '810000000004', 'permit', now(), 'bench')", [patientKey, randomUUID()]);
  const types = [...policy.terminology.documentTypes.keys()];
  await db.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const typeCode = types[i % types.length];
      const classCode = policy.terminology.documentTypes.get(typeCode)!.classCode;
      const uuid = `urn:uuid:${randomUUID()}`;
      const confidentiality = i % 10 === 0 ? ['N', 'MASQUE_PS'] : ['N'];
      const metadata = {
        uniqueId: `1.2.250.1.999.7.${i}.${patientKey.slice(0, 8)}`,
        patientId: { system: '1.2.250.1.213.1.4.8', value: 'x' },
        mimeType: 'text/plain',
        typeCode: { code: typeCode, system: '2.16.840.1.113883.6.1' },
        classCode: { code: classCode, system: '1.2.250.1.213.1.1.4.1' },
        confidentialityCodes: confidentiality.map((code) => ({ code, system: '1.2.250.1.213.1.1.4.13' })),
        eventCodes: [],
        authors: [{ person: { id: '810000000001', family: 'Martin' }, institutions: [], roles: [], specialties: [], telecoms: [] }],
        referenceIds: [],
      };
      const entry = { ...metadata, entryUuid: uuid, logicalId: uuid, version: 1, latest: true, availabilityStatus: 'Approved', patientKey, submittedBy: '810000000001', submittedByStructure: null, authoredByPatient: false, submissionSetUuid: uuid, storedAt: now.toISOString(), contentKey: null } as StoredDocumentEntry;
      const f = documentFacts(entry);
      await insertEntryVersion(tx, {
        patientKey, entryUuid: uuid, logicalId: uuid, version: 1, status: 'Approved', metadata,
        typeCode: f.typeCode, classCode: f.classCode, confidentiality: f.confidentiality, authorIds: f.authorIds,
        authorStructures: f.authorStructures, authoredByPatient: false, submittedBy: '810000000001', submittedByStructure: null,
        submissionSetUuid: uuid, contentSha256: null, creationTime: new Date(now.getTime() - i * 60_000), serviceStartTime: null,
        serviceStopTime: null, storedAt: now,
      });
    }
  });
  return patientKey;
}

export interface SearchBench {
  restrictedMs: number;
  unrestrictedMs: number;
  ratio: number;
  restrictedTotal: number;
  unrestrictedTotal: number;
}

/** Median search time (first page of 20 with the total) as a nurse vs as the patient, 1,000 documents. */
export async function benchRestrictedSearch(db: Db, iterations = 200): Promise<SearchBench> {
  const services = createServices({
    db,
    policy,
    clock: systemClock,
    limits: { defaultPageSize: 20, maxPageSize: 100, maxQueryResults: 5000 },
    repositoryUniqueId: '1.2.250.1.999.1.1.1',
  });
  const patientKey = await recordWithDocuments(db, 1000);
  const nurse: Caller = { actor: { kind: 'professional', idNatPs: '810000000004', profession: '60', mode: 'normal' }, channel: 'cli' };
  const patient: Caller = { actor: { kind: 'patient', patientKey }, channel: 'cli' };
  const search = (c: Caller) => services.documents.find(c, { patientKey }, { limit: 20, countTotal: true, statuses: ['Approved'] });
  const restrictedTotal = (await search(nurse)).total ?? 0;
  const unrestrictedTotal = (await search(patient)).total ?? 0;
  // warm up, then alternate so both see the same cache and load
  await timeEach(20, () => search(nurse));
  await timeEach(20, () => search(patient));
  const r: number[] = [];
  const u: number[] = [];
  for (let i = 0; i < iterations; i++) {
    r.push(...(await timeEach(1, () => search(nurse))));
    u.push(...(await timeEach(1, () => search(patient))));
  }
  const restrictedMs = median(r);
  const unrestrictedMs = median(u);
  return { restrictedMs, unrestrictedMs, ratio: restrictedMs / unrestrictedMs, restrictedTotal, unrestrictedTotal };
}

export function printSearch(label: string, s: SearchBench): void {
  console.log(
    `${label}: restricted professional ${fmt(s.restrictedMs)} ms (${s.restrictedTotal} visible) vs patient ${fmt(s.unrestrictedMs)} ms (${s.unrestrictedTotal} visible): ratio ${fmt(s.ratio)}x (target <= 1.20x)`,
  );
}
