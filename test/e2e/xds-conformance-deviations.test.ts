// `carnet conformance xds` and a test that depends on DOC-04: a toolkit-format test plan written
// here, shaped as the toolkit's 12004 (a document registered, then sent again with its uniqueId),
// run in-process against Carnet. The step meets the declared deviation of deviations.json and the
// test is reported as DEVIATION — never as PASS — and nothing after it runs; a declaration the
// server does not meet is a FAIL.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDeviations, deviationKey } from '../../src/conformance/xds/deviations.js';
import { runXdsTests } from '../../src/conformance/xds/index.js';
import { serviceRegistrar } from '../../src/conformance/xds/local-server.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestPglite } from '../support/stores.js';
import { XDS_TESTKIT } from '../support/xds-raw.js';

const FEED = '<UseReport reportName="$patientid$" test="15817" section="pif" step="step" useAs="$patientid$"/>';

function register(id: string, expected: string, file: string, extra = ''): string {
  return `<TestStep id="${id}"><ExpectedStatus>${expected}</ExpectedStatus><RegisterTransaction>${extra}<XDSb/><NoPatientId/>${FEED}<MetadataFile>${file}</MetadataFile></RegisterTransaction></TestStep>`;
}

/** A test named 12004 in a fresh folder: register, send again (same uniqueId, same hash), then a step that fails if it runs. */
function writeResubmissionTest(): string {
  const root = mkdtempSync(join(tmpdir(), 'carnet-deviation-'));
  const dir = join(root, '12004', 'submit');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, '12004', 'index.idx'), 'submit\n');
  // one DocumentEntry registered by ITI-42, with its hash and size (the toolkit's own file)
  const original = readFileSync(join(XDS_TESTKIT, '15800', 'original', 'single_doc.xml'), 'utf8');
  const again = original.replace('<rim:ExternalIdentifier value="Document01"', '<rim:ExternalIdentifier value="$Document01_uid$"');
  expect(again).not.toBe(original);
  writeFileSync(join(dir, 'single_doc.xml'), original);
  writeFileSync(join(dir, 'single_doc2.xml'), again);
  writeFileSync(
    join(dir, 'testplan.xml'),
    `<?xml version="1.0" encoding="UTF-8"?><TestPlan><Test>12004/submit</Test>` +
      register('submit', 'Success', 'single_doc.xml', '<AssignUuids/>') +
      register('resubmit_doc', 'Success', 'single_doc2.xml', '<NoAssignUids id="Document01"/><AssignUuids/><UseId id="Document01" symbol="$Document01_uid$" step="submit" section="AssignedUids"/>') +
      // succeeds if it runs (a new document): expecting Failure makes it a FAIL, so it must not run
      register('after', 'Failure', 'single_doc.xml', '<AssignUuids/>') +
      `</TestPlan>`,
  );
  return root;
}

describe('carnet conformance xds: a test depending on DOC-04 is a declared deviation', () => {
  let db: Db;
  let server: RunningApp;
  const roots: string[] = [];

  beforeAll(async () => {
    db = await openTestPglite();
    server = await startTestApp(db);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await db?.close();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('DOC-04: the same uniqueId and hash sent again meets the declared deviation (Success with a Warning): DEVIATION, counted apart, nothing after it run', async () => {
    const root = writeResubmissionTest();
    roots.push(root);
    const lines: string[] = [];
    const summary = await runXdsTests([root], { base: server.baseUrl, registerPatient: serviceRegistrar(server.app.services), log: (l) => lines.push(l) });
    const r = summary.results.find((x) => x.test === '12004')!;
    expect({ result: r.result, at: r.at, steps: r.steps.map((s) => `${s.step}:${s.result}`) }).toEqual({
      result: 'deviation',
      at: 'submit/resubmit_doc',
      steps: ['submit:pass', 'resubmit_doc:deviation'],
    });
    expect({ passed: summary.passed, failed: summary.failed, deviations: summary.deviations }).toEqual({ passed: 0, failed: 0, deviations: 1 });
    expect(r.reason).toMatch(/^DOC-04: /);
    expect(lines).toContain(`DEVIATION 12004 [submit/resubmit_doc]: ${r.reason}`);
    expect(lines[lines.length - 1]).toBe('0 passed, 0 failed, 1 declared deviation');
  });

  it('DOC-04: a declaration the server does not meet is a FAIL, not a deviation', async () => {
    const root = writeResubmissionTest();
    roots.push(root);
    const declared = loadDeviations().get(deviationKey('12004', 'submit', 'resubmit_doc'))!;
    const wrong = new Map([[deviationKey('12004', 'submit', 'resubmit_doc'), { ...declared, carnet: { status: 'Success' as const, warningCode: 'XDSExtraMetadataNotSaved' } }]]);
    const summary = await runXdsTests([root], { base: server.baseUrl, registerPatient: serviceRegistrar(server.app.services), deviations: wrong });
    const r = summary.results.find((x) => x.test === '12004')!;
    expect(r.result).toBe('fail');
    expect(r.reason).toContain('declared deviation (DOC-04) not seen: expected a Warning XDSExtraMetadataNotSaved');
  });
});
