// Assembles the ITI-65 Bundles the NIST Asbestos MHDv420 Document Recipient tests send, the way
// Asbestos does: the base fixture `MHD_DocumentRecipient_*/<test>/Bundle/<fixtureId>.xml`, with
// each `<!--@{Name}-->` marker replaced by `<v420 test>/Bundle/Name.xml` or else
// `<v420 collection>/Common/Name.xml`, `@{RandomUUID}` by a fresh UUID and `${variable}` by the
// variables given (patientResourceId, original, ...). Fixtures live in test/fixtures/mhd/.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MHD_FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'mhd');

export type AsbestosCollection = 'MHDv420_DocumentRecipient_comprehensive' | 'MHDv420_DocumentRecipient_minimal';

/** The Patient URL the fixtures' `${patientResourceId}` becomes unless told otherwise. */
export const DEFAULT_PATIENT_URL = 'http://localhost:8080/fhir/Patient/William_EXTRA-ONE';

export interface AsbestosFixtureRef {
  fixtureId: string;
  /** base collection holding the fixture; undefined = the v420 test's own Bundle folder */
  baseCollection?: string;
  /** base test folder when it differs from the v420 test name */
  baseTestName?: string;
}

export interface AsbestosTest {
  collection: AsbestosCollection;
  name: string;
  /** the Bundles the test sends, in order (two for replace/append/transform tests) */
  fixtures: AsbestosFixtureRef[];
  /** whether the description expects the (last) transaction to succeed */
  expectSuccess: boolean;
  /** assertion ids the test expects to fail (negative tests) */
  expectedFailAssertionIds: string[];
  description: string;
}

function collectionDir(collection: string): string {
  return join(MHD_FIXTURES_DIR, collection);
}

function parseTest(collection: AsbestosCollection, name: string): AsbestosTest {
  const dir = join(collectionDir(collection), name);
  const script = readFileSync(join(dir, 'TestScript.xml'), 'utf8');
  const description = existsSync(join(dir, 'description.md')) ? readFileSync(join(dir, 'description.md'), 'utf8') : '';
  const fixtures: AsbestosFixtureRef[] = [];
  const seen = new Set<string>();
  for (const m of script.matchAll(/\?fixtureId=([A-Za-z0-9_-]+)((?:&amp;[A-Za-z]+=[A-Za-z0-9_-]+)*)/g)) {
    const params = new Map<string, string>();
    for (const p of (m[2] ?? '').split('&amp;').filter(Boolean)) {
      const [k, v] = p.split('=');
      if (k && v) params.set(k, v);
    }
    const ref: AsbestosFixtureRef = { fixtureId: m[1] as string };
    const base = params.get('baseTestCollection');
    const baseTest = params.get('baseTestName');
    if (base) ref.baseCollection = base;
    if (baseTest) ref.baseTestName = baseTest;
    const key = JSON.stringify(ref);
    if (!seen.has(key)) {
      seen.add(key);
      fixtures.push(ref);
    }
  }
  const failList = /<name value="expectedFailAssertionIdList"\/>\s*<defaultValue value="\(([^)]*)\)"/.exec(script);
  const expectedFailAssertionIds = failList ? [...(failList[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1] as string) : [];
  const outcome = /\*\*Expected Outcome\*\*:([^\n]*)/.exec(description)?.[1] ?? '';
  const expectSuccess = outcome === '' ? expectedFailAssertionIds.length === 0 : /succeed/i.test(outcome);
  return { collection, name, fixtures, expectSuccess, expectedFailAssertionIds, description };
}

/** Every test of a v420 Document Recipient collection that sends a Bundle. */
export function listAsbestosTests(collection: AsbestosCollection): AsbestosTest[] {
  return readdirSync(collectionDir(collection), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'Common' && existsSync(join(collectionDir(collection), d.name, 'TestScript.xml')))
    .map((d) => parseTest(collection, d.name))
    .filter((t) => t.fixtures.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function getAsbestosTest(collection: AsbestosCollection, name: string): AsbestosTest {
  return parseTest(collection, name);
}

export interface AssembleOptions {
  /** values of `${name}` placeholders; patientResourceId defaults to DEFAULT_PATIENT_URL */
  variables?: Record<string, string>;
  /** UUID generator for `@{RandomUUID}` (default crypto.randomUUID) */
  uuid?: () => string;
}

/** The XML of one Bundle a test sends. */
export function assembleAsbestosBundle(test: AsbestosTest, fixture: AsbestosFixtureRef = test.fixtures[0] as AsbestosFixtureRef, options: AssembleOptions = {}): string {
  const testDir = join(collectionDir(test.collection), test.name);
  const basePath = fixture.baseCollection
    ? join(collectionDir(fixture.baseCollection), fixture.baseTestName ?? test.name, 'Bundle', `${fixture.fixtureId}.xml`)
    : join(testDir, 'Bundle', `${fixture.fixtureId}.xml`);
  let xml = readFileSync(basePath, 'utf8');
  for (let round = 0; round < 5 && /<!--\s*@\{/.test(xml); round++) {
    xml = xml.replace(/<!--\s*@\{([A-Za-z0-9_]+)\}\s*-->/g, (_all, name: string) => {
      for (const candidate of [join(testDir, 'Bundle', `${name}.xml`), join(collectionDir(test.collection), 'Common', `${name}.xml`)]) {
        if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
      }
      throw new Error(`No snippet ${name} for ${test.collection}/${test.name}`);
    });
  }
  const uuid = options.uuid ?? randomUUID;
  xml = xml.replace(/@\{RandomUUID\}/g, () => uuid());
  const variables: Record<string, string> = { patientResourceId: DEFAULT_PATIENT_URL, ...options.variables };
  xml = xml.replace(/\$\{([A-Za-z0-9_]+)\}/g, (all, name: string) => variables[name] ?? all);
  return xml;
}
