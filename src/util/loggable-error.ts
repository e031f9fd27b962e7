// What an error may say in the server's log (and in a command's report): an allow-list, built
// here once for every error that reaches a log line, whatever its source. Health data never
// reaches the log: a database's error carries the values of the row or key it refused (`detail`:
// "Key (value)=(<INS>) already exists", "Failing row contains (<names>, <birth date>...)"), the
// context of the value it could not read (`where`), the embedded store's statement parameters
// (`params`), the statement text; Carnet's own errors quote the request to its caller ("no DMP
// for patient <INS>"); a runtime's errors quote their input ('Unexpected token ... "<input>"').
// None of that is kept. What is kept says what went wrong and where, for the operator:
// - every error: its type and its stack frames (function, file, line; never a value);
// - a database's error: its SQLSTATE (`sqlState`), severity, the routine that raised it, the
//   schema, table, column, constraint and data type it names, and PostgreSQL's message, with
//   quoted text cut unless the message's class quotes only names (a constraint, a relation);
// - a Carnet error: its code (`error`) and the rule's reason, as the request's line has them;
// - any other error: its message with quoted text, query strings and long numbers cut, its
//   system code (`errorCode`: ECONNREFUSED, ERR_...), system call and HTTP status;
// - the errors it stands for (`cause`, and an AggregateError's `errors`), the same way.
// The log blanks any field named `code` (a one-time code, AUTH-06), so no field here has that name.
import { CarnetError } from '../domain/errors.js';

export interface LoggedError {
  type: string;
  message?: string;
  /** PostgreSQL's SQLSTATE (its `code`) */
  sqlState?: string;
  severity?: string;
  routine?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  /** Carnet's error code and the rule's reason */
  error?: string;
  reason?: string;
  /** a system's or a library's code: ECONNREFUSED, ERR_INVALID_URL, FST_ERR_... */
  errorCode?: string;
  syscall?: string;
  statusCode?: number;
  stack?: string;
  cause?: LoggedError;
  errors?: LoggedError[];
}

/** Marks what loggableError made: made once, passed through as it is after. */
const MADE = new WeakSet<object>();

/** How many causes deep, and how many of an AggregateError's errors, are kept. */
const MAX_DEPTH = 4;
const MAX_ERRORS = 5;

/**
 * SQLSTATE classes whose messages quote names only (a constraint, a relation, a column, a
 * prepared statement), never a value: connection (08), feature (0A), integrity (23: the values
 * are in `detail`), transaction state (25), statement name (26), schema (3F), rollback (40),
 * syntax and access (42: names from the statement's text, which holds no value), resources
 * (53), object state (55), intervention (57). Every other class, data exceptions (22:
 * `invalid input syntax for type uuid: "<the value>"`) first, has its quoted text cut.
 */
const NAME_QUOTING_CLASSES = new Set(['08', '0A', '23', '25', '26', '3F', '40', '42', '53', '55', '57']);

const SQLSTATE = /^[0-9A-Z]{5}$/;
const SYSTEM_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/**
 * Quoted text, from a quote to the last of its kind in the message: a quoted input may hold
 * quotes itself (JSON.parse quotes the JSON it refused: `"{"family":"Durand"}"`) and lines
 * (`"x\n    at Durand"`), and quote to quote would leave its values between the pairs. Angle
 * brackets quote too (`<address@host>`).
 */
