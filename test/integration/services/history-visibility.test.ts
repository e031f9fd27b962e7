// TRACE-05: a history never shows its reader entries about documents hidden from that reader,
// until the document becomes visible to them. The rule is the domain's (history-visibility.ts);
// the history's SQL is checked against it, entry by entry, for every reader of the lock's world
// (patient, each legal representative, médecin traitant), on PGlite and PostgreSQL; then the
// cases the issue saw, through the services.
import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../../src/domain/actor.js';
import { historyShows, relatedObjectIds, type EntrySubject, type HistoryReader } from '../../../src/domain/history-visibility.js';
import { knownObjects } from '../../../src/domain/known-objects.js';
import { documentFacts, type DocumentFacts } from '../../../src/domain/record.js';
import { filterAllows, type VisibilityFilter } from '../../../src/domain/visibility.js';
import { historyReader, readerFilter, readRows, type TraceRow } from '../../../src/services/history.js';
import { bareUuid, getEntry, getLatestByLogicalId } from '../../../src/store/document-repo.js';
import { findAssociations } from '../../../src/store/association-repo.js';
import { loadRecord } from '../../../src/store/record-repo.js';
import { loadRegistryGraph } from '../../../src/store/registry-graph.js';
import { actorOn, seedLockWorld, type LockWorld } from '../../support/lock-world.js';
import { describeEachStore } from '../../support/stores.js';
import { as, makeWorld, proActor, submission, type World } from '../../support/world.js';

const EVERYTHING_FILTER: VisibilityFilter = { kind: 'some', allowedTypeCodes: null, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: [], emergency: false };
const EVERYTHING: HistoryReader = { filter: EVERYTHING_FILTER, hiddenObjects: [] };
const READERS = ['patient', 'representative', 'representative_with_doctor', 'medecin_traitant'] as const;

