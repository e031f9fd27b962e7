// Running one test: its sections in index.idx order, their steps in order, stopping at the first
// step that fails (later steps build on it). A step this runner does not send makes the test a SKIP;
// a step meeting a declared deviation ends the test (or its section) and makes it a DEVIATION.
import { TestState, type RunContext, type SectionState } from './context.js';
import { runStep } from './step-runner.js';
import type { LoadedTest, StepResult, TestResult } from './types.js';

export async function runTest(test: LoadedTest, ctx: RunContext): Promise<TestResult> {
  const state = new TestState(test, ctx);
  const steps: StepResult[] = [];
  let deviated: { at: string; reason?: string } | undefined;
  sections: for (const section of test.sections) {
    const sec: SectionState = { section, log: [] };
    for (const step of section.steps) {
      const started = Date.now();
      const out = await runStep(step, state, sec);
      const at = section.name ? `${section.name}/${step.id}` : step.id;
      steps.push({
        section: section.name,
        step: step.id,
        kind: step.kind,
        result: out.result,
        ...(out.reason ? { reason: out.reason } : {}),
        ...(out.status ? { status: out.status } : {}),
        durationMs: Date.now() - started,
      });
      // A declared deviation ends what builds on the toolkit's answer: the test, or only its section.
      if (out.result === 'deviation') {
        deviated ??= { at, reason: out.reason };
        if (out.stops === 'section') continue sections;
        break sections;
      }
      if (out.result !== 'pass') {
        const notes = [...state.notes].filter((n) => !out.reason?.includes(n));
        const reason = notes.length ? `${out.reason ?? ''} (${notes.join('; ')})` : out.reason;
        return { test: test.name, result: out.result, at, reason, steps };
      }
    }
  }
  if (!steps.length) return { test: test.name, result: 'skip', reason: 'no steps', steps };
  if (deviated) return { test: test.name, result: 'deviation', at: deviated.at, reason: deviated.reason, steps };
  return { test: test.name, result: 'pass', steps };
}
