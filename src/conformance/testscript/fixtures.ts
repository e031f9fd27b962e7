// Static fixtures: `resource.reference` is a file relative to the script, or `#id` of a
// contained resource. Loaded once per script run; bodies get `${}` substitution when sent.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Resource, TestScript, TestScriptFixture } from '@medplum/fhirtypes';
import { parseFhirText } from './loader.js';
import type { Fixture } from './types.js';

export async function loadStaticFixture(script: TestScript, dir: string, def: TestScriptFixture): Promise<Fixture> {
  const id = def.id ?? '(unnamed fixture)';
  const ref = def.resource?.reference;
  if (!ref) return { id }; // a placeholder fixture, to be filled by a responseId/requestId
  if (ref.startsWith('#')) {
    const contained = script.contained?.find((r) => r.id === ref.slice(1));
    if (!contained) throw new Error(`fixture ${id}: no contained resource ${ref}`);
    return { id, resource: structuredClone(contained) };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
    throw new Error(`fixture ${id}: only relative file references and #contained are supported (${ref})`);
  }
  const file = resolve(dir, ref.split('?')[0]);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new Error(`fixture ${id}: cannot read ${file}`);
  });
  return { id, resource: parseFhirText(text, file) as Resource };
}
