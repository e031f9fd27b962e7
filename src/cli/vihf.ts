// `carnet vihf`: a signed VIHF assertion (SAML 2.0) for calling the XDS door in development, as
// `carnet token` gives bearer tokens for the FHIR door. Refused unless CARNET_DEV_MODE=true: in
// production the calling software signs its own assertions with its structure's certificate.
import { readFileSync } from 'node:fs';
import { issueVihf, securityHeader, type VihfClaims } from '../auth/vihf-issuer.js';
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { testOnlySigner, type Signer } from '../conformance/xds/identity.js';
import { parseCx } from '../domain/hl7v2.js';
import type { PatientIdentifier } from '../domain/model.js';
import { optionString, parseArgs } from './args.js';
import type { Command } from './commands.js';
import { USAGE } from './usage.js';

const INS_NIR = '1.2.250.1.213.1.4.8';
const PROFESSION_SYSTEM = '1.2.250.1.71.1.2.7';
const SPECIALTY_SYSTEM = '1.2.250.1.71.4.2.5';
const MODES = ['normal', 'bris_de_glace', 'centre_15'];

function patientOf(ins: string | undefined, cx: string | undefined): PatientIdentifier {
  if (ins && cx) throw new ConfigError('--ins and --patient name the same thing; give one');
  if (ins) {
    if (!/^\d{13}$/.test(ins)) throw new ConfigError(`--ins: expected the 13 digits of an INS-NIR, got "${ins}"`);
    return { value: ins, system: INS_NIR };
  }
  const p = cx ? parseCx(cx) : undefined;
  if (!p) throw new ConfigError(cx ? `--patient: "${cx}" is not a CX (value^^^&oid&ISO)` : `--ins or --patient is required\n${USAGE.vihf}`);
  return p;
}

function signerOf(key: string | undefined, cert: string | undefined): Signer {
  if (!!key !== !!cert) throw new ConfigError('--key and --cert go together');
  if (key && cert) {
    try {
      return { privateKeyPem: readFileSync(key, 'utf8'), certificatePem: readFileSync(cert, 'utf8') };
    } catch (e) {
      throw new ConfigError(`--key / --cert: ${(e as Error).message}`);
    }
  }
  const signer = testOnlySigner();
  if (!signer) throw new ConfigError('the TEST-ONLY VIHF signer is not installed here; give --key and --cert');
  return signer;
}

export const vihfCommand: Command = {
  async run(args) {
    const config = loadConfig();
    if (!config.devMode) throw new ConfigError('CARNET_DEV_MODE: development VIHF assertions are issued only when it is true');
    const p = parseArgs(args);
    if (p.positional.length) throw new ConfigError(`unexpected argument "${p.positional[0]}"\n${USAGE.vihf}`);
    const need = (name: string): string => {
      const v = optionString(p, name);
      if (!v) throw new ConfigError(`--${name} is required\n${USAGE.vihf}`);
      return v;
    };
    const mode = optionString(p, 'mode') ?? 'normal';
    if (!MODES.includes(mode)) throw new ConfigError(`--mode: expected one of ${MODES.join(', ')}, got "${mode}"`);
    const ttl = Number(optionString(p, 'ttl') ?? 3600);
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 86_400) throw new ConfigError('--ttl: expected seconds from 1 to 86400');
    const specialty = optionString(p, 'specialty');
    const audience = optionString(p, 'audience') ?? config.auth.vihfAudience;
    const sector = optionString(p, 'sector');
    const claims: VihfClaims = {
      idNatPs: need('id'),
      profession: { code: need('profession'), codeSystem: PROFESSION_SYSTEM },
      ...(specialty ? { specialty: { code: specialty, codeSystem: SPECIALTY_SYSTEM } } : {}),
      structureId: need('structure'),
      ...(sector ? { activitySector: sector } : {}),
      subjectName: `${optionString(p, 'given') ?? 'Dev'} ${optionString(p, 'family') ?? 'Carnet'}`,
      mode,
      patientId: patientOf(optionString(p, 'ins'), optionString(p, 'patient')),
      ...(audience ? { audience } : {}),
    };
    const assertion = issueVihf(claims, { ...signerOf(optionString(p, 'key'), optionString(p, 'cert')), validitySeconds: ttl });
    console.log(p.options.has('assertion') ? assertion : securityHeader(assertion));
  },
};
