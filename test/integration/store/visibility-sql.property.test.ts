// ACC-08: the SQL twin of the visibility rule agrees with the pure decision. Documents with
// generated facts are stored once; for each generated (actor, record context) the filter is
// compiled to SQL and the rows it returns are compared, document by document, with
// decide(..., 'document.read') computed on the same stored entries. 60 contexts x 200 documents
// = 12,000 cases per store.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Actor } from '../../../src/domain/actor.js';
import { decide } from '../../../src/domain/decide.js';
import type { AvailabilityStatus, StoredDocumentEntry } from '../../../src/domain/model.js';
import { documentFacts, type RecordContext } from '../../../src/domain/record.js';
import { visibilityFilter } from '../../../src/domain/visibility.js';
import { loadPolicy } from '../../../src/profiles/load.js';
import { findDocuments, insertEntryVersion } from '../../../src/store/document-repo.js';
import { insertDmp } from '../../../src/store/record-repo.js';
import { describeEachStore } from '../../support/stores.js';
import { entryMetadata } from '../../support/world.js';

const policy = loadPolicy();
const NOW = new Date('2026-03-01T09:00:00Z');
const PEOPLE = ['810000000001', '810000000002', '810000000003'];
const STRUCTURES = ['1750000001', '1690000002'];
const PROFESSIONS = ['10', '21', '40', '50', '60', '80', '70', '93', 'COORD_PARCOURS', 'ADM_SECRETARIAT', '99'];
const MODES = ['normal', 'bris_de_glace', 'centre_15', 'urgence'];
const TYPES = [...policy.terminology.documentTypes.keys()];
const CODES = ['N', 'R', 'V', 'MASQUE_PS', 'INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX', 'INVISIBLE_REP_LEGAUX'];
const STATUSES: AvailabilityStatus[] = ['Approved', 'Deprecated', 'Archived', 'Deleted'];
const DOCS = 200;
/** ACC-10: the stored record's INS, and another patient's that an assertion may name instead */
const insOf = (patientKey: string) => ({ system: '1.2.250.1.213.1.4.8', value: `P${patientKey.slice(0, 12)}` });
const OTHER_INS = { system: '1.2.250.1.213.1.4.8', value: 'P-other-patient' };
const CONTEXTS = 60;

const docArb = fc.record({
  typeCode: fc.constantFrom(...TYPES, 'UNKNOWN-TYPE'),
  confidentiality: fc.subarray(CODES, { minLength: 1, maxLength: 3 }),
  status: fc.constantFrom(...STATUSES),
  author: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }),
  submittedBy: fc.option(fc.constantFrom(...PEOPLE), { nil: null }),
  byPatient: fc.boolean(),
});

function actorArb(patientKey: string): fc.Arbitrary<Actor> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('professional' as const),
        idNatPs: fc.constantFrom(...PEOPLE),
        profession: fc.constantFrom(...PROFESSIONS),
        specialty: fc.option(fc.constantFrom('SM26', 'G'), { nil: undefined }),
        structureId: fc.option(fc.constantFrom(...STRUCTURES), { nil: undefined }),
        mode: fc.constantFrom(...MODES),
        boundPatient: fc.option(fc.constantFrom(insOf(patientKey), OTHER_INS), { nil: undefined }),
      }),
    },
    { weight: 2, arbitrary: fc.constant<Actor>({ kind: 'patient', patientKey }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('legal_representative' as const),
        patientKey: fc.constant(patientKey),
        representativeId: fc.constantFrom('rep-1', 'rep-2', 'stranger'),
      }),
    },
  );
}

function contextArb(patientKey: string): fc.Arbitrary<RecordContext> {
  return fc.record({
    patientKey: fc.constant(patientKey),
    identifiers: fc.constant([insOf(patientKey)]),
    status: fc.constantFrom('open' as const, 'open' as const, 'closed' as const),
    birthDate: fc.constantFrom('1970-04-04', '2014-02-02', '2008-03-15'),
    emancipated: fc.boolean(),
    protectedAdult: fc.boolean(),
    medecinTraitant: fc.option(fc.constantFrom(...PEOPLE), { nil: null }),
    grants: fc.array(
      fc.record({
        subjectKind: fc.constantFrom('professional' as const, 'structure' as const),
        subjectId: fc.constantFrom(...PEOPLE, ...STRUCTURES),
        effect: fc.constantFrom('permit' as const, 'permit' as const, 'deny' as const),
      }),
      { maxLength: 4 },
    ),
    emergencyOppositions: fc.record({ bris_de_glace: fc.boolean(), centre_15: fc.boolean() }),
    legalRepresentatives: fc.subarray([
      { representativeId: 'rep-1', doctorPresenceRequired: false },
      { representativeId: 'rep-2', doctorPresenceRequired: true },
    ]),
  });
}

