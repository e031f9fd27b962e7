// ACC-08 / ACC-09: the SQL twin of the visibility rule agrees with the pure decision, on
// lineages. A record of generated documents is built with the store functions the services use:
// each document deposited (insertEntryVersion), some replacing one or two earlier ones
// (joinLineage: chains, and merges of two lineages), then new metadata versions with other
// confidentiality codes (markNotLatest + insertEntryVersion, as masking does) and status
// changes. The pure side places every version in its lineage from the generated model (the
// join rule of lineage.ts, restated below), reads the facts the store holds, and asks
// decide(..., 'document.read'); for each generated (actor, record context) the rows the SQL
// filter returns are compared with it, version by version. The gates the store loads with an
// entry for a single decision (getEntry) are compared with the model's too.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Actor } from '../../../src/domain/actor.js';
import { decide } from '../../../src/domain/decide.js';
import { currentMember, type LineageGate } from '../../../src/domain/lineage.js';
import type { AvailabilityStatus, StoredDocumentEntry } from '../../../src/domain/model.js';
import { documentFacts, memberFacts, type DocumentFacts, type RecordContext } from '../../../src/domain/record.js';
import { memberAllows, visibilityFilter } from '../../../src/domain/visibility.js';
import { loadPolicy } from '../../../src/profiles/load.js';
import type { Queryable } from '../../../src/store/db.js';
import { bareUuid, getEntry, insertEntryVersion, joinLineage, markNotLatest, setEntryStatus } from '../../../src/store/document-repo.js';
import { findDocuments } from '../../../src/store/document-search.js';
import { findDocumentIds, findDocumentRows } from '../../../src/store/document-stream.js';
import { findRelations, relationsColumn, relationsOfPage } from '../../../src/store/relations-repo.js';
import { insertDmp } from '../../../src/store/record-repo.js';
import { describeEachStore } from '../../support/stores.js';
import { entryMetadata } from '../../support/world.js';

const policy = loadPolicy();
const NOW = new Date('2026-03-01T09:00:00Z');
const PEOPLE = ['810000000001', '810000000002', '810000000003'];
const STRUCTURES = ['1750000001', '1690000002'];
// '36' and '35' read 3 and 21 types: their lists stay index conditions, the others' are written
// apart (visibility-sql.ts, INDEXED_TYPE_LIST_MAX); both shapes must agree with the domain
const PROFESSIONS = ['10', '21', '40', '50', '60', '80', '70', '93', 'COORD_PARCOURS', 'ADM_SECRETARIAT', '99', '36', '35'];
const MODES = ['normal', 'bris_de_glace', 'centre_15', 'urgence'];
const TYPES = [...policy.terminology.documentTypes.keys()];
const CODES = ['N', 'R', 'V', 'MASQUE_PS', 'INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX', 'INVISIBLE_REP_LEGAUX'];
const STATUSES: AvailabilityStatus[] = ['Approved', 'Deprecated', 'Archived', 'Deleted'];
const DOCUMENTS = 110;
/** ACC-10: the stored record's INS, and another patient's that an assertion may name instead */
const insOf = (patientKey: string) => ({ system: '1.2.250.1.213.1.4.8', value: `P${patientKey.slice(0, 12)}` });
const OTHER_INS = { system: '1.2.250.1.213.1.4.8', value: 'P-other-patient' };
const CONTEXTS = 60;

const confidentialityArb = fc.subarray(CODES, { minLength: 1, maxLength: 3 });

const docArb = fc.record({
  typeCode: fc.constantFrom(...TYPES, 'UNKNOWN-TYPE'),
  confidentiality: confidentialityArb,
  author: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }),
  submittedBy: fc.option(fc.constantFrom(...PEOPLE), { nil: null }),
  byPatient: fc.boolean(),
  /** earlier documents it replaces (indexes taken modulo its position): none, one (a chain), two (a merge) */
  replaces: fc.oneof({ weight: 4, arbitrary: fc.constant<number[]>([]) }, { weight: 4, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }) }),
  /** later metadata versions: the confidentiality each one carries (masking, MASK-05) */
  versions: fc.array(confidentialityArb, { maxLength: 2 }),
  /** the status its latest version ends with, when not left as the deposit made it */
  finalStatus: fc.option(fc.constantFrom(...STATUSES), { nil: undefined, freq: 3 }),
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

/** The lineage rule's bookkeeping, restated: where each document (logical id) stands. */
class LineageModel {
  readonly place = new Map<string, { lineage: string; generation: number }>();

  deposit(logicalId: string): void {
    this.place.set(logicalId, { lineage: logicalId, generation: 1 });
  }

  /** `by` replaces `replaced`: it and its lineage join the lineage of `replaced`, as its newest generation. */
  replace(by: string, replaced: string): void {
    const target = this.place.get(replaced)!.lineage;
    const own = this.place.get(by)!.lineage;
    if (target === own) return;
    const members = [...this.place.values()].filter((p) => p.lineage === target || p.lineage === own);
    const next = Math.max(...members.map((p) => p.generation)) + 1;
    for (const p of members) p.lineage = target;
    this.place.get(by)!.generation = next;
  }
}

