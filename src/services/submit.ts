// Submitting documents (DOC-01..05, ITI-41 / ITI-65 / ITI-42): checked as a whole, then stored
// as a whole in one transaction, or not at all (DOC-03). The shape is checked first
// (submission-shape.ts), then everything that needs the record (submission-plan.ts), then the
// plan is written (submission-store.ts).
import { CarnetError } from '../domain/errors.js';
import type { PatientIdentifier } from '../domain/model.js';
import type { SubmissionRequest, SubmissionResult } from '../domain/submission.js';
import { alertNewDocuments } from './alerts.js';
import type { Caller, ServiceDeps } from './deps.js';
import { boundPatientOf } from '../domain/binding.js';
import { sqlState } from '../store/db-errors.js';
import { guarded, type GuardedRecord } from './guard.js';
import { lookupObjects } from '../store/registry-repo.js';
import { recordKeyFor, recordsOfOwnPatient, subjectNamedBy, traceOtherPatientsNamed, type PatientRef } from './patient-binding.js';
import { checkSubmissionDocuments } from '../domain/input-limits.js';
import { planSubmission } from './submission-plan.js';
import { fail, structuralProblems, UUID, type SubmitOptions } from './submission-shape.js';
import { storeSubmission } from './submission-store.js';

export type { SubmitOptions };

/**
 * ACC-10: the registered objects a bound caller's associations name (an end that is not an object
 * of the submission) in another patient's record are refused there and traced, as ITI-57 does
 * (recordsOfOwnPatient). The deposit goes on and answers them as ids the registry does not hold:
 * decide() refuses the caller on that record, so planSubmission knows none of its objects.
 */
async function refuseOtherPatientsObjects(deps: ServiceDeps, caller: Caller, req: SubmissionRequest, ownKey: string): Promise<void> {
  const inMessage = new Set([req.submissionSet.id, ...req.documents.map((d) => d.id), ...req.folders.map((f) => f.id), ...req.associations.map((a) => a.id)].map((id) => id.toLowerCase()));
  const ends = req.associations.flatMap((a) => [a.sourceId, a.targetId]).map((id) => id.toLowerCase());
  const refs = [...new Set(ends.filter((id) => UUID.test(id) && !inMessage.has(id)))];
  if (!refs.length) return;
  // the deposit's own record was admitted by recordKeyFor: only the others are asked
  const others = new Set((await lookupObjects(deps.db, refs)).map((o) => o.patientKey).filter((k) => k !== ownKey));
  if (others.size) await recordsOfOwnPatient(deps, caller, [...others], 'document.submit');
}

/** Every patient a submission names: its set's, its entries', its folders'. */
function patientsNamed(req: SubmissionRequest): PatientIdentifier[] {
  const all = [req.submissionSet.patientId, ...req.documents.map((d) => d.metadata.patientId), ...req.folders.map((f) => f.metadata.patientId)];
  return all.filter((p): p is PatientIdentifier => typeof p?.system === 'string' && typeof p.value === 'string' && p.value !== '');
}

export function submitService(deps: ServiceDeps) {
  return {
    /**
     * ITI-65's subject (a Bundle's Patient reference, or its Patient resource's id and
     * identifiers): ACC-10 asked of it, then the record it names as the caller may know of it
     * (subjectNamedBy). The key found is the one submit() then takes as is.
     */
    subject: (caller: Caller, refs: PatientRef[]) => subjectNamedBy(deps, caller, refs, 'document.submit'),

    async submit(caller: Caller, req: SubmissionRequest, options: SubmitOptions = {}): Promise<SubmissionResult> {
      await deps.availability?.ensureAvailable('document.submit');
      // before anything else is checked: the cost of the rest grows with the documents
      checkSubmissionDocuments(req.documents.length, deps.limits.submissionMaxDocuments);
      const problems = structuralProblems(req, options);
      if (problems.length) {
        // ACC-10: a bound caller's request that names another patient anywhere (an entry or a
        // folder of another patient than the set's) is refused for the mismatch, and traced there.
        await traceOtherPatientsNamed(deps, caller, patientsNamed(req), 'document.submit');
        fail(problems);
      }
      // Every entry and folder names the submission set's patient (structuralProblems): ACC-10 is
      // asked of that one patient, before saying whether it has a DMP.
      const patientId = req.submissionSet.patientId;
      const unknown = () => new CarnetError('unknown_patient', `no DMP for patient ${patientId.value}`, { location: req.submissionSet.id });
      // A key the door found (ITI-65's subject, found by subject() above, which asked a bound
      // caller ACC-10 on it) is taken as is, not resolved again: the record loaded under its lock
      // must then hold the patient, and decide() holds a bound caller to its patient there too.
      const unbound = boundPatientOf(caller.actor) === undefined;
      const known = options.recordKey;
      // An unbound caller naming the patient by identifier (ITI-41): the record is looked up by the
      // statement that loads and locks it, inside the deposit's transaction. A bound caller is
      // asked ACC-10 first (recordKeyFor), which needs the record's identifiers before anything.
      let named: GuardedRecord;
      if (known) named = { patientKey: known };
      else if (unbound) named = { byIdentifier: patientId, missing: unknown };
      else {
        const key = await recordKeyFor(deps, caller, patientId, 'document.submit');
        if (!key) throw unknown();
        named = { patientKey: key };
      }
      if (!unbound && named.patientKey) await refuseOtherPatientsObjects(deps, caller, req, named.patientKey);

      const deposit = () => guarded(deps, caller, {
        ...named,
        action: 'document.submit',
        lock: true,
        skipMainTrace: true,
        act: async ({ tx, record, trace }) => {
          if (known && !record.identifiers.some((i) => i.system === patientId.system && i.value === patientId.value)) throw unknown();
          const patientKey = named.patientKey ?? record.context.patientKey;
          const plan = await planSubmission(tx, deps, caller, record, patientKey, req, options);
          const stored = await storeSubmission(tx, deps, caller, patientKey, req, plan, trace);
          await alertNewDocuments(tx, deps, record, stored.added);
          return {
            submissionSetUuid: plan.ssUuid,
            patientKey,
            assignedIds: Object.fromEntries(plan.assigned),
            resubmitted: stored.resubmitted,
            warnings: [],
          };
        },
      });
      // DOC-04: a deposit of another record may take a uniqueId (or a chosen entryUUID) between
      // this one's check (planSubmission, under this record's lock only) and its write, which then
      // fails on the registry's key. Nothing of it stayed (its transaction, trace rows included,
      // rolled back, and guarded() traces no database fault): planned again, it sees that deposit
      // committed and answers as for any id taken (duplicate_unique_id...), not as a fault.
      try {
        return await deposit();
      } catch (e) {
        if (!lostRegistryRace(e)) throw e;
        return deposit();
      }
    },
  };
}

/** The registry keys every deposit checks before writing: a violation is a race with another record's deposit. */
const REGISTRY_KEYS = new Set(['registry_unique_id_pkey', 'registry_object_pkey']);

function lostRegistryRace(e: unknown): boolean {
  return sqlState(e) === '23505' && REGISTRY_KEYS.has(String((e as { constraint?: unknown }).constraint));
}

export type SubmitService = ReturnType<typeof submitService>;
