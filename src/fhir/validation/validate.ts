// The one validation of the FHIR door: a resource against one of the StructureDefinitions this
// server publishes. medplum checks structure, types, cardinality of direct children, fixed and
// pattern values and invariants (FHIRPath); checks.ts adds nested cardinalities and required
// bindings. A Bundle profile also names, in Bundle.entry.resource's type profiles, the profile
// of each kind of entry; each entry is validated against the one that fits it.
import { getAllDataTypes, OperationOutcomeError, parseStructureDefinition, validateTypedValue } from '@medplum/core';
import type { ElementDefinition, OperationOutcome, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { CarnetError, CarnetErrors } from '../../domain/errors.js';
import { conformance, type ConformanceRegistry } from '../conformance/registry.js';
import { ensureResourceTypesIn } from '../definitions.js';
import { bindingChecks, invariantChecks, nestedChecks, ownInvariantKeys } from './checks.js';
import { CS } from '../mappings/carnet-fhir.js';
import { withoutPayloads } from './payloads.js';
import { matchesPattern } from './walk.js';
import { shapeProblems } from './shapes.js';
import { presentKeys, presentViews } from './present-elements.js';

const ERROR = new Set(['error', 'fatal']);

/**
 * medplum parses a profile handed in ValidatorOptions on every call (about 2 ms for the Bundle
 * profile, more than the validation itself). So each profile is parsed once, the very way
 * ValidatorOptions would, and kept among medplum's types under a name of its own that no FHIR type
 * has; a resource is then validated as a value of that type: the same checks, parsed once.
 * (Not loadDataType: it would also replace the base BackboneElement types, e.g. BundleEntry, by
 * the profile's, for every later validation.)
 */
const loadedAs = new WeakMap<StructureDefinition, string>();
let loadedCount = 0;

function typeNameOf(sd: StructureDefinition): string {
  let name = loadedAs.get(sd);
  if (!name) {
    name = `${sd.url}#${++loadedCount}`;
    (getAllDataTypes() as Record<string, unknown>)[name] = parseStructureDefinition(sd);
    loadedAs.set(sd, name);
  }
  return name;
}

type TypeSchema = ReturnType<typeof parseStructureDefinition>;
const shallowSchemas = new WeakMap<TypeSchema, TypeSchema>();

/**
 * A resource type's schema that medplum's crawl does not enter: no element of its own to visit,
 * its elements reachable through the prototype only, so that a key it does not define is still
 * reported (medplum looks keys up with `in` and by name; it visits `Object.keys(elements)`).
 */
function shallowOf(schema: TypeSchema): TypeSchema {
  let shallow = shallowSchemas.get(schema);
  if (!shallow) {
    shallow = { ...schema, elements: Object.create(schema.elements) as TypeSchema['elements'] };
    shallowSchemas.set(schema, shallow);
  }
  return shallow;
}

/**
 * medplum's own checks of `resource` against `sd` (exported for the test that holds them to
 * medplum's ValidatorOptions way). Resources of the types in `notEntered`, wherever they are in
 * `resource`, are not gone through: their own check (against their profile, which holds every
 * base check and more) reports what this crawl would find in them. The other types are crawled
 * through the elements that can matter in `resource` (present-elements.ts; `every`: all of them,
 * the way the tests compare it to). medplum keeps its types in one table: they are swapped for the
 * crawl, which is synchronous, and put back before it returns.
 */
export function medplumIssues(
  resource: Resource,
  sd: StructureDefinition,
  notEntered: ReadonlySet<string> = new Set(),
  crawl: 'present' | 'every' = 'present',
  leftOut: ReadonlySet<string> = new Set(),
): OperationOutcomeIssue[] {
  const types = getAllDataTypes() as Record<string, TypeSchema>;
  const root = typeNameOf(sd);
  const replaced = new Map<string, TypeSchema>();
  // the elements that can matter in this resource only (present-elements.ts); `every`: the full crawl
  if (crawl === 'present') for (const [t, view] of presentViews(types, root, presentKeys(resource))) replaced.set(t, view);
  for (const t of notEntered) if (types[t]) replaced.set(t, shallowOf(types[t]!));
  if (leftOut.size > 0) {
    const rootSchema = replaced.get(root) ?? types[root]!;
    const trimmed = withoutTrailingInvariants(rootSchema, leftOut);
    if (trimmed !== rootSchema) replaced.set(root, trimmed);
  }
  const swapped = [...replaced].map(([t, view]) => [t, types[t]!, view] as const);
  for (const [t, , view] of swapped) types[t] = view;
  try {
    return validateTypedValue({ type: root, value: resource });
  } catch (e) {
    if (e instanceof OperationOutcomeError) return e.outcome.issue ?? [];
    throw e;
  } finally {
    for (const [t, schema] of swapped) types[t] = schema;
  }
}

type Constraints = TypeSchema['constraints'];
const trimmedSchemas = new WeakMap<TypeSchema, TypeSchema>();

/** `constraints` without those of `keys` that come after every other one (itself when none do). */
function trimmed(constraints: Constraints, keys: ReadonlySet<string>): Constraints {
  if (!constraints?.length) return constraints;
  let last = constraints.length - 1;
  while (last >= 0 && keys.has(constraints[last]!.key)) last--;
  return last === constraints.length - 1 ? constraints : constraints.slice(0, last + 1);
}

/**
 * A profile's schema whose own invariants (`keys`) are left out where they come last on an
 * element: profileIssues discards medplum's answers to them and evaluates them itself, on every
 * instance (checks.ts invariantChecks). medplum evaluates an element's invariants in order and
 * stops at the first that fails: left out at the end, they can change nothing of what it reports
 * for the others (an own invariant before a base one stays). `keys` are always the same profile's:
 * the schema is its, or a view of it.
 */
function withoutTrailingInvariants(schema: TypeSchema, keys: ReadonlySet<string>): TypeSchema {
  let out = trimmedSchemas.get(schema);
  if (!out) {
    // the view's own elements (those the crawl visits) trimmed, its prototype kept
    const elements = Object.create(Object.getPrototypeOf(schema.elements) as object) as TypeSchema['elements'];
    let changed = false;
    for (const [key, element] of Object.entries(schema.elements)) {
      const constraints = trimmed(element.constraints, keys);
      elements[key] = constraints === element.constraints ? element : { ...element, constraints };
      if (constraints !== element.constraints) changed = true;
    }
    const constraints = trimmed(schema.constraints, keys);
    out = changed || constraints !== schema.constraints ? { ...schema, constraints, elements: changed ? elements : schema.elements } : schema;
    trimmedSchemas.set(schema, out);
  }
  return out;
}

/**
 * medplum's error-level issues of `resource` against `sd`, but for its answers to the profile's
 * own invariants (invariantChecks evaluates those, on every instance). `leaveOwnOut`: the own
 * invariants that come last on an element are not evaluated at all (withoutTrailingInvariants);
 * false only for the test that holds the answers equal either way.
 */
export function medplumBaseIssues(resource: Resource, sd: StructureDefinition, notEntered: ReadonlySet<string>, leaveOwnOut = true): OperationOutcomeIssue[] {
  const own = ownInvariantKeys(sd);
  const isOwn = (i: OperationOutcomeIssue) => i.code === 'invariant' && [...own].some((k) => i.details?.text?.startsWith(`Constraint ${k} `));
  return medplumIssues(resource, sd, notEntered, 'present', leaveOwnOut ? own : new Set()).filter((i) => ERROR.has(i.severity) && !isOwn(i));
}

/** The resource types found anywhere in `value` (contained resources, nested Bundles too). */
function resourceTypesIn(value: unknown, out = new Set<string>()): Set<string> {
  if (!value || typeof value !== 'object') return out;
  const type = (value as { resourceType?: unknown }).resourceType;
  if (typeof type === 'string') out.add(type);
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (child && typeof child === 'object') resourceTypesIn(child, out);
  return out;
}

/**
 * The resource types a Bundle's check need not go through: those of the entries checked
 * elsewhere against their own profiles, when no other entry holds a resource of that type.
 */
function typesCheckedElsewhere(bundle: Resource, checkedElsewhere: readonly number[] | undefined): Set<string> {
  if (!checkedElsewhere?.length || bundle.resourceType !== 'Bundle') return new Set();
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const elsewhere = new Set(checkedElsewhere);
  const types = new Set<string>();
  for (const i of checkedElsewhere) {
    const t: unknown = entries[i]?.resource?.resourceType;
    if (typeof t === 'string') types.add(t);
  }
  // what the checks elsewhere do not see: the other entries, and the checked ones beside their resource
  entries.forEach((entry, i) => {
    for (const t of resourceTypesIn(elsewhere.has(i) ? { ...entry, resource: undefined } : entry)) types.delete(t);
  });
  // the Bundle's own fields outside its entries (a signature's, say) hold no resource of them either
  for (const t of resourceTypesIn({ ...bundle, entry: undefined, resourceType: undefined })) types.delete(t);
  return types;
}

/** The profile of `candidates` an entry resource fits: same type and, for several, same code pattern. */
function entryProfile(resource: Resource, candidates: StructureDefinition[]): StructureDefinition | undefined {
  const sameType = candidates.filter((c) => c.type === resource.resourceType);
  if (sameType.length <= 1) return sameType[0];
  return sameType.find((c) => {
    const code = c.snapshot?.element?.find((e) => e.id === `${c.type}.code`) as (ElementDefinition & { patternCodeableConcept?: unknown }) | undefined;
    return code?.patternCodeableConcept !== undefined && matchesPattern((resource as { code?: unknown }).code, code.patternCodeableConcept);
  });
}

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

/** The entry profiles a Bundle profile names; core ones (e.g. Binary) only admit their type. */
function entryProfiles(sd: StructureDefinition, registry: ConformanceRegistry): { profiles: StructureDefinition[]; base: string[] } | undefined {
  const el = sd.snapshot?.element?.find((e) => e.id === 'Bundle.entry.resource');
  const urls = (el?.type ?? []).flatMap((t) => t.profile ?? []);
  if (!urls.length) return undefined;
  const base = urls.filter((u) => u.startsWith(CORE_SD)).map((u) => u.slice(CORE_SD.length));
  const profiles = urls.map((u) => registry.profile(u)).filter((p): p is StructureDefinition => p !== undefined);
  return { profiles, base };
}

function rebase(issues: OperationOutcomeIssue[], from: string, to: string): OperationOutcomeIssue[] {
  return issues.map((i) => ({ ...i, expression: (i.expression ?? [from]).map((x) => (x === from || x.startsWith(`${from}.`) ? `${to}${x.slice(from.length)}` : `${to}.${x}`)) }));
}

/**
 * How a reader checks a resource against a profile: profileProblems itself, or answers another
 * thread computed beforehand (mhd/provide-bundle-checks.ts), so that the event loop never runs
 * the checks of a large Bundle.
 */
export type ProfileCheck = (resource: Resource, profileUrl: string, options: ValidationOptions & { path?: string }) => CarnetError[];

export interface ValidationOptions {
  /** check required bindings to this server's ValueSets (default true) */
  terminology?: boolean;
  /** validate a Bundle's entries against the profiles it names for them (default true) */
  entries?: boolean;
  /**
   * A Bundle's entries (indexes) whose resources the caller checks against their own profiles:
   * the Bundle's check does not go through them a second time against their base definitions.
   */
  checkedElsewhere?: readonly number[];
  /**
   * The caller found `resource`'s JSON shapes right (shapeProblems, over it or over what holds
   * it) just before: they are not walked a second time. Nothing else is skipped.
   */
  shapesChecked?: boolean;
}

/**
 * Where an invariant's problem is: the path its expression starts from (an extension filter
 * shown as `extension('url')`), below the element that carries it.
 */
function locateInvariant(issue: OperationOutcomeIssue): OperationOutcomeIssue {
  if (issue.code !== 'invariant' || !issue.diagnostics) return issue;
  let expr: string;
  try {
    expr = String((JSON.parse(issue.diagnostics) as { fhirpath?: string }).fhirpath ?? '');
  } catch {
    return issue;
  }
  const ext = /^extension\.where\(url\s*=\s*'([^']+)'\)/.exec(expr);
  const lead = ext ? `extension('${ext[1]}')` : /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)*(?=\.[a-zA-Z]+\(|\s|$)/.exec(expr)?.[0];
  if (!lead) return issue;
  return { ...issue, expression: (issue.expression ?? []).map((x) => `${x}.${lead}`) };
}

