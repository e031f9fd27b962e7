// Which record an ITI-57 request changes, and which registered objects it names, decided before
// its transaction: every id it names must be known to the caller (ACC-08, ACC-09: a hidden object
// answers as an id never held, at the same point) and of one patient (ITI TF-2 3.57.4.1.3). A
// request refused here is still traced on the record its submission set names (TRACE-01).
import { CarnetError } from '../domain/errors.js';
import type { UpdateRequest } from '../domain/update-request.js';
import { bareUuid } from '../store/document-repo.js';
import { lookupObjects } from '../store/registry-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, type TraceExtra } from './guard.js';
import { knowerAcrossRecords } from './known-ids.js';
import { recordKeyFor, recordsOfOwnPatient } from './patient-binding.js';
import { unknownLogicalId, unknownObject, updateError } from './update-set-errors.js';

/** a registry UUID as a request may name one (urn:uuid: form) */
export const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** how the trace names an ITI-57 request */
const TRACE_ACTION = 'document.metadata_update';

/**
 * The record the request changes (the one every object it names belongs to), and the registry
 * objects of it the request names (bare entryUUIDs): the trace's entries about the request name
 * them, so that a reader who may not see one of their documents is not shown them (TRACE-05).
 */
export async function recordOf(deps: ServiceDeps, caller: Caller, req: UpdateRequest): Promise<{ patientKey: string; objects: string[] }> {
  const own = new Set([req.submissionSet.id, ...req.documents.map((d) => d.id), ...req.folders.map((f) => f.id), ...req.associations.map((a) => a.id)]);
  for (const v of [...req.documents, ...req.folders]) {
    if (!UUID.test(v.logicalId) || v.logicalId.toLowerCase() === v.id.toLowerCase()) {
      throw updateError(`${v.id} is not a new version of a registered object: a first version is submitted by ITI-41/42`, v.id);
    }
  }
  const refs = [
    ...req.documents.map((d) => d.logicalId),
    ...req.folders.map((f) => f.logicalId),
    ...req.statusChanges.map((s) => s.targetId),
    ...req.associations.flatMap((a) => [a.sourceId, a.targetId]),
  ].filter((id) => !own.has(id));
  for (const id of refs) if (!UUID.test(id)) throw updateError(`${id} is neither in the request nor a registry UUID`, id);
  // ACC-10: the submission set's patient first; objects of another patient are then unknown here.
  const ssKey = await recordKeyFor(deps, caller, req.submissionSet.patientId, TRACE_ACTION);
  const named = await lookupObjects(deps.db, refs.map((r) => r.toLowerCase()));
  const ownKeys = new Set(await recordsOfOwnPatient(deps, caller, [...new Set(named.map((o) => o.patientKey))], TRACE_ACTION));
  // ACC-08, ACC-09: a document hidden from the caller, an association linking one (by its own
  // id), a submission set holding only such, are not known here, where an id the registry does not
  // hold is found missing: both get the same answer at the same point, before anything else is
  // said of the request (its record's rules included). The ids are taken in the request's order
  // (the versions' logical ids first): the first one the caller does not know of, or the first
  // object of a second patient, answers; the records of the ids past it are not read.
  const byId = new Map(named.filter((o) => ownKeys.has(o.patientKey)).map((o) => [o.entryUuid, o]));
  const knows = knowerAcrossRecords(deps.db, deps.policy, caller.actor, [...byId.values()], deps.clock.now(), ssKey ?? undefined);
  const walk = [
    ...[...req.documents, ...req.folders].map((v) => ({ id: v.logicalId, unknown: () => unknownLogicalId(v) })),
    ...refs.map((id) => ({ id, unknown: () => unknownObject(id) })),
  ];
  let key = ssKey;
  const known = new Set<string>();
  for (const { id, unknown } of walk) {
    const o = byId.get(id.toLowerCase());
    const refused = !o || !(await knows(o)) ? unknown() : key && o.patientKey !== key ? mismatch() : null;
    if (refused) {
      // TRACE-01: still an access of the record the submission set names, traced there
      if (ssKey) await refusedOnRecord(deps, caller, req, ssKey, [...known].map(bareUuid).sort(), refused);
      throw refused;
    }
    key = o!.patientKey;
    known.add(o!.entryUuid);
  }
  if (!key) throw new CarnetError('unknown_patient', `no DMP for patient ${req.submissionSet.patientId.value}`, { location: req.submissionSet.id });
  return { patientKey: key, objects: [...known].map(bareUuid).sort() };
}

const mismatch = () => new CarnetError('patient_mismatch', 'the request concerns objects of more than one patient', { reason: 'XDSPatientIDReconciliationError' });

/** How the trace names a request: its size, and the registry objects it names (bare entryUUIDs) that the caller knows of. */
export const traced = (req: UpdateRequest, objects: string[]): TraceExtra => ({
  action: TRACE_ACTION,
  details: { documents: req.documents.length, folders: req.folders.length, statusChanges: req.statusChanges.length, associations: req.associations.length, objects },
});

/**
 * TRACE-01: a request refused before its record's rules (an id unknown to the caller, hidden or
 * never held) is an access of the record its submission set names all the same: it is traced
 * there as guarded() traces any request, denied when the record's rules refuse the caller and
 * failed otherwise, and answered `error` in either case (ACC-08: the answer is an unknown id's,
 * whatever the rules would have said). Hidden and unknown ids leave the same row: it names only
 * the objects the caller knows of.
 */
async function refusedOnRecord(deps: ServiceDeps, caller: Caller, req: UpdateRequest, patientKey: string, objects: string[], error: CarnetError): Promise<never> {
  return guarded(deps, caller, {
    patientKey,
    action: 'document.submit',
    trace: traced(req, objects),
    refusalAnswer: () => error,
    act: () => Promise.reject(error),
  });
}
