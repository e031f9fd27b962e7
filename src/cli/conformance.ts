// `carnet conformance xds [tests-dir...] [--base URL]`: runs NIST XDS toolkit test plans.
// Without --base, a Carnet is started in-process on a fresh embedded store, so the toolkit's
// patient feeds become record creations through the services. With --base, the server is
// elsewhere: the test patients must already exist there (--patient, --sq-patient), authorising
// the runner's professional, whose VIHF the server must trust (--vihf-key/--vihf-cert).
import { readFileSync } from 'node:fs';
import { parseCx } from '../domain/hl7v2.js';
import { runXdsTests, type XdsRunOptions } from '../conformance/xds/index.js';
import { startLocalServer, type LocalServer } from '../conformance/xds/local-server.js';
import { loadNotApplicable } from '../conformance/xds/not-applicable.js';
import { optionString, parseArgs } from './args.js';
import { runTestscriptCommand, TESTSCRIPT_USAGE } from './conformance-testscript.js';
import type { Command } from './commands.js';

const USAGE = `usage: carnet conformance xds [tests-dir...] [options]
  tests-dir            toolkit tests or folders of tests (default conformance/xds/tests)
  --base URL           server to test (doors at URL/xds/registry, URL/xds/repository);
                       without it, a Carnet is started in-process on a fresh embedded store
  --report FILE        write the results as JSON
  --patient CX         with --base: existing patient for the register tests (15817)
  --sq-patient CX      with --base: existing patient for the stored-query data (15818)
  --patient-system OID assigning authority of generated patient ids (default INS-NIR)
  --vihf-key PEM --vihf-cert PEM   VIHF signing pair (default: the TEST-ONLY pair)
  --audience URI       SAML Audience to put in the VIHF
  --not-applicable FILE  list of tests to skip (default conformance/xds/not-applicable.json)`;

function patientOption(value: string | undefined, name: string) {
  if (value === undefined) return undefined;
  const p = parseCx(value);
  if (!p) throw new Error(`--${name}: "${value}" is not a CX patient id (value^^^&oid&ISO)`);
  return p;
}

async function runXds(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.options.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const key = optionString(p, 'vihf-key');
  const cert = optionString(p, 'vihf-cert');
  if (!!key !== !!cert) {
    console.error('carnet conformance xds: --vihf-key and --vihf-cert go together');
    return 2;
  }
  const base = optionString(p, 'base');
  const naFile = optionString(p, 'not-applicable');
  let options: Omit<XdsRunOptions, 'base'>;
  try {
    options = {
      log: (line) => console.log(line),
      reportFile: optionString(p, 'report'),
      patientSystem: optionString(p, 'patient-system'),
      audience: optionString(p, 'audience'),
      ...(naFile ? { notApplicable: loadNotApplicable(naFile) } : {}),
      ...(key && cert ? { signer: { privateKeyPem: readFileSync(key, 'utf8'), certificatePem: readFileSync(cert, 'utf8') } } : {}),
      patients: {
        register: patientOption(optionString(p, 'patient'), 'patient'),
        sq: patientOption(optionString(p, 'sq-patient'), 'sq-patient'),
      },
    };
  } catch (e) {
    console.error(`carnet conformance xds: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const dirs = p.positional.length ? p.positional : ['conformance/xds/tests'];
  let local: LocalServer | undefined;
  try {
    if (!base) {
      local = await startLocalServer();
      console.log(`carnet conformance xds: in-process server at ${local.base}`);
    }
    const summary = await runXdsTests(dirs, {
      ...options,
      base: base ?? local!.base,
      ...(local ? { registerPatient: local.registerPatient } : {}),
    });
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await local?.close();
  }
}

export const conformanceCommand: Command = {
  async run(args) {
    const [suite, ...rest] = args;
    if (suite === 'xds') return runXds(rest);
    if (suite === 'testscript') return runTestscriptCommand(rest);
    const help = suite === '--help' || suite === '-h' || suite === 'help';
    (help ? console.log : console.error)(`${USAGE}\n${TESTSCRIPT_USAGE}`);
    return help ? 0 : 2;
  },
};
