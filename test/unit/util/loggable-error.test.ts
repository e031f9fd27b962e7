// What an error may say in the server's log (src/util/loggable-error.ts, and the logger's options
// in src/http/logging.ts): never the values a database error, a Carnet error or a runtime error
// carries; always what the operator needs (type, SQLSTATE, routine, constraint, frames).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import { commands } from '../../../src/cli/commands.js';
import { CarnetError } from '../../../src/domain/errors.js';
import { main } from '../../../src/main.js';
import { addRouteWords, loggerOptions } from '../../../src/http/logging.js';
import type { Db } from '../../../src/store/db.js';
import { loggableError, loggableSummary, maskedMessage } from '../../../src/util/loggable-error.js';
import { openTestPglite } from '../../support/stores.js';

const INS = '2840575123456';

/** A database error as pg hands one over: its fields are PostgreSQL's, values included. */
function pgError(over: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "patient_identifier_pkey"'), {
    name: 'error',
    severity: 'ERROR',
    code: '23505',
    detail: `Key (system, value)=(1.2.250.1.213.1.4.8, ${INS}) already exists.`,
    hint: `see ${INS}`,
    where: `SQL function "f" statement 1, value ${INS}`,
    internalQuery: `SELECT '${INS}'`,
    schema: 'public',
    table: 'patient_identifier',
    constraint: 'patient_identifier_pkey',
    routine: '_bt_check_unique',
    file: 'nbtinsert.c',
    line: '666',
    query: 'INSERT INTO patient_identifier (system, value, patient_key) VALUES ($1, $2, $3)',
    params: ['1.2.250.1.213.1.4.8', INS, 'k'],
    ...over,
  });
}

