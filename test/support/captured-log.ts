// The server's log as the tests of what it holds read it: a logger with the server's own settings
// (loggerOptions: its serializers, redactions and error allow-list) writing its JSON lines into an
// array, and the lines of one request once they are all written.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { loggerOptions } from '../../src/http/logging.js';

/** A log line as the server writes it: the fields a test reads. */
export interface CapturedLine {
  msg: string;
  requestId?: string;
}

export interface CapturedLog<T extends CapturedLine> {
  /** the logger to start the server with */
  logger: Logger;
  /** every line written so far, as written */
  written: string[];
  /** every line written so far, parsed */
  lines(): T[];
  /** the request's lines, once its request line is written (the last of them: the log follows the answer) */
  linesFor(requestId: string): Promise<T[]>;
}

/** A logger at `level` whose lines are kept in memory. */
export function capturedLog<T extends CapturedLine = CapturedLine>(level = 'info'): CapturedLog<T> {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const lines = () => written.map((l) => JSON.parse(l) as T);
  return {
    logger: pino(loggerOptions(level), sink),
    written,
    lines,
    async linesFor(requestId) {
      const mine = () => lines().filter((l) => l.requestId === requestId);
      while (!mine().some((l) => l.msg === 'request')) await new Promise((r) => setImmediate(r));
      return mine();
    },
  };
}
