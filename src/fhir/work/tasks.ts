// What the FHIR worker threads do: reading FHIR XML into JSON and checking a resource against a
// profile, the two steps whose cost grows with an admissible body. Errors cross the thread as
// data (an Error loses its code and location when cloned) and are rebuilt by work.ts.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { CarnetError, CarnetErrors } from '../../domain/errors.js';
import type { XmlLimits } from '../../xml/limits.js';
import { lowerThisThreadPriority } from '../../workers/priority.js';
import { conformance, loadConformance } from '../conformance/registry.js';
import { ensureFhirDefinitions } from '../definitions.js';
import { assertProfile, validateAgainstProfile } from '../validation/validate.js';
import { fhirXmlToJson } from '../xml.js';
import { recordProvideBundleChecks } from '../mhd/provide-bundle-checks.js';
import { markPayloads } from '../mhd/provide-payloads.js';
import { withoutPayloads } from '../validation/payloads.js';
import { checkBundleEntries, type JsonLimits } from '../../json/read.js';
import { readJsonBody } from '../../http/bodies.js';

export interface ErrorData {
  code: CarnetError['code'];
  message: string;
  location?: string;
  reason?: string;
  problems?: ErrorData[];
}

export type TaskResult<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

function dataOf(e: CarnetError): ErrorData {
  const out: ErrorData = { code: e.code, message: e.message };
  if (e.location) out.location = e.location;
  if (e.reason) out.reason = e.reason;
  if (e instanceof CarnetErrors) out.problems = e.problems.map(dataOf);
  return out;
}

function settle<T>(work: () => T): TaskResult<T> {
  try {
    return { ok: true, value: work() };
  } catch (e) {
    if (e instanceof CarnetError) return { ok: false, error: dataOf(e) };
    throw e;
  }
}

/**
 * Loads what the first real task would otherwise load within its budget: the R4 definitions, the
 * XML reader, and the published profiles checked here (their schemas are built on first use).
 */
export function warm(input: { profiles?: string[]; niceness?: number; profilesDir?: string } | null): boolean {
  lowerThisThreadPriority(input?.niceness ?? 0);
  // the server's own profiles (CARNET_PROFILES_DIR), as its event loop reads them
  if (input?.profilesDir) loadConformance(input.profilesDir);
  ensureFhirDefinitions();
  fhirXmlToJson('<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>');
  for (const profile of input?.profiles ?? []) {
    const type = conformance().profile(profile)?.type;
    if (type) settle(() => assertProfile({ resourceType: type } as Resource, profile));
  }
  return true;
}

export function xmlToJson(input: { xml: string; limits: XmlLimits }): TaskResult<Resource> {
  return settle(() => fhirXmlToJson(input.xml, { limits: input.limits }));
}

export function checkProfile(input: { resource: Resource; profile: string }): TaskResult<true> {
  return settle(() => {
    assertProfile(input.resource, input.profile);
    return true as const;
  });
}

/** `$validate`: every issue of `resource` against the profile, as an OperationOutcome. */
export function validate(input: { resource: Resource; profile: string }): TaskResult<OperationOutcome> {
  return settle(() => validateAgainstProfile(input.resource, input.profile));
}

/** The profile checks of an ITI-65 Bundle (its payloads already lightened), by profileCheckKey. */
export async function provideBundleChecks(input: { bundle: Bundle; terminology: boolean }): Promise<TaskResult<Array<[string, ErrorData[]]>>> {
  try {
    const recorded = await recordProvideBundleChecks(input.bundle, input.terminology);
    return { ok: true, value: [...recorded].map(([key, problems]) => [key, problems.map(dataOf)]) };
  } catch (e) {
    if (e instanceof CarnetError) return { ok: false, error: dataOf(e) };
    throw e;
  }
}

/**
 * An ITI-65 JSON body read here: the resource (its payloads marked), their bytes, the profile
 * checks; or, for a Bundle whose body the event loop kept (`answersOnly`), the checks alone.
 */
export interface ProvideJson {
  /** absent when the event loop reads its own copy of the body */
  resource?: unknown;
  payloads: Uint8Array[];
  checks: Array<[string, ErrorData[]]>;
}

/**
 * Reads an ITI-65 JSON body whole on this thread (UTF-8, the JSON limits, JSON.parse, the
 * payloads decoded, the profile checks) so that the event loop receives a Bundle without its
 * documents' text, and their bytes without a copy.
 */
export async function readProvideJson(input: { blocks: ArrayBuffer[]; limits: JsonLimits; terminology: boolean; answersOnly?: boolean }): Promise<unknown> {
  try {
    // the shared server's JSON reader: strict UTF-8, a BOM allowed, the JSON limits
    const resource = readJsonBody(Buffer.concat(input.blocks.map((b) => new Uint8Array(b))), input.limits);
    checkBundleEntries(resource, input.limits);
    const bundle = resource as Bundle | undefined;
    if (bundle?.resourceType !== 'Bundle') return { ok: true, value: { resource, payloads: [], checks: [] } };
    const checks = await recordProvideBundleChecks(withoutPayloads(bundle), input.terminology);
    // a small body the event loop kept: it parses its copy (cheaper there than a Bundle cloned
    // across threads here) and decodes its few payloads itself
    if (input.answersOnly) return { ok: true, value: { payloads: [], checks: [...checks].map(([key, problems]) => [key, problems.map(dataOf)]) } };
    const { bundle: marked, payloads } = markPayloads(bundle);
    const value: ProvideJson = { resource: marked, payloads, checks: [...checks].map(([key, problems]) => [key, problems.map(dataOf)]) };
    const result: TaskResult<ProvideJson> = { ok: true, value };
    // the payloads' memory moves to the event loop's thread instead of being copied
    return move({ [transferableSymbol]: payloads.map((p) => p.buffer), [valueSymbol]: result } as never);
  } catch (e) {
    if (e instanceof CarnetError) return { ok: false, error: dataOf(e) };
    throw e;
  }
}
