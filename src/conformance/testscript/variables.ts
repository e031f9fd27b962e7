// TestScript variables: `${name}` substitution and lazy evaluation of each variable from its
// defaultValue, FHIRPath expression, path, or a captured header; runner overrides win.
import type { TestScriptVariable } from '@medplum/fhirtypes';
import { fixtureResource, fixtureXml, sourceFixture } from './context.js';
import type { RunContext } from './context.js';
import { evaluate } from './fhirpath.js';
import { evaluatePath } from './path.js';
import { placeholderValue } from './placeholders.js';
import { header, toText } from './values.js';

const MAX_DEPTH = 8;

/** The current value of variable `name`, or undefined when nothing yields one. */
export function resolveVariable(ctx: RunContext, name: string, depth = 0): string | undefined {
  if (Object.hasOwn(ctx.overrides, name)) return ctx.overrides[name];
  const def = ctx.script.variable?.find((v) => v.name === name);
  if (!def) return placeholderValue(name);
  return evaluateVariable(ctx, def, depth) ?? (def.defaultValue === undefined ? undefined : substitute(ctx, def.defaultValue, depth + 1));
}

function evaluateVariable(ctx: RunContext, def: TestScriptVariable, depth: number): string | undefined {
  if (!def.headerField && !def.expression && !def.path) return undefined;
  const source = sourceFixture(ctx, def.sourceId ? substitute(ctx, def.sourceId, depth + 1) : undefined);
  if (!source) return undefined;
  if (def.headerField) {
    const ex = source.exchange;
    const headers = source.side === 'request' ? ex?.request.headers : ex?.response?.headers;
    return header(headers, def.headerField);
  }
  const resource = fixtureResource(source);
  let values: unknown[];
  try {
    values = def.expression
      ? evaluate(substitute(ctx, def.expression, depth + 1), resource)
      : evaluatePath(substitute(ctx, def.path as string, depth + 1), resource, fixtureXml(source));
  } catch {
    return undefined;
  }
  return values.length > 0 ? toText(values[0]) : undefined;
}

/** Replaces every `${name}` in `text` whose value is known; unknown names are left as written. */
export function substitute(ctx: RunContext, text: string, depth = 0): string {
  if (depth > MAX_DEPTH || !text.includes('${')) return text;
  return text.replace(/\$\{([^}]+)\}/g, (all, name: string) => resolveVariable(ctx, name.trim(), depth) ?? all);
}

/** Substitution inside every string of a JSON value (fixture bodies). */
export function substituteDeep<T>(ctx: RunContext, value: T): T {
  if (typeof value === 'string') return substitute(ctx, value) as T;
  if (Array.isArray(value)) return value.map((v) => substituteDeep(ctx, v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(ctx, v)])) as T;
  }
  return value;
}
