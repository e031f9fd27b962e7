// DOC-07: the patient's personal selections. A selection holds only documents the patient can
// see; asking for one it cannot see is "no such document" (ACC-08).
import { randomUUID } from 'node:crypto';
import { CarnetError } from '../domain/errors.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import { checkIfMatch, versionOf, type IfMatch, type ResourceVersion } from '../domain/resource-versions.js';
import { visibilityFilter } from '../domain/visibility.js';
import { bareUuid, findDocuments } from '../store/document-repo.js';
import type { Tx } from '../store/db.js';
import { bumpVersion, forgetVersion, getVersions } from '../store/resource-version-repo.js';
import { deleteSelection, listSelections, putSelection, type SelectionRow } from '../store/selection-repo.js';

export type { SelectionRow };
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { namedDocuments } from './named-documents.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A selection with its version: 1 as created, one more for each replacement (migration 0040). */
export type VersionedSelection = SelectionRow & { version: ResourceVersion };

async function withVersions(tx: Tx, patientKey: string, rows: SelectionRow[]): Promise<VersionedSelection[]> {
  const stored = rows.length ? await getVersions(tx, patientKey, 'List', rows.map((r) => r.selection_id)) : new Map();
  return rows.map((r) => ({ ...r, version: versionOf(stored.get(r.selection_id), new Date(r.created_at)) }));
}

/** The If-Match of a change of one selection, against its current version (412), after the rules decided. */
async function checkSelection(tx: Tx, patientKey: string, selectionId: string, ifMatch: IfMatch | undefined): Promise<void> {
  if (!ifMatch) return;
  const current = (await withVersions(tx, patientKey, await listSelections(tx, patientKey))).find((r) => r.selection_id === selectionId);
  if (!current) throw new CarnetError('not_found', 'no such selection');
  checkIfMatch(ifMatch, current.version);
}

export function selectionService(deps: ServiceDeps) {
  return {
    list(caller: Caller, patientKey: string): Promise<VersionedSelection[]> {
      return guarded(deps, caller, { patientKey, action: 'selection.manage', act: async ({ tx }) => withVersions(tx, patientKey, await listSelections(tx, patientKey)) });
    },

    /**
     * The selections with the current version of each member the caller still sees: a document
     * masked or hidden since it was chosen drops out of the answer (ACC-08), not out of the list.
     */
    view(caller: Caller, patientKey: string): Promise<Array<VersionedSelection & { members: StoredDocumentEntry[] }>> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        act: async ({ tx, record }) => {
          const rows = await withVersions(tx, patientKey, await listSelections(tx, patientKey));
          const ids = [...new Set(rows.flatMap((r) => r.logical_ids))];
          const visible = ids.length
            ? (await findDocuments(tx, { patientKey, logicalIds: ids, visibility: visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now()) })).entries
            : [];
          const byLogical = new Map(visible.map((e) => [bareUuid(e.logicalId), e]));
          return rows.map((r) => ({ ...r, members: r.logical_ids.map((id) => byLogical.get(id)).filter((e): e is StoredDocumentEntry => !!e) }));
        },
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
        act: async ({ tx, record }) => {
          if (s.selectionId) await checkSelection(tx, patientKey, s.selectionId, ifMatch);
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
          const replaced = s.selectionId !== undefined && (await listSelections(tx, patientKey)).some((r) => r.selection_id === selectionId);
          await putSelection(tx, patientKey, { selectionId, name: s.name, logicalIds: ids, now });
          if (replaced) await bumpVersion(tx, patientKey, 'List', selectionId, now);
          return selectionId;
        },
      });
    },

    remove(caller: Caller, patientKey: string, selectionId: string, ifMatch?: IfMatch): Promise<void> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        lock: true,
        act: async ({ tx }) => {
          await checkSelection(tx, patientKey, selectionId, ifMatch);
          if (!(await deleteSelection(tx, patientKey, selectionId))) throw new CarnetError('not_found', 'no such selection');
          await forgetVersion(tx, patientKey, 'List', selectionId);
        },
      });
    },
  };
}

export type SelectionService = ReturnType<typeof selectionService>;
