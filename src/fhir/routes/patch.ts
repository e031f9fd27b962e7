// PATCH of a DocumentReference (PDSm4DMP: JSON Patch, by id or by business identifier). The
// patch is applied to the DocumentReference as the caller reads it, then only the *difference*
// counts, and the whole difference is one metadata change (one decision, one transaction: all or
// nothing, whatever the number of operations):
//   securityLabel flags (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX, alias
//   INVISIBLE_REP_LEGAUX) -> one new metadata version for all of them;
//   the PDSm isArchived extension -> archive / unarchive; status -> entered-in-error -> deletion.
// Anything else differing is refused (422): other metadata are the author's and change only by
// replacement (ITI-65 relatesTo). The services decide who may do each change.
import type { DocumentReference, Extension } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastJsonPatch from 'fast-json-patch';
import type { Operation, Validator } from 'fast-json-patch';
import { normaliseConfidentialityCode, VISIBILITY_FLAGS, NORMAL, type VisibilityFlag } from '../../domain/confidentiality.js';
import type { DocumentChange } from '../../domain/document-change.js';
import { CarnetError } from '../../domain/errors.js';
import { InputLimitError, isInputLimitError } from '../../domain/input-limits.js';
import { countJsonValues, tooManyJsonValues, type JsonLimits } from '../../json/read.js';
import { checkIfMatch, type IfMatch } from '../../domain/resource-versions.js';
import type { StoredDocumentEntry } from '../../domain/model.js';
import type { Caller } from '../../services/deps.js';
import type { Services } from '../../services/index.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { EXT_IS_ARCHIVED } from '../mhd/document-reference.js';
import { errorOutcome } from '../outcome.js';
import { sendResource } from '../reply.js';
import { defaultProfile } from '../conformance/default-profile.js';
import { documentReferenceOf, entryUuidOfId } from './documents.js';
import { keyOf, searchParamsOf, tokens } from './search-params.js';
import { ifMatchOf } from './support.js';
import { assertShapes } from '../validation/shapes.js';

const { applyOperation, JsonPatchError, validator } = fastJsonPatch;

/**
 * The value `pointer` (RFC 6901) names in `document`, walked without copying anything; undefined
 * when it names none. Own members only and array indexes as RFC 6901 writes them, where the
 * library's getValueByPointer also walks inherited members (`/constructor`) and throws past a
 * primitive: what a copy's `from` names is decided here, for its check and its count alike.
 */
function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  if (!pointer.startsWith('/')) return undefined;
  let at: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= at.length) return undefined;
      at = at[Number(key)];
    } else if (at !== null && typeof at === 'object' && Object.prototype.hasOwnProperty.call(at, key)) {
      at = (at as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return at;
}

/**
 * The library's check of each operation, but for `copy` and `move`: it checks their `from` by
 * applying a read of it to a clone of the whole document, one clone per operation, so that 9,000
 * copies of a small extension (a body of 500 KB) held the event loop 7-10 s. Their `from` is
 * looked up in place instead, with the library's error when it names nothing.
 */
const checkOperation: Validator<unknown> = (operation, index, document, existingPathFragment) => {
  if (operation.op !== 'copy' && operation.op !== 'move') return validator(operation, index, document, existingPathFragment);
  validator(operation, index);
  if (valueAt(document, operation.from) === undefined) {
    throw new JsonPatchError('Cannot perform the operation from a path that does not exist', 'OPERATION_FROM_UNRESOLVABLE', index, operation, document);
  }
};

function codesOf(dr: DocumentReference): string[] {
  return (dr.securityLabel ?? []).flatMap((c) => (c.coding ?? []).map((x) => normaliseConfidentialityCode(x.code ?? '')));
}

const isArchivedExt = (e: Extension) => e.url === EXT_IS_ARCHIVED;
const archivedOf = (dr: DocumentReference) => (dr.extension ?? []).some((e) => isArchivedExt(e) && e.valueBoolean === true);

/** The DocumentReference without what a PATCH may change, for the "nothing else" comparison. */
function rest(dr: DocumentReference): Record<string, unknown> {
  const { securityLabel: _s, status: _st, meta: _m, extension, ...others } = dr;
  const ext = (extension ?? []).filter((e) => !isArchivedExt(e));
  return ext.length ? { ...others, extension: ext } : others;
}

/** Stable JSON (sorted keys) so that property order is not a difference. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What changed between the document as read and as patched; refuses any other change. */
export function interpretChange(before: DocumentReference, after: DocumentReference): DocumentChange {
  const a = rest(before);
  const b = rest(after);
  const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonical(a[k]) !== canonical(b[k]));
  if (changed.length) {
    throw new CarnetError('business_rule', `only securityLabel (visibility flags), the isArchived extension and status (entered-in-error) may be patched; changed: ${changed.join(', ')}`, {
      location: `DocumentReference.${changed[0]}`,
    });
  }
  const beforeCodes = codesOf(before);
  const afterCodes = codesOf(after);
  const isFlag = (c: string): c is VisibilityFlag => (VISIBILITY_FLAGS as readonly string[]).includes(c);
  // N is managed by the record (lifting the last flag gives back N, MASK-05); R and V are the
  // author's statement about the content and stay as they are.
  const levels = (codes: string[]) => [...new Set(codes.filter((c) => !isFlag(c) && c !== NORMAL))].sort().join(',');
  if (levels(beforeCodes) !== levels(afterCodes)) {
    throw new CarnetError('business_rule', 'only the visibility flags of securityLabel may be patched (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX)', {
      location: 'DocumentReference.securityLabel',
    });
  }
  const flags = VISIBILITY_FLAGS.filter((f) => beforeCodes.includes(f) !== afterCodes.includes(f)).map((flag) => ({ flag, on: afterCodes.includes(flag) }));
  const change: DocumentChange = { flags, delete: false };
  if (archivedOf(before) !== archivedOf(after)) change.archived = archivedOf(after);
  if (before.status !== after.status) {
    if (after.status !== 'entered-in-error' || before.status !== 'current') {
      throw new CarnetError('business_rule', `status may only go from current to entered-in-error (deletion), not ${before.status} -> ${after.status}`, {
        location: 'DocumentReference.status',
      });
    }
    change.delete = true;
  }
  return change;
}

