// DOC-07: the patient's personal selections. A selection holds only documents the patient can
// see; asking for one it cannot see is "no such document" (ACC-08).
import { randomUUID } from 'node:crypto';
import { CarnetError } from '../domain/errors.js';
import { visibilityFilter } from '../domain/visibility.js';
import { bareUuid, findDocuments } from '../store/document-repo.js';
import { deleteSelection, listSelections, putSelection, type SelectionRow } from '../store/selection-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';

export function selectionService(deps: ServiceDeps) {
  return {
    list(caller: Caller, patientKey: string): Promise<SelectionRow[]> {
      return guarded(deps, caller, { patientKey, action: 'selection.manage', act: ({ tx }) => listSelections(tx, patientKey) });
    },

    /** Creates or replaces a selection; `logicalIds` name documents by their logical id. */
    save(caller: Caller, patientKey: string, s: { selectionId?: string; name: string; logicalIds: string[] }): Promise<string> {
      return guarded(deps, caller, {
        patientKey,
        action: 'selection.manage',
        lock: true,
        trace: { details: { name: s.name } },
        act: async ({ tx, record }) => {
          const ids = [...new Set(s.logicalIds.map(bareUuid))];
          if (ids.length) {
            const visible = await findDocuments(tx, {
              patientKey,
              logicalIds: ids,
              visibility: visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now()),
            });
            const seen = new Set(visible.entries.map((e) => bareUuid(e.logicalId)));
            const missing = ids.filter((id) => !seen.has(id));
            if (missing.length) throw new CarnetError('not_found', `no such document: ${missing[0]}`);
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
