// Every example of the documentation runs against a real server, as a reader would paste it: the
// demo record seeded (`carnet seed`, on a store already created and migrated: a first start is
// test/e2e/cli.test.ts's), the server started in development mode, then each
// `sh example` block in order, in one shell per document, its printed output and HTTP status
// compared with the `answer` block that follows it. A document that lies fails here.
// The documents' `npm run -s carnet -- <args>` runs as the package script's own command (npm's
// start costs more than the command itself); that the two are the same is checked first, for real.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCarnetProcesses, type CarnetServer } from '../support/cli.js';
import { fillMigratedDataDir } from '../support/data-dir-template.js';
import { answerMismatch, readExamples } from '../support/doc-examples.js';
import { startDocShell, type DocShell } from '../support/doc-shell.js';

/** In reading order: later documents may use what earlier ones created, as a reader would. */
const DOCUMENTS = ['README.md', 'docs/MHD.md', 'docs/FHIR-RECORD.md', 'docs/PATIENT-ACCESS.md', 'docs/XDS.md'];

const ROOT = process.cwd();
const carnet = useCarnetProcesses();

// The examples use bash, curl, jq and unzip, as the documents say. Without them the examples are
// reported as skipped here, never as passed; under CI they must be there.
const missing = ['bash', 'curl', 'jq', 'unzip'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (missing.length && process.env.CI) throw new Error(`the documentation's examples need ${missing.join(', ')}`);
const describeRunnable = missing.length ? describe.skip : describe;

describeRunnable('the documentation\'s examples, against a server', () => {
  let server: CarnetServer;
  let dataDir: string;
  let tokenCache: string;

  beforeAll(async () => {
    dataDir = carnet.tempDir('carnet-docs-');
    tokenCache = carnet.tempDir('carnet-docs-tokens-');
    await fillMigratedDataDir(dataDir);
    const seed = await carnet.run(['seed'], { CARNET_DATA_DIR: dataDir });
    expect(seed.status).toBe(0);
    server = await carnet.serve({ CARNET_DATA_DIR: dataDir, CARNET_DEV_MODE: 'true', CARNET_JOBS_INTERVAL_SECONDS: '0' });
  }, 120_000);

  it('the documents\' `npm run -s carnet -- <args>` is `node bin/carnet.js <args>`, run from the package\'s folder', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.carnet).toBe('node bin/carnet.js');
    const viaNpm = spawnSync('npm', ['run', '-s', 'carnet', '--', '--help'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 60_000 });
    const direct = await carnet.run(['--help'], {});
    expect({ status: viaNpm.status, stdout: viaNpm.stdout }).toEqual({ status: 0, stdout: direct.stdout });
    expect(direct.stdout).toMatch(/^usage: carnet <command>/);
  });

  for (const file of DOCUMENTS) {
    const examples = readExamples(readFileSync(join(ROOT, file), 'utf8'), file);
    describe(file, () => {
      let shell: DocShell;
      beforeAll(() => {
        // The reader's terminal: the repository as working directory, the server's data directory
        // (for its development keys), nothing else of the tester's environment.
        shell = startDocShell(carnet, { baseUrl: server.baseUrl, cwd: ROOT, env: { CARNET_DATA_DIR: dataDir }, npmCarnetDirectly: true, tokenCache });
      });

      it('has examples', () => {
        expect(examples.length).toBeGreaterThan(0);
      });

      for (const ex of examples) {
        it(`${file}:${ex.line}`, async () => {
          const run = await shell.run(ex.script);
          if (run.exitCode !== 0) throw new Error(`${file}:${ex.line}: the example failed (exit ${run.exitCode}):\n${run.stderr}\n${run.stdout}`);
          if (!ex.answer) return;
          if (ex.answer.status !== undefined) expect(`${file}:${ex.answer.line}: HTTP ${run.status}`).toBe(`${file}:${ex.answer.line}: HTTP ${ex.answer.status}`);
          // The server's own address, as the documents write it.
          const port = new URL(server.baseUrl).port;
          const printed = run.stdout.replaceAll(`http://127.0.0.1:${port}`, 'http://localhost:8080').replaceAll(`http://localhost:${port}`, 'http://localhost:8080');
          const mismatch = answerMismatch(ex.answer, printed);
          if (mismatch) throw new Error(`${file}:${ex.answer.line}: the answer differs from the documented one: ${mismatch}`);
        }, 60_000);
      }
    });
  }
});
