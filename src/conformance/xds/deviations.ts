// Where Carnet answers a toolkit step otherwise than an IHE registry would, on purpose, because a
// DMP rule says so (conformance/xds/deviations.json, explained in DEVIATIONS.md). Such a step is
// judged against Carnet's declared answer instead of the toolkit's: when the server gives exactly
// that answer the test is reported as a declared deviation — never as a pass — and what follows,
// built on the toolkit's answer, is not run (the rest of the test, or of the section when the
// declaration says so); any other answer is a failure.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeErrors, judgeResponse, readOutcome } from './judge.js';
import type { XdsResponse } from './soap-client.js';

export interface Deviation {
  test: string;
  section: string;
  step: string;
  /** the rule of docs/RULES.md the deviation follows */
  rule: string;
  reason: string;
  /**
   * what is not run after it: the rest of the test (default: later sections may build on the
   * toolkit's answer), or only the rest of its section (sections that each stand alone, 15801)
   */
  stops?: 'test' | 'section';
  /** Carnet's answer: its status, and the errorCode of an Error or of a Warning it carries */
  carnet: { status: 'Success' | 'Failure' | 'PartialSuccess'; errorCode?: string; warningCode?: string };
}

export type Deviations = Map<string, Deviation>;

export function deviationKey(test: string, section: string, step: string): string {
  return `${test}/${section}/${step}`;
}

/** conformance/xds/deviations.json of this checkout. */
export function defaultDeviationsFile(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'conformance', 'xds', 'deviations.json');
}

export function loadDeviations(file = defaultDeviationsFile()): Deviations {
  const out: Deviations = new Map();
  if (!existsSync(file)) return out;
  const data = JSON.parse(readFileSync(file, 'utf8')) as { deviations?: Deviation[] };
  for (const d of data.deviations ?? []) {
    for (const field of ['test', 'section', 'step', 'rule', 'reason'] as const) {
      if (typeof d[field] !== 'string') throw new Error(`${file}: each deviation needs "${field}"`);
    }
    if (!d.carnet || !['Success', 'Failure', 'PartialSuccess'].includes(d.carnet.status)) throw new Error(`${file}: deviation ${d.test}/${d.section}/${d.step} needs carnet.status`);
    if (d.stops !== undefined && d.stops !== 'test' && d.stops !== 'section') throw new Error(`${file}: deviation ${d.test}/${d.section}/${d.step}: stops is "test" or "section"`);
    out.set(deviationKey(d.test, d.section, d.step), d);
  }
  return out;
}

/** Undefined when the server gave exactly Carnet's declared answer, else what differs. */
export function judgeDeviation(d: Deviation, res: XdsResponse): string | undefined {
  const judged = judgeResponse({ expectedStatus: d.carnet.status, expectedErrorMessages: [], expectedErrorCodes: d.carnet.errorCode ? [d.carnet.errorCode] : [] }, res);
  if (judged) return `declared deviation (${d.rule}) not seen: ${judged}`;
  if (d.carnet.warningCode) {
    const errors = readOutcome(res.body!).errors;
    const warned = errors.some((e) => e.errorCode === d.carnet.warningCode && e.severity.endsWith('Warning'));
    if (!warned) return `declared deviation (${d.rule}) not seen: expected a Warning ${d.carnet.warningCode}, got ${describeErrors(errors)}`;
  }
  return undefined;
}
