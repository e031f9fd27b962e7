// Values a request may carry that must name something real: calendar dates (no month 13, no day
// 45, no year 0000, in FHIR and XDS alike), OIDs for uniqueIds, uuids for record keys; and the
// database errors a request can cause, told apart from the database being away.
import { describe, expect, it } from '@jest/globals';
import { CarnetError } from '../../../src/domain/errors.js';
import { dtmToDate, documentEntryProblems, isDtm, submissionSetProblems } from '../../../src/domain/entry-requirements.js';
import { isDocumentUniqueId, isOid, isUuid } from '../../../src/domain/identifiers.js';
import { lookup } from '../../../src/domain/lookup.js';
import { fhirDateTimeToDtm } from '../../../src/fhir/codes.js';
import { dateRange } from '../../../src/fhir/routes/search-params.js';
import { translateDbError } from '../../../src/store/db-errors.js';
import { entryMetadata, newIns } from '../../support/world.js';

describe('dates', () => {
  it('an XDS DTM names a real instant', () => {
    for (const ok of ['2024', '202402', '20240229', '2024022923', '202402292359', '20240229235959', '0001']) expect(isDtm(ok)).toBe(true);
    for (const bad of ['20241345', '99999999999999', '20230229', '0000', '00000101', '2024022', '20240101240000', '20240101236000']) expect(isDtm(bad)).toBe(false);
    expect(dtmToDate('0050').getUTCFullYear()).toBe(50);
  });

  it('a FHIR date search parameter names a real day, whatever its prefix', () => {
    for (const bad of ['2024-13-45', 'ge0000-01-01', '2024-02-30', 'le2024-01-01T25:00:00Z', 'gt2024-06-31', '2024-01-01T10:00:00+15:00']) {
      expect(() => dateRange([bad], 'date')).toThrow(/not a valid date/);
    }
    expect(dateRange(['ge0001-01-01'], 'date').from?.getUTCFullYear()).toBe(1);
    expect(dateRange(['2024-02-29'], 'date')).toEqual({ from: new Date('2024-02-29T00:00:00Z'), to: new Date('2024-03-01T00:00:00Z') });
  });

  it('FHIR metadata dates that roll over are not converted', () => {
    expect(fhirDateTimeToDtm('2024-13-45')).toBeUndefined();
    expect(fhirDateTimeToDtm('2024-02-30T10:00:00Z')).toBeUndefined();
    expect(fhirDateTimeToDtm('2024-02-29T10:00:00+01:00')).toBe('20240229090000');
  });
});

describe('identifiers', () => {
  it('uniqueIds are OIDs (a document one may carry a short extension)', () => {
    expect(isOid('1.2.250.1.213.1.4.8')).toBe(true);
    expect(isDocumentUniqueId('1.2.3^ext-42')).toBe(true);
    for (const bad of [`1.2.3'); DROP TABLE dmp;--`, '1.02.3', 'Document01', '1.2.3^12345678901234567', '1.2.3^a b', '']) expect(isDocumentUniqueId(bad)).toBe(false);
    const ins = newIns();
    const problems = documentEntryProblems('Document01', { ...entryMetadata(ins), uniqueId: `1.2.3'); DROP TABLE dmp;--` });
    expect(problems.map((p) => p.message)).toEqual([`DocumentEntry Document01: uniqueId "1.2.3'); DROP TABLE dmp;--" is not an OID (or OID^extension)`]);
    expect(submissionSetProblems('SS', { uniqueId: 'x', sourceId: '1.2', patientId: ins, submissionTime: '2024', contentTypeCode: { code: 'a', system: 'b' } } as never).map((p) => p.message)).toEqual([]);
    expect(submissionSetProblems('SS', { uniqueId: `1.2.3' OR '1'='1`, sourceId: '1.2', patientId: ins, submissionTime: '2024', contentTypeCode: { code: 'a', system: 'b' } } as never).map((p) => p.message)).toEqual([
      `SubmissionSet SS: uniqueId "1.2.3' OR '1'='1" is not an identifier (an OID)`,
    ]);
  });

  it('record keys are uuids', () => {
    expect(isUuid('6c3a1246-a651-4fd5-96d3-1f6a74a9bd2e')).toBe(true);
    expect(isUuid('example')).toBe(false);
  });

  it('constant tables answer only their own keys', () => {
    const table: Record<string, string> = { date: 'created' };
    expect(['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((k) => lookup(table, k))).toEqual([undefined, undefined, undefined, undefined]);
    expect(lookup(table, 'date')).toBe('created');
  });
});

describe('database errors', () => {
  const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('a lost or refused connection, a statement timeout, a kept statement whose tables changed shape: unavailable (503); a value of the wrong form: 400', () => {
    const cases: Array<[unknown, string | undefined, string | undefined]> = [
      [pgError('ECONNREFUSED'), 'unavailable', 'database_unavailable'],
      [new Error('Connection terminated unexpectedly'), 'unavailable', 'database_unavailable'],
      [pgError('57P01', 'terminating connection due to administrator command'), 'unavailable', 'database_unavailable'],
      [pgError('55000', 'database "x" is not currently accepting connections'), 'unavailable', 'database_unavailable'],
      [pgError('57014', 'canceling statement due to statement timeout'), 'unavailable', 'database_timeout'],
      [pgError('0A000', 'cached plan must not change result type'), 'unavailable', 'database_changed'],
      [pgError('26000', 'prepared statement "carnet_1" does not exist'), 'unavailable', 'database_changed'],
      [pgError('0A000', 'FOR UPDATE is not allowed with aggregate functions'), undefined, undefined],
      // a server whose messages are in French: told by the routine, which is never translated
      [Object.assign(pgError('0A000', 'le plan en cache ne doit pas modifier le type en résultat'), { routine: 'RevalidateCachedQuery' }), 'unavailable', 'database_changed'],
      [pgError('22P02', 'invalid input syntax for type uuid: "example"'), 'invalid_metadata', 'invalid_value'],
      [pgError('23505', 'duplicate key'), undefined, undefined],
    ];
    for (const [error, code, reason] of cases) {
      const t = translateDbError(error) as { code?: string; reason?: string; message: string };
      expect({ code: t instanceof CarnetError ? t.code : undefined, reason: t.reason }).toEqual({ code, reason });
      // The database's own words never reach the caller.
      if (code) expect(t.message).not.toMatch(/uuid|statement|administrator|duplicate|cached plan/);
    }
  });

  it("on the embedded store (no other process changes its tables) a stale kept statement is the store's own bug: it stays an internal error", () => {
    for (const e of [pgError('0A000', 'cached plan must not change result type'), pgError('26000', 'prepared statement "s1" does not exist')]) {
      expect(translateDbError(e, false)).toBe(e);
    }
  });
});
