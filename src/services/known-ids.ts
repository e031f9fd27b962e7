// Which registered objects of one record a change (ITI-41, ITI-65, ITI-57) may name: the record
// read around the ids named (store/registry-graph.ts), its documents decided by knowsOfDocument and
// the objects around them by knownObjects (ACC-08, ACC-09). What is not known is answered, by the
// caller, as an id the registry never held.
import type { Actor } from '../domain/actor.js';
import { decide } from '../domain/decide.js';
import { knowsOfDocument } from '../domain/known-documents.js';
import { knownObjects } from '../domain/known-objects.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import type { Policy } from '../domain/policy.js';
import { documentFacts, type RecordContext } from '../domain/record.js';
import type { Queryable } from '../store/db.js';
import { bareUuid, getEntries } from '../store/document-repo.js';
import { loadRecord } from '../store/record-repo.js';
import { loadRegistryGraph } from '../store/registry-graph.js';

export interface KnownIds {
  /** whether the object (an id of this record) exists for the caller */
  known(id: string): boolean;
  /** the documents read on the way, by bare lowercase entryUUID */
  entries: Map<string, StoredDocumentEntry>;
}

export const idKey = (id: string): string => bareUuid(id).toLowerCase();

export async function knownIdsForChange(
  q: Queryable,
  policy: Policy,
  actor: Actor,
  context: RecordContext,
  patientKey: string,
  ids: readonly string[],
  now: Date,
  forUpdate = false,
  outsider = false,
): Promise<KnownIds> {
  if (!ids.length) return { known: () => true, entries: new Map() };
  const graph = await loadRegistryGraph(q, patientKey, ids);
  const entries = new Map((await getEntries(q, patientKey, graph.documents().map(bareUuid), forUpdate)).map((e) => [idKey(e.entryUuid), e]));
  const knowsDocument = (id: string) => {
    const e = entries.get(idKey(id));
    return e !== undefined && knowsOfDocument(policy, actor, context, documentFacts(e), now);
  };
  return { known: knownObjects(graph, knowsDocument, outsider), entries };
}

/**
 * Whether the caller knows of a registered object (of any record; `objects`: all those a request
 * names), each record decided once, when one of its objects is first asked about, in its own
 * context: a request answered by its first objects (an unknown id, objects of two patients) reads
 * no record past them, however many records the ids it names belong to. A document of another
 * record hidden from the caller is as unknown as one of theirs: "another patient's" would say that
 * it exists. One they know of (they read it, or wrote it: DOC-05) is another patient's, as IHE
 * says (XDSPatientIdDoesNotMatch). `home`: the record the change is about; in any other record
 * the caller may not read, its folders and the sets holding no document they know of do not exist
 * for them either (knownObjects, `outsider`).
 */
export function knowerAcrossRecords<T extends { entryUuid: string; patientKey: string }>(
  q: Queryable,
  policy: Policy,
  actor: Actor,
  objects: T[],
  now: Date,
  home?: string,
): (o: T) => Promise<boolean> {
  const records = new Map<string, Promise<Set<string>>>();
  const decideRecord = async (key: string): Promise<Set<string>> => {
    const context = (await loadRecord(q, key))?.context;
    if (!context) return new Set();
    const inRecord = objects.filter((o) => o.patientKey === key);
    const outsider = key !== home && !decide(policy, actor, context, null, 'record.read', now).permit;
    const knows = await knownIdsForChange(q, policy, actor, context, key, inRecord.map((o) => o.entryUuid), now, false, outsider);
    return new Set(inRecord.filter((o) => knows.known(o.entryUuid)).map((o) => o.entryUuid));
  };
  return async (o) => {
    let known = records.get(o.patientKey);
    if (!known) records.set(o.patientKey, (known = decideRecord(o.patientKey)));
    return (await known).has(o.entryUuid);
  };
}
