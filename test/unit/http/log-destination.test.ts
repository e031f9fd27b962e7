// The server's log destination: lines written by the event loop from a bounded buffer, all of
// them written out when the server closes, and dropped (and counted aloud) rather than held
// without end when the destination does not keep up.
import { afterAll, expect, it, jest } from '@jest/globals';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { asyncLogger, flushLog, logDestination, LOG_FLUSH_MS, LOG_WRITE_BYTES } from '../../../src/http/log-destination.js';

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

/** The next completed write of `stream` (sonic-boom says each one with its byte count). */
const nextWrite = (stream: ReturnType<typeof logDestination>) => new Promise<number>((r) => stream.once('write', r));
const turn = () => new Promise<void>((r) => setImmediate(r));

it('lines logged one per turn of the event loop are gathered into one write, made by the timer when they are fewer than a write\'s worth; an idle server writes nothing', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  try {
    const { path, fd } = logFile('gathered.log');
    const stream = logDestination(fd);
    const logger = pino({ level: 'info' }, stream);
    let writes = 0;
    stream.on('write', () => writes++);
    for (let n = 0; n < 20; n++) {
      logger.info({ n }, 'request');
      await turn();
    }
    // twenty lines of ~60 bytes: less than a write's worth, so none was handed to the system yet
    expect(writes).toBe(0);
    const written = nextWrite(stream);
    jest.advanceTimersByTime(LOG_FLUSH_MS);
    await written;
    expect(writes).toBe(1);
    expect(linesOf(path).map((l) => l.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    // nothing buffered: the timer writes nothing
    jest.advanceTimersByTime(10 * LOG_FLUSH_MS);
    for (let i = 0; i < 5; i++) await turn();
    expect(writes).toBe(1);
  } finally {
    jest.useRealTimers();
  }
});

it('a write\'s worth of lines goes out at once, without waiting for the timer', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  try {
    const { path, fd } = logFile('by-size.log');
    const stream = logDestination(fd);
    const logger = pino({ level: 'info' }, stream);
    const written = nextWrite(stream);
    const pad = 'x'.repeat(200);
    let n = 0;
    for (let bytes = 0; bytes <= LOG_WRITE_BYTES; bytes += 260, n++) logger.info({ n, pad }, 'request');
    // one write of the lines that made a write's worth (those logged after it wait for the next)
    const bytes = await written;
    expect(bytes).toBeGreaterThan(LOG_WRITE_BYTES);
    expect(readFileSync(path).length).toBe(bytes);
    const kept = linesOf(path).map((l) => l.n);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => i));
    expect(kept.length).toBeLessThan(n);
  } finally {
    jest.useRealTimers();
  }
});
