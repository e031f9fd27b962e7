// DOC-07: the patient's personal selections, kept by the patient side together (the patient and
// the legal representatives). A selection holds only documents its holder can see; asking for one
// it cannot see is "no such document" (ACC-08). Each reader is shown the members, version and date
// of what they may read (domain/selection-versions.ts), and a holder's change keeps the members
// hidden from them.
import { randomUUID } from 'node:crypto';
import { CarnetError } from '../domain/errors.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import { checkIfMatch, type IfMatch, type ResourceVersion } from '../domain/resource-versions.js';
import { changeSubject, membersAfterSave, selectionVersion, touchedBetween } from '../domain/selection-versions.js';
import { visibilityFilter } from '../domain/visibility.js';
import { bareUuid } from '../store/document-repo.js';
import { findDocuments } from '../store/document-search.js';
import type { Tx } from '../store/db.js';
import { forgetVersion, getVersions } from '../store/resource-version-repo.js';
import { deleteSelection, insertSelectionChange, listSelectionChanges, listSelections, putSelection, type SelectionRow } from '../store/selection-repo.js';

export type { SelectionRow };
import type { Caller, ServiceDeps } from './deps.js';
import type { LoadedRecord } from '../store/record-repo.js';
import { guarded } from './guard.js';
import { namedDocuments } from './named-documents.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A selection with its version as its reader is shown it (domain/selection-versions.ts). */
export type VersionedSelection = SelectionRow & { version: ResourceVersion };

type Reader = { tx: Tx; record: LoadedRecord; caller: Caller };

/** The current documents among `logicalIds` the reader may read, by logical id (bare, lower-case). */
async function readable(deps: ServiceDeps, r: Reader, patientKey: string, logicalIds: string[]): Promise<Map<string, StoredDocumentEntry>> {
  if (!logicalIds.length) return new Map();
  const visibility = visibilityFilter(deps.policy, r.caller.actor, r.record.context, deps.clock.now());
  const found = (await findDocuments(r.tx, { patientKey, logicalIds, visibility })).entries;
  return new Map(found.map((e) => [bareUuid(e.logicalId).toLowerCase(), e]));
}

/**
 * The record's selections as the reader is shown them (ACC-08): the members they may read, and
 * the version and date of the changes they could notice; `updated_at` is that date too.
 */
async function readerSelections(deps: ServiceDeps, r: Reader, patientKey: string): Promise<Array<VersionedSelection & { members: StoredDocumentEntry[] }>> {
  const rows = await listSelections(r.tx, patientKey);
  if (!rows.length) return [];
  const bases = await getVersions(r.tx, patientKey, 'List', rows.map((row) => row.selection_id));
  const changes = await listSelectionChanges(r.tx, patientKey);
  const named = new Set(rows.flatMap((row) => [...row.logical_ids, ...(changes.get(row.selection_id) ?? []).flatMap((c) => c.touched)]));
  const seen = await readable(deps, r, patientKey, [...named]);
  const reads = (id: string) => seen.has(id);
  return rows.map((row) => {
    const version = selectionVersion(bases.get(row.selection_id), new Date(row.created_at), changes.get(row.selection_id) ?? [], reads);
    const members = row.logical_ids.map((id) => seen.get(id)).filter((e): e is StoredDocumentEntry => !!e);
    return { ...row, updated_at: new Date(version.lastUpdated), version, members };
  });
}

/** The If-Match of a change of one selection, against the version the caller is shown (412), after the rules decided. */
async function checkSelection(deps: ServiceDeps, r: Reader, patientKey: string, selectionId: string, ifMatch: IfMatch | undefined): Promise<void> {
  if (!ifMatch) return;
  const current = (await readerSelections(deps, r, patientKey)).find((s) => s.selection_id === selectionId);
  if (!current) throw new CarnetError('not_found', 'no such selection');
  checkIfMatch(ifMatch, current.version);
}

