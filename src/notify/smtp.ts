// E-mail through SMTP (nodemailer). No logging from the transport: bodies hold login codes
// (AUTH-06).
import type { Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config/patient-access.js';
import type { MailSender, OutgoingMessage } from './sender.js';

/** The configured SMTP server (see config/patient-access.ts), with an optional timeout. */
export type SmtpSettings = SmtpConfig & { timeoutMs?: number };

export function smtpSender(s: SmtpSettings): MailSender {
  // nodemailer is loaded with the first message, not at every start.
  let transport: Promise<Transporter> | undefined;
  const open = async () => (await import('nodemailer')).default.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: s.requireTls,
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    connectionTimeout: s.timeoutMs ?? 10_000,
    greetingTimeout: s.timeoutMs ?? 10_000,
    socketTimeout: s.timeoutMs ?? 10_000,
    logger: false,
    debug: false,
  });
  return {
    async send(m: OutgoingMessage) {
      await (await (transport ??= open())).sendMail({ from: s.from, to: m.recipient, subject: m.subject ?? '', text: m.body });
    },
    close() {
      void transport?.then((t) => t.close(), () => {});
    },
  };
}
