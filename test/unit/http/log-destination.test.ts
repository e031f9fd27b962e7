// The server's log destination: lines written by the event loop from a bounded buffer, all of
// them written out when the server closes, and dropped (and counted aloud) rather than held
// without end when the destination does not keep up.
import { afterAll, expect, it } from '@jest/globals';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { asyncLogger, flushLog, logDestination } from '../../../src/http/log-destination.js';

const dir = mkdtempSync(join(tmpdir(), 'carnet-log-'));
const fds: number[] = [];
afterAll(() => {
  for (const fd of fds) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** A new file and its descriptor, open for appending (as a redirected standard output would be). */
function logFile(name: string): { path: string; fd: number } {
  const path = join(dir, name);
  const fd = openSync(path, 'a');
  fds.push(fd);
  return { path, fd };
}

const linesOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string; n: number });

it('logging does not write: the lines of one turn of the event loop are not yet in the file when it ends, and the server\'s close writes them all, in order', async () => {
  const { path, fd } = logFile('close.log');
  const logger = asyncLogger({ level: 'info' }, fd);
  for (let n = 0; n < 2000; n++) logger.info({ n }, 'request');
  expect(linesOf(path).length).toBeLessThan(2000);
  await flushLog(logger);
  expect(linesOf(path).map((l) => l.n)).toEqual(Array.from({ length: 2000 }, (_, n) => n));
});

it('a destination that does not keep up: past the buffer\'s bound lines are dropped, never held, and their count is said once', async () => {
  const { path, fd } = logFile('bounded.log');
  let said!: (line: string) => void;
  const report = new Promise<string>((r) => (said = r));
  const stream = logDestination(fd, 1000, (line) => said(line));
  const logger = pino({ level: 'info' }, stream);
  // ~60 bytes a line: the bound holds about sixteen of them
  for (let n = 0; n < 100; n++) logger.info({ n }, 'request');
  stream.flushSync();
  // the count is said a second later: by then the write the event loop had started has landed too
  const reported = await report;
  const kept = linesOf(path);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(100);
  expect(reported).toBe(`carnet: ${100 - kept.length} log line(s) dropped: the log's destination did not keep up (its buffer holds 1000 bytes)\n`);
});
