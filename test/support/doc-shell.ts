// One bash session in which the examples of a document run in order, as a reader pastes them
// into one terminal: variables set by an example are there for the next. `curl` is wrapped to
// also report each answer's HTTP status (on stderr, which the reader does not compare), and the
// documented address http://localhost:8080 is the test server's.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CarnetProcesses } from './cli.js';

export interface ExampleRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** the HTTP status of the last curl call, if any */
  status?: number;
}

export interface DocShell {
  run(script: string): Promise<ExampleRun>;
}

const STATUS_MARK = '__HTTP_STATUS__';
const DONE = /__DONE__ (\d+)\n/;

export interface DocShellOptions {
  baseUrl: string;
  env: Record<string, string>;
  /** the reader's working directory */
  cwd: string;
  /** cwd is the package's folder, and `npm run -s carnet -- <args>` runs its script's command directly */
  npmCarnetDirectly?: boolean;
  /**
   * A folder the shells of one server share, where `carnet token` keeps what it printed for each
   * command line (with npmCarnetDirectly only): a token is the same answer for the same arguments,
   * and the documents ask for the same few some twenty times (~0.3 s of CPU a process).
   */
  tokenCache?: string;
}

export function startDocShell(carnet: CarnetProcesses, o: DocShellOptions): DocShell {
  const dir = carnet.tempDir('carnet-doc-shell-');
  const bash = spawn('bash', ['--noprofile', '--norc'], {
    cwd: o.cwd,
    env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  carnet.adopt(bash);
  let out = '';
  let errors = '';
  let waiting: ((code: number | null) => void) | undefined;
  bash.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    const m = DONE.exec(out);
    if (m && waiting) {
      out = out.slice(m.index + m[0].length);
      waiting(Number(m[1]));
    }
  });
  bash.stderr!.on('data', (c: Buffer) => (errors += c.toString()));
  bash.once('exit', () => waiting?.(null));
  // An example that fails anywhere stops its document, as it would stop a reader.
  bash.stdin!.write(`set -eo pipefail\ncurl() { command curl -w '%{stderr}\\n${STATUS_MARK} %{http_code}\\n' "$@"; }\n`);
  // `npm run -s carnet -- <args>` is the package's script `node bin/carnet.js <args>`, run from
  // the package's folder: the shell runs that directly, sparing npm's own start (~0.2 s of CPU per
  // call, some twenty-five calls). That the script is this command is checked once, for real
  // (test/e2e/docs-examples.test.ts); any other npm command is npm's.
  if (o.npmCarnetDirectly) {
    bash.stdin!.write(
      `npm() { if [ "$1" = run ] && [ "$2" = -s ] && [ "$3" = carnet ] && [ "$4" = -- ]; then shift 4; carnet_command "$@"; else command npm "$@"; fi; }\n`,
    );
    // The first run of a token command line is real; its printed token (on success only) then
    // answers the same command line, with the same development settings, in every document.
    const cache = o.tokenCache;
    bash.stdin!.write(
      cache
        ? `carnet_command() {
  if [ "$1" != token ]; then (cd '${o.cwd}' && node bin/carnet.js "$@"); return; fi
  local kept="${cache}/$(printf '%s\\0' "$CARNET_DEV_MODE" "$CARNET_DATA_DIR" "$@" | sha256sum | cut -c1-32)"
  if [ ! -f "$kept" ]; then (cd '${o.cwd}' && node bin/carnet.js "$@") > "$kept.new" || { local s=$?; cat "$kept.new"; rm -f "$kept.new"; return $s; }; mv "$kept.new" "$kept"; fi
  cat "$kept"
}\n`
        : `carnet_command() { (cd '${o.cwd}' && node bin/carnet.js "$@"); }\n`,
    );
  }

  let n = 0;
  return {
    run(script) {
      n += 1;
      const file = join(dir, `example-${n}.sh`);
      const [stdoutFile, stderrFile] = [join(dir, `out-${n}`), join(dir, `err-${n}`)];
      writeFileSync(file, script.replaceAll('http://localhost:8080', o.baseUrl));
      return new Promise((resolve) => {
        const finish = (code: number | null) => {
          waiting = undefined;
          const read = (f: string) => {
            try {
              return readFileSync(f, 'utf8');
            } catch {
              return '';
            }
          };
          const rawErr = read(stderrFile);
          const statuses = [...rawErr.matchAll(new RegExp(`${STATUS_MARK} (\\d{3})`, 'g'))].map((m) => Number(m[1]));
          const stderr = rawErr.replace(new RegExp(`\\n?${STATUS_MARK} \\d{3}\\n`, 'g'), '') + (code === null ? `\nthe shell stopped: ${errors}` : '');
          resolve({ exitCode: code ?? -1, stdout: read(stdoutFile), stderr, status: statuses[statuses.length - 1] });
        };
        if (bash.exitCode !== null) return finish(null);
        waiting = finish;
        bash.stdin!.write(`source '${file}' >'${stdoutFile}' 2>'${stderrFile}' </dev/null; echo "__DONE__ $?"\n`);
      });
    },
  };
}
