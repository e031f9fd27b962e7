// Helpers for the runner's tests: write an inline TestScript (and its fixture files) to a
// temporary directory, run it, and hand back the log lines and the TestReport.
import { afterAll } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestReport } from '@medplum/fhirtypes';
import { runTestScripts } from '../../../../src/conformance/testscript/index.js';
import type { RunOptions } from '../../../../src/conformance/testscript/index.js';

export const SYS = 'http://terminology.hl7.org/CodeSystem/testscript-operation-codes';

type Json = Record<string, unknown>;

/** The folders runInline made, removed when the test file ends. */
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export const op = (code: string, fields: Json = {}): Json => ({ operation: { type: { system: SYS, code }, ...fields } });
export const check = (fields: Json): Json => ({ assert: fields });

export function script(fields: Json): Json {
  return { resourceType: 'TestScript', name: 'inline', status: 'active', ...fields };
}

export interface Ran {
  passed: number;
  failed: number;
  lines: string[];
  report: TestReport;
  dir: string;
}

/** Writes `files` (name -> text or JSON) next to the script (JSON, or XML when a string) and runs it. */
export async function runInline(base: string, testScript: Json | string, files: Record<string, unknown> = {}, options: Partial<RunOptions> = {}): Promise<Ran> {
  const dir = await mkdtemp(join(tmpdir(), 'testscript-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  const file = join(dir, typeof testScript === 'string' ? 'script.xml' : 'script.json');
  await writeFile(file, typeof testScript === 'string' ? testScript : JSON.stringify(testScript));
  const lines: string[] = [];
  const result = await runTestScripts([file], { base, log: (l) => lines.push(l), ...options });
  return { passed: result.passed, failed: result.failed, lines, report: result.reports[0], dir };
}

/** The result the log gives each test, by test name. */
export function resultsByTest(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const m = /^(PASS|FAIL|SKIP) .+? › (.+?)(?:: .*)?$/.exec(line);
    if (m) out[m[2]] = m[1];
  }
  return out;
}
