// TestScripts go through the loader (parse only): the project's own suites (JSON, with their
// static fixtures) and the NIST Asbestos MHD collections (XML).
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTestScriptFiles, loadTestScript } from '../../../../src/conformance/testscript/index.js';
import { loadStaticFixture } from '../../../../src/conformance/testscript/fixtures.js';

// The shared reference data sits beside the project (as on the developers' machines and in CI).
const SHARED = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', '..', 'shared', 'data', 'testscript');
const PROJECT_SUITES = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'conformance', 'testscripts');
const ASBESTOS = join(SHARED, 'asbestos/TestCollections');

describe('loading public TestScripts', () => {
  it('loads every TestScript of the project\'s suites and its static fixtures', async () => {
    const files = await findTestScriptFiles([PROJECT_SUITES]);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const loaded = await loadTestScript(file);
      expect(loaded.script.resourceType).toBe('TestScript');
      for (const def of loaded.script.fixture ?? []) {
        const fixture = await loadStaticFixture(loaded.script, loaded.dir, def);
        expect(fixture.id).toBe(def.id);
      }
    }
  });

  (existsSync(ASBESTOS) ? it : it.skip)('loads the Asbestos XML TestScripts, refusing only those outside the FHIR namespace', async () => {
    const files = await findTestScriptFiles([ASBESTOS]);
    expect(files.length).toBeGreaterThan(200);
    const refused: string[] = [];
    for (const file of files) {
      try {
        const loaded = await loadTestScript(file);
        expect(loaded.script.resourceType).toBe('TestScript');
      } catch (err) {
        refused.push(file);
        expect(String(err)).toMatch(/namespace/);
        expect(await readFile(file, 'utf8')).not.toMatch(/<TestScript[^>]*xmlns="http:\/\/hl7.org\/fhir"/);
      }
    }
    expect(refused.length).toBeLessThan(5);
  });
});
