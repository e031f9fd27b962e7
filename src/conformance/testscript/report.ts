// Building the FHIR R4 TestReport of one script run, and writing reports to disk.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestReport, TestReportSetupAction, TestReportTest } from '@medplum/fhirtypes';
import type { Outcome } from './types.js';

type ActionResult = 'pass' | 'skip' | 'fail' | 'warning' | 'error';

/** A TestReport action for an operation or an assert outcome. */
export function reportAction(kind: 'operation' | 'assert', outcome: Outcome, detail?: string): TestReportSetupAction {
  const part = { result: outcome.result as ActionResult, message: outcome.message, ...(detail ? { detail } : {}) };
  return kind === 'operation' ? { operation: part } : { assert: part };
}

export function isFailure(outcome: Outcome): boolean {
  return outcome.result === 'fail' || outcome.result === 'error';
}

/** The first failing action's message, for the one-line log. */
export function firstFailure(actions: TestReportSetupAction[]): string | undefined {
  for (const a of actions) {
    const part = a.operation ?? a.assert;
    if (part && (part.result === 'fail' || part.result === 'error')) return part.message;
  }
  return undefined;
}

/**
 * A test fails on any failure; it passes only when every one of its actions was evaluated. A
 * test with no action, or with an action the runner skipped, was not (fully) evaluated: skip.
 */
export function testResult(test: TestReportTest): 'pass' | 'fail' | 'skip' {
  const actions = test.action ?? [];
  if (firstFailure(actions as TestReportSetupAction[]) !== undefined) return 'fail';
  if (actions.length === 0 || actions.some((a) => (a.operation ?? a.assert)?.result === 'skip')) return 'skip';
  return 'pass';
}

/** Why testResult said skip, for the log line. */
export function skipReason(test: TestReportTest): string {
  const actions = test.action ?? [];
  if (actions.length === 0) return 'the test has no action to evaluate';
  const skipped = actions.map((a) => a.operation ?? a.assert).filter((p) => p?.result === 'skip');
  return skipped.length === 1 ? skipped[0]!.message ?? 'an action was skipped' : `${skipped.length} actions not evaluated; first: ${skipped[0]?.message ?? ''}`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'testscript';
}

/** Writes each report as `<name>.json` in `dir`, suffixing duplicates; returns the file paths. */
export async function writeReports(dir: string, reports: TestReport[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const files: string[] = [];
  for (const report of reports) {
    const stem = safeName(report.name ?? report.id ?? 'testscript');
    let name = stem;
    for (let i = 2; used.has(name); i++) name = `${stem}-${i}`;
    used.add(name);
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(report, null, 2) + '\n');
    files.push(file);
  }
  return files;
}
