// The runner never reports what it did not evaluate as passed, and a directory run reads every
// file it meets: a TestScript is run whatever the length of what precedes its resourceType,
// and any other file is reported (a fixture the scripts use is the only file it keeps quiet).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTestScripts } from '../../../../src/conformance/testscript/index.js';
import { check, op, runInline, script } from './harness.js';
import { PATIENT, startFakeServer } from './fake-fhir-server.js';
import type { FakeServer } from './fake-fhir-server.js';

const read = op('read', { resource: 'Patient', params: '/123' });
const UNKNOWN_EXT = 'https://example.org/testscript/assert-bundle-entries';

describe('asserts the runner cannot evaluate are skipped, never passed', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  it('an assert carrying only an unimplemented extension is skipped, and so is its test', async () => {
    const ran = await runInline(server.base, script({
      name: 'ext-only',
      test: [{ name: 'only an extension', action: [read, check({ extension: [{ url: UNKNOWN_EXT, valueString: 'x' }] })] }],
    }));
    expect(ran.passed).toBe(0);
    expect(ran.failed).toBe(0);
    expect(ran.lines[0]).toBe(`SKIP ext-only › only an extension: assert: not evaluated: carries only extension ${UNKNOWN_EXT}, which this runner does not implement`);
    expect(ran.lines.at(-1)).toBe('0 passed, 0 failed, 1 skipped');
    expect(ran.report.test?.[0].action?.[1].assert?.result).toBe('skip');
    expect(ran.report.result).toBe('pending');
  });

  it('a modifier extension makes the whole assert unevaluated, even beside a check the runner knows', async () => {
    const ran = await runInline(server.base, script({
      name: 'modifier',
      test: [{ name: 'modified', action: [read, check({ response: 'okay', modifierExtension: [{ url: UNKNOWN_EXT, valueBoolean: true }] })] }],
    }));
    expect(ran.passed).toBe(0);
    expect(ran.lines[0]).toMatch(/^SKIP modifier › modified: .*not evaluated: carries modifierExtension/);
  });

  it('a plain extension beside an evaluated check is named in the report as not evaluated', async () => {
    const ran = await runInline(server.base, script({
      name: 'beside',
      test: [{ name: 'checked', action: [read, check({ response: 'okay', extension: [{ url: UNKNOWN_EXT, valueString: 'x' }] })] }],
    }));
    expect(ran.passed).toBe(1);
    expect(ran.report.test?.[0].action?.[1].assert?.message).toContain(`extension ${UNKNOWN_EXT} not evaluated`);
  });

  it('an assert naming no check at all (a value with no path, an operator alone) is skipped', async () => {
    const ran = await runInline(server.base, script({
      name: 'empty-asserts',
      test: [
        { name: 'value alone', action: [read, check({ value: 'Chalmers' })] },
        { name: 'operator alone', action: [read, check({ operator: 'notEmpty' })] },
      ],
    }));
    expect(ran.passed).toBe(0);
    expect(ran.failed).toBe(0);
    expect(ran.lines.slice(0, 2).every((l) => l.startsWith('SKIP ') && l.includes('names no check this runner knows'))).toBe(true);
  });

  it('a test with some asserts evaluated and one not is skipped, not passed', async () => {
    const ran = await runInline(server.base, script({
      name: 'partial',
      test: [{ name: 'half', action: [read, check({ response: 'okay' }), check({ extension: [{ url: UNKNOWN_EXT }] })] }],
    }));
    expect(ran.passed).toBe(0);
    expect(ran.lines[0]).toMatch(/^SKIP partial › half: /);
    expect(ran.report.test?.[0].action?.map((a) => a.operation?.result ?? a.assert?.result)).toEqual(['pass', 'pass', 'skip']);
  });

  it('a failure still wins over a skip in the same test', async () => {
    const ran = await runInline(server.base, script({
      name: 'fail-and-skip',
      test: [{ name: 'both', action: [read, check({ response: 'created' }), check({ extension: [{ url: UNKNOWN_EXT }] })] }],
    }));
    expect(ran.failed).toBe(1);
    expect(ran.lines[0]).toMatch(/^FAIL fail-and-skip › both: /);
  });

  it('a test without any action is skipped, not passed', async () => {
    const ran = await runInline(server.base, script({ name: 'no-actions', test: [{ name: 'empty', action: [] }] }));
    expect(ran.passed).toBe(0);
    expect(ran.lines[0]).toBe('SKIP no-actions › empty: the test has no action to evaluate');
  });

  it('half a comparison (compareToSourceId without an expression or path, or the reverse) is an error, not a pass', async () => {
    const ran = await runInline(server.base, script({
      name: 'half-compare',
      fixture: [{ id: 'patient', resource: { reference: 'patient.json' } }],
      test: [
        { name: 'source alone', action: [read, check({ compareToSourceId: 'patient', expression: 'Patient.active' })] },
        { name: 'expression alone', action: [read, check({ compareToSourceExpression: 'Patient.name.family' })] },
      ],
    }), { 'patient.json': PATIENT });
    expect(ran.passed).toBe(0);
    expect(ran.failed).toBe(2);
    expect(ran.lines[0]).toContain('compareToSourceId needs compareToSourceExpression or compareToSourcePath');
    expect(ran.lines[1]).toContain('need compareToSourceId');
  });
});

describe('a directory run reads every file', () => {
  let server: FakeServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeServer();
    dir = await mkdtemp(join(tmpdir(), 'testscript-dir-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a TestScript whose resourceType comes after 4,000 characters, and reports files that are not TestScripts', async () => {
    // JSON keeps the author's key order: a long description first pushes resourceType far down.
    const late = `{"description": ${JSON.stringify('x'.repeat(6000))}, ${JSON.stringify(script({ name: 'late', test: [{ name: 't', action: [read, check({ response: 'okay' })] }] })).slice(1)}`;
    expect(late.indexOf('"resourceType"')).toBeGreaterThan(4000);
    await mkdir(join(dir, 'sub', 'fixtures'), { recursive: true });
    await writeFile(join(dir, 'sub', 'late.json'), late);
    // a fixture the script uses is quiet; a stray Bundle and an unreadable file are reported
    await writeFile(join(dir, 'sub', 'uses-fixture.json'), JSON.stringify(script({
      name: 'with-fixture',
      fixture: [{ id: 'p', resource: { reference: 'fixtures/patient.json' } }],
      test: [{ name: 't', action: [read, check({ response: 'okay' })] }],
    })));
    await writeFile(join(dir, 'sub', 'fixtures', 'patient.json'), JSON.stringify(PATIENT));
    await writeFile(join(dir, 'stray-bundle.json'), JSON.stringify({ resourceType: 'Bundle', type: 'collection' }));
    await writeFile(join(dir, 'notes.xml'), 'this is not XML');
    const lines: string[] = [];
    const summary = await runTestScripts([dir], { base: server.base, log: (l) => lines.push(l) });
    expect(lines).toContain('PASS late › t');
    expect(lines).toContain('PASS with-fixture › t');
    expect(lines).toContain('SKIP stray-bundle.json › (not run): not a TestScript, holds a Bundle');
    expect(lines.some((l) => l.startsWith('SKIP notes.xml › (not run): not a TestScript, holds unreadable content'))).toBe(true);
    expect(lines.some((l) => l.includes('patient.json'))).toBe(false);
    expect(summary).toMatchObject({ passed: 2, failed: 0, skipped: 2 });
  });
});
