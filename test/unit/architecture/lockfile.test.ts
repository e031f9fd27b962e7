// `npm ci` installs what the lock file says and `npm install` rewrites it when it no longer matches
// package.json: the two must name the same dependencies with the same ranges.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8'));

describe('package-lock.json', () => {
  const pkg = read('package.json');
  const root = read('package-lock.json').packages[''];

  it.each(['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'])('records the %s of package.json exactly', (kind) => {
    expect(root[kind] ?? {}).toEqual(pkg[kind] ?? {});
  });

  it('records the name, version and engines of package.json', () => {
    expect({ name: root.name, version: root.version, engines: root.engines }).toEqual({ name: pkg.name, version: pkg.version, engines: pkg.engines });
  });
});
