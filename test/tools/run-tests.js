#!/usr/bin/env node
// `npm test`: the server's suites (Jest) and the web page's (Vitest) at the same time, rather than
// one after the other. The web page's run is short (~10 s, half of it waiting on one core) and
// shares nothing with Jest's (no server, no store, no port, no temporary folder), so it fills the
// cores that Jest's start and last files leave idle instead of adding its own time at the end.
// Jest's output is shown as it comes; the web page's is held and shown after Jest's, whole.
// Arguments go to Jest (`npm test -- test/unit`). Naming files or a test name narrows the run to
// those Jest tests: the web page's are then left out (`npm test --workspace web` runs them alone).
// The run fails if either fails.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Runs a command to its end; its exit code (1 if it could not start or was killed). */
function finished(child) {
  return new Promise((resolve) => {
    child.once('error', (e) => {
      process.stderr.write(`${e.message}\n`);
      resolve(1);
    });
    child.once('close', (code) => resolve(code ?? 1));
  });
}

const jestArgs = process.argv.slice(2);
/** A path pattern (any argument not an option) or a test-name filter: a narrowed run. */
const narrowed = jestArgs.some((a) => !a.startsWith('-') || /^(-t|--testNamePattern)(=|$)/.test(a));

const webOutput = [];
let webDone = Promise.resolve(0);
if (!narrowed) {
  const web = spawn('npm', ['run', '-s', 'test', '--workspace', 'web'], { stdio: ['ignore', 'pipe', 'pipe'] });
  web.stdout.on('data', (chunk) => webOutput.push(chunk));
  web.stderr.on('data', (chunk) => webOutput.push(chunk));
  webDone = finished(web);
}

const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...jestArgs], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
});
const jestCode = await finished(jest);
const webCode = await webDone;

if (narrowed) {
  process.stdout.write('\n== the web page (web/, vitest): left out of a narrowed run; npm test --workspace web runs it ==\n');
} else {
  process.stdout.write('\n== the web page (web/, vitest) ==\n');
  for (const chunk of webOutput) process.stdout.write(chunk);
}
process.exitCode = jestCode || webCode;
