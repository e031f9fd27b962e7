// Versions of the resources that change in place (FHIR R4 http.html#versioning): what a change
// does to a resource's version, and the If-Match precondition a client may put on a change
// (R4 http.html#concurrency). The store keeps the counts (migration 0040, documents: 0060); the
// services bump them in the transaction of the change and check If-Match there, after the rules
// have decided, so a resource the caller may not see is not found before any precondition
// is compared (ACC-08).
import { CarnetError } from './errors.js';

/** What meta.versionId and meta.lastUpdated show. */
export interface ResourceVersion {
  versionId: string;
  /** an instant (ISO 8601) */
  lastUpdated: string;
}

/** A count kept by the store: the version reached and when. */
export interface StoredVersion {
  version: number;
  updatedAt: Date;
}

/**
 * The kinds of resource whose versions the store counts (resource_version), and the key of each
 * within its record: Patient -> the record key; Consent -> one of CONSENT_SETTING; List -> the
 * selection id. Authorisations and blocks need no count: one changes at most once (revoked).
 */
export type VersionedKind = 'Patient' | 'Consent' | 'List';

/** The Consents that are settings of the record rather than rows of their own. */
export const CONSENT_SETTING = {
  bris_de_glace: 'emergency:bris_de_glace',
  centre_15: 'emergency:centre_15',
  medecinTraitant: 'medecin-traitant',
} as const;

/** A resource without a stored count is as it was created: version 1, at its creation. */
export function versionOf(stored: StoredVersion | undefined, createdAt: Date): ResourceVersion {
  if (!stored) return { versionId: '1', lastUpdated: createdAt.toISOString() };
  return { versionId: String(stored.version), lastUpdated: stored.updatedAt.toISOString() };
}

/** An authorisation or block: version 1 as granted, 2 once revoked. */
export function grantVersion(grant: { created_at: Date; revoked_at: Date | null }): ResourceVersion {
  return grant.revoked_at ? { versionId: '2', lastUpdated: grant.revoked_at.toISOString() } : { versionId: '1', lastUpdated: grant.created_at.toISOString() };
}

/**
 * A document entry's version: its metadata version, then the status changes made in place
 * (archive, deletion, deprecation), so the id of one entry shows its latest state under a new
 * versionId (migration 0060).
 */
export function documentVersion(entry: { version: number; statusChanges?: number; statusChangedAt?: string; storedAt: string }): ResourceVersion {
  return {
    versionId: entry.statusChanges ? `${entry.version}.${entry.statusChanges}` : String(entry.version),
    lastUpdated: new Date(entry.statusChangedAt ?? entry.storedAt).toISOString(),
  };
}

/** If-Match as the door read it: any version (`*`) or the versions listed. */
export type IfMatch = { any: true } | { any: false; versionIds: string[] };

/** One entity-tag of RFC 9110 §8.8.3: an optional W/ then a quoted string without quotes, controls or spaces. */
const ENTITY_TAG = /^(?:W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * The If-Match header (RFC 9110 §13.1.1: `*` or a list of entity-tags). A header that is none of
 * them is the request's fault (400), not a version that does not match (412). FHIR R4 gives its
 * versions as weak tags (W/"3") and has clients send them back, so the comparison is weak:
 * W/"3" and "3" both name version 3.
 */
export function parseIfMatch(header: string | readonly string[] | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  const text = (typeof header === 'string' ? header : header.join(',')).trim();
  if (text === '*') return { any: true };
  const versionIds: string[] = [];
  for (const part of text.split(',')) {
    const tag = part.trim();
    if (tag === '') continue;
    const m = ENTITY_TAG.exec(tag);
    if (!m) throw new CarnetError('invalid_metadata', `If-Match is * or a list of entity-tags such as W/"1", not ${JSON.stringify(text.slice(0, 60))}`, { location: 'If-Match' });
    versionIds.push(m[1]);
  }
  if (!versionIds.length) throw new CarnetError('invalid_metadata', 'If-Match is empty', { location: 'If-Match' });
  return { any: false, versionIds };
}

/**
 * R4 http.html#concurrency: a change made against another version than the current one is
 * refused (412) and nothing is changed. `current` is the version of a resource the caller may
 * see; `null` for a resource that keeps no version (RelatedPerson), whose only entity-tag that
 * can match is `*` (RFC 9110 §13.1.1: it has no tag to compare with).
 */
export function checkIfMatch(ifMatch: IfMatch | undefined, current: ResourceVersion | null): void {
  if (!ifMatch || ifMatch.any || (current && ifMatch.versionIds.includes(current.versionId))) return;
  const named = ifMatch.versionIds.map((v) => `W/"${v}"`).join(', ');
  throw new CarnetError('precondition_failed', current ? `If-Match names version ${named}; the current version is W/"${current.versionId}"` : `If-Match names version ${named}; this resource keeps no version: only If-Match: * applies`, {
    location: 'If-Match',
  });
}
