// A pool of worker threads (piscina) for CPU work that must not hold the event loop: each task
// runs on another thread within a time budget; past it the thread is stopped (and replaced) and
// the request refused as too costly. The pool starts on first use and warms its thread before
// the first budget runs, so that loading the task module never counts against a request.
import { Piscina } from 'piscina';
import { InputLimitError } from '../domain/input-limits.js';

export interface TaskPoolOptions {
  /** the worker module (an ES module URL) exporting one function per task, and `warm` */
  filename: string;
  /** what `warm` is given */
  warmInput?: unknown;
  threads: number;
  /** a task running longer is stopped, ms */
  budgetMs: number;
}

export interface TaskPool {
  /** starts the threads and loads their module now rather than on first use */
  warm(): Promise<void>;
  /** `transfer`: buffers of `input` moved to the thread rather than copied (unusable here after) */
  run<T>(task: string, input: unknown, transfer?: ArrayBuffer[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * Tests only: a test process starts many servers one after another, and each would start its own
 * threads and load the task module in them again, most of a small test file's CPU. The tests'
 * environment (test/support/environment.js) puts a lender of warm pools on the global object; a
 * pool then borrows its threads there and gives them back on close. No serving process has one.
 */
interface ThreadLender {
  borrow(spec: { kind: string; filename: string; threads: number }): Piscina;
  /** `clean`: no task of the borrower's left running and no failed warm-up */
  giveBack(kind: string, pool: Piscina, clean: boolean): Promise<void>;
}

const lender = (): ThreadLender | undefined => (globalThis as { __carnetThreadLender?: ThreadLender }).__carnetThreadLender;

/** By name rather than class: a lent pool's errors come from another realm (Jest's), where `instanceof Error` fails. */
function isAbort(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const { name, message } = e as { name?: unknown; message?: unknown };
  return name === 'AbortError' || name === 'TimeoutError' || (typeof message === 'string' && /abort/i.test(message));
}

export function createTaskPool(options: TaskPoolOptions): TaskPool {
  let pool: Piscina | undefined;
  let ready: Promise<unknown> | undefined;
  const lent = lender();
  const kind = JSON.stringify([options.filename, options.threads, options.warmInput ?? null]);
  /** tasks (warm-ups included) not yet settled: a lent pool goes back clean only with none */
  let running = 0;
  const counted = <T>(p: Promise<T>): Promise<T> => {
    running += 1;
    return p.finally(() => {
      running -= 1;
    });
  };
  const release = async (p: Piscina, clean: boolean) => {
    if (lent) await lent.giveBack(kind, p, clean);
    else await p.destroy();
  };
  /**
   * One warm-up per thread (a thread takes one task at a time, so `threads` concurrent warm-ups
   * reach every thread): a thread already warm answers at once; a new one loads what the tasks
   * need before any task's budget starts.
   */
  const warmEveryThread = () => {
    const p = pool!;
    ready = Promise.all(Array.from({ length: options.threads }, () => counted(p.run(options.warmInput ?? null, { name: 'warm' }))));
    // a failed warm-up is tried again by the next task rather than failing every task after it
    ready.catch(() => {
      if (pool !== p) return;
      release(p, false).catch(() => {});
      pool = undefined;
    });
  };
  const start = () => {
    if (lent) {
      pool = lent.borrow({ kind, filename: options.filename, threads: options.threads });
    } else {
      pool = new Piscina({ filename: options.filename, minThreads: options.threads, maxThreads: options.threads, idleTimeout: 60_000 });
      // A thread that fails outside a task (its module cannot load, say) must not end the process:
      // the warm-up and the tasks then fail, and their requests with them.
      pool.on('error', () => {});
    }
    warmEveryThread();
  };
  return {
    async warm() {
      if (!pool) start();
      await ready;
    },
    async run<T>(task: string, input: unknown, transfer?: ArrayBuffer[]): Promise<T> {
      if (!pool) start();
      await ready;
      try {
        return (await counted(pool!.run(input, { name: task, signal: AbortSignal.timeout(options.budgetMs), ...(transfer ? { transferList: transfer } : {}) }))) as T;
      } catch (e) {
        if (isAbort(e)) {
          // The stopped thread is replaced by a cold one: warm it before the next task, whose
          // budget must not pay for loading the task module (a request after a hostile one
          // would otherwise be refused as too costly).
          if (pool) warmEveryThread();
          throw new InputLimitError('too_costly', `reading the request took longer than its ${options.budgetMs} ms budget (CARNET_WORKER_TASK_BUDGET_MS)`, 'CARNET_WORKER_TASK_BUDGET_MS');
        }
        throw e;
      }
    },
    async close() {
      const p = pool;
      pool = undefined;
      if (p) await release(p, running === 0);
    },
  };
}
