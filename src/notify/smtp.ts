// E-mail through SMTP (nodemailer). No logging from the transport: bodies hold login codes
// (AUTH-06).
import nodemailer from 'nodemailer';
import type { MailSender, OutgoingMessage } from './sender.js';

export interface SmtpSettings {
  host: string;
  port: number;
  from: string;
  /** TLS from the first byte (usually port 465) */
  secure: boolean;
  /** refuse to send unless the server upgrades with STARTTLS */
  requireTls: boolean;
  user?: string;
  password?: string;
  timeoutMs?: number;
}

export function smtpSender(s: SmtpSettings): MailSender {
  const transport = nodemailer.createTransport({
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
      await transport.sendMail({ from: s.from, to: m.recipient, subject: m.subject ?? '', text: m.body });
    },
    close() {
      transport.close();
    },
  };
}
