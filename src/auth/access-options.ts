// The patient access options from the configuration: the code secret (a shared file), the scrypt
// cost, the session lifetime, and the mail / SMS senders (none configured: outbox only).
import type { Config } from '../config/config.js';
import type { Senders } from '../notify/sender.js';
import { httpSmsSender } from '../notify/sms-gateway.js';
import { smtpSender } from '../notify/smtp.js';
import type { PatientAccessOptions } from '../services/patient-access.js';
import { serverCodeSecret } from './server-keys.js';

export function patientAccessOptions(config: Config): PatientAccessOptions {
  const pa = config.patientAccess;
  const senders: Senders = {};
  if (pa.smtp) senders.email = smtpSender(pa.smtp);
  if (pa.sms) senders.sms = httpSmsSender({ url: pa.sms.gatewayUrl, token: pa.sms.token });
  return {
    codeSecret: serverCodeSecret(config),
    scryptLog2N: pa.scryptLog2N,
    sessionTtlSeconds: pa.sessionTtlSeconds,
    termsVersion: pa.termsVersion,
    creationCodeTtlDays: pa.creationCodeTtlDays,
    senders,
  };
}
