#!/usr/bin/env node
// The `carnet` command. It runs the compiled server (dist/, built by `npm install` and
// `npm run build`). In a source checkout whose src/ changed after the last build, it runs the
// sources through tsx instead (and says so at a terminal), so that a forgotten build never runs
// old code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// The embedded store is PostgreSQL compiled to WebAssembly. V8 recompiles its busiest functions
// with its optimising compiler in background threads, which pays back in a server, not in a
// command that is over in a second or two: a `carnet migrate` on an existing store spent about
// 0.8 of its 1.9 s of CPU doing so. Every command but `serve` waits a hundred times longer before
// optimising a function: the store's hot loops in a long `directory load` still get optimised.
// (Set before anything compiles the WebAssembly module, which happens when a store is opened.)
if ((process.argv[2] ?? 'serve') !== 'serve') setFlagsFromString('--wasm-tiering-budget=180000000');

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = `${root}dist/.build-stamp`;
const sources = `${root}src`;

/** Newer sources than the build (none in an image, which ships dist/ only). */
function sourcesChangedSince(builtAt) {
  if (!existsSync(sources)) return false;
  for (const entry of readdirSync(sources, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs > builtAt) return true;
  }
  return false;
}

async function loadMain() {
  const built = existsSync(stamp);
  if (built && !sourcesChangedSince(statSync(stamp).mtimeMs)) return import('../dist/main.js');
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error('carnet: the server is not built; run `npm run build` (or `npm install`) first');
    process.exit(2);
  }
  // Said to a person at a terminal; scripts and tests read stderr for the command's own errors.
  if (process.stderr.isTTY) {
    console.error(`carnet: ${built ? 'src/ changed since the last build' : 'no build in dist/'}; running the sources (slower to start; \`npm run build\` compiles them)`);
  }
  register();
  return import('../src/main.ts');
}

const { main, sayProcessFaults } = await loadMain();
sayProcessFaults();
await main(process.argv.slice(2));
