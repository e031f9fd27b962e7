// Evaluating one TestScript assert against the last exchange or a named fixture.
import type { Resource, TestScriptSetupActionAssert } from '@medplum/fhirtypes';
import { fixtureResource, fixtureXml, sourceFixture } from './context.js';
import type { RunContext } from './context.js';
import { evaluate, isTrue } from './fhirpath.js';
import { baseMime, mimeType } from './format.js';
import { missingContent } from './minimum.js';
import { compare } from './operators.js';
import { evaluatePath } from './path.js';
import { checkProfile } from './profile.js';
import type { Fixture, Outcome } from './types.js';
import { header, toText } from './values.js';
import { substitute } from './variables.js';

/** TestScript's names for HTTP status codes (`assert.response`). */
export const RESPONSE_CODES: Record<string, number> = {
  okay: 200, created: 201, noContent: 204, notModified: 304, bad: 400, forbidden: 403, notFound: 404,
  methodNotAllowed: 405, conflict: 409, gone: 410, preconditionFailed: 412, unprocessable: 422,
};
const STATUS_NAMES = Object.fromEntries(Object.entries(RESPONSE_CODES).map(([k, v]) => [v, k]));

class AssertFailure extends Error {}
/** The assert holds nothing this runner can evaluate: it is skipped, never passed. */
class NotEvaluated extends Error {}

function check(ok: boolean, detail: string): void {
  if (!ok) throw new AssertFailure(detail);
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new AssertFailure(`${what}: nothing to assert on`);
  return value;
}

function values(list: unknown[]): string[] {
  return list.map(toText);
}

/** Compares two evaluated lists: several values are compared as one comma-joined string. */
function compareLists(operator: string | undefined, actual: string[], expected: string[], what: string): void {
  const single = actual.length <= 1 && expected.length <= 1;
  const a = single ? actual : [actual.join(',')];
  const e = single ? expected[0] : expected.join(',');
  const c = compare(operator, a, e ?? '');
  check(c.ok, `${what}: ${c.detail}`);
}

function fixtureById(ctx: RunContext, id: string): Fixture {
  const f = ctx.fixtures.get(id);
  if (!f) throw new Error(`unknown fixture "${id}"`);
  return f;
}

/** What an assert carries that this runner does not evaluate (extensions), for the report. */
function unevaluatedParts(a: TestScriptSetupActionAssert): string[] {
  const urls = (list: { url?: string }[] | undefined) => (list ?? []).map((e) => e.url ?? '(no url)');
  return [...urls(a.modifierExtension).map((u) => `modifierExtension ${u}`), ...urls(a.extension).map((u) => `extension ${u}`)];
}

