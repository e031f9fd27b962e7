// Entry point of the FHIR R4 TestScript runner (client side: it calls a FHIR server over HTTP).
import { basename, relative, resolve } from 'node:path';
import type { TestReport } from '@medplum/fhirtypes';
import { formatSummary } from '../summary.js';
import { authorizationHeader } from './auth.js';
import { loadTestScript, surveyTestScriptFiles, type OtherFile } from './loader.js';
import { writeReports } from './report.js';
import { runScript } from './runner.js';
import type { LoadedScript } from './loader.js';
import type { RunOptions, RunSummary } from './types.js';

export type { RunOptions, RunSummary } from './types.js';
export { findTestScriptFiles, loadTestScript, surveyTestScriptFiles } from './loader.js';
export type { LoadedScript } from './loader.js';

/** The files the scripts of a run use as static fixtures (relative file references). */
function fixtureFiles(scripts: LoadedScript[]): Set<string> {
  const files = new Set<string>();
  for (const { script, dir } of scripts) {
    for (const def of script.fixture ?? []) {
      const ref = def.resource?.reference;
      if (ref && !ref.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(ref)) files.add(resolve(dir, ref.split('?')[0]));
    }
  }
  return files;
}

/**
 * Runs every TestScript found in `paths` (files or directories) against `options.base`.
 * Counts are per test. Tests skipped because setup failed, and scripts that cannot be loaded
 * or fail before any test, count as failed; tests the runner could not evaluate (an assert it
 * does not implement, a test without actions) count as skipped, never as passed. Files of a
 * directory that are neither TestScripts nor fixtures of one are reported as skipped too.
 */
export async function runTestScripts(paths: string[], options: RunOptions): Promise<RunSummary> {
  const log = options.log ?? (() => undefined);
  const authorization = await authorizationHeader(options);
  const reports: TestReport[] = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const survey = await surveyTestScriptFiles(paths);
  const loadedScripts: LoadedScript[] = [];
  for (const file of survey.scripts) {
    try {
      loadedScripts.push(await loadTestScript(file));
    } catch (err) {
      failed++;
      log(`FAIL ${basename(file)} › (load): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const fixtures = fixtureFiles(loadedScripts);
  const strays: OtherFile[] = survey.others.filter((o) => !fixtures.has(o.file));
  for (const stray of strays) {
    skipped++;
    log(`SKIP ${relativeName(paths, stray.file)} › (not run): not a TestScript, holds ${stray.holds}`);
  }
  for (const loaded of loadedScripts) {
    const run = await runScript(loaded, { base: options.base, authorization, overrides: options.variables ?? {} });
    reports.push(run.report);
    for (const t of run.tests) {
      if (t.result === 'pass') passed++;
      else if (t.result === 'skip' && !t.blocked) skipped++;
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
  log(formatSummary(passed, failed, skipped));
  return { passed, failed, skipped, reports };
}

/** A file's name relative to the directory given on the command line that holds it. */
function relativeName(paths: string[], file: string): string {
  const root = paths.map((p) => resolve(p)).find((p) => file.startsWith(p + '/'));
  return root ? relative(root, file) : basename(file);
}
