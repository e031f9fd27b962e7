// DOC-07: the patient's personal selections. A selection holds only documents the patient can
// see; asking for one it cannot see is "no such document" (ACC-08).
import { randomUUID } from 'node:crypto';
import { CarnetError } from '../domain/errors.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import { visibilityFilter } from '../domain/visibility.js';
import { bareUuid, findDocuments } from '../store/document-repo.js';
import { deleteSelection, listSelections, putSelection, type SelectionRow } from '../store/selection-repo.js';

export type { SelectionRow };
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function selectionService(deps: ServiceDeps) {
  return {
    list(caller: Caller, patientKey: string): Promise<SelectionRow[]> {
      return guarded(deps, caller, { patientKey, action: 'selection.manage', act: ({ tx }) => listSelections(tx, patientKey) });
    },

    /**
     * The selections with the current version of each member the caller still sees: a document
     * masked or hidden since it was chosen drops out of the answer (ACC-08), not out of the list.
     */
    view(caller: Caller, patientKey: string): Promise<Array<SelectionRow & { members: StoredDocumentEntry[] }>> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        act: async ({ tx, record }) => {
          const rows = await listSelections(tx, patientKey);
          const ids = [...new Set(rows.flatMap((r) => r.logical_ids))];
          const visible = ids.length
            ? (await findDocuments(tx, { patientKey, logicalIds: ids, visibility: visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now()) })).entries
            : [];
          const byLogical = new Map(visible.map((e) => [bareUuid(e.logicalId), e]));
          return rows.map((r) => ({ ...r, members: r.logical_ids.map((id) => byLogical.get(id)).filter((e): e is StoredDocumentEntry => !!e) }));
        },
      });
    },

    /** Creates or replaces a selection; `logicalIds` name documents by their logical id (or the entryUUID of a version). */
    save(caller: Caller, patientKey: string, s: { selectionId?: string; name: string; logicalIds: string[] }): Promise<string> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        lock: true,
        trace: { details: { name: s.name } },
        act: async ({ tx, record }) => {
          let ids = [...new Set(s.logicalIds.map((id) => bareUuid(id).toLowerCase()))];
          if (ids.some((id) => !UUID.test(id))) throw new CarnetError('not_found', 'no such document');
          if (ids.length) {
            const visible = await findDocuments(tx, {
              patientKey,
              entryOrLogicalIds: ids,
              visibility: visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now()),
            });
            const logicalOf = new Map<string, string>();
            for (const e of visible.entries) {
              logicalOf.set(bareUuid(e.logicalId), bareUuid(e.logicalId));
              logicalOf.set(bareUuid(e.entryUuid), bareUuid(e.logicalId));
            }
            const missing = ids.filter((id) => !logicalOf.has(id));
            if (missing.length) throw new CarnetError('not_found', `no such document: ${missing[0]}`);
            ids = [...new Set(ids.map((id) => logicalOf.get(id)!))];
          }
          const selectionId = s.selectionId ?? randomUUID();
          await putSelection(tx, patientKey, { selectionId, name: s.name, logicalIds: ids, now: deps.clock.now() });
          return selectionId;
        },
      });
    },

    remove(caller: Caller, patientKey: string, selectionId: string): Promise<void> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        lock: true,
        act: async ({ tx }) => {
          if (!(await deleteSelection(tx, patientKey, selectionId))) throw new CarnetError('not_found', 'no such selection');
        },
      });
    },
  };
}

export type SelectionService = ReturnType<typeof selectionService>;