/** JSON Pointer segments that would reach an object's prototype instead of a property. */
const PROTOTYPE_SEGMENT = /(^|\/)(__proto__|constructor|prototype)(\/|$)/;

/**
 * The body as JSON Patch operations, checked before the document is even read (a refused patch
 * leaves no trace of a read): an array, and no path through an object's prototype.
 */
function patchOperations(body: unknown): Operation[] {
  if (!Array.isArray(body)) throw new CarnetError('invalid_metadata', 'the body must be a JSON Patch array (application/json-patch+json)');
  for (const op of body as Array<Partial<Operation> & { from?: unknown }>) {
    for (const pointer of [op?.path, op?.from]) {
      if (typeof pointer === 'string' && PROTOTYPE_SEGMENT.test(pointer)) {
        throw new CarnetError('invalid_metadata', `the patch path ${pointer.slice(0, 80)} names no element of a DocumentReference`, { location: pointer.slice(0, 80) });
      }
    }
  }
  return body as Operation[];
}

function tooLarge(max: number, limits: JsonLimits): InputLimitError {
  if (max >= limits.maxValues) return tooManyJsonValues(limits);
  return new InputLimitError('too_costly', `the patched document would hold more than ${max} values, twice the document's and the patch's together: a patch copies little`, 'patch_growth');
}

/**
 * The values a `copy` adds: those of what it copies, counted up to what the document may still
 * take. A copy is the one operation whose size is not the patch's own (an add's value is in the
 * body, counted with it): an element copied into itself doubles the document, and a patch of a
 * few kilobytes made millions of values, then more than the process's memory.
 */
function copiedValues(document: unknown, op: Operation, room: number): number {
  if (op.op !== 'copy' || typeof op.from !== 'string') return 0;
  const value = valueAt(document, op.from);
  // a pointer to nothing: the operation itself is refused below (checkOperation)
  return value === undefined ? 0 : countJsonValues(value, room);
}

/**
 * The document once patched. Counted as the operations apply, before each copy is made, it may
 * hold at most twice the values of the document and the patch together (and never more than a
 * JSON body, CARNET_JSON_MAX_VALUES): far more than any change a patch may make here (flags, an
 * extension, a status) needs, and little enough that reaching it costs nothing.
 */
function patched(before: DocumentReference, body: unknown, limits: JsonLimits): DocumentReference {
  const operations = patchOperations(body);
  const document = structuredClone(before);
  let values = countJsonValues(document, limits.maxValues);
  const max = Math.min(limits.maxValues, 2 * (values + countJsonValues(operations, limits.maxValues)));
  try {
    operations.forEach((op, index) => {
      values += copiedValues(document, op, max - values);
      if (values > max) throw tooLarge(max, limits);
      applyOperation(document, op, checkOperation, true, false, index);
    });
    return document;
  } catch (e) {
    if (isInputLimitError(e)) throw e;
    if (e instanceof JsonPatchError) {
      // the operation's path as sent: a location only when it is one (a string)
      const sent: unknown = (e.operation as { path?: unknown } | undefined)?.path;
      const location = typeof sent === 'string' ? sent.slice(0, 80) : undefined;
      if (e.name === 'TEST_OPERATION_FAILED') throw new CarnetError('business_rule', 'a test operation of the patch failed', { location });
      throw new CarnetError('invalid_metadata', `the patch cannot be applied: ${e.message.split('\n')[0]}`, { location });
    }
    // The library's other refusals (a malformed operation it did not validate) are the patch's fault too.
    throw new CarnetError('invalid_metadata', 'the patch cannot be applied: it is not a valid JSON Patch document');
  }
}