describeEachStore('ACC-08: the SQL visibility filter and the pure decision agree', (db) => {
  const patientKey = randomUUID();
  let stored: StoredDocumentEntry[] = [];

  beforeAll(async () => {
    await insertDmp(db(), {
      patientKey,
      identifiers: [insOf(patientKey)],
      emancipated: false,
      protectedAdult: false,
      consentBy: 'patient',
      creationChannel: 'professional',
      createdBy: 'test',
      now: NOW,
    });
    const docs = fc.sample(docArb, { numRuns: DOCS, seed: 4242 });
    await db().transaction(async (tx) => {
      for (const d of docs) {
        const entryUuid = `urn:uuid:${randomUUID()}`;
        const cls = policy.terminology.documentTypes.get(d.typeCode)?.classCode ?? '10';
        const metadata = entryMetadata({ system: '1.2.250.1.213.1.4.8', value: 'x' }, { typeCode: d.typeCode, classCode: cls, confidentiality: d.confidentiality, authorId: d.author });
        const entry: StoredDocumentEntry = {
          ...metadata,
          entryUuid,
          logicalId: entryUuid,
          version: 1,
          latest: true,
          availabilityStatus: d.status,
          patientKey,
          submittedBy: d.submittedBy,
          submittedByStructure: null,
          authoredByPatient: d.byPatient,
          submissionSetUuid: entryUuid,
          storedAt: NOW.toISOString(),
          contentKey: null,
        };
        // The columns are derived exactly as the submission service derives them.
        const facts = documentFacts(entry);
        await insertEntryVersion(tx, {
          patientKey,
          entryUuid,
          logicalId: entryUuid,
          version: 1,
          status: d.status,
          metadata,
          typeCode: facts.typeCode,
          classCode: facts.classCode,
          confidentiality: facts.confidentiality,
          authorIds: facts.authorIds,
          authorStructures: facts.authorStructures,
          authoredByPatient: d.byPatient,
          submittedBy: d.submittedBy,
          submittedByStructure: null,
          submissionSetUuid: entryUuid,
          contentSha256: null,
          creationTime: NOW,
          serviceStartTime: null,
          serviceStopTime: null,
          storedAt: NOW,
        });
      }
    });
    // Read the documents back: the pure side judges what the store holds, not what we meant.
    const all = await findDocuments(db(), {
      patientKey,
      visibility: { kind: 'some', allowedTypeCodes: null, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: [], emergency: false },
    });
    stored = all.entries;
  }, 120_000);

  it(`agree on ${CONTEXTS} x ${DOCS} generated (actor, record, document) cases`, async () => {
    expect(stored).toHaveLength(DOCS);
    const cases = fc.sample(fc.tuple(actorArb(patientKey), contextArb(patientKey)), { numRuns: CONTEXTS, seed: 7 });
    let compared = 0;
    let visibleSomewhere = 0;
    let hiddenSomewhere = 0;
    for (const [actor, ctx] of cases) {
      const filter = visibilityFilter(policy, actor, ctx, NOW);
      const page = await findDocuments(db(), { patientKey, visibility: filter, countTotal: true });
      const sqlVisible = new Set(page.entries.map((e) => e.entryUuid));
      expect(page.total).toBe(sqlVisible.size);
      for (const entry of stored) {
        const pure = decide(policy, actor, ctx, documentFacts(entry), 'document.read', NOW).permit;
        if (pure !== sqlVisible.has(entry.entryUuid)) {
          throw new Error(`disagreement for ${JSON.stringify({ actor, ctx, facts: documentFacts(entry), pure })}`);
        }
        if (pure) visibleSomewhere++;
        else hiddenSomewhere++;
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(10_000);
    // The generated cases exercise both answers, or agreement would prove little.
    expect(visibleSomewhere).toBeGreaterThan(500);
    expect(hiddenSomewhere).toBeGreaterThan(500);
  }, 120_000);
});
