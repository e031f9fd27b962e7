// `carnet token`: issues a test bearer token from the server's local development key. Refused
// unless CARNET_DEV_MODE=true: in production, professionals' tokens come from the identity
// provider and patients' from the login.
import { createBearerVerifier } from '../auth/bearer.js';
import type { CarnetClaims } from '../auth/claims.js';
import { serverSigningKeys } from '../auth/server-keys.js';
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { optionString, parseArgs } from './args.js';
import type { Command } from './commands.js';
import { USAGE as COMMAND_USAGE } from './usage.js';

const USAGE = COMMAND_USAGE.token;

export const tokenCommand: Command = {
  async run(args) {
    const config = loadConfig();
    if (!config.devMode) throw new ConfigError('CARNET_DEV_MODE: test tokens are issued only when it is true');
    const p = parseArgs(args);
    const kind = p.positional[0];
    const need = (name: string): string => {
      const v = optionString(p, name);
      if (!v) throw new ConfigError(`--${name} is required\n${USAGE}`);
      return v;
    };
    let claims: CarnetClaims;
    switch (kind) {
      case 'professional':
        claims = {
          sub: need('id'),
          subject_type: 'professional',
          profession: need('profession'),
          specialty: optionString(p, 'specialty'),
          structure_id: optionString(p, 'structure'),
          activity_sector: optionString(p, 'sector'),
          purpose_of_use: optionString(p, 'mode') ?? 'normal',
          given_name: optionString(p, 'given'),
          family_name: optionString(p, 'family'),
          on_patient_request: p.options.has('on-patient-request'),
          person_id: optionString(p, 'person-id'),
        };
        break;
      case 'patient':
        claims = { sub: need('patient-key'), subject_type: 'patient', patient_key: need('patient-key') };
        break;
      case 'representative':
        claims = { sub: need('representative'), subject_type: 'legal_representative', patient_key: need('patient-key'), representative_id: need('representative') };
        break;
      case 'support':
        claims = { sub: need('id'), subject_type: 'support' };
        break;
      case 'insurer':
        claims = { sub: need('id'), subject_type: 'insurer' };
        break;
      default:
        console.error(USAGE);
        return 2;
    }
    const localKeys = await serverSigningKeys(config);
    const verifier = createBearerVerifier({ audience: config.auth.audience, localKeys, devMode: true });
    const ttl = Number(optionString(p, 'ttl') ?? 3600);
    console.log(await verifier.sign(claims, Number.isFinite(ttl) && ttl > 0 ? ttl : 3600));
  },
};
