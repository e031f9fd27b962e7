// Running one loaded TestScript: fixtures, setup, independent tests, teardown; -> TestReport.
import { basename } from 'node:path';
import type { TestReport, TestReportSetupAction, TestReportTeardownAction, TestReportTest, TestScriptSetupActionOperation } from '@medplum/fhirtypes';
import { runActions, runOperation } from './actions.js';
import { fixtureResource } from './context.js';
import type { RunContext } from './context.js';
import { loadStaticFixture } from './fixtures.js';
import type { LoadedScript } from './loader.js';
import { firstFailure, isFailure, reportAction, skipReason, testResult } from './report.js';
import { fixtureIdentity } from './request.js';

export interface ScriptSettings {
  base: string;
  authorization?: string;
  overrides: Record<string, string>;
}

export interface TestLine {
  name: string;
  result: 'pass' | 'fail' | 'skip';
  message?: string;
  /** skipped because setup failed: the script did not run, which counts as a failure */
  blocked?: boolean;
}

export interface ScriptRun {
  name: string;
  report: TestReport;
  tests: TestLine[];
  /** Why setup failed (tests were then skipped). */
  setupFailure?: string;
}

const OPERATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/testscript-operation-codes';

function syntheticOperation(code: string, fields: Partial<TestScriptSetupActionOperation>): TestScriptSetupActionOperation {
  return { type: { system: OPERATION_SYSTEM, code }, encodeRequestUrl: true, ...fields };
}

export function scriptName(loaded: LoadedScript): string {
  return loaded.script.name ?? loaded.script.title ?? loaded.script.id ?? basename(loaded.file);
}

/** Loads static fixtures and autocreates those asking for it; returns report actions. */
async function prepareFixtures(ctx: RunContext, dir: string): Promise<{ actions: TestReportSetupAction[]; failed: boolean }> {
  const actions: TestReportSetupAction[] = [];
  for (const def of ctx.script.fixture ?? []) {
    try {
      const fixture = await loadStaticFixture(ctx.script, dir, def);
      ctx.fixtures.set(fixture.id, fixture);
    } catch (err) {
      actions.push(reportAction('operation', { result: 'error', message: err instanceof Error ? err.message : String(err) }));
      return { actions, failed: true };
    }
  }
  for (const def of ctx.script.fixture ?? []) {
    if (!def.autocreate || !def.id) continue;
    const fixture = ctx.fixtures.get(def.id);
    const type = fixtureResource(fixture)?.resourceType;
    const outcome = await runOperation(ctx, syntheticOperation('create', { resource: type, sourceId: def.id, label: `autocreate ${def.id}` }));
    const status = ctx.last?.response?.status ?? 0;
    if (!isFailure(outcome) && (status < 200 || status >= 300)) {
      outcome.result = 'fail';
      outcome.message += ' (autocreate expects a 2xx status)';
    }
    actions.push(reportAction('operation', outcome));
    if (isFailure(outcome)) return { actions, failed: true };
    if (fixture && ctx.last) fixture.serverId = fixtureIdentity({ id: def.id, exchange: ctx.last, side: 'response' }).id;
  }
  return { actions, failed: false };
}

async function autodelete(ctx: RunContext): Promise<TestReportTeardownAction[]> {
  const actions: TestReportTeardownAction[] = [];
  for (const def of ctx.script.fixture ?? []) {
    const fixture = def.id ? ctx.fixtures.get(def.id) : undefined;
    if (!def.autodelete || !fixture?.serverId) continue;
    const type = fixtureResource(fixture)?.resourceType;
    const outcome = await runOperation(ctx, syntheticOperation('delete', { resource: type, targetId: def.id, label: `autodelete ${def.id}` }));
    actions.push({ operation: reportAction('operation', outcome).operation! });
  }
  return actions;
}

export async function runScript(loaded: LoadedScript, settings: ScriptSettings): Promise<ScriptRun> {
  const { script } = loaded;
  const name = scriptName(loaded);
  const ctx: RunContext = {
    script, dir: loaded.dir, base: settings.base, authorization: settings.authorization,
    overrides: settings.overrides, fixtures: new Map(),
  };

  const prepared = await prepareFixtures(ctx, loaded.dir);
  const setupActions = [...prepared.actions];
  let setupFailed = prepared.failed;
  if (!setupFailed && script.setup?.action?.length) {
    const setup = await runActions(ctx, script.setup.action, { stopOnFailure: true });
    setupActions.push(...setup.actions);
    setupFailed = setup.failed;
  }
  const setupFailure = setupFailed ? firstFailure(setupActions) ?? 'setup failed' : undefined;

  // Each test starts from the state setup left; fixtures a test captures stay visible to teardown.
  const afterSetup = { fixtures: new Map(ctx.fixtures), last: ctx.last };
  const allFixtures = new Map(ctx.fixtures);
  const tests: TestReportTest[] = [];
  const lines: TestLine[] = [];
  for (const [i, test] of (script.test ?? []).entries()) {
    const testName = test.name ?? test.id ?? `test ${i + 1}`;
    let actions: TestReportSetupAction[];
    if (setupFailed) {
      actions = (test.action ?? []).map((a) => reportAction(a.operation ? 'operation' : 'assert', { result: 'skip', message: `setup failed: ${setupFailure}` }));
    } else {
      ctx.fixtures = new Map(afterSetup.fixtures);
      ctx.last = afterSetup.last;
      actions = (await runActions(ctx, test.action ?? [], { stopOnFailure: false })).actions;
      for (const [id, f] of ctx.fixtures) allFixtures.set(id, f);
    }
    const entry: TestReportTest = { name: testName, description: test.description, action: actions };
    tests.push(entry);
    if (setupFailed) {
      lines.push({ name: testName, result: 'skip', message: `setup failed: ${setupFailure}`, blocked: true });
    } else {
      const result = testResult(entry);
      lines.push({ name: testName, result, message: result === 'skip' ? skipReason(entry) : firstFailure(actions) });
    }
  }

  ctx.fixtures = allFixtures;
  const teardownActions: TestReportTeardownAction[] = [];
  for (const action of script.teardown?.action ?? []) {
    const outcome = await runOperation(ctx, action.operation);
    teardownActions.push({ operation: reportAction('operation', outcome).operation! });
  }
  teardownActions.push(...(await autodelete(ctx)));

  const passedTests = lines.filter((l) => l.result === 'pass').length;
  const failed = setupFailed || lines.some((l) => l.result === 'fail');
  const evaluatedTests = lines.filter((l) => l.result !== 'skip').length;
  const report: TestReport = {
    resourceType: 'TestReport',
    id: script.id,
    name,
    status: 'completed',
    testScript: { reference: script.url ?? loaded.file, display: name },
    // R4 has no 'skipped' result: a run with tests the runner could not evaluate has not reached
    // a final verdict, so it is 'pending', never 'pass'.
    result: failed ? 'fail' : evaluatedTests < lines.length ? 'pending' : 'pass',
    // the score is over the tests that were evaluated; skipped ones are neither passed nor failed
    ...(evaluatedTests ? { score: Math.round((passedTests / evaluatedTests) * 100) } : failed ? { score: 0 } : {}),
    tester: 'Carnet TestScript runner',
    issued: new Date().toISOString(),
    participant: [{ type: 'server', uri: settings.base }],
    ...(setupActions.length ? { setup: { action: setupActions } } : {}),
    ...(tests.length ? { test: tests } : {}),
    ...(teardownActions.length ? { teardown: { action: teardownActions } } : {}),
  };
  return { name, report, tests: lines, setupFailure };
}
