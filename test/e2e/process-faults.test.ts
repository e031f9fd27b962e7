// An error nobody catches in a `carnet` process (a timer's, a promise's rejection nobody awaited)
// stopped it with Node's own account on standard error, which prints the error whole: every field
// of a database's error, its `detail` with the row's values (an INS) included. The process says
// it as a command's fault is said (SQLSTATE, message, frames) and exits 1.
import { expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const RUN_TS = join(process.cwd(), 'bin', 'run-ts.js');
const FAULT = join(process.cwd(), 'test', 'fixtures', 'process-faults', 'fault.ts');

it.each(['rejection', 'exception'])('an uncaught %s: standard error says the SQLSTATE and the message, never the row\'s values; exit status 1', (kind) => {
  const r = spawnSync(process.execPath, [RUN_TS, FAULT, kind], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^carnet: unexpected error: DatabaseError 23505 duplicate key value violates unique constraint "patient_identifier_pkey"\n\s+at /);
  expect(r.stderr).not.toContain('2840575123456');
  expect(r.stdout).not.toContain('2840575123456');
});
