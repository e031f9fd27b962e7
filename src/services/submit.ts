// Submitting documents (DOC-01..05, ITI-41 / ITI-65 / ITI-42): checked as a whole, then stored
// as a whole in one transaction, or not at all (DOC-03). The shape is checked first
// (submission-shape.ts), then everything that needs the record (submission-plan.ts), then the
// plan is written (submission-store.ts).
import { CarnetError } from '../domain/errors.js';
import type { SubmissionRequest, SubmissionResult } from '../domain/submission.js';
import { findPatientKey } from '../store/record-repo.js';
import { alertNewDocuments } from './alerts.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { planSubmission } from './submission-plan.js';
import { fail, structuralProblems, type SubmitOptions } from './submission-shape.js';
import { storeSubmission } from './submission-store.js';

export type { SubmitOptions };

export function submitService(deps: ServiceDeps) {
  return {
    async submit(caller: Caller, req: SubmissionRequest, options: SubmitOptions = {}): Promise<SubmissionResult> {
      await deps.availability?.ensureAvailable('document.submit');
      const problems = structuralProblems(req, options);
      if (problems.length) fail(problems);
      const patientKey = await findPatientKey(deps.db, req.submissionSet.patientId);
      if (!patientKey) throw new CarnetError('unknown_patient', `no DMP for patient ${req.submissionSet.patientId.value}`, { location: req.submissionSet.id });

      return guarded(deps, caller, {
        patientKey,
        action: 'document.submit',
        lock: true,
        skipMainTrace: true,
        act: async ({ tx, record, trace }) => {
          const plan = await planSubmission(tx, deps, caller, record, patientKey, req, options);
          const stored = await storeSubmission(tx, deps, caller, patientKey, req, plan, trace);
          await alertNewDocuments(tx, deps, record, stored.added);
          return {
            submissionSetUuid: plan.ssUuid,
            assignedIds: Object.fromEntries(plan.assigned),
            resubmitted: stored.resubmitted,
            warnings: [],
          };
        },
      });
    },
  };
}

export type SubmitService = ReturnType<typeof submitService>;