/**
 * The whole change in one service call, which compares If-Match again under the record's lock
 * (a change made meanwhile is a 412 too); a patch that changes nothing answers the document as read.
 */
async function apply(services: Services, caller: Caller, current: StoredDocumentEntry, change: DocumentChange, ifMatch: IfMatch | undefined): Promise<StoredDocumentEntry> {
  const nothing = !change.flags.length && change.archived === undefined && !change.delete;
  return nothing ? current : services.metadata.change(caller, { entryUuid: current.entryUuid }, change, ifMatch);
}

/** The document a conditional PATCH names: identifier = its uniqueId, entryUUID or logicalId. */
async function byIdentifier(services: Services, caller: Caller, req: FastifyRequest): Promise<StoredDocumentEntry> {
  const params = searchParamsOf(req);
  const unknown = params.filter((p) => p.modifier !== undefined || (p.name !== 'identifier' && p.name !== '_format'));
  if (unknown.length) throw new CarnetError('invalid_metadata', `a conditional PATCH takes identifier only, not ${keyOf(unknown[0])}`);
  const ids = params.filter((p) => p.name === 'identifier').flatMap((p) => tokens(p.value).map((t) => t.code));
  if (ids.length !== 1) throw new CarnetError('invalid_metadata', 'a conditional PATCH names exactly one identifier', { location: 'identifier' });
  const value = ids[0];
  if (!/^urn:uuid:/i.test(value)) return services.documents.read(caller, { uniqueId: value.startsWith('urn:oid:') ? value.slice(8) : value });
  const entry = await services.documents.read(caller, { entryUuid: entryUuidOfId(value.slice(9)) });
  if (entry.latest) return entry;
  // An older entryUUID or the logicalId (which is the first entryUUID): the identifier names
  // the document, so the change goes to its latest version.
  const page = await services.documents.find(caller, { patientKey: entry.patientKey }, { logicalIds: [entry.logicalId], limit: 1 });
  if (!page.entries[0]) throw new CarnetError('not_found', 'no such document');
  return page.entries[0];
}

export function patchRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { services, config } = ctx;
  // FHIRPath Patch (Parameters) and XML Patch are not offered: only JSON Patch.
  fhir.addHook('preValidation', async (req, reply) => {
    if (req.method !== 'PATCH' || !req.url.startsWith('/fhir/DocumentReference')) return;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json-patch+json' && type !== 'application/json') {
      await sendResource(req, reply, errorOutcome('not-supported', `PATCH takes application/json-patch+json, not ${type || 'no content type'}`), 415);
      return;
    }
    patchOperations(req.body);
    // a malformed If-Match is refused with the body, before the document is read (no trace)
    ifMatchOf(req);
  });
  const run = async (req: FastifyRequest, reply: FastifyReply, current: StoredDocumentEntry) => {
    const caller = callerOf(req);
    const before = documentReferenceOf(config.publicUrl, current);
    // R4 http.html#concurrency: a PATCH made against another version than the current one is
    // refused, before the patch is even applied. The document was read under the rules first:
    // one the caller may not see is a 404 whatever If-Match says (ACC-08).
    const ifMatch = ifMatchOf(req);
    if (ifMatch) checkIfMatch(ifMatch, { versionId: before.meta!.versionId!, lastUpdated: before.meta!.lastUpdated! });
    const after = patched(before, req.body, req.server.inputLimits.json);
    // a patch may give any element any JSON type: what it leaves is checked before it is read
    assertShapes(after);
    const change = interpretChange(before, after);
    // What the patch leaves must still be a valid document of the stored one's profile (minimal or
    // comprehensive, whatever the patch says of meta), as `$validate` reports it.
    await req.server.fhirWork.checkProfile(after, defaultProfile(before)!);
    const latest = await apply(services, caller, current, change, ifMatch);
    return sendResource(req, reply, documentReferenceOf(config.publicUrl, latest));
  };
  fhir.patch<{ Params: { id: string } }>('/DocumentReference/:id', async (req, reply) =>
    run(req, reply, await services.documents.read(callerOf(req), { entryUuid: entryUuidOfId(req.params.id) })),
  );
  fhir.patch('/DocumentReference', async (req, reply) => run(req, reply, await byIdentifier(services, callerOf(req), req)));
  ctx.caps.addInteraction('DocumentReference', 'patch');
  ctx.caps.addNote(
    'PATCH DocumentReference (JSON Patch; by id or ?identifier=): securityLabel visibility flags, the PDSm isArchived extension and ' +
      'status entered-in-error are the only changes accepted; masking makes a new metadata version (new id, same logicalId).',
  );
}
