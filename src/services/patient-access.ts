// The patient access use cases, built together because they share the outbox: accounts
// (DMP-03, AUTH-03/05), login (AUTH-01/02), support (AUTH-04) and the outbox itself.
import { randomBytes } from 'node:crypto';
import { DEFAULT_SCRYPT_LOG2N } from '../auth/passwords.js';
import { accountService } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import { loginService, type LoginOptions } from './login.js';
import { loginRecordService } from './login-records.js';
import { outboxService, type OutboxOptions } from './outbox.js';
import { supportService } from './support.js';

export type PatientAccessOptions = Partial<LoginOptions> &
  OutboxOptions & {
    /** DMP-02: how long a creation code issued by the support service is valid */
    creationCodeTtlDays?: number;
  };

export function patientAccessServices(deps: ServiceDeps, o: PatientAccessOptions = {}) {
  const login: LoginOptions = {
    // Without a configured secret (tests), codes only live as long as the process: fine there.
    codeSecret: o.codeSecret ?? randomBytes(32),
    scryptLog2N: o.scryptLog2N ?? DEFAULT_SCRYPT_LOG2N,
    sessionTtlSeconds: o.sessionTtlSeconds ?? 1800,
    limits: o.limits,
    termsVersion: o.termsVersion,
  };
  const outbox = outboxService(deps, o);
  const logins = loginService(deps, login, outbox);
  return {
    outbox,
    accounts: accountService(deps, login, outbox),
    login: logins,
    loginRecords: loginRecordService(deps, login),
    support: supportService(deps, login, outbox, logins),
  };
}
