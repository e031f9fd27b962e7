// `carnet conformance testscript <dir|file...> --base URL [--token T | --token-command CMD]
// [--report-dir D] [--var name=value ...]`: runs FHIR R4 TestScripts against a server, one line
// per test and `N passed, N failed`; the exit code is 1 when a test failed.
import { runTestScripts } from '../conformance/testscript/index.js';
import { optionString, parseArgs } from './args.js';

export const TESTSCRIPT_USAGE = `usage: carnet conformance testscript <dir|file>... --base URL [options]
  --base URL            FHIR base of the server under test (e.g. http://localhost:8080/fhir)
  --token T             bearer token sent with every request
  --token-command CMD   shell command printing the bearer token (run once)
  --report-dir D        write one TestReport per script into D
  --var name=value      TestScript variable override (repeatable)`;

/** `--var a=b` may repeat: read them from the raw arguments. */
function variablesOf(args: string[]): { rest: string[]; variables: Record<string, string> } {
  const rest: string[] = [];
  const variables: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const inline = a.startsWith('--var=') ? a.slice(6) : undefined;
    const value = inline ?? (a === '--var' ? args[++i] : undefined);
    if (value === undefined) {
      rest.push(a);
      continue;
    }
    const eq = value.indexOf('=');
    if (eq <= 0) throw new Error(`--var expects name=value, not "${value}"`);
    variables[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return { rest, variables };
}

export async function runTestscriptCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = variablesOf(args);
  } catch (e) {
    console.error(`carnet conformance testscript: ${(e as Error).message}`);
    return 2;
  }
  const p = parseArgs(parsed.rest);
  const base = optionString(p, 'base');
  if (p.options.has('help') || !base || p.positional.length === 0) {
    console.error(TESTSCRIPT_USAGE);
    return p.options.has('help') ? 0 : 2;
  }
  const summary = await runTestScripts(p.positional, {
    base: base.replace(/\/$/, ''),
    bearerToken: optionString(p, 'token'),
    tokenCommand: optionString(p, 'token-command'),
    reportDir: optionString(p, 'report-dir'),
    variables: parsed.variables,
    log: (line) => console.log(line),
  });
  return summary.failed > 0 ? 1 : 0;
}