const QUOTED = /"[^]*"|'[^]*'|`[^]*`|«[^]*»|<[^<>\n]*>/g;
/** a query string after a path: its parameters' values name patients (http/logging.ts) */
const QUERY_STRING = /\?[^\s"'`)]+/g;
/** an e-mail address, quoted or not */
const EMAIL = /[^\s@"'`<>()[\],;:]+@[^\s@"'`<>()[\],;:]+/g;
/** a JSON Web Token (a bearer token, an id token): its header and claims are base64url JSON */
const JWT = /\beyJ[\w-]*(?:\.[\w-]*){1,2}/g;
/**
 * A number of four digits or more, its digits together or in groups (a space, a dash, a slash
 * between them): an identifier (an INS written `2 85 07 75 123 456`), a phone number, a date
 * (`1971-08-19`, `19/08/1971`).
 */
const LONG_NUMBER = /\d(?:[ /-]?\d){3,}/g;
/** Node's argument errors end by quoting the value they received */
const RECEIVED = /\bReceived\b.*$/s;

const cutQuote = (q: string) => (q[0] === '<' ? '<…>' : `${q[0]}…${q[q.length - 1]}`);

/**
 * Quoted text, query strings, e-mail addresses, tokens and long numbers cut from a message: what
 * is left is the runtime's own words. A value written bare among words (a name) cannot be told
 * from them; errors that write such values are Carnet's own, whose message is never logged.
 */
export function maskedMessage(message: string): string {
  return message
    .replace(RECEIVED, 'Received …')
    .replace(EMAIL, '…@…')
    .replace(JWT, '…')
    .replace(QUOTED, cutQuote)
    .replace(QUERY_STRING, '?…')
    .replace(LONG_NUMBER, '…');
}

/** PostgreSQL's message: as it is when its class quotes only names, else with quoted text cut. */
function databaseMessage(message: string, sqlState: string): string {
  const line = message.split('\n')[0]!;
  return NAME_QUOTING_CLASSES.has(sqlState.slice(0, 2)) ? line : line.replace(EMAIL, '…@…').replace(QUOTED, cutQuote).replace(LONG_NUMBER, '…');
}

const isErrorLike = (e: unknown): e is Error => e instanceof Error || (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string');

/** A database's error (pg's or PGlite's DatabaseError): a SQLSTATE and a severity. */
function isDatabaseError(e: Error): boolean {
  const { code, severity } = e as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && SQLSTATE.test(code) && typeof severity === 'string';
}

function typeOf(e: Error): string {
  const ctor = (e as { constructor?: { name?: unknown } }).constructor?.name;
  const name = typeof ctor === 'string' && ctor !== 'Object' ? ctor : e.name;
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : 'Error';
}

/**
 * The frames of a stack (`    at fn (file:line:col)`), under a first line of our own. A stack
 * begins with the error's message, whose lines may read as frames (`...:\n    at <a value>`):
 * that beginning is left out, and when the stack does not begin with the message (it was
 * changed after), only lines that end as a frame does (a location, `<anonymous>`, `native`).
 */
function framesOf(e: Error, head: string): string | undefined {
  if (typeof e.stack !== 'string') return undefined;
  const written = `${String(e.name)}: ${String(e.message)}`;
  const own = e.stack.startsWith(written);
  const rest = own ? e.stack.slice(written.length) : e.stack;
  const frames = rest.split('\n').filter((l) => /^\s+at /.test(l) && (own || FRAME_END.test(l)));
  return [head, ...frames].join('\n');
}
const FRAME_END = /(?::\d+:\d+\)?|\((?:<anonymous>|native|index \d+)\))$/;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 256 ? v : undefined;
}

/** The error as the log may show it (LoggedError); anything that is not an error, by its type only. */
export function loggableError(e: unknown, depth = 0): LoggedError {
  if (typeof e === 'object' && e !== null && MADE.has(e)) return e as LoggedError;
  if (!isErrorLike(e)) return made({ type: e === null ? 'null' : typeof e });
  // pg's and PGlite's (whose class name is minified) under one name: the log reads the same on both stores
  const type = isDatabaseError(e) ? 'DatabaseError' : typeOf(e);
  const out: LoggedError = { type };
  const fields = e as unknown as Record<string, unknown>;
  if (e instanceof CarnetError) {
    out.error = e.code;
    if (e.reason) out.reason = e.reason;
  } else if (isDatabaseError(e)) {
    const sqlState = fields.code as string;
    out.sqlState = sqlState;
    out.severity = text(fields.severity);
    out.routine = text(fields.routine);
    for (const k of ['schema', 'table', 'column', 'constraint', 'dataType'] as const) {
      const v = text(fields[k]);
      if (v) out[k] = v;
    }
    out.message = databaseMessage(e.message, sqlState);
  } else {
    out.message = maskedMessage(e.message);
    const code = fields.code;
    if (typeof code === 'string' && SYSTEM_CODE.test(code)) out.errorCode = code;
    if (typeof fields.syscall === 'string' && /^\w{1,32}$/.test(fields.syscall)) out.syscall = fields.syscall;
    if (typeof fields.statusCode === 'number') out.statusCode = fields.statusCode;
  }
  for (const k of Object.keys(out) as Array<keyof LoggedError>) if (out[k] === undefined) delete out[k];
  const head = out.message !== undefined ? `${type}: ${out.message}` : out.error ? `${type} ${out.error}${out.reason ? ` (${out.reason})` : ''}` : type;
  const stack = framesOf(e, head);
  if (stack) out.stack = stack;
  if (depth < MAX_DEPTH) {
    const cause = (e as { cause?: unknown }).cause;
    if (cause !== undefined) out.cause = loggableError(cause, depth + 1);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) out.errors = errors.slice(0, MAX_ERRORS).map((x) => loggableError(x, depth + 1));
  }
  return made(out);
}

function made(out: LoggedError): LoggedError {
  MADE.add(out);
  return out;
}

/** One line for a report (`carnet jobs run`): the error's type, its SQLSTATE or code, its safe message. */
export function loggableSummary(e: unknown): string {
  const l = loggableError(e);
  const code = l.sqlState ?? l.error ?? l.errorCode;
  const parts = [l.type, code, l.reason ? `(${l.reason})` : undefined, l.message].filter((p): p is string => !!p);
  return parts.join(' ');
}
