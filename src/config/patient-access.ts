// Settings of the patient access side: passwords and login codes, mail and SMS delivery, and the
// scheduled jobs. Read with the rest of the configuration (config.ts) and validated here.
import { DEFAULT_CREATION_CODE_TTL_DAYS } from '../domain/self-creation.js';
import { valueOrFile } from './secrets.js';
import { ConfigError, readBool, readInt, readString, readUrl, type Env } from './env.js';

export interface SmtpConfig {
  host: string;
  port: number;
  from: string;
  /** TLS from the first byte (usually port 465) */
  secure: boolean;
  /** refuse to send unless the server upgrades with STARTTLS */
  requireTls: boolean;
  user?: string;
  password?: string;
}

export interface PatientAccessConfig {
  /** absent: e-mails stay in the outbox table (development) */
  smtp?: SmtpConfig;
  /** absent: SMS stay in the outbox table (development, tests) */
  sms?: { gatewayUrl: string; token?: string };
  /** seconds between two runs of the jobs while serving; 0 turns the loop off */
  jobsIntervalSeconds: number;
  /** the HMAC key of login codes given as a value (at least 32 bytes, base64 or text) ... */
  codeSecret?: string;
  /** ... or kept in this file (default: <data dir>/keys/code-secret, created if absent); shared by every instance */
  codeSecretFile?: string;
  /** scrypt cost as log2(N) for new password hashes */
  scryptLog2N: number;
  /** lifetime of a patient session token */
  sessionTtlSeconds: number;
  /** the current version of the terms of use (CGU), asked again at the next login when it changes */
  termsVersion?: string;
  /** PAT-07: the support service's address for copy requests (absent: they wait in the table) */
  supportEmail?: string;
  /** DMP-02: days a creation code issued by the support service stays valid (a letter takes days) */
  creationCodeTtlDays: number;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function loadPatientAccessConfig(env: Env): PatientAccessConfig {
  const host = readString(env, 'CARNET_SMTP_HOST');
  let smtp: SmtpConfig | undefined;
  if (host) {
    const secure = readBool(env, 'CARNET_SMTP_SECURE', false);
    const from = readString(env, 'CARNET_SMTP_FROM');
    if (!from) throw new ConfigError('CARNET_SMTP_FROM: required when CARNET_SMTP_HOST is set (e.g. "Carnet <no-reply@example.org>")');
    const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
    if (!EMAIL.test(address)) throw new ConfigError(`CARNET_SMTP_FROM: expected an e-mail address, got "${from}"`);
    const user = readString(env, 'CARNET_SMTP_USER');
    const password = readString(env, 'CARNET_SMTP_PASSWORD');
    if (password && !user) throw new ConfigError('CARNET_SMTP_PASSWORD: set CARNET_SMTP_USER too');
    smtp = {
      host,
      port: readInt(env, 'CARNET_SMTP_PORT', secure ? 465 : 587, 1, 65535),
      from,
      secure,
      requireTls: readBool(env, 'CARNET_SMTP_REQUIRE_TLS', false),
      user,
      password,
    };
  } else {
    for (const name of ['CARNET_SMTP_PORT', 'CARNET_SMTP_FROM', 'CARNET_SMTP_USER', 'CARNET_SMTP_PASSWORD']) {
      if (readString(env, name)) throw new ConfigError(`${name}: set CARNET_SMTP_HOST too, or remove it`);
    }
  }
  const gatewayUrl = readUrl(env, 'CARNET_SMS_GATEWAY_URL', ['https:', 'http:']);
  const smsToken = readString(env, 'CARNET_SMS_GATEWAY_TOKEN');
  if (smsToken && !gatewayUrl) throw new ConfigError('CARNET_SMS_GATEWAY_TOKEN: set CARNET_SMS_GATEWAY_URL too');
  return {
    smtp,
    sms: gatewayUrl ? { gatewayUrl, token: smsToken } : undefined,
    jobsIntervalSeconds: readInt(env, 'CARNET_JOBS_INTERVAL_SECONDS', 60, 0, 86_400),
    codeSecret: valueOrFile(env, 'CARNET_CODE_SECRET').value,
    codeSecretFile: valueOrFile(env, 'CARNET_CODE_SECRET').file,
    scryptLog2N: readInt(env, 'CARNET_PASSWORD_SCRYPT_COST', 15, 14, 20),
    sessionTtlSeconds: readInt(env, 'CARNET_SESSION_TTL_SECONDS', 1800, 60, 86_400),
    termsVersion: readString(env, 'CARNET_TERMS_VERSION') || undefined,
    supportEmail: supportEmailOf(env),
    creationCodeTtlDays: readInt(env, 'CARNET_CREATION_CODE_TTL_DAYS', DEFAULT_CREATION_CODE_TTL_DAYS, 1, 365),
  };
}

function supportEmailOf(env: Env): string | undefined {
  const v = readString(env, 'CARNET_SUPPORT_EMAIL');
  if (v && !EMAIL.test(v)) throw new ConfigError(`CARNET_SUPPORT_EMAIL: expected an e-mail address, got "${v}"`);
  return v || undefined;
}
