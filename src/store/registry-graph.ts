// The part of one record's registry around some ids, as domain/known-objects.ts reads it: each
// object's kind, each association's ends, each submission set's HasMember targets — followed
// from the ids asked about until nothing new is reached (a few rounds, one or two statements each).
import type { RegistryGraph, RegistryKind } from '../domain/known-objects.js';
import type { Queryable } from './db.js';
import { bareUuid } from './document-repo.js';

/** Rounds at most: associations of associations are a few levels deep at most (ITI-57 links). */
const MAX_ROUNDS = 8;

export interface LoadedGraph extends RegistryGraph {
  /** every document the graph reached, urn:uuid: form */
  documents(): string[];
}

const urn = (bare: string) => `urn:uuid:${bare}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function loadRegistryGraph(q: Queryable, patientKey: string, ids: readonly string[]): Promise<LoadedGraph> {
  const kinds = new Map<string, RegistryKind>();
  const ends = new Map<string, readonly [string, string]>();
  const members = new Map<string, string[]>();
  const asked = new Set<string>();
  // ids as the callers hold them, urn:uuid: or bare: one that is neither is no registry id
  let frontier = [...new Set(ids.map((id) => bareUuid(id).toLowerCase()).filter((id) => UUID.test(id)))];
  for (let round = 0; frontier.length && round < MAX_ROUNDS; round++) {
    for (const id of frontier) asked.add(id);
    const found = await q.query<{ id: string; kind: RegistryKind }>(
      'SELECT entry_uuid::text AS id, object_type AS kind FROM registry_object WHERE patient_key = $1 AND entry_uuid = ANY($2::uuid[])',
      [patientKey, frontier],
    );
    for (const r of found.rows) kinds.set(urn(r.id), r.kind);
    const associations = found.rows.filter((r) => r.kind === 'Association').map((r) => r.id);
    const sets = found.rows.filter((r) => r.kind === 'SubmissionSet').map((r) => r.id);
    const next = new Set<string>();
    if (associations.length || sets.length) {
      // the associations asked about (their ends), and the HasMember links of the sets asked about (their targets)
      const links = await q.query<{ id: string; source: string; target: string; type: string }>(
        `SELECT entry_uuid::text AS id, source_uuid::text AS source, target_uuid::text AS target, type FROM association
          WHERE patient_key = $1 AND (entry_uuid = ANY($2::uuid[]) OR (source_uuid = ANY($3::uuid[]) AND type = 'HasMember'))`,
        [patientKey, associations, sets],
      );
      const wanted = new Set(associations);
      const isSet = new Set(sets);
      for (const l of links.rows) {
        if (wanted.has(l.id)) {
          ends.set(urn(l.id), [urn(l.source), urn(l.target)]);
          next.add(l.source);
          next.add(l.target);
        }
        if (isSet.has(l.source) && l.type === 'HasMember') {
          const list = members.get(urn(l.source)) ?? [];
          list.push(urn(l.target));
          members.set(urn(l.source), list);
          next.add(l.target);
        }
      }
    }
    frontier = [...next].filter((id) => !asked.has(id));
  }
  // what is left when the rounds are spent is not read: knownObjects does not take it as known
  const unread = new Set(frontier.map(urn));
  const key = (id: string) => urn(bareUuid(id).toLowerCase());
  return {
    kindOf: (id) => kinds.get(key(id)),
    endsOf: (id) => ends.get(key(id)),
    membersOf: (id) => members.get(key(id)) ?? [],
    beyond: (id) => unread.has(key(id)),
    documents: () => [...kinds].filter(([, k]) => k === 'DocumentEntry').map(([id]) => id),
  };
}