export function selectionService(deps: ServiceDeps) {
  return {
    list(caller: Caller, patientKey: string): Promise<VersionedSelection[]> {
      return guarded(deps, caller, { patientKey, action: 'selection.manage', act: ({ tx, record }) => readerSelections(deps, { tx, record, caller }, patientKey) });
    },

    /**
     * The selections with the current version of each member the caller still sees: a document
     * masked or hidden since it was chosen drops out of the answer (ACC-08), not out of the list.
     */
    view(caller: Caller, patientKey: string): Promise<Array<VersionedSelection & { members: StoredDocumentEntry[] }>> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        act: ({ tx, record }) => readerSelections(deps, { tx, record, caller }, patientKey),
      });
    },

    /**
     * Creates or replaces a selection; `logicalIds` name documents by the entryUUID of any of
     * their versions (a logical id is the first version's), read as FHIR read reads them.
     * Replacing one gives it its next version; `ifMatch`: the version it was made against.
     */
    save(caller: Caller, patientKey: string, s: { selectionId?: string; name: string; logicalIds: string[] }, ifMatch?: IfMatch): Promise<string> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        lock: true,
        trace: { details: { name: s.name } },
        // its row names what the change touched (TRACE-05): written by the act, below
        skipMainTrace: true,
        act: async ({ tx, record, trace }) => {
          if (s.selectionId) await checkSelection(deps, { tx, record, caller }, patientKey, s.selectionId, ifMatch);
          let ids = [...new Set(s.logicalIds.map((id) => bareUuid(id).toLowerCase()))];
          if (ids.some((id) => !UUID.test(id))) throw new CarnetError('not_found', 'no such document');
          // ACC-09: a member named by any version the caller may read is kept as its document
          if (ids.length) {
            const named = await namedDocuments(tx, patientKey, ids, visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now()));
            // in the order the patient gave them (the query returns them sorted by date)
            const documentOf = new Map(named.map((e) => [bareUuid(e.entryUuid).toLowerCase(), bareUuid(e.logicalId)]));
            ids = [...new Set(ids.map((id) => documentOf.get(id)!))];
          }
          const selectionId = s.selectionId ?? randomUUID();
          const now = deps.clock.now();
          let about: StoredDocumentEntry | undefined;
          const before = s.selectionId === undefined ? undefined : (await listSelections(tx, patientKey)).find((r) => r.selection_id === selectionId);
          if (before) {
            // ACC-08: the members the caller may not read stay, and the change is kept with what it
            // touched, so that each reader's version moves only for what they could notice
            // read once, the members before and those named: what the change touches is among them
            const seen = await readable(deps, { tx, record, caller }, patientKey, [...new Set([...before.logical_ids, ...ids])]);
            ids = membersAfterSave(ids, before.logical_ids, (id) => seen.has(id));
            const change = { at: now, renamed: before.name !== s.name, touched: touchedBetween(before.logical_ids, ids) };
            await insertSelectionChange(tx, patientKey, selectionId, change);
            // what it touched, as the caller reads it (they named what it added, and see what it removed)
            const inOrder = change.touched.map((id) => seen.get(id)).filter((e): e is StoredDocumentEntry => !!e);
            about = changeSubject(deps.policy, record.context, change, inOrder, now);
          }
          await putSelection(tx, patientKey, { selectionId, name: s.name, logicalIds: ids, now });
          await trace('selection.manage', {
            details: { name: s.name },
            ...(about ? { document: { logicalId: bareUuid(about.logicalId), entryUuid: bareUuid(about.entryUuid), uniqueId: about.uniqueId } } : {}),
          });
          return selectionId;
        },
      });
    },

    remove(caller: Caller, patientKey: string, selectionId: string, ifMatch?: IfMatch): Promise<void> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        lock: true,
        act: async ({ tx, record }) => {
          await checkSelection(deps, { tx, record, caller }, patientKey, selectionId, ifMatch);
          if (!(await deleteSelection(tx, patientKey, selectionId))) throw new CarnetError('not_found', 'no such selection');
          await forgetVersion(tx, patientKey, 'List', selectionId);
        },
      });
    },
  };
}

export type SelectionService = ReturnType<typeof selectionService>;
