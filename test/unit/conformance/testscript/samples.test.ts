// Public TestScripts go through the loader (parse only): the fhir-crucible testscript-engine
// samples (JSON) and the NIST Asbestos MHD collections (XML).
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTestScriptFiles, loadTestScript } from '../../../../src/conformance/testscript/index.js';
import { loadStaticFixture } from '../../../../src/conformance/testscript/fixtures.js';

// The shared reference data sits beside the project (as on the developers' machines and in CI).
const SHARED = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', '..', 'shared', 'data', 'testscript');
// The shared data README lists testscript-engine-samples/, but the folder may be absent on a
// machine; TESTSCRIPT_ENGINE_SAMPLES points at another copy of its TestScripts/ folder.
const ENGINE_SAMPLES = process.env.TESTSCRIPT_ENGINE_SAMPLES ?? join(SHARED, 'testscript-engine-samples');
const ASBESTOS = join(SHARED, 'asbestos/TestCollections');

describe('loading public TestScripts', () => {
  (existsSync(ENGINE_SAMPLES) ? it : it.skip)('loads every testscript-engine sample and its static fixtures', async () => {
    const files = await findTestScriptFiles([ENGINE_SAMPLES]);
    expect(files.length).toBeGreaterThanOrEqual(5);
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
