// Issue 12 proof: every FHIR JSON answer of the e2e servers is valid against the official R4
// JSON Schema (test/fixtures/fhir/schema/), an independent judge: not the validator the server
// runs. Compiling the schema costs seconds, so the compiled validator is kept as code in
// node_modules/.cache, named by the schema's and Ajv's fingerprint; each test file then loads it
// in about half a second, and once per Jest process rather than once per file (through Node's own
// require, which the test environment lends: test/support/shared.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shared } from './shared.js';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCHEMA = join(ROOT, 'test', 'fixtures', 'fhir', 'schema', 'fhir.schema.json');
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

interface AjvError {
  instancePath: string;
  message?: string;
}
type Validate = ((value: unknown) => boolean) & { errors?: AjvError[] | null };

/**
 * The schema as Ajv takes it: its top-level `discriminator` (OpenAPI's, with a mapping Ajv does
 * not read) is dropped, and the list of resources is told apart by resourceType, which each of
 * its members fixes by `const`: the same answers as trying every member, in one look-up.
 */
function compile(): string {
  const Ajv = require('ajv').default;
  const standalone = require('ajv/dist/standalone/index.js').default;
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
  delete schema.discriminator;
  delete schema.id;
  schema.$id = SCHEMA_ID;
  Object.assign(schema.definitions.ResourceList, { type: 'object', required: ['resourceType'], discriminator: { propertyName: 'resourceType' } });
  const ajv = new Ajv({ strict: false, discriminator: true, code: { source: true } });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  ajv.addSchema(schema);
  return standalone(ajv, ajv.getSchema(`${SCHEMA_ID}#/definitions/ResourceList`));
}

let validate: Validate | undefined;

function validator(): Validate {
  if (validate) return validate;
  const fingerprint = createHash('sha256').update(readFileSync(SCHEMA)).update(require('ajv/package.json').version).update(compile.toString()).digest('hex').slice(0, 16);
  const file = join(ROOT, 'node_modules', '.cache', 'carnet-tests', `fhir-r4-schema-${fingerprint}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: two test workers may build it at once.
    const aside = `${file}.${process.pid}`;
    writeFileSync(aside, compile());
    renameSync(aside, file);
  }
  validate = shared().require(file) as Validate;
  return validate;
}

/** What the R4 JSON Schema finds wrong in one resource (none when it is valid). */
export function schemaErrors(resource: unknown): string[] {
  const v = validator();
  if (v(resource)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is not valid'}`);
}
