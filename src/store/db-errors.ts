// What a database error means for the caller. A database that is down, restarting, cutting
// connections or too slow is a passing condition: 503 with Retry-After, never a 500. A value the
// database cannot read as its column type (a non-uuid id, a date out of range) is the request's
// fault: 400. Anything else stays an internal error.
import { CarnetError } from '../domain/errors.js';

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection terminated',
  'Client has encountered a connection error',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when the error says the connection itself is lost or cannot be made. */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code)) return true;
    // 08: connection exception; 57P01-03: shutdown, crash, cannot connect now; 53300: too many
    // connections; 55000 is what a database refusing connections answers (ALLOW_CONNECTIONS off).
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (code === '55000' && /not currently accepting connections/.test(e.message)) return true;
  }
  return CONNECTION_MESSAGES.some((m) => e.message.includes(m));
}

/** The SQLSTATE of a database's error (five characters), if it is one. */
export function sqlState(e: unknown): string | undefined {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * A statement kept prepared that PostgreSQL can no longer run under its name, raised before it
 * runs: its plan no longer fits its tables' shape (0A000, told by the routine that raises it,
 * which PostgreSQL does not translate — a server whose `lc_messages` is French words the message
 * otherwise — or by its English message), or the name is not prepared (26000).
 */
export function isKeptStatementGone(e: unknown): boolean {
  const state = sqlState(e);
  if (state === '26000') return true;
  if (state !== '0A000' || !(e instanceof Error)) return false;
  return (e as { routine?: unknown }).routine === 'RevalidateCachedQuery' || /cached plan must not change result type/.test(e.message);
}

/**
 * The error to throw instead of a database's own; errors of the record pass unchanged.
 * `schemaChanges`: another process may change the tables' shape (a server's store).
 */
export function translateDbError(e: unknown, schemaChanges = true): unknown {
  if (e instanceof CarnetError) return e;
  if (isConnectionError(e)) {
    return new CarnetError('unavailable', 'the database is not available at the moment; retry later', { reason: 'database_unavailable' });
  }
  const state = sqlState(e);
  // 57014: the statement timeout (or a cancel) cut the query.
  if (state === '57014') {
    return new CarnetError('unavailable', 'the database took too long to answer; retry later', { reason: 'database_timeout' });
  }
  // A statement kept prepared whose tables changed shape under it (another process's migration):
  // 0A000 "cached plan must not change result type" or 26000, raised before it ran. Outside a
  // transaction the store runs it again; inside one the transaction is lost, and the request may
  // simply be sent again. Only a server's store asks for this: the embedded store has no other
  // process, so there these errors are its own bug and stay internal errors. PostgreSQL's own
  // words go with it as its cause, for the server's log (never the answer's).
  if (schemaChanges && isKeptStatementGone(e)) {
    return new CarnetError('unavailable', 'the database changed while this request ran; retry', { reason: 'database_changed', cause: e });
  }
  // 22: data exception (invalid text for the type, value out of range, string too long...).
  if (state?.startsWith('22')) {
    return new CarnetError('invalid_metadata', 'a value of the request does not have the form it must have', { reason: 'invalid_value' });
  }
  return e;
}
