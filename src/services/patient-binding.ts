// ACC-10 where a request names its patient. decide() refuses a bound caller on any other record it
// reaches; these helpers ask the same rule (bindingAllows) earlier, while the services turn a
// request's patient id or record key into a record, so that the refusal is the same whether that
// other patient has a record or not. The refusal is traced on the record concerned when there is
// one (the caller's identity is established), else with the accesses that concern no record.
// The patient side is held to its own record the same way: another one is none to it (ACC-08).
import { namesRecordNotHeld } from '../domain/access.js';
import { bindingAllows, boundPatientOf } from '../domain/binding.js';
import type { PatientIdentifier } from '../domain/model.js';
import { findPatientKey, identifiersOfRecord } from '../store/record-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { refusal, traceCall, type TraceExtra } from './guard.js';

const RECORD_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A patient as a request names it: one of its identifiers (INS...) or the record's key. */
export type PatientRef = PatientIdentifier | { patientKey: string };

interface Named {
  /** the record the reference leads to, when there is one */
  key: string | null;
  /** every identifier the reference stands for: the one it gives, and those of its record */
  identifiers: PatientIdentifier[];
}

async function resolveRef(deps: ServiceDeps, ref: PatientRef): Promise<Named> {
  const candidate = 'patientKey' in ref ? (RECORD_KEY.test(ref.patientKey) ? ref.patientKey : null) : await findPatientKey(deps.db, ref);
  const ofRecord = candidate ? await identifiersOfRecord(deps.db, candidate) : [];
  return { key: ofRecord.length ? candidate : null, identifiers: [...('patientKey' in ref ? [] : [ref]), ...ofRecord] };
}

/** Refuses (and traces) unless the caller may name the patient these references stand for. */
async function admit(deps: ServiceDeps, caller: Caller, named: Named[], action: string, extra: TraceExtra): Promise<void> {
  if (bindingAllows(caller.actor, named.flatMap((n) => n.identifiers))) return;
  const key = named.find((n) => n.key)?.key ?? null;
  await deps.db.transaction((tx) => traceCall(tx, deps, caller, key, action, 'denied', { ...extra, reason: 'other_patient' }));
  throw refusal('other_patient');
}

/**
 * The record a request's patient reference leads to (null when there is none, or when a key is
 * not a record's), once ACC-10 lets the caller name that patient. A bound caller naming anyone
 * else is refused with refusal('other_patient'), whether or not that patient has a record.
 */
export async function recordKeyFor(deps: ServiceDeps, caller: Caller, ref: PatientRef, action: string, extra: TraceExtra = {}): Promise<string | null> {
  const named = await namedFor(deps, caller, ref);
  if (boundPatientOf(caller.actor) !== undefined) await admit(deps, caller, [named], action, extra);
  return heldOrNone(deps, caller, named.key, action, extra);
}

/**
 * What a reference names, as much as the caller's rule needs: an unbound caller naming an
 * identifier needs only its record's key (one look-up); a bound one, or a key, the record's
 * identifiers too (ACC-10 is asked on them).
 */
async function namedFor(deps: ServiceDeps, caller: Caller, ref: PatientRef): Promise<Named> {
  if (boundPatientOf(caller.actor) === undefined && !('patientKey' in ref)) return { key: await findPatientKey(deps.db, ref), identifiers: [ref] };
  return resolveRef(deps, ref);
}

/**
 * ACC-08, DMP-04: the patient side finds no record but the one it holds. Another one is none to
 * it, as a key or an identifier no record has; the attempt is traced on that record (TRACE-01).
 */
async function heldOrNone(deps: ServiceDeps, caller: Caller, key: string | null, action: string, extra: TraceExtra): Promise<string | null> {
  if (!key || !namesRecordNotHeld(caller.actor, key)) return key;
  await deps.db.transaction((tx) => traceCall(tx, deps, caller, key, action, 'denied', { ...extra, reason: 'wrong_record' }));
  return null;
}

/**
 * ACC-10 on a patient a request names before the services see it as a patient id (record
 * creation's identifiers, all one patient).
 */
export async function admitNamedPatient(deps: ServiceDeps, caller: Caller, refs: PatientRef[], action: string): Promise<void> {
  if (boundPatientOf(caller.actor) === undefined) return;
  await admit(deps, caller, await Promise.all(refs.map((r) => resolveRef(deps, r))), action, {});
}

/**
 * An ITI-65 Bundle's subject: a record key, or a Patient with its id and identifiers, all one
 * patient. A bound caller is held to it first on all of them together, whether or not a record
 * exists (as admitNamedPatient); then the first reference that leads to a record names it, with
 * the identifier it stands for (a key: its record's first): that reference is asked ACC-10 on its
 * own, and the patient side finds no record but its own (heldOrNone). Null when none leads to a
 * record the caller may know of. Each reference is resolved once for both; an unbound caller's
 * only as far as the first that leads to a record.
 */
export async function subjectNamedBy(deps: ServiceDeps, caller: Caller, refs: PatientRef[], action: string): Promise<{ key: string; identifier: PatientIdentifier } | null> {
  const bound = boundPatientOf(caller.actor) !== undefined;
  const resolved = bound ? await Promise.all(refs.map((r) => resolveRef(deps, r))) : undefined;
  if (resolved) await admit(deps, caller, resolved, action, {});
  for (const [i, ref] of refs.entries()) {
    const named = resolved?.[i] ?? (await namedFor(deps, caller, ref));
    if (!named.key) continue;
    if (bound) await admit(deps, caller, [named], action, {});
    const key = await heldOrNone(deps, caller, named.key, action, {});
    const identifier = 'patientKey' in ref ? named.identifiers[0] : ref;
    if (key && identifier) return { key, identifier };
  }
  return null;
}

/**
 * ACC-10 for objects named by id: of the records they belong to, those of the caller's own
 * patient. The others are refused and traced on their record; the request then goes on as if
 * their objects did not exist, since answering otherwise would say that they do.
 */
export async function recordsOfOwnPatient(deps: ServiceDeps, caller: Caller, keys: string[], action: string, extra: TraceExtra = {}): Promise<string[]> {
  if (boundPatientOf(caller.actor) === undefined) return keys;
  const kept: string[] = [];
  for (const key of keys) {
    if (bindingAllows(caller.actor, await identifiersOfRecord(deps.db, key))) kept.push(key);
    else await deps.db.transaction((tx) => traceCall(tx, deps, caller, key, action, 'denied', { ...extra, reason: 'other_patient' }));
  }
  return kept;
}

/**
 * ACC-10 for patients a request names beside the one it is about (an ITI-41 entry or folder
 * naming another patient than its submission set): the request is refused for that mismatch
 * already, and the attempt is traced on each such patient's record, or once with the accesses
 * that concern no record for those without one, as admit() does. The answer does not depend on
 * it, so it says nothing of whether a record exists.
 */
export async function traceOtherPatientsNamed(deps: ServiceDeps, caller: Caller, ids: PatientIdentifier[], action: string, extra: TraceExtra = {}): Promise<void> {
  if (boundPatientOf(caller.actor) === undefined) return;
  const keys = new Set<string | null>();
  for (const id of ids) {
    if (bindingAllows(caller.actor, [id])) continue;
    const key = await findPatientKey(deps.db, id);
    // another identifier of the caller's own patient is not another patient
    if (!key) keys.add(null);
    else if (!bindingAllows(caller.actor, await identifiersOfRecord(deps.db, key))) keys.add(key);
  }
  for (const key of keys) await deps.db.transaction((tx) => traceCall(tx, deps, caller, key, action, 'denied', { ...extra, reason: 'other_patient' }));
}
