// The statements a server sends to PostgreSQL while one request is answered, taken from the
// store's own query path (the Db every repository and service uses) rather than rebuilt beside
// it: what the scale benchmark EXPLAINs is exactly what Carnet ran, with the same parameters.
// The benchmark switches the capture on and off over IPC around one request of its own, made
// while no load runs.
import type { Db, Queryable, Tx } from '../../src/store/db.js';

export interface CapturedStatement {
  sql: string;
  params: unknown[];
}

export interface QueryCapture {
  db: Db;
  start(): void;
  /** stops capturing and hands back what was captured since start() */
  stop(): CapturedStatement[];
}

/** Wraps `db` so that, while capturing, every statement it runs (in a transaction or not) is kept. */
export function captureQueries(db: Db): QueryCapture {
  let captured: CapturedStatement[] | undefined;
  const keep = (sql: string, params?: unknown[]) => captured?.push({ sql, params: params ?? [] });
  const watched = <Q extends Queryable>(q: Q): Q['query'] =>
    ((sql: string, params?: unknown[]) => {
      keep(sql, params);
      return q.query(sql, params);
    }) as Q['query'];
  const wrapped: Db = {
    kind: db.kind,
    query: watched(db),
    transaction: (fn) =>
      db.transaction((tx) => {
        const inner: Tx = {
          query: watched(tx),
          exec: (sql) => {
            keep(sql);
            return tx.exec(sql);
          },
        };
        return fn(inner);
      }),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
  return {
    db: wrapped,
    start: () => {
      captured = [];
    },
    stop: () => {
      const out = captured ?? [];
      captured = undefined;
      return out;
    },
  };
}

/**
 * The child's side of the capture: answers `capture:start` (with true) and `capture:stop` (with
 * the statements) on the IPC channel, beside serveParent's own messages.
 */
export function answerCaptureMessages(capture: QueryCapture): void {
  process.on('message', (m) => {
    if (m === 'capture:start') {
      capture.start();
      process.send!(true);
    } else if (m === 'capture:stop') {
      process.send!(capture.stop());
    }
  });
}
