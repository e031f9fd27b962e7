// What a profile says that medplum's validator does not check (verified on medplum 4.5): the
// cardinality, fixed and pattern values of nested elements (below the resource's direct
// children), and required bindings to the ValueSets this server publishes.
import { evalFhirPath, parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type { ElementDefinition, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import type { ConformanceRegistry } from '../conformance/registry.js';
import { codeKey } from '../conformance/registry.js';
import { CS, EXT } from '../mappings/carnet-fhir.js';
import { countAt, matchesPattern, valuesAt, type Located } from './walk.js';

/** Binding extension naming the refusal reason the rules use for a code outside the ValueSet. */
export const REFUSAL_REASON = EXT.REFUSAL_REASON;

const issue = (code: OperationOutcomeIssue['code'], text: string, path: string): OperationOutcomeIssue => ({
  severity: 'error',
  code,
  details: { text },
  expression: [path],
});

function choiceValue(el: ElementDefinition, prefix: 'fixed' | 'pattern'): unknown {
  const key = Object.keys(el).find((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)));
  return key ? (el as unknown as Record<string, unknown>)[key] : undefined;
}

function root(resource: object, sd: StructureDefinition): Located[] {
  return [{ value: resource, path: sd.type ?? 'Resource' }];
}

/** Cardinality, fixed and pattern values of the differential's nested elements. */
export function nestedChecks(resource: object, sd: StructureDefinition): OperationOutcomeIssue[] {
  const out: OperationOutcomeIssue[] = [];
  const name = sd.name ?? sd.id;
  for (const diff of sd.differential?.element ?? []) {
    const segments = (diff.path ?? diff.id ?? '').split('.').slice(1);
    if (segments.length < 2) continue; // the resource's own children: medplum checks them
    const el = sd.snapshot?.element?.find((e) => e.id === diff.id) ?? diff;
    const last = segments[segments.length - 1];
    for (const parent of valuesAt(root(resource, sd), segments.slice(0, -1))) {
      const n = countAt(parent.value, last);
      const at = `${parent.path}.${last}`;
      if (el.min !== undefined && n < el.min) out.push(issue('required', `${last} is required by ${name} (min ${el.min})`, at));
      if (el.max !== undefined && el.max !== '*' && n > Number(el.max)) out.push(issue('structure', `${last} may occur at most ${el.max} time(s) in ${name}, found ${n}`, at));
    }
    const fixed = choiceValue(el, 'fixed');
    const pattern = choiceValue(el, 'pattern');
    if (fixed === undefined && pattern === undefined) continue;
    for (const v of valuesAt(root(resource, sd), segments)) {
      if (fixed !== undefined && JSON.stringify(v.value) !== JSON.stringify(fixed)) out.push(issue('value', `${last} must be ${JSON.stringify(fixed)} in ${name}`, v.path));
      if (pattern !== undefined && !matchesPattern(v.value, pattern)) out.push(issue('value', `${last} must match ${JSON.stringify(pattern)} in ${name}`, v.path));
    }
  }
  return out;
}

function codesOf(value: unknown): Array<{ system?: string; code?: string }> {
  if (typeof value === 'string') return [{ code: value }];
  if (!value || typeof value !== 'object') return [];
  const v = value as { coding?: Array<{ system?: string; code?: string }>; system?: string; code?: string };
  if (Array.isArray(v.coding)) return v.coding;
  return [{ system: v.system, code: v.code }];
}

/** Required bindings to the ValueSets of `registry`: some coding must be in the expansion. */
export function bindingChecks(resource: object, sd: StructureDefinition, registry: ConformanceRegistry): OperationOutcomeIssue[] {
  const out: OperationOutcomeIssue[] = [];
  for (const el of sd.snapshot?.element ?? []) {
    const b = el.binding;
    if (b?.strength !== 'required' || !b.valueSet) continue;
    const keys = registry.valueSetKeys(b.valueSet);
    if (!keys) continue; // a base R4 binding: not this server's terminology
    const isCode = (el.type ?? []).some((t) => t.code === 'code');
    for (const v of valuesAt(root(resource, sd), (el.path ?? '').split('.').slice(1))) {
      const codes = codesOf(v.value);
      const ok = codes.some((c) => c.code && (isCode ? [...keys].some((k) => k.endsWith(`|${c.code}`)) : c.system && keys.has(codeKey(c.system, c.code))));
      if (!ok) {
        const shown = codes.map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ') || '(no code)';
        const found = issue('code-invalid', `${shown} is not in the value set ${b.valueSet} (required binding)`, v.path);
        // The rule's own refusal reason, when the profile names one for this binding.
        const reason = b.extension?.find((e) => e.url === REFUSAL_REASON)?.valueCode;
        if (reason) found.details = { ...found.details, coding: [{ system: CS.REASON, code: reason }] };
        out.push(found);
      }
    }
  }
  return out;
}

const ownKeys = new WeakMap<StructureDefinition, Set<string>>();

/** The keys of the invariants the profile adds (evaluated by invariantChecks, not by medplum), found once per profile. */
export function ownInvariantKeys(sd: StructureDefinition): Set<string> {
  let keys = ownKeys.get(sd);
  if (!keys) {
    keys = new Set((sd.differential?.element ?? []).flatMap((e) => (e.constraint ?? []).map((c) => c.key ?? '')));
    ownKeys.set(sd, keys);
  }
  return keys;
}

const parsedExpressions = new Map<string, FhirPathAtom>();

/** A FHIRPath expression parsed once per process (the profiles' invariants are a fixed few). */
function parsed(expression: string): FhirPathAtom {
  let atom = parsedExpressions.get(expression);
  if (!atom) {
    atom = parseFhirPath(expression);
    parsedExpressions.set(expression, atom);
  }
  return atom;
}

interface OwnInvariants {
  /** the element's path below the resource (none: the resource itself) */
  segments: string[];
  constraints: Array<{ key?: string; human?: string; expression: string }>;
}

const ownInvariants = new WeakMap<StructureDefinition, OwnInvariants[]>();

/** The profile's error-level invariants by element (the others have none to evaluate): found once per profile. */
function invariantsOf(sd: StructureDefinition): OwnInvariants[] {
  let list = ownInvariants.get(sd);
  if (!list) {
    list = (sd.differential?.element ?? []).flatMap((el) => {
      const constraints = (el.constraint ?? []).flatMap((c) => (c.severity === 'error' && c.expression ? [{ key: c.key, human: c.human, expression: c.expression }] : []));
      return constraints.length ? [{ segments: (el.path ?? el.id ?? '').split('.').slice(1), constraints }] : [];
    });
    ownInvariants.set(sd, list);
  }
  return list;
}

/**
 * The profile's own invariants, every one on every instance of its element: medplum stops at the
 * first failing invariant of an element and skips those added to nested elements.
 */
export function invariantChecks(resource: Resource, sd: StructureDefinition): OperationOutcomeIssue[] {
  const out: OperationOutcomeIssue[] = [];
  for (const { segments, constraints } of invariantsOf(sd)) {
    const nodes: Located[] = segments.length ? valuesAt(root(resource, sd), segments) : root(resource, sd);
    for (const c of constraints) {
      for (const node of nodes) {
        const result = evalFhirPath(parsed(c.expression), segments.length ? (node.value as object) : resource);
        if (result.length === 1 && result[0] === true) continue;
        out.push({
          severity: 'error',
          code: 'invariant',
          details: { text: `Constraint ${c.key} not met: ${c.human}` },
          expression: [node.path],
          diagnostics: JSON.stringify({ fhirpath: c.expression }),
        });
      }
    }
  }
  return out;
}
