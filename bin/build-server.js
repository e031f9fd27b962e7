#!/usr/bin/env node
// `npm run build:server`: compiles src/ to dist/ ahead of time, so that `carnet` starts without
// transpiling. Type checking is `npm run typecheck` (this build only emits: `noCheck`). The SQL
// migrations are copied beside the compiled store, and the FHIR definitions' subset is written.
// The stamp is written last: a build that stopped half-way is never taken for a finished one.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build:server: the TypeScript compilation failed');
  process.exit(r.status ?? 1);
}
cpSync(`${root}src/store/migrations`, `${dist}/store/migrations`, { recursive: true });
// The part of the FHIR R4 definitions the server indexes at start (src/fhir/definitions-subset.ts).
const { writeDefinitionSubset } = await import(`${dist}/fhir/definitions-subset.js`);
writeDefinitionSubset(`${dist}/definitions`);
writeFileSync(`${dist}/.build-stamp`, `${new Date().toISOString()}\n`);