/** Every error-level issue of `resource` against the profile `sd`. */
export function profileIssues(input: Resource, sd: StructureDefinition, registry: ConformanceRegistry = conformance(), options: ValidationOptions = {}): OperationOutcomeIssue[] {
  ensureResourceTypesIn(input);
  // what has the wrong JSON type is said first and alone: the checks below read values as FHIR
  const misshapen = options.shapesChecked ? [] : shapeProblems(input);
  if (misshapen.length) return misshapen.map((p) => ({ severity: 'error', code: 'structure', details: { text: p.message }, expression: [p.location ?? input.resourceType] }));
  const resource = withoutPayloads(input);
  if (sd.type !== resource.resourceType) {
    return [{ severity: 'error', code: 'invalid', details: { text: `${sd.url} is a profile of ${sd.type}, not ${resource.resourceType}` }, expression: [resource.resourceType] }];
  }
  const base = [...medplumBaseIssues(resource, sd, typesCheckedElsewhere(resource, options.checkedElsewhere)), ...invariantChecks(resource, sd)].map(locateInvariant);
  const reported = new Set(base.flatMap((i) => i.expression ?? []));
  const issues = [...base, ...nestedChecks(resource, sd).filter((i) => !reported.has(i.expression?.[0] ?? ''))];
  if (options.terminology !== false) issues.push(...bindingChecks(resource, sd, registry));
  const candidates = resource.resourceType === 'Bundle' && options.entries !== false ? entryProfiles(sd, registry) : undefined;
  if (candidates && resource.resourceType === 'Bundle') {
    (resource.entry ?? []).forEach((entry, i) => {
      const r = entry.resource;
      if (!r) return;
      const at = `Bundle.entry[${i}].resource`;
      if (candidates.base.includes(r.resourceType)) return; // a base type: checked with the Bundle
      const profile = entryProfile(r, candidates.profiles);
      if (!profile) {
        issues.push({ severity: 'error', code: 'structure', details: { text: `${r.resourceType} fits none of the entry profiles of ${sd.name}` }, expression: [at] });
        return;
      }
      issues.push(...rebase(profileIssues(r, profile, registry, options), r.resourceType, at));
    });
  }
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.expression?.join()}|${i.details?.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function unknownProfile(profileUrl: string): CarnetError {
  return new CarnetError('invalid_metadata', `${profileUrl} is not a profile this server publishes (GET /fhir/StructureDefinition)`, { location: 'profile' });
}

/** The door's validation: `resource` against the published profile `profileUrl`, as an OperationOutcome. */
export function validateAgainstProfile(resource: Resource, profileUrl: string, registry: ConformanceRegistry = conformance()): OperationOutcome {
  const sd = registry.profile(profileUrl);
  if (!sd) throw unknownProfile(profileUrl);
  const issue = profileIssues(resource, sd, registry);
  return {
    resourceType: 'OperationOutcome',
    issue: issue.length ? issue : [{ severity: 'information', code: 'informational', details: { text: `valid against ${sd.url}` } }],
  };
}

/** The same, as the problems the door's write paths throw (locations rebased under `path`). */
export function profileProblems(resource: Resource, profileUrl: string, options: ValidationOptions & { path?: string } = {}, registry: ConformanceRegistry = conformance()): CarnetError[] {
  const sd = registry.profile(profileUrl);
  if (!sd) return [unknownProfile(profileUrl)];
  const found = profileIssues(resource, sd, registry, options);
  const issues = options.path ? rebase(found, resource.resourceType, options.path) : found;
  return issues.map((i) => {
    const reason = i.details?.coding?.find((c) => c.system === CS.REASON)?.code;
    return new CarnetError('invalid_metadata', i.details?.text ?? i.diagnostics ?? 'invalid', { location: i.expression?.[0], ...(reason ? { reason } : {}) });
  });
}

/**
 * A write path's check: refuses `resource` with every problem the profile finds, the very ones
 * `$validate` reports for it (same profile, same checks).
 */
export function assertProfile(resource: Resource, profileUrl: string, options: ValidationOptions & { path?: string } = {}): void {
  const problems = profileProblems(resource, profileUrl, options);
  if (problems.length) throw new CarnetErrors(problems);
}
