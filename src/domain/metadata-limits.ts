// How much one registry object's metadata may hold (a DocumentEntry, a SubmissionSet, a Folder,
// an Association), whichever door it came by (ITI-41/42/57, ITI-65, a FHIR update). The XML and
// JSON limits bound a request; these bound what is kept from it: every value is stored, indexed
// for some, and written again in every answer naming the object (ITI-18, FHIR reads, the
// patient's pages, the archive), so a 1 MB title or thousands of slots of no profile would cost
// each of those for as long as the record lives.
import { CarnetError } from './errors.js';

/** Characters of one value: a title, a comment, a slot's value, a code, a display, an author's field. */
export const METADATA_MAX_VALUE_LENGTH = 4096;
/** Slots no profile defines (kept as they came, `extraSlots`) on one object. */
export const METADATA_MAX_EXTRA_SLOTS = 64;
/** Values in one list: a slot's values, the authors, the event codes, the reference ids… */
export const METADATA_MAX_LIST_LENGTH = 1000;
/** Characters of all the values of one object together. */
export const METADATA_MAX_OBJECT_CHARS = 256 * 1024;

/** A refusal naming the object, where in it, and the limit. */
function tooMuch(location: string, message: string): CarnetError {
  return new CarnetError('invalid_metadata', `${message} (metadata limits: docs/XDS.md, "Limits")`, { location, reason: 'XDSRegistryMetadataError' });
}

/**
 * What a version already stored holds past the limits, which a new version of it may carry: the
 * limits came after objects were stored, and an ITI-57 version repeats the whole object, so an
 * object kept with a longer title could otherwise never be updated. What a caller adds is held
 * to the limits all the same: a value the stored version does not hold, a list longer than the
 * stored one at the same place, more slots of no profile or more characters in all.
 */
interface Carried {
  values: Set<string>;
  lists: Map<string, number>;
  extraSlots: number;
  chars: number;
}

/** Every value of `metadata` with where it is, a slot of no profile named by its name. */
function* walk(metadata: object): Generator<[string, unknown]> {
  // an explicit stack: metadata are shallow, but a reader must not depend on that
  const stack: Array<[string, unknown]> = [['', metadata]];
  while (stack.length) {
    const [path, value] = stack.pop()!;
    yield [path, value];
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([`${path}[${i}]`, value[i]]);
    } else if (value && typeof value === 'object') {
      // a slot of no profile is named by its name, not by its place in the list
      const name = (value as { name?: unknown }).name;
      const at = /extraSlots\[\d+\]$/.test(path) && typeof name === 'string' ? `slot ${name.length > 80 ? `${name.slice(0, 80)}…` : name}` : path;
      for (const [key, v] of Object.entries(value).reverse()) stack.push([at ? `${at}.${key}` : key, v]);
    }
  }
}

function carriedFrom(stored: object): Carried {
  const extra = (stored as { extraSlots?: unknown[] }).extraSlots;
  const out: Carried = { values: new Set(), lists: new Map(), extraSlots: Array.isArray(extra) ? extra.length : 0, chars: 0 };
  for (const [path, value] of walk(stored)) {
    if (typeof value === 'string') {
      out.chars += value.length;
      if (value.length > METADATA_MAX_VALUE_LENGTH) out.values.add(value);
    } else if (Array.isArray(value) && value.length > METADATA_MAX_LIST_LENGTH) out.lists.set(path, value.length);
  }
  return out;
}

/**
 * The problems of one object's metadata against the limits above, `what` naming it in the
 * messages (`DocumentEntry urn:uuid:…`), `location` the id the answer points at. Walks the
 * metadata as plain data, whatever its fields: a field added later is bounded too. Stops at the
 * first value past a limit: one is enough to refuse, and the rest need not be read. `stored`: the
 * version a new version follows, whose values past the limits it may carry (see Carried).
 */
export function metadataSizeProblems(what: string, location: string, metadata: object, stored?: object): CarnetError[] {
  const problems = sizeProblems(what, location, metadata, undefined);
  // the stored version is read only when the new one passes a limit: the rare case
  return problems.length && stored ? sizeProblems(what, location, metadata, carriedFrom(stored)) : problems;
}

function sizeProblems(what: string, location: string, metadata: object, carried: Carried | undefined): CarnetError[] {
  const extra = (metadata as { extraSlots?: unknown[] }).extraSlots;
  if (Array.isArray(extra) && extra.length > Math.max(METADATA_MAX_EXTRA_SLOTS, carried?.extraSlots ?? 0)) {
    return [tooMuch(location, `${what} has ${extra.length} slots of no profile: at most ${METADATA_MAX_EXTRA_SLOTS}`)];
  }
  const maxChars = Math.max(METADATA_MAX_OBJECT_CHARS, carried?.chars ?? 0);
  let total = 0;
  for (const [path, value] of walk(metadata)) {
    if (typeof value === 'string') {
      if (value.length > METADATA_MAX_VALUE_LENGTH && !carried?.values.has(value)) {
        return [tooMuch(location, `${what}: ${path} is ${value.length} characters long: at most ${METADATA_MAX_VALUE_LENGTH}`)];
      }
      total += value.length;
      if (total > maxChars) return [tooMuch(location, `${what}: its values hold more than ${METADATA_MAX_OBJECT_CHARS} characters together`)];
    } else if (Array.isArray(value) && value.length > Math.max(METADATA_MAX_LIST_LENGTH, carried?.lists.get(path) ?? 0)) {
      return [tooMuch(location, `${what}: ${path} holds ${value.length} values: at most ${METADATA_MAX_LIST_LENGTH}`)];
    }
  }
  return [];
}
