// The processes of the fair benchmark: the server under test and each baseline service run in a
// child process of their own (their own event loop, their own memory), started through the
// project's TypeScript loader, talking to the benchmark over the IPC channel. The benchmark's own
// process only generates load and reads figures.
import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tailQuestions } from './tail-probe.js';

/** What a child answers when asked for its figures: its own memory and CPU time, nothing of ours. */
export interface ProcessStats {
  rss: number;
  /** peak resident size of the child since it started (bytes) */
  maxRss: number;
  /** user + system CPU time of the child since it started (microseconds) */
  cpuMicros: number;
}

export interface Child<Ready> {
  ready: Ready;
  /** the child's process id (its memory can be read from /proc/<pid>/status) */
  pid: number;
  stats(): Promise<ProcessStats>;
  /** sends `what` and resolves with the child's next message (a child's own questions) */
  ask<T>(what: string): Promise<T>;
  stop(): Promise<void>;
}

const RUNNER = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));

/**
 * Starts `script` (a path relative to this folder) with `args` as its one JSON argument and waits
 * for its first IPC message, the ready report. With BENCH_CPU_PROF=<dir> the child writes a CPU
 * profile there when it stops. `flags`: more of node's own options for the child (V8's heap sizes...).
 */
export function startChild<Ready>(script: string, args: unknown, stdoutFile?: number, flags: string[] = []): Promise<Child<Ready>> {
  const profDir = process.env.BENCH_CPU_PROF;
  const child: ChildProcess = fork(RUNNER, [fileURLToPath(new URL(script, import.meta.url)), JSON.stringify(args)], {
    execArgv: [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), ...flags],
    stdio: ['ignore', stdoutFile ?? 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const failed = (code: number | null) => reject(new Error(`${script} exited with ${code} before it was ready`));
    child.once('exit', failed);
    child.once('message', (m) => {
      child.off('exit', failed);
      resolve({
        ready: m as Ready,
        pid: child.pid!,
        stats: () => ask<ProcessStats>(child, 'stats'),
        ask: <T>(what: string) => ask<T>(child, what),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.send('stop');
          }),
      });
    });
  });
}

function ask<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(what);
  });
}

/** The child's side: answers `stats`, `gc` (a full collection, then `stats`) and its own `questions`, and runs `stop` then exits on `stop`. */
export function serveParent(ready: unknown, stop: () => Promise<void>, questions: Record<string, () => Promise<unknown>> = {}): void {
  process.on('message', (m) => {
    const question = typeof m === 'string' && Object.hasOwn(questions, m) ? questions[m] : undefined;
    if (question) {
      question().then(
        (answer) => process.send!(answer),
        (e: Error) => process.send!({ error: e.message }),
      );
      return;
    }
    if (m === 'gc') {
      // Exposed at run time, so that no child needs a flag at start: a memory window then starts
      // from what the server holds, not from what the previous window left to collect.
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as () => void)();
      m = 'stats';
    }
    if (m === 'stats') {
      const cpu = process.cpuUsage();
      const stats: ProcessStats = { rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024, cpuMicros: cpu.user + cpu.system };
      process.send!(stats);
    } else if (m === 'stop') {
      // process.exit lets --cpu-prof write its profile.
      stop().finally(() => process.exit(0));
    }
  });
  process.send!(ready);
}

/** The one JSON argument a child was started with. */
export function childArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/**
 * A baseline service's life in its child process: `build` makes its app and pool, which listen on
 * an ephemeral port, answer the benchmark ready with their address, and close when told to stop.
 */
export function runThinService(build: () => { app: { server: Server; listen(o: { host: string; port: number }): Promise<string>; close(): Promise<unknown> }; pool: { end(): Promise<void> } }): void {
  const start = async () => {
    const { app, pool } = build();
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    serveParent(
      { base },
      async () => {
        await app.close();
        await pool.end();
      },
      tailQuestions(app.server, () => createRequire(import.meta.url)('pg')),
    );
  };
  start().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