async function evaluateAssert(ctx: RunContext, a: TestScriptSetupActionAssert): Promise<string[]> {
  // A modifier extension may change what the assert means: evaluating the rest would be a guess.
  if (a.modifierExtension?.length) {
    throw new NotEvaluated(`not evaluated: carries ${unevaluatedParts(a).join(', ')}, which this runner does not implement`);
  }
  const notes: string[] = [];
  // Every check below counts itself; an assert that reached none was not evaluated at all.
  let evaluated = 0;
  const source = sourceFixture(ctx, a.sourceId);
  if (a.sourceId && !source) throw new Error(`unknown sourceId fixture "${a.sourceId}"`);
  const exchange = source?.exchange;
  const requestSide = a.direction === 'request' || source?.side === 'request';
  const op = a.operator;
  const value = a.value === undefined ? undefined : substitute(ctx, a.value);
  const resource = (): Resource | undefined => (requestSide ? exchange?.request.resource : fixtureResource(source));
  const xml = (): string | undefined => (requestSide ? undefined : fixtureXml(source));
  const status = (): number => need(exchange?.response?.status, 'response status');

  if (a.response !== undefined) {
    evaluated++;
    const actual = STATUS_NAMES[status()] ?? String(status());
    const c = compare(op, [actual], a.response);
    check(c.ok, `response: ${c.detail} (HTTP ${status()})`);
  }
  if (a.responseCode !== undefined) {
    evaluated++;
    const c = compare(op, [String(status())], substitute(ctx, a.responseCode));
    check(c.ok, `responseCode: ${c.detail}`);
  }
  if (a.contentType !== undefined) {
    evaluated++;
    const headers = requestSide ? exchange?.request.headers : exchange?.response?.headers;
    const actual = baseMime(header(headers, 'content-type'));
    const c = compare(op, actual ? [actual] : [], baseMime(mimeType(a.contentType)));
    check(c.ok, `contentType: ${c.detail}`);
  }
  if (a.headerField !== undefined) {
    evaluated++;
    const headers = requestSide ? exchange?.request.headers : exchange?.response?.headers;
    const actual = header(headers, a.headerField);
    const c = compare(op, actual === undefined ? [] : [actual], value);
    check(c.ok, `header ${a.headerField}: ${c.detail}`);
  }
  if (a.resource !== undefined) {
    evaluated++;
    const rt = resource()?.resourceType;
    const c = compare(op, rt ? [rt] : [], a.resource);
    check(c.ok, `resource: ${c.detail}`);
  }
  if (a.requestURL !== undefined) {
    evaluated++;
    const url = need(exchange?.request.url, 'requestURL');
    const expected = substitute(ctx, a.requestURL);
    const base = ctx.base.replace(/\/+$/, '');
    const relative = url.startsWith(base) ? url.slice(base.length).replace(/^\//, '') : url;
    const absolute = /^https?:\/\//i.test(expected);
    const c = compare(op, [absolute ? url : relative], absolute ? expected : expected.replace(/^\//, ''));
    check(c.ok, `requestURL: ${c.detail}`);
  }
  if (a.requestMethod !== undefined) {
    evaluated++;
    const c = compare(op, [need(exchange?.request.method, 'requestMethod').toLowerCase()], a.requestMethod.toLowerCase());
    check(c.ok, `requestMethod: ${c.detail}`);
  }
  if (a.navigationLinks !== undefined) {
    evaluated++;
    const r = resource() as { resourceType?: string; link?: { relation?: string }[] } | undefined;
    check(r?.resourceType === 'Bundle', `navigationLinks: expected a Bundle, found ${r?.resourceType ?? 'nothing'}`);
    const relations = new Set((r?.link ?? []).map((l) => l.relation));
    const has = relations.has('first') && relations.has('last');
    check(has === a.navigationLinks, `navigationLinks: expected links first and last to be ${a.navigationLinks ? 'present' : 'absent'}, found [${[...relations].join(', ')}]`);
  }
  if (a.minimumId !== undefined) {
    evaluated++;
    const expected = need(fixtureResource(fixtureById(ctx, a.minimumId)), `minimumId fixture ${a.minimumId}`);
    const missing = missingContent(expected, need(resource(), 'minimumId'));
    check(missing.length === 0, `minimumId: content of ${a.minimumId} missing at ${missing.slice(0, 5).join(', ')}`);
  }
  if (a.validateProfileId !== undefined) {
    evaluated++;
    const result = await checkProfile(ctx, a.validateProfileId, need(resource(), 'validateProfileId'));
    check(result.errors.length === 0, `validateProfileId ${a.validateProfileId}: ${result.errors.slice(0, 3).join('; ')}`);
    if (result.note) notes.push(result.note);
  }

  const compareSource = a.compareToSourceId ? fixtureById(ctx, a.compareToSourceId) : undefined;
  // Half of a comparison is a malformed assert: evaluating the other half alone would pass it.
  if (compareSource && a.compareToSourceExpression === undefined && a.compareToSourcePath === undefined) {
    throw new Error('compareToSourceId needs compareToSourceExpression or compareToSourcePath');
  }
  if (!compareSource && (a.compareToSourceExpression !== undefined || a.compareToSourcePath !== undefined)) {
    throw new Error('compareToSourceExpression and compareToSourcePath need compareToSourceId');
  }
  if (compareSource && a.compareToSourceExpression !== undefined) {
    evaluated++;
    const expected = evaluate(substitute(ctx, a.compareToSourceExpression), fixtureResource(compareSource), { resource: resource() });
    if (a.expression !== undefined) {
      compareLists(op, values(evaluate(substitute(ctx, a.expression), resource())), values(expected), `expression ${a.expression}`);
    } else {
      check(isTrue(expected), `compareToSourceExpression ${a.compareToSourceExpression}: expected true, found ${JSON.stringify(expected)}`);
    }
  } else if (compareSource && a.compareToSourcePath !== undefined) {
    evaluated++;
    const expected = evaluatePath(substitute(ctx, a.compareToSourcePath), fixtureResource(compareSource), fixtureXml(compareSource));
    const actualPath = substitute(ctx, a.path ?? a.compareToSourcePath);
    compareLists(op, values(evaluatePath(actualPath, resource(), xml())), values(expected), `path ${actualPath}`);
  } else if (a.expression !== undefined) {
    evaluated++;
    const expr = substitute(ctx, a.expression);
    const found = evaluate(expr, resource());
    if (value === undefined && (op === undefined || op === 'equals' || op === 'eval')) {
      check(isTrue(found), `expression ${expr}: expected true, found ${JSON.stringify(found)}`);
    } else {
      const c = compare(op, values(found), value);
      check(c.ok, `expression ${expr}: ${c.detail}`);
    }
  } else if (a.path !== undefined) {
    evaluated++;
    const path = substitute(ctx, a.path);
    const found = values(evaluatePath(path, resource(), xml()));
    const c = compare(op ?? (value === undefined ? 'notEmpty' : 'equals'), found, value);
    check(c.ok, `path ${path}: ${c.detail}`);
  }
  const ignored = unevaluatedParts(a);
  if (evaluated === 0) {
    throw new NotEvaluated(ignored.length ? `not evaluated: carries only ${ignored.join(', ')}, which this runner does not implement` : 'not evaluated: the assert names no check this runner knows');
  }
  if (ignored.length) notes.push(`${ignored.join(', ')} not evaluated`);
  return notes;
}

/** Runs one assert. Failures of `warningOnly` asserts come back as warnings. */
export async function runAssert(ctx: RunContext, a: TestScriptSetupActionAssert): Promise<Outcome> {
  const label = a.label ?? a.description ?? 'assert';
  try {
    const notes = await evaluateAssert(ctx, a);
    return { result: 'pass', message: [label, ...notes].join(' — ') };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof NotEvaluated) return { result: 'skip', message: `${label}: ${reason}` };
    if (a.warningOnly) return { result: 'warning', message: `${label}: ${reason}` };
    return { result: err instanceof AssertFailure ? 'fail' : 'error', message: `${label}: ${reason}` };
  }
}
