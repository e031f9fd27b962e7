// Entry point of the NIST XDS toolkit test-plan runner (client side: it calls an XDS.b server).
// One line per test (`PASS|FAIL|SKIP|DEVIATION <test> [section/step]: reason`), then the summary:
// `N passed, N failed, N skipped, N declared deviations`.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PatientIdentifier } from '../../domain/model.js';
import { formatSummary } from '../summary.js';
import type { Endpoints, RunContext } from './context.js';
import { loadPolicy } from '../../profiles/load.js';
import { AffinityCodeMapper } from './affinity-codes.js';
import { loadAffinityTable, type AffinityTable } from './affinity-table.js';
import { DEFAULT_PROFESSIONAL, RunnerAssertions, testOnlySigner, type RunnerProfessional, type Signer } from './identity.js';
import { findTestDirs, loadTest } from './loader.js';
import { loadDeviations, type Deviations } from './deviations.js';
import { loadNotApplicable } from './not-applicable.js';
import { RunSession, type PatientRole } from './session.js';
import { runTest } from './test-runner.js';
import type { LoadedTest, RunSummary, TestResult } from './types.js';

export type { RunSummary, TestResult } from './types.js';
export { DEFAULT_PROFESSIONAL } from './identity.js';
export type { RunnerProfessional, Signer } from './identity.js';

export interface XdsRunOptions {
  /** server base URL; the doors are `<base>/xds/registry` and `<base>/xds/repository` */
  base: string;
  endpoints?: Partial<Endpoints>;
  /** registers a patient on the server (and authorises the runner's professional) */
  registerPatient?: (patient: PatientIdentifier) => Promise<void>;
  /** patients that already exist, by feed role, when the runner cannot register */
  patients?: Partial<Record<PatientRole, PatientIdentifier>>;
  patientSystem?: string;
  professional?: Partial<RunnerProfessional>;
  /** VIHF signing pair (default: the committed TEST-ONLY pair) */
  signer?: Signer;
  audience?: string;
  sourceId?: string;
  /**
   * affinity-domain code table; default conformance/xds/affinity-codes.json checked against
   * `profilesDir` (default profiles); false sends the toolkit's codes as they are
   */
  affinityCodes?: AffinityTable | false;
  profilesDir?: string;
  /** test name -> reason; default conformance/xds/not-applicable.json */
  notApplicable?: Map<string, string>;
  /** steps answered on purpose otherwise than the toolkit expects; default conformance/xds/deviations.json */
  deviations?: Deviations;
  log?: (line: string) => void;
  /** write the machine-readable report (JSON) here */
  reportFile?: string;
  now?: () => Date;
}

/** One test's line of the run's log (and of a report printed again: .ci/xds-report). */
export function line(r: TestResult): string {
  const tag = ({ pass: 'PASS', fail: 'FAIL', skip: 'SKIP', deviation: 'DEVIATION' } as const)[r.result];
  const at = r.at ? ` [${r.at}]` : '';
  return `${tag} ${r.test}${r.result === 'pass' ? '' : at}${r.reason ? `: ${r.reason}` : ''}`;
}

/** Runs every toolkit test found in `paths` (test folders or folders of tests). */
export async function runXdsTests(paths: string[], options: XdsRunOptions): Promise<RunSummary> {
  const log = options.log ?? (() => undefined);
  const signer = options.signer ?? testOnlySigner();
  if (!signer) throw new Error('no VIHF signing key: give one (the TEST-ONLY pair is not in this checkout)');
  const base = options.base.replace(/\/$/, '');
  const notApplicable = options.notApplicable ?? loadNotApplicable();
  const deviations = options.deviations ?? loadDeviations();
  const session = new RunSession({
    registerPatient: options.registerPatient,
    patients: options.patients,
    patientSystem: options.patientSystem,
  });
  const professional = { ...DEFAULT_PROFESSIONAL, ...options.professional };
  const table =
    options.affinityCodes === false ? undefined : (options.affinityCodes ?? loadAffinityTable(loadPolicy(options.profilesDir), professional));
  const dirs = findTestDirs(paths);
  // Tests referred to by others are looked for next to the tests given.
  const roots = [...new Set([...dirs.map((d) => dirname(d)), ...paths])];
  const results = new Map<string, TestResult>();
  const running = new Set<string>();

  const record = (r: TestResult) => {
    results.set(r.test, r);
    log(line(r));
    return r;
  };

  const execute = async (test: LoadedTest): Promise<TestResult> => {
    const done = results.get(test.name);
    if (done) return done;
    const na = notApplicable.get(test.name);
    if (na) return record({ test: test.name, result: 'skip', reason: `not applicable: ${na}`, steps: [] });
    running.add(test.name);
    try {
      return record(await runTest(test, ctx));
    } finally {
      running.delete(test.name);
    }
  };

  const ctx: RunContext = {
    session,
    endpoints: {
      registry: options.endpoints?.registry ?? `${base}/xds/registry`,
      repository: options.endpoints?.repository ?? `${base}/xds/repository`,
    },
    professional,
    deviations,
    ...(table ? { codes: new AffinityCodeMapper(table) } : {}),
    signer,
    assertions: new RunnerAssertions(professional, signer, options.audience),
    audience: options.audience,
    sourceId: options.sourceId,
    now: options.now ?? (() => new Date()),
    async runDependency(name) {
      if (results.has(name)) return results.get(name);
      if (running.has(name)) return undefined;
      const dir = roots.map((r) => join(r, name)).find((d) => existsSync(join(d, 'index.idx')) || existsSync(join(d, 'testplan.xml')));
      if (!dir) return undefined;
      return execute(loadTest(dir));
    },
  };

  for (const dir of dirs) {
    let test: LoadedTest;
    try {
      test = loadTest(dir);
    } catch (e) {
      const name = dir.split(/[\\/]/).pop()!;
      record({ test: name, result: 'fail', at: '(load)', reason: e instanceof Error ? e.message : String(e), steps: [] });
      continue;
    }
    await execute(test);
  }

  const all = [...results.values()];
  const summary: RunSummary = {
    passed: all.filter((r) => r.result === 'pass').length,
    failed: all.filter((r) => r.result === 'fail').length,
    skipped: all.filter((r) => r.result === 'skip').length,
    deviations: all.filter((r) => r.result === 'deviation').length,
    results: all,
  };
  if (options.reportFile) {
    await mkdir(dirname(options.reportFile), { recursive: true });
    const report = { base, finishedAt: new Date().toISOString(), passed: summary.passed, failed: summary.failed, skipped: summary.skipped, deviations: summary.deviations, tests: all };
    await writeFile(options.reportFile, JSON.stringify(report, null, 2) + '\n');
  }
  log(formatSummary(summary.passed, summary.failed, summary.skipped, summary.deviations));
  return summary;
}
