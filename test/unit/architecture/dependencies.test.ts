// The dependency direction of DESIGN.md, checked on the sources: the doors translate and never
// reach the store nor each other; the rules import nothing of the project; the store knows no
// use case and no door.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Project layers a file imports (first folder under src/), from relative import specifiers. */
function importedLayers(file: string): Array<{ layer: string; spec: string }> {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((spec) => ({ spec, layer: relative(SRC, resolve(dirname(file), spec)).split(/[\\/]/)[0] }));
}

function violations(layer: string, forbidden: (target: string) => boolean): string[] {
  return files(join(SRC, layer)).flatMap((f) =>
    importedLayers(f)
      .filter((i) => i.layer !== layer && forbidden(i.layer))
      .map((i) => `${relative(SRC, f)} imports ${i.spec}`),
  );
}

describe('dependency direction', () => {
  it('the domain imports nothing else of the project', () => {
    expect(violations('domain', () => true)).toEqual([]);
  });

  it('the FHIR door reaches neither the store nor the XDS door', () => {
    expect(violations('fhir', (t) => t === 'store' || t === 'xds')).toEqual([]);
  });

  it('the XDS door reaches neither the store nor the FHIR door', () => {
    expect(violations('xds', (t) => t === 'store' || t === 'fhir')).toEqual([]);
  });

  it('the store knows no use case and no door', () => {
    expect(violations('store', (t) => ['services', 'fhir', 'xds', 'auth', 'http', 'cli'].includes(t))).toEqual([]);
  });

  it('the services know no door', () => {
    expect(violations('services', (t) => ['fhir', 'xds', 'http', 'cli'].includes(t))).toEqual([]);
  });
});