describeEachStore('TRACE-05: the history of each reader', (db) => {
  let w: World;
  let world: LockWorld;

  beforeAll(async () => {
    w = await makeWorld(db());
    world = await seedLockWorld(w.services);
  }, 120_000);

  /** Every entry of the record's history, newest first. */
  async function allRows(patientKey: string): Promise<TraceRow[]> {
    return (await readRows(db(), patientKey, EVERYTHING, { limit: 100_000, offset: 0 })).rows;
  }

  /** The latest versions of the documents the entry's details name, associations read as their ends. */
  async function relatedOf(row: TraceRow): Promise<DocumentFacts[]> {
    const named = relatedObjectIds(row.details);
    const links = named.length ? await findAssociations(db(), { patientKey: row.chain_key, entryUuids: named }) : [];
    const objects = new Set([...named, ...links.flatMap((a) => [bareUuid(a.sourceId), bareUuid(a.targetId)])]);
    const logicalIds = new Set<string>();
    for (const id of objects) {
      const version = await getEntry(db(), row.chain_key, id);
      if (version) logicalIds.add(version.logicalId);
    }
    return Promise.all([...logicalIds].map(async (l) => documentFacts((await getLatestByLogicalId(db(), row.chain_key, l))!)));
  }

  /**
   * ACC-08: whether every object the entry's details name exists for a reader with filter `f`:
   * knownObjects over the record read from those ids down, documents known by their latest version.
   */
  async function namedObjectsKnown(row: TraceRow, f: VisibilityFilter): Promise<boolean> {
    const named = relatedObjectIds(row.details);
    if (!named.length) return true;
    const graph = await loadRegistryGraph(db(), row.chain_key, named);
    const reads = new Map<string, boolean>();
    for (const id of graph.documents()) {
      const version = await getEntry(db(), row.chain_key, bareUuid(id));
      const latest = version ? await getLatestByLogicalId(db(), row.chain_key, version.logicalId) : null;
      reads.set(id, latest !== null && filterAllows(f, documentFacts(latest)));
    }
    const known = knownObjects(graph, (id) => reads.get(`urn:uuid:${bareUuid(id).toLowerCase()}`) ?? false);
    return named.every((id) => known(`urn:uuid:${id}`));
  }

  async function subjectOf(row: TraceRow, f: VisibilityFilter = EVERYTHING_FILTER): Promise<EntrySubject> {
    const related = await relatedOf(row);
    const objects = { related, namedObjectsKnown: await namedObjectsKnown(row, f) };
    if (!row.document_logical_id && !row.document_entry_uuid && !row.document_unique_id) return { kind: 'none', ...objects };
    const latest = row.document_logical_id ? await getLatestByLogicalId(db(), row.chain_key, row.document_logical_id) : null;
    return latest ? { kind: 'document', latest: documentFacts(latest), ...objects } : { kind: 'unknown_document', ...objects };
  }

  const history = (actor: Actor, patientKey: string, limit = 100, offset = 0) =>
    w.services.historyView.read(as(actor), patientKey, { limit, offset });

  it('TRACE-05: the history SQL shows each reader exactly the entries the domain rule shows, counted and paged alike', async () => {
    let hidden = 0;
    let shown = 0;
    let hiddenByRelation = 0;
    for (const patientKey of [world.main.patientKey, world.blocked.patientKey, world.blockedStructure.patientKey]) {
      const record = (await loadRecord(db(), patientKey))!;
      for (const name of READERS) {
        // read again for each reader: the service's reads below add entries (TRACE-01)
        const rows = await allRows(patientKey);
        const actor = actorOn(world.actors[name], patientKey);
        const filter = await historyReader(db(), w.services.deps, actor, record.context, patientKey);
        const subjects = await Promise.all(rows.map((r) => subjectOf(r, readerFilter(w.services.deps, actor, record.context))));
        const pure = rows.filter((_, i) => historyShows(filter.filter, subjects[i])).map((r) => r.trace_id);
        const sql = await readRows(db(), patientKey, filter, { limit: 100_000, offset: 0 });
        expect({ name, ids: sql.rows.map((r) => r.trace_id) }).toEqual({ name, ids: pure });
        expect(sql.total).toBe(pure.length);
        // page by page: the same entries, and every page counts the same total
        const pages: string[] = [];
        for (let offset = 0; offset < pure.length + 7; offset += 7) {
          const page = await readRows(db(), patientKey, filter, { limit: 7, offset });
          expect(page.total).toBe(pure.length);
          pages.push(...page.rows.map((r) => r.trace_id));
        }
        expect(pages).toEqual(pure);
        // the service applies the same rule (its own read is traced after the page is read)
        const now = (await readRows(db(), patientKey, filter, { limit: 100_000, offset: 0 })).rows.map((r) => r.trace_id);
        const viaService = await history(actor, patientKey, 100);
        expect(viaService.rows.map((r) => r.row.trace_id)).toEqual(now.slice(0, 100));
        expect(viaService.total).toBe(now.length);
        hidden += rows.length - pure.length;
        shown += pure.length;
        hiddenByRelation += subjects.filter((x, i) => x.kind === 'none' && !pure.includes(rows[i].trace_id)).length;
      }
    }
    // the readers are shown some and refused some: the comparison is not vacuous
    expect(hidden).toBeGreaterThan(20);
    expect(shown).toBeGreaterThan(20);
    // ...and some entries are hidden only by the documents their details name (ITI-57 associations)
    expect(hiddenByRelation).toBeGreaterThan(5);
  }, 120_000);

  it('TRACE-05: the patient is not shown the deposit of a document hidden from her nor the change of its visibility, until the announcement consultation', async () => {
    const { patientKey, ins } = world.main;
    const patient = world.actors.patient;
    const author = world.actors.author;
    const sub = submission(ins, [{ authorId: proActor('doctor').idNatPs, confidentiality: ['N'], content: 'announcement' }]);
    const entryUuid = (await w.services.submissions.submit(as(author), sub)).assignedIds.Document1!;
    const logical = entryUuid.slice(9);
    const hidden = await w.services.metadata.setVisibility(as(author), { entryUuid }, 'INVISIBLE_PATIENT', true);
    const about = async (actor: Actor) =>
      (await history(actor, patientKey, 100)).rows.filter((r) => r.row.document_logical_id === logical).map((r) => r.row.action);
    expect(await about(patient)).toEqual([]);
    expect(await about(world.actors.representative)).toEqual([]);
    // the médecin traitant reads the document, and its history
    expect(await about(world.actors.medecin_traitant)).toEqual(expect.arrayContaining(['document.submit', 'document.patient_visibility']));
    // the count says nothing either: the same total as without the document's entries
    const before = (await history(patient, patientKey, 1)).total;
    await w.services.documents.read(as(world.actors.medecin_traitant), { entryUuid: hidden.entryUuid });
    expect((await history(patient, patientKey, 1)).total).toBe(before + 1); // the patient's own read of the history, not the doctor's read
    // the announcement consultation: the flag is lifted, the whole history of the document comes back
    await w.services.metadata.setVisibility(as(author), { entryUuid: hidden.entryUuid }, 'INVISIBLE_PATIENT', false);
    expect(await about(patient)).toEqual(expect.arrayContaining(['document.submit', 'document.patient_visibility', 'document.read']));
  });

  it('TRACE-05: a legal representative is not shown entries about documents hidden from representatives; the patient is', async () => {
    const lineage = world.lineages.INVISIBLE_REPRESENTANTS_LEGAUX;
    const logicals = new Set([lineage.ids.old, lineage.ids.predecessor, lineage.ids.replacement]);
    const namesOne = (rows: Array<{ row: TraceRow }>) => rows.some((r) => r.row.document_logical_id !== null && logicals.has(r.row.document_logical_id));
    expect(namesOne((await history(world.actors.representative, world.main.patientKey, 100)).rows)).toBe(false);
    expect(namesOne((await history(world.actors.patient, world.main.patientKey, 100)).rows)).toBe(true);
    // MASK-04: the representative bound to a doctor's presence is shown no entry about a professional's document
    const bound = await history(world.actors.representative_with_doctor, world.main.patientKey, 100);
    expect(bound.rows.filter((r) => r.row.document_logical_id !== null)).toEqual([]);
  });
});
