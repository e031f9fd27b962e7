// CI harness of the project's TestScript suites: starts Carnet on a real port on a fresh
// embedded store, loads the demo record through the services (`carnet seed`'s data), then runs
// each actor's folder of conformance/testscripts/ with that actor's token, minted by
// `carnet token` in development mode, in the order the scenarios need. Prints one line per test
// and `N passed, N failed`; exits 1 when a test failed.
//   node bin/run-ts.js conformance/run-testscripts.ts [--report-dir D]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/app.js';
import { loadDemo } from '../src/cli/seed.js';
import { DEMO_INS } from '../src/cli/demo-data.js';
import { loadConfig } from '../src/config/config.js';
import { runTestScripts } from '../src/conformance/testscript/index.js';
import { formatSummary, SUMMARY_LINE } from '../src/conformance/summary.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const SUITES = join(ROOT, 'conformance', 'testscripts');
const CARNET = `node ${JSON.stringify(join(ROOT, 'bin', 'carnet.js'))} token`;

/** Each folder of suites, in run order, with the `carnet token` arguments of its actor. */
const PHASES: Array<{ dir: string; token: (patientKey: string) => string }> = [
  { dir: 'anonymous', token: () => '' },
  { dir: 'medecin-traitant', token: () => 'professional --id 810000000002 --profession 10 --specialty SM26 --structure 1690000002' },
  { dir: 'hospital-author', token: () => 'professional --id 810000000001 --profession 10 --specialty SM26 --structure 1750000001 --sector SA01' },
  { dir: 'nurse', token: () => 'professional --id 810000000004 --profession 60 --structure 1750000001' },
  { dir: 'podiatrist', token: () => 'professional --id 810000000005 --profession 80 --structure 1690000002' },
  { dir: 'pharmacist', token: () => 'professional --id 810000000006 --profession 21 --structure 1690000002' },
  { dir: 'pharmacist-emergency', token: () => 'professional --id 810000000006 --profession 21 --structure 1690000002 --mode bris_de_glace' },
  { dir: 'patient', token: (k) => `patient --patient-key ${k}` },
  { dir: 'hospital-author-after-patient', token: () => 'professional --id 810000000001 --profession 10 --specialty SM26 --structure 1750000001 --sector SA01' },
  { dir: 'pharmacist-emergency-opposed', token: () => 'professional --id 810000000006 --profession 21 --structure 1690000002 --mode bris_de_glace' },
];

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const reportDir = args[args.indexOf('--report-dir') + 1] && args.includes('--report-dir') ? args[args.indexOf('--report-dir') + 1] : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-testscripts-'));
  // The token commands run as child processes: they must sign with this server's key.
  Object.assign(process.env, { CARNET_DATA_DIR: dataDir, CARNET_DEV_MODE: 'true' });
  // Always a fresh embedded store: the scripts count what they deposit, so a shared database
  // (DATABASE_URL, as CI sets it for the test suites) would carry earlier runs' documents.
  const config = {
    ...loadConfig({ ...process.env, CARNET_LOG_LEVEL: 'silent', CARNET_DATA_DIR: dataDir, CARNET_DEV_MODE: 'true' }),
    databaseUrl: undefined,
    host: '127.0.0.1',
    port: 0,
  };
  const app = await createApp(config);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const address = await app.http.listen({ host: '127.0.0.1', port: 0 });
    app.config.publicUrl = address;
    const { patientKey } = await loadDemo(app.services);
    const variables = {
      patientKey,
      insSystem: `urn:oid:${DEMO_INS.system}`,
      ins: DEMO_INS.value,
      oidRoot: `1.2.250.1.999.88.${process.pid}.${Date.now() % 1_000_000}`,
    };
    console.log(`Carnet at ${address}, demo record Patient/${patientKey}`);
    for (const phase of PHASES) {
      const args = phase.token(patientKey);
      const summary = await runTestScripts([join(SUITES, phase.dir)], {
        base: `${address}/fhir`,
        ...(args ? { tokenCommand: `${CARNET} ${args}` } : {}),
        reportDir: reportDir ? join(reportDir, phase.dir) : undefined,
        variables,
        log: (line) => {
          if (!SUMMARY_LINE.test(line)) console.log(`[${phase.dir}] ${line}`);
        },
      });
      passed += summary.passed;
      failed += summary.failed;
      skipped += summary.skipped;
    }
  } finally {
    await app.close();
  }
  console.log(formatSummary(passed, failed, skipped));
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
