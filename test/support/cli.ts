// The `carnet` command as a user runs it: real processes of bin/carnet.js. A test file calls
// useCarnetProcesses() once; every process and temporary folder it starts is then stopped and
// removed when its test ends (or, when started in beforeAll, when the file ends), pass or fail.
// A server is ready when it says it listens, or has failed when it exits: no fixed time limit
// (the test's own timeout bounds a start that hangs, and the cleanup still runs).
import { afterAll, afterEach, beforeEach } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CARNET_BIN = join(process.cwd(), 'bin', 'carnet.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CarnetServer {
  port: number;
  baseUrl: string;
  pid: number;
  /** everything written so far on stdout and stderr */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; output: string }>;
}

export interface CarnetProcesses {
  /** a temporary folder, removed with the test (or the file, when made in beforeAll) */
  tempDir(prefix: string): string;
  /** runs `carnet <args>` to its end */
  run(args: string[], env: Record<string, string>, options?: SpawnOptions & { input?: string }): Promise<RunResult>;
  /** starts `carnet serve` on an ephemeral port and waits until it says it listens (log level info or finer) */
  serve(env: Record<string, string>, options?: SpawnOptions): Promise<CarnetServer>;
  /** any other process of the test, stopped with the others */
  adopt(child: ChildProcess): void;
}

export interface SpawnOptions {
  /** run as `nobody` (only when the tests run as root, who may write everywhere) */
  unprivileged?: boolean;
}

/** The command line of `carnet <args>`, as `nobody` if asked. */
function command(args: string[], options: SpawnOptions): [string, string[]] {
  const own: string[] = [CARNET_BIN, ...args];
  if (!options.unprivileged) return [process.execPath, own];
  return ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...own]];
}

/** Only what the tests give: the commands must not depend on the tester's environment. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

interface Owned {
  inTest: boolean;
  dispose(): Promise<void>;
}

const living = new Set<ChildProcess>();
// A worker that dies without running the hooks still takes its servers with it.
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

/** Processes that could not be started at all (a missing program): they never exit. */
const unstarted = new WeakSet<ChildProcess>();

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || unstarted.has(child)) resolve(child.exitCode);
    else {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => unstarted.has(child) && resolve(null));
    }
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || unstarted.has(child)) return;
  const exited = exitOf(child);
  child.kill('SIGTERM');
  // A process that ignores SIGTERM is killed outright once its own shutdown limit is past.
  const hard = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(hard);
}

export function useCarnetProcesses(): CarnetProcesses {
  const owned: Owned[] = [];
  // Inside a test (between beforeEach and afterEach) or in a beforeAll: what a test starts goes
  // with the test, what a beforeAll starts stays until the file ends.
  let testRunning = false;
  const inTest = () => testRunning;
  beforeEach(() => {
    testRunning = true;
  });
  const dispose = async (which: (o: Owned) => boolean) => {
    const now = owned.filter(which);
    for (const o of now) owned.splice(owned.indexOf(o), 1);
    // Processes first (they may still write in the folders), newest first.
    for (const o of now.reverse()) await o.dispose();
  };
  afterEach(async () => {
    testRunning = false;
    await dispose((o) => o.inTest);
  });
  afterAll(() => dispose(() => true));

  const track = (child: ChildProcess) => {
    // A program that cannot be started (setpriv missing, say) emits 'error' and never 'exit':
    // without this the error would end the whole test file, and a wait for its exit never end.
    child.on('error', () => {
      if (child.pid !== undefined) return;
      unstarted.add(child);
      living.delete(child);
    });
    living.add(child);
    child.once('exit', () => living.delete(child));
    owned.push({ inTest: inTest(), dispose: () => kill(child) });
  };

  return {
    adopt: track,

    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      // Registered before any process that uses it, so disposed after them.
      owned.unshift({ inTest: inTest(), dispose: async () => rmSync(dir, { recursive: true, force: true }) });
      return dir;
    },

    async run(args, env, options = {}) {
      const [file, argv] = command(args, options);
      const child = spawn(file, argv, { env: cleanEnv(env) });
      track(child);
      let stdout = '';
      let stderr = '';
      child.on('error', (e) => (stderr += `${e.message}\n`));
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      // 'close' comes after the process ended and its output was read to the end.
      const status = await new Promise<number | null>((resolve) => {
        child.once('close', (code) => resolve(code));
        child.stdin!.end(options.input ?? '');
      });
      return { status, stdout, stderr };
    },

    serve(env, options = {}) {
      const [file, argv] = command(['serve'], options);
      const child = spawn(file, argv, {
        env: cleanEnv({ CARNET_PORT: '0', CARNET_HOST: '127.0.0.1', ...env }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      track(child);
      let output = '';
      child.on('error', (e) => (output += `${e.message}\n`));
      const exited = exitOf(child);
      return new Promise((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const m = /"address":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(output);
          if (!m) return;
          child.stdout!.off('data', onData);
          child.stderr!.off('data', onData);
          child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
          child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
          const port = Number(m[1]);
          resolve({
            port,
            baseUrl: `http://127.0.0.1:${port}`,
            pid: child.pid!,
            output: () => output,
            async stop(signal = 'SIGTERM') {
              child.kill(signal);
              const code = await exited;
              return { code, output };
            },
          });
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        void exited.then((code) => reject(new Error(`carnet serve exited (${code}) before listening:\n${output}`)));
      });
    },
  };
}