/** The log's lines for what `log` writes. */
function capture(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: pino(loggerOptions('info'), sink), lines: () => written.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('loggableError', () => {
  it('a database error keeps its SQLSTATE, routine, names and message; never its detail, hint, where, internal query, statement or parameters', () => {
    const l = loggableError(pgError());
    expect(l).toMatchObject({
      type: 'DatabaseError',
      sqlState: '23505',
      severity: 'ERROR',
      routine: '_bt_check_unique',
      schema: 'public',
      table: 'patient_identifier',
      constraint: 'patient_identifier_pkey',
      message: 'duplicate key value violates unique constraint "patient_identifier_pkey"',
    });
    expect(Object.keys(l).sort()).toEqual(['constraint', 'message', 'routine', 'schema', 'severity', 'sqlState', 'stack', 'table', 'type']);
    expect(l.stack).toMatch(/^DatabaseError: duplicate key value violates unique constraint "patient_identifier_pkey"\n\s+at /);
    expect(JSON.stringify(l)).not.toContain(INS);
  });

  it('a data exception\'s message loses the value PostgreSQL quotes (class 22), an integrity one keeps the names it quotes (class 23)', () => {
    expect(loggableError(pgError({ code: '22P02', message: `invalid input syntax for type uuid: "Durand ${INS}"` })).message).toBe('invalid input syntax for type uuid: "…"');
    expect(loggableError(pgError({ code: '22008', message: 'date/time field value out of range: "1971-08-19"' })).message).toBe('date/time field value out of range: "…"');
    expect(loggableError(pgError({ code: '23514', message: 'new row for relation "dmp" violates check constraint "dmp_status_check"' })).message).toBe(
      'new row for relation "dmp" violates check constraint "dmp_status_check"',
    );
  });

  it('a Carnet error keeps its code and reason, not its message (which quotes the request), and its cause as the log may show it', () => {
    const e = new CarnetError('unavailable', `no DMP for patient ${INS}`, { reason: 'database_changed', location: INS, cause: pgError() });
    const l = loggableError(e);
    expect(l).toMatchObject({ type: 'CarnetError', error: 'unavailable', reason: 'database_changed', cause: { type: 'DatabaseError', sqlState: '23505' } });
    expect(l.message).toBeUndefined();
    expect(l.stack).toMatch(/^CarnetError unavailable \(database_changed\)\n\s+at /);
    expect(JSON.stringify(l)).not.toContain(INS);
  });

  it('any other error: quoted text, query strings, long numbers and received values are cut from its message; its system code is kept as errorCode', () => {
    expect(maskedMessage(`Unexpected token 'D', "Durand" is not valid JSON`)).toBe(`Unexpected token '…', "…" is not valid JSON`);
    expect(maskedMessage('Reply was already sent for url: /fhir/Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|2840575123456 with method: GET')).toBe(
      'Reply was already sent for url: /fhir/Patient?… with method: GET',
    );
    expect(maskedMessage(`Cannot convert ${INS}x to a BigInt`)).toBe('Cannot convert …x to a BigInt');
    expect(maskedMessage('The "path" argument must be of type string. Received type number (42)')).toBe('The "…" argument must be of type string. Received …');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1' });
    expect(loggableError(refused)).toMatchObject({ type: 'Error', errorCode: 'ECONNREFUSED', syscall: 'connect' });
    const url = Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL', input: `Durand ${INS}` });
    expect(JSON.stringify(loggableError(url))).not.toContain(INS);
  });

  it('a message\'s values that slipped past the quote-to-quote cut: a quoted input holding quotes, angle brackets, bare e-mail addresses, tokens, numbers in groups and dates', () => {
    // JSON.parse quotes the JSON it refused, whose own quotes paired with the outer ones left the values bare
    expect(maskedMessage(`Unexpected token 'x', "x{"family":"Durand","given":"Marie"}" is not valid JSON`)).toBe(`Unexpected token '…', "…" is not valid JSON`);
    expect(maskedMessage('all recipients were rejected: 550 <marie.durand@example.org>: Recipient address rejected')).toBe('all recipients were rejected: 550 <…>: Recipient address rejected');
    expect(maskedMessage('Invalid recipient marie.durand@example.org')).toBe('Invalid recipient …@…');
    expect(maskedMessage('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJEdXJhbmQifQ.c2lnbmF0dXJl refused')).toBe('token … refused');
    expect(maskedMessage('patient 2 84 05 75 123 456 78 born 1971-08-19 (19/08/1971)')).toBe('patient … born … (…)');
    // what is the runtime's own stays: short numbers, addresses of machines, positions
    expect(maskedMessage('connect ECONNREFUSED 127.0.0.1:5432')).toBe('connect ECONNREFUSED 127.0.0.1:…');
    expect(maskedMessage('Unterminated string in JSON at position 12')).toBe('Unterminated string in JSON at position 12');
    const bare = loggableError(new SyntaxError(`Unexpected token 'x', "x{"family":"Durand"}" is not valid JSON`));
    expect(JSON.stringify(bare)).not.toContain('Durand');
    expect(loggableError(pgError({ code: '22P02', message: 'invalid input syntax for type json: "{"family":"Durand"}"' })).message).toBe('invalid input syntax for type json: "…"');
    // a quoted input over lines, and a message's lines that read as frames of the stack
    let parsed: unknown;
    try {
      JSON.parse(`x\n    at Durand ${INS} (a)`);
    } catch (e) {
      parsed = e;
    }
    expect(JSON.stringify(loggableError(parsed))).not.toMatch(/Durand|2840575/);
    const forged = loggableError(new Error('refused:\n    at the record of 1971-08-19'));
    expect(forged.stack).not.toContain('1971-08-19');
    expect(forged.stack).toMatch(/^Error: refused:\n {4}at the record of …\n\s+at /);
    const changed = new Error('x');
    changed.stack = 'Error: refused:\n    at the record of 1971-08-19\n    at foo (/a/b.ts:1:2)\n    at new Bar (/a/c.ts:3:4)\n    at async Promise.all (index 0)\n    at JSON.parse (<anonymous>)';
    expect(loggableError(changed).stack).toBe('Error: x\n    at foo (/a/b.ts:1:2)\n    at new Bar (/a/c.ts:3:4)\n    at async Promise.all (index 0)\n    at JSON.parse (<anonymous>)');
  });

  it('what is not an error is said by its type only; a report line says the SQLSTATE and the message', () => {
    expect(loggableError(`thrown ${INS}`)).toEqual({ type: 'string' });
    expect(loggableSummary(pgError())).toBe('DatabaseError 23505 duplicate key value violates unique constraint "patient_identifier_pkey"');
  });
});

describe('the logger', () => {
  it('brings every error to that form: under err, under another name, passed alone, as a cause; the SQLSTATE survives the blanking of fields named code', () => {
    const { log, lines } = capture();
    log.error({ err: pgError() }, 'under err');
    log.warn({ failure: pgError(), other: 1 }, 'under another name');
    log.error(pgError());
    log.error({ err: new CarnetError('unavailable', 'retry', { reason: 'database_changed', cause: pgError() }) }, 'with a cause');
    // the route the URL names is a server's (a quoted URL keeps the routes' words: http/logging.ts)
    addRouteWords('/fhir/Patient');
    log.child({ requestId: 'r' }).warn('Reply was already sent, in the "/fhir/Patient?identifier=x|2840575123456" (GET) route');
    const all = lines();
    expect(JSON.stringify(all)).not.toContain(INS);
    expect(all[0]).toMatchObject({ msg: 'under err', err: { sqlState: '23505', constraint: 'patient_identifier_pkey' } });
    expect(all[1]).toMatchObject({ msg: 'under another name', other: 1, failure: { sqlState: '23505' } });
    expect(all[2]).toMatchObject({ msg: 'duplicate key value violates unique constraint "patient_identifier_pkey"', err: { sqlState: '23505' } });
    expect(all[3]).toMatchObject({ err: { error: 'unavailable', cause: { sqlState: '23505', routine: '_bt_check_unique' } } });
    expect(all[4]).toMatchObject({ requestId: 'r', msg: 'Reply was already sent, in the "/fhir/Patient?…" (GET) route' });
  });
});

describe('the embedded store', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestPglite();
    await db.query('CREATE TABLE log_probe (v text PRIMARY KEY)');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('its errors hold the statement, never its parameters', async () => {
    for (const sql of ['INSERT INTO log_probe (v) VALUES ($1)', 'INSERT INTO log_probe (v) SELECT $1']) {
      await db.query('DELETE FROM log_probe');
      await db.query(sql, [INS]);
      const e = (await db.query(sql, [INS]).catch((x: unknown) => x)) as Record<string, unknown>;
      expect(e).toMatchObject({ code: '23505', query: sql });
      expect(e.params).toBeUndefined();
      expect(Object.values(e).filter((v) => JSON.stringify(v)?.includes(INS))).toEqual([e.detail]);
    }
  });
});

describe('the command line', () => {
  it('a command stopped by an unexpected error says it as the log would, on standard error, and exits 1', async () => {
    commands['log-probe'] = { summary: 'test only', load: async () => ({ run: async () => Promise.reject(pgError()) }) };
    const said: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void said.push(a.join(' ')));
    try {
      await main(['log-probe']);
      expect(process.exitCode).toBe(1);
    } finally {
      spy.mockRestore();
      delete commands['log-probe'];
      process.exitCode = undefined;
    }
    expect(said.join('\n')).toMatch(/^carnet: unexpected error: DatabaseError 23505 duplicate key value violates unique constraint "patient_identifier_pkey"\n\s+at /);
    expect(said.join('\n')).not.toContain(INS);
  });
});
