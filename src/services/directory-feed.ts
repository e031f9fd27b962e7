// Feeding the directory from the national directory's extraction file, and marking the medical
// regulation centres (ACC-05). Operators only. A load is one transaction: the directory changes
// wholly or not at all, and the load is traced with what it changed.
import { ExtractFormatError, ExtractReader, type ExtractRejection } from '../domain/directory-extract.js';
import { planDirectoryLoad, type Tally } from '../domain/directory-load.js';
import { CarnetError } from '../domain/errors.js';
import { isRegulationCentre, listRegulationCentres, readHeldDirectory, setRegulationCentre, writeDirectoryPlan } from '../store/directory-feed-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { traceCall } from './guard.js';

export interface DirectoryLoadReport {
  /** data lines read (the header and blank lines not counted) */
  lines: number;
  accepted: number;
  /** every refused line, with its number in the file and why */
  rejected: ExtractRejection[];
  professionals: Tally;
  structures: Tally;
  /** nothing was written: the report says what a load would do */
  dryRun: boolean;
}

function ensureOperator(caller: Caller): void {
  if (caller.actor.kind !== 'system' && caller.actor.kind !== 'support') throw new CarnetError('forbidden', 'only operators feed the directory');
}

export function directoryFeedService(deps: ServiceDeps) {
  return {
    /** Loads an extraction, given line by line; with dryRun, only says what it would change. */
    async loadExtract(caller: Caller, lines: AsyncIterable<string> | Iterable<string>, options: { dryRun?: boolean } = {}): Promise<DirectoryLoadReport> {
      ensureOperator(caller);
      const reader = new ExtractReader(new Set(deps.policy.terminology.professions.keys()));
      let content;
      try {
        for await (const line of lines) reader.push(line);
        content = reader.finish();
      } catch (e) {
        if (e instanceof ExtractFormatError) throw new CarnetError('invalid_metadata', e.message);
        throw e;
      }
      // A file where nothing is usable (the wrong file, a cut download) must not retire the whole directory.
      if (content.accepted === 0) {
        throw new CarnetError('business_rule', `no line of the file was accepted (${content.rejections.length} refused): the directory is left as it was`);
      }
      const dryRun = options.dryRun === true;
      return deps.db.transaction(async (tx) => {
        const plan = planDirectoryLoad(await readHeldDirectory(tx), content);
        if (!dryRun) {
          await writeDirectoryPlan(tx, plan);
          await traceCall(tx, deps, caller, null, 'directory.load', 'success', {
            details: { lines: content.lines, accepted: content.accepted, rejected: content.rejections.length, professionals: plan.tally.professionals, structures: plan.tally.structures },
          });
        }
        return { lines: content.lines, accepted: content.accepted, rejected: content.rejections, professionals: plan.tally.professionals, structures: plan.tally.structures, dryRun };
      });
    },

    /** ACC-05: marks or unmarks a structure of the directory as a medical regulation centre (SAMU – Centre 15). */
    async setRegulationCentre(caller: Caller, structureId: string, on: boolean): Promise<void> {
      ensureOperator(caller);
      await deps.db.transaction(async (tx) => {
        if (!(await setRegulationCentre(tx, structureId, on))) throw new CarnetError('not_found', `no structure ${structureId} in the directory`);
        await traceCall(tx, deps, caller, null, 'directory.regulation_centre', 'success', { target: { kind: 'structure', id: structureId }, details: { regulationCentre: on } });
      });
    },

    /** ACC-05: the structure is an active medical regulation centre. */
    isRegulationCentre: (structureId: string) => isRegulationCentre(deps.db, structureId),

    regulationCentres: () => listRegulationCentres(deps.db),
  };
}
