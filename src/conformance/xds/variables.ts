// Filling a step's `$name$` values from earlier steps: <UseId> (ids a step assigned, or its
// patient) and <UseReport> (named reports), running a referenced test first when this run has
// not yet run it (e.g. the 12346 data load before the stored-query tests).
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SectionState, TestState } from './context.js';
import { toolkitDate, toolkitTimes, type Variables } from './placeholders.js';
import { FEED_TESTS, type AssignedKind } from './session.js';
import type { Step, TestResult, UseId } from './types.js';

export class MissingValue extends Error {}

/**
 * Runs (once) another test this step takes values from; the feed tests are not run, their patient
 * is registered instead. Returns a note for messages, and keeps it on the test when that test
 * did not pass, so a failure downstream names its cause.
 */
async function dependency(state: TestState, test: string): Promise<string> {
  if (test === state.test.name || FEED_TESTS[test]) return '';
  const r: TestResult | undefined = await state.ctx.runDependency(test);
  const note = !r ? `test ${test} not found or not runnable here` : r.result === 'pass' ? '' : `test ${test} ${r.result === 'fail' ? `failed at ${r.at}` : 'was skipped'}`;
  if (note) state.notes.add(note);
  return note ? ` (${note})` : '';
}

/** The (test, section) a UseId's testdir points at. */
export function useIdTarget(u: UseId, testName: string, sectionDir: string, testDir: string): { test: string; section: string } {
  const fromSection = resolve(sectionDir, u.testdir);
  const fromTest = resolve(testDir, u.testdir);
  const dir = existsSync(fromSection) ? fromSection : existsSync(fromTest) ? fromTest : fromSection;
  const section = basename(dir);
  const test = basename(dirname(dir));
  // `../submit` from a section of this test, or a folder of another test
  return { test: test === basename(testDir) ? testName : test, section };
}

/** Other steps a step refers to, so its patient can follow theirs. */
export interface Resolved {
  vars: Variables;
  /** patients of the steps referred to */
  referredPatients: string[];
}

export async function resolveVariables(step: Step, state: TestState, sec: SectionState): Promise<Resolved> {
  const { session } = state.ctx;
  const now = state.ctx.now();
  const vars: Variables = new Map([['$DATE$', toolkitDate(now)], ...toolkitTimes(now)]);
  const referredPatients: string[] = [];

  for (const u of step.useIds) {
    const target = useIdTarget(u, state.test.name, sec.section.dir, state.test.dir);
    const kind = u.section as AssignedKind;
    const because = await dependency(state, target.test);
    const value = session.assignedValue(target.test, target.section, u.step, kind, u.id);
    if (value === undefined) throw new MissingValue(`no ${u.section} value for ${u.id} of ${target.test}/${target.section}/${u.step} (${u.symbol})${because}`);
    vars.set(u.symbol, value);
    const p = session.stepPatient(target.test, target.section, u.step);
    if (p) referredPatients.push(p);
  }

  for (const r of step.useReports) {
    const test = r.test ?? state.test.name;
    // section THIS: the section the step is in
    const section = r.section === 'THIS' ? sec.section.name : r.section;
    const because = await dependency(state, test);
    const value = await session.report(test, section, r.step, r.reportName);
    if (value === undefined) throw new MissingValue(`no report ${r.reportName} from ${test}/${section}/${r.step}${because}`);
    vars.set(r.useAs, value);
    const p = session.stepPatient(test, section, r.step);
    if (p) referredPatients.push(p);
    if (r.reportName === '$patientid$') referredPatients.push(value);
  }
  return { vars, referredPatients };
}

/** Adds the run's own `$patientid$`/`$altpatientid$` when the text needs them and no step gave them. */
export async function addDefaults(text: string, vars: Variables, state: TestState): Promise<void> {
  if (text.includes('$patientid$') && !vars.has('$patientid$')) vars.set('$patientid$', await state.currentPatient());
  if (text.includes('$altpatientid$') && !vars.has('$altpatientid$')) vars.set('$altpatientid$', state.ctx.session.unknownPatient());
}
