// A real SMTP server on an ephemeral local port that keeps what it receives, for end-to-end
// tests of the mail the record sends. Plain SMTP (no STARTTLS, no AUTH), local only.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  /** the text body, transfer-decoded */
  text: string;
  raw: string;
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  /**
   * the messages to `to` (those `which` keeps), once there are `count` of them: looked at as each
   * message arrives (the test's own timeout bounds the wait; the sink's close ends it)
   */
  waitFor(to: string, count?: number, which?: (m: ReceivedMail) => boolean): Promise<ReceivedMail[]>;
  /** what `found` returns, once it returns something: asked now, then as each message arrives */
  until<T>(found: (messages: readonly ReceivedMail[]) => T | undefined): Promise<T>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(v: string): string {
  return v.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

export function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const c = line.indexOf(':');
    if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
  }
  const enc = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const text = enc === 'quoted-printable' ? decodeQuotedPrintable(body) : enc === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { headers, text };
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  /** the waits in progress: each is told of every arrival, and of the close */
  const waits = new Set<{ look(): void; fail(e: Error): void }>();
  const arrived = (m: ReceivedMail) => {
    messages.push(m);
    for (const w of [...waits]) w.look();
  };
  let closed = false;
  const until = <T>(found: (all: readonly ReceivedMail[]) => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const w = {
        look() {
          let value: T | undefined;
          try {
            value = found(messages);
          } catch (e) {
            waits.delete(w);
            reject(e as Error);
            return;
          }
          if (value === undefined) return;
          waits.delete(w);
          resolve(value);
        },
        fail(e: Error) {
          waits.delete(w);
          reject(e);
        },
      };
      if (closed) return reject(new Error('the SMTP sink is closed'));
      waits.add(w);
      w.look();
    });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text } = parseMail(raw);
        arrived({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: decodeWords(headers.get('subject') ?? ''),
          text,
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    waitFor: (to, count = 1, which = () => true) =>
      until((all) => {
        const got = all.filter((m) => m.to.includes(to) && which(m));
        return got.length >= count ? got : undefined;
      }),
    until,
    close() {
      closed = true;
      for (const w of [...waits]) w.fail(new Error('the SMTP sink closed while a test still waited for a message'));
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The one-time login codes mailed to `email` after its first `since` messages, once there is one. */
export function loginCodes(sink: SmtpSink, email: string, since: number): Promise<string[]> {
  return sink.until((all) => {
    const codes = all
      .filter((m) => m.to.includes(email))
      .slice(since)
      .filter((m) => m.subject.includes('code de connexion'))
      .map((m) => /\b(\d{6})\b/.exec(m.text)?.[1])
      .filter((c): c is string => !!c);
    return codes.length ? codes : undefined;
  });
}
