// Log settings: one JSON line per request, with secrets removed before anything is written.
// Authorization headers, cookies, passwords, one-time codes and tokens never reach a log (AUTH-06),
// nor the values of query parameters (patient identifiers).
import type { LoggerOptions } from 'pino';

/** Field names whose values are secrets wherever they appear (bodies, query strings, objects). */
export const SECRET_KEYS = ['password', 'newPassword', 'currentPassword', 'code', 'token', 'access_token', 'id_token', 'refresh_token', 'secret', 'assertion', 'challenge'];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `body.${k}`]),
      ],
      censor: '[redacted]',
    },
  };
}

/**
 * A URL fit for a log line: the path, and the names of the query parameters without their values.
 * Values name patients (an INS in `patient.identifier`), documents and codes; the log keeps none
 * of them. Ids in the path are Carnet's own opaque keys.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = [...new Set(url.slice(q + 1).split('&').map((p) => p.split('=')[0]).filter(Boolean))];
  return names.length ? `${url.slice(0, q)}?${names.join('&')}` : url.slice(0, q);
}
