// Log settings: one JSON line per request, with secrets removed before anything is written.
// Authorization headers, cookies, passwords, one-time codes and tokens never reach a log (AUTH-06).
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

const SECRET_QUERY = new RegExp(`([?&](?:${SECRET_KEYS.join('|')})=)[^&#]*`, 'gi');

/** A URL fit for a log line: secret query parameters are blanked. */
export function loggableUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}