describeEachStore('ACC-08 / ACC-09: the SQL visibility filter and the pure decision agree on lineages', (db) => {
  const patientKey = randomUUID();
  const ins = { system: '1.2.250.1.213.1.4.8', value: `P${patientKey.slice(0, 12)}` };
  const model = new LineageModel();
  /** every version as stored, read back */
  let stored: StoredDocumentEntry[] = [];
  /** the facts the pure rule reads of each version, lineage included, by entryUUID */
  const pureFacts = new Map<string, DocumentFacts>();
  /** versions whose lineage's current member is another document's (replaced ones) */
  const followsAnother = new Set<string>();

  /** A version written the way the services write one (columns derived by documentFacts). */
  async function writeVersion(
    tx: Queryable,
    d: { typeCode: string; author?: string; submittedBy: string | null; byPatient: boolean },
    at: { logicalId: string; entryUuid: string; version: number; confidentiality: string[] },
  ): Promise<void> {
    const cls = policy.terminology.documentTypes.get(d.typeCode)?.classCode ?? '10';
    const metadata = entryMetadata(ins, { typeCode: d.typeCode, classCode: cls, confidentiality: at.confidentiality, authorId: d.author });
    const entry: StoredDocumentEntry = {
      ...metadata,
      entryUuid: at.entryUuid,
      logicalId: at.logicalId,
      version: at.version,
      latest: true,
      availabilityStatus: 'Approved',
      patientKey,
      submittedBy: d.submittedBy,
      submittedByStructure: null,
      authoredByPatient: d.byPatient,
      submissionSetUuid: at.entryUuid,
      storedAt: NOW.toISOString(),
      contentKey: null,
    };
    const facts = documentFacts(entry);
    await insertEntryVersion(tx, {
      patientKey,
      entryUuid: at.entryUuid,
      logicalId: at.logicalId,
      version: at.version,
      status: 'Approved',
      metadata,
      typeCode: facts.typeCode,
      classCode: facts.classCode,
      confidentiality: facts.confidentiality,
      authorIds: facts.authorIds,
      authorStructures: facts.authorStructures,
      authoredByPatient: d.byPatient,
      submittedBy: d.submittedBy,
      submittedByStructure: null,
      submissionSetUuid: at.entryUuid,
      contentSha256: null,
      creationTime: NOW,
      serviceStartTime: null,
      serviceStopTime: null,
      storedAt: NOW,
    });
  }

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
    const docs = fc.sample(docArb, { numRuns: DOCUMENTS, seed: 4242 });
    const logical = docs.map(() => randomUUID());
    /** the entryUUID of each document's latest version */
    const latestOf = new Map<string, string>();
    await db().transaction(async (tx) => {
      // deposits, each replacement recorded as the submission does (DOC-05: the replaced one deprecated)
      for (const [i, d] of docs.entries()) {
        await writeVersion(tx, d, { logicalId: logical[i], entryUuid: logical[i], version: 1, confidentiality: d.confidentiality });
        model.deposit(logical[i]);
        latestOf.set(logical[i], logical[i]);
        if (i === 0) continue;
        for (const r of new Set(d.replaces.map((n) => n % i))) {
          await setEntryStatus(tx, patientKey, latestOf.get(logical[r])!, 'Deprecated', new Date());
          await joinLineage(tx, patientKey, logical[i], logical[r]);
          model.replace(logical[i], logical[r]);
        }
      }
      // later metadata versions, after the lineages were joined: they keep their document's place
      for (const [i, d] of docs.entries()) {
        for (const [n, confidentiality] of d.versions.entries()) {
          await markNotLatest(tx, patientKey, latestOf.get(logical[i])!, 'Deprecated', new Date());
          const entryUuid = randomUUID();
          await writeVersion(tx, d, { logicalId: logical[i], entryUuid, version: n + 2, confidentiality });
          latestOf.set(logical[i], entryUuid);
        }
        if (d.finalStatus) await setEntryStatus(tx, patientKey, latestOf.get(logical[i])!, d.finalStatus, new Date());
      }
    });
    // Read everything back: the pure side judges what the store holds, not what we meant.
    const all = await findDocuments(db(), {
      patientKey,
      latestOnly: false,
      visibility: { kind: 'some', allowedTypeCodes: null, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: [], emergency: false },
    });
    stored = all.entries;
    const latest = new Map(stored.filter((e) => e.latest).map((e) => [bareUuid(e.logicalId), e]));
    const lineageOf = (e: StoredDocumentEntry) => model.place.get(bareUuid(e.logicalId))!;
    for (const e of stored) {
      const mine = lineageOf(e).lineage;
      const versions = stored
        .filter((x) => lineageOf(x).lineage === mine)
        .map((x) => ({ entry: x, logicalId: bareUuid(x.logicalId), generation: lineageOf(x).generation, latest: x.latest, status: x.availabilityStatus }));
      const current = currentMember(versions);
      const gate: LineageGate = { latest: memberFacts(latest.get(bareUuid(e.logicalId))!), current: current ? memberFacts(current.entry) : null };
      pureFacts.set(e.entryUuid, { ...documentFacts(e), lineage: gate });
      if (current && current.logicalId !== bareUuid(e.logicalId)) followsAnother.add(e.entryUuid);
    }
  }, 180_000);

  it('the generated record has lineages: chains, merges, later versions and deleted members', () => {
    const sizes = new Map<string, number>();
    for (const p of model.place.values()) sizes.set(p.lineage, (sizes.get(p.lineage) ?? 0) + 1);
    expect([...sizes.values()].filter((n) => n >= 3).length).toBeGreaterThan(3);
    expect(Math.max(...[...model.place.values()].map((p) => p.generation))).toBeGreaterThanOrEqual(3);
    expect(stored.filter((e) => !e.latest).length).toBeGreaterThan(40);
    expect(stored.filter((e) => e.latest && e.availabilityStatus === 'Deleted').length).toBeGreaterThan(5);
  });

  it('ACC-09: an entry read for a decision carries the lineage the pure rule places it in', async () => {
    for (const e of stored) {
      const loaded = await getEntry(db(), patientKey, e.entryUuid);
      expect(loaded?.lineage).toEqual(pureFacts.get(e.entryUuid)!.lineage);
    }
  }, 120_000);

  it(`ACC-09: agree on ${CONTEXTS} generated (actor, record) contexts x every version of every lineage`, async () => {
    const cases = fc.sample(fc.tuple(actorArb(patientKey), contextArb(patientKey)), { numRuns: CONTEXTS, seed: 7 });
    let compared = 0;
    let visible = 0;
    let hiddenByLineageOnly = 0;
    let visibleThroughLineage = 0;
    let inlinedTypes = 0;
    let inlinedStatuses = 0;
    for (const [actor, ctx] of cases) {
      const filter = visibilityFilter(policy, actor, ctx, NOW);
      const page = await findDocuments(db(), { patientKey, visibility: filter, latestOnly: false, countTotal: true });
      const sqlVisible = new Set(page.entries.map((e) => e.entryUuid));
      expect(page.total).toBe(sqlVisible.size);
      // ITI-18's ids write the allowed types and excluded statuses as constants: the same latest
      // versions, in the same order, as the filter with them as parameters
      const latest = await findDocuments(db(), { patientKey, visibility: filter });
      const ids = await findDocumentIds(db(), { patientKey, visibility: filter }, 100_000);
      expect(ids.toArray()).toEqual(latest.entries.map((e) => e.entryUuid));
      // ITI-67's page (documentRowsSelect: its total and its relations column too) writes them as
      // constants as well: the same rows, order, total and relations as with parameters
      for (const latestOnly of [true, false]) {
        const query = { patientKey, visibility: filter, latestOnly, countTotal: true, limit: 1000 };
        const rows = await findDocumentRows(db(), query, [], relationsColumn(filter));
        const reference = latestOnly ? latest : page;
        expect(rows.rows.map((r) => `urn:uuid:${r.entry_uuid}`)).toEqual(reference.entries.map((e) => e.entryUuid));
        expect(rows.total).toBe(reference.entries.length);
        const relations = relationsOfPage(reference.entries.map((e) => e.entryUuid), rows.column);
        const expected = await findRelations(db(), patientKey, reference.entries.map((e) => e.entryUuid), filter);
        const said = (r: { sourceId: string; type: string; targetId: string }) => `${r.sourceId} ${r.type} ${r.targetId}`;
        expect([...relations.values()].flat().map(said).sort()).toEqual(expected.map(said).sort());
      }
      if (filter.kind === 'some' && filter.allowedTypeCodes?.length) inlinedTypes++;
      if (filter.kind === 'some' && filter.excludedStatuses.length) inlinedStatuses++;
      for (const entry of stored) {
        const facts = pureFacts.get(entry.entryUuid)!;
        const pure = decide(policy, actor, ctx, facts, 'document.read', NOW).permit;
        if (pure !== sqlVisible.has(entry.entryUuid)) {
          throw new Error(`disagreement for ${JSON.stringify({ actor, ctx, facts, pure })}`);
        }
        compared++;
        if (pure) visible++;
        // the cases where the lineage decides, or the test would not prove ACC-09
        const own = memberAllows(filter, facts);
        if (own && !pure) hiddenByLineageOnly++;
        if (pure && (!entry.latest || followsAnother.has(entry.entryUuid))) visibleThroughLineage++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(10_000);
    expect(visible).toBeGreaterThan(500);
    expect(compared - visible).toBeGreaterThan(500);
    expect(hiddenByLineageOnly).toBeGreaterThan(200);
    expect(visibleThroughLineage).toBeGreaterThan(200);
    // readers with a list of allowed types, with excluded statuses: the cases the constants are written for
    expect(inlinedTypes).toBeGreaterThan(5);
    expect(inlinedStatuses).toBeGreaterThan(5);
  }, 180_000);
});
