// Filling a step's `$name$` values from earlier steps: <UseId> (ids a step assigned, or its
// patient) and <UseReport> (named reports), running a referenced test first when this run has
// not yet run it (e.g. the 12346 data load before the stored-query tests).
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SectionState, TestState } from './context.js';
import { toolkitDate, type Variables } from './placeholders.js';
import type { AssignedKind } from './session.js';
import type { Step, UseId } from './types.js';

export class MissingValue extends Error {}

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
  const vars: Variables = new Map([['$DATE$', toolkitDate(state.ctx.now())]]);
  const referredPatients: string[] = [];

  for (const u of step.useIds) {
    const target = useIdTarget(u, state.test.name, sec.section.dir, state.test.dir);
    const kind = u.section as AssignedKind;
    let value = session.assignedValue(target.test, target.section, u.step, kind, u.id);
    if (value === undefined && target.test !== state.test.name) {
      await state.ctx.runDependency(target.test);
      value = session.assignedValue(target.test, target.section, u.step, kind, u.id);
    }
    if (value === undefined) throw new MissingValue(`no ${u.section} value for ${u.id} of ${target.test}/${target.section}/${u.step} (${u.symbol})`);
    vars.set(u.symbol, value);
    const p = session.stepPatient(target.test, target.section, u.step);
    if (p) referredPatients.push(p);
  }

  for (const r of step.useReports) {
    const test = r.test ?? state.test.name;
    let value = await session.report(test, r.section, r.step, r.reportName);
    if (value === undefined && test !== state.test.name) {
      await state.ctx.runDependency(test);
      value = await session.report(test, r.section, r.step, r.reportName);
    }
    if (value === undefined) throw new MissingValue(`no report ${r.reportName} from ${test}/${r.section}/${r.step}`);
    vars.set(r.useAs, value);
    const p = session.stepPatient(test, r.section, r.step);
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
