// Entry point of the FHIR R4 TestScript runner (client side: it calls a FHIR server over HTTP).
import { basename } from 'node:path';
import type { TestReport } from '@medplum/fhirtypes';
import { formatSummary } from '../summary.js';
import { authorizationHeader } from './auth.js';
import { findTestScriptFiles, loadTestScript } from './loader.js';
import { writeReports } from './report.js';
import { runScript } from './runner.js';
import type { RunOptions, RunSummary } from './types.js';

export type { RunOptions, RunSummary } from './types.js';
export { findTestScriptFiles, loadTestScript } from './loader.js';
export type { LoadedScript } from './loader.js';

/**
 * Runs every TestScript found in `paths` (files or directories) against `options.base`.
 * Counts are per test; tests skipped because setup failed, and scripts that cannot be loaded
 * or fail before any test, count as failed.
 */
export async function runTestScripts(paths: string[], options: RunOptions): Promise<RunSummary> {
  const log = options.log ?? (() => undefined);
  const authorization = await authorizationHeader(options);
  const reports: TestReport[] = [];
  let passed = 0;
  let failed = 0;
  for (const file of await findTestScriptFiles(paths)) {
    let loaded;
    try {
      loaded = await loadTestScript(file);
    } catch (err) {
      failed++;
      log(`FAIL ${basename(file)} › (load): ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    const run = await runScript(loaded, { base: options.base, authorization, overrides: options.variables ?? {} });
    reports.push(run.report);
    for (const t of run.tests) {
      if (t.result === 'pass') passed++;
      else failed++;
      const tag = t.result === 'pass' ? 'PASS' : t.result === 'skip' ? 'SKIP' : 'FAIL';
      log(`${tag} ${run.name} › ${t.name}${t.message ? `: ${t.message}` : ''}`);
    }
    if (run.tests.length === 0 && run.report.result === 'fail') {
      failed++;
      log(`FAIL ${run.name} › (setup): ${run.setupFailure ?? 'failed'}`);
    }
  }
  if (options.reportDir) await writeReports(options.reportDir, reports);
  log(formatSummary(passed, failed));
  return { passed, failed, reports };
}
