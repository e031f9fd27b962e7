// Where the server's log lines go (standard output by default): written by the event loop, never
// by the request that logs them, from a buffer of bounded size. A request's line is appended to
// the buffer and the request goes on; the buffer is written as fast as the destination takes it.
// When the destination stalls (a full pipe nobody reads) and the buffer reaches its bound, new
// lines are dropped rather than held without end or made to wait, and the count of dropped lines
// is said on standard error. What is buffered is written out when the server closes, and when the
// process exits (pino's exit hook writes it synchronously, an uncaught exception included).
import pino, { type Logger, type LoggerOptions } from 'pino';

/** The buffer's bound: far above what a busy server's lines need between two writes. */
export const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/** How often, at most, the dropped lines are counted aloud on standard error. */
const DROP_REPORT_MS = 1000;

type SonicBoom = ReturnType<typeof pino.destination>;

/** The destination of each logger made by asyncLogger. */
const destinations = new WeakMap<Logger, SonicBoom>();

/**
 * An asynchronous destination on file descriptor `fd`, its buffer bounded by `maxBytes`.
 * `report` hears the dropped lines (standard error by default), once per second at most.
 */
export function logDestination(
  fd = 1,
  maxBytes = LOG_BUFFER_BYTES,
  report: (line: string) => void = (line) => {
    process.stderr.write(line);
  },
): SonicBoom {
  const stream = pino.destination({ dest: fd, sync: false, maxLength: maxBytes });
  let dropped = 0;
  let reporting: NodeJS.Timeout | undefined;
  stream.on('drop', () => {
    dropped++;
    reporting ??= setTimeout(() => {
      report(`carnet: ${dropped} log line(s) dropped: the log's destination did not keep up (its buffer holds ${maxBytes} bytes)\n`);
      dropped = 0;
      reporting = undefined;
    }, DROP_REPORT_MS).unref();
  });
  return stream;
}

/** A logger writing to logDestination(fd). */
export function asyncLogger(options: LoggerOptions, fd = 1, maxBytes = LOG_BUFFER_BYTES): Logger {
  const stream = logDestination(fd, maxBytes);
  const logger = pino(options, stream);
  destinations.set(logger, stream);
  return logger;
}

/** How long a close waits, at most, for writes already handed to the operating system. */
const CLOSE_WAIT_MS = 2000;

/** True while the stream has a write with the operating system (sonic-boom keeps it private). */
const writing = (stream: SonicBoom) => (stream as unknown as { _writing: boolean })._writing;

/**
 * Writes out what `logger` still buffers before it resolves, when asyncLogger made it (any other
 * logger is asked to flush, as its stream does it). For a server's close: never on a request's path.
 * A write the event loop already started is let finish first (for two seconds at most, so a
 * destination nobody reads cannot hold the close), so that the lines reach the file in order.
 */
export async function flushLog(logger: Logger): Promise<void> {
  const stream = destinations.get(logger);
  if (!stream) {
    logger.flush();
    return;
  }
  const deadline = Date.now() + CLOSE_WAIT_MS;
  while (writing(stream) && Date.now() < deadline) {
    await new Promise<void>((settled) => {
      const done = () => {
        clearTimeout(timer);
        stream.off('write', done);
        stream.off('error', done);
        settled();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      stream.once('write', done);
      stream.once('error', done);
    });
  }
  try {
    stream.flushSync();
  } catch {
    // not open yet, or closed: nothing of ours is buffered that could be written now
  }
}
