// TRACE-01/02: a search is traced with what it asked, and the trace is kept, append-only, for
// good. The criteria went into the row whole: one ITI-18 FindDocuments of 1,000 authorPerson
// values of 4,000 characters (within every limit: the values, their length, the XML size) wrote a
// row of 4 MB to the patient's history, hashed on the event loop, read back with every page of
// the history, and never to be removed; a FHIR POST _search of a megabyte, a row of a megabyte.
// The trace now keeps the first values of each criterion, each cut short, and how many there were.
import { expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { describeEachStore } from '../support/stores.js';
import { adhocQuery, cx, postSoap, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { useOneRecordOverFhir } from './one-record.js';

/** the largest trace row a search may leave (its details, as text) */
const MAX_DETAILS_CHARS = 16 * 1024;
const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";

describeEachStore('TRACE-01: what a search leaves in the trace is bounded, whatever it asked', (db: () => Db) => {
  const fhir = useOneRecordOverFhir(db);

  /** the details of the newest search row of the record's history, as text */
  const lastSearchRow = async () =>
    (
      await db().query<{ n: number; details: { search?: Record<string, unknown> } }>(
        "SELECT length(details::text)::int AS n, details FROM access_trace WHERE chain_key = $1 AND action = 'record.read' AND details ? 'search' ORDER BY occurred_at DESC, seq DESC LIMIT 1",
        [fhir.one.patientKey],
      )
    ).rows[0]!;

  it('TRACE-01: an ITI-18 of 1,000 authorPerson values of 4,000 characters is answered and traced in a row of a few kilobytes, saying how many values it held', async () => {
    const persons = Array.from({ length: 1000 }, (_, i) => `'${'a'.repeat(3990)}${i}'`);
    const a = await postSoap(`${fhir.server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(fhir.one.ins), $XDSDocumentEntryStatus: APPROVED, $XDSDocumentEntryAuthorPerson: persons }, 'ObjectRef'), {
      assertion: vihfFor(fhir.one.doctor),
    });
    expect(responseStatus(a)).toBe('Success');
    const row = await lastSearchRow();
    expect({ chars: row.n, within: row.n <= MAX_DETAILS_CHARS }).toMatchObject({ within: true });
    expect(JSON.stringify(row.details.search?.authorPersons)).toMatch(/1000/);
    expect(row.details.search?.statuses).toEqual(['Approved']);
  });

  it('TRACE-01: a FHIR POST _search of a megabyte is traced in a row of a few kilobytes', async () => {
    const values = Array.from({ length: 240 }, (_, i) => `${'b'.repeat(4000)}${i}`).join(',');
    const res = await fetch(`${fhir.server.baseUrl}/fhir/DocumentReference/_search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fhir.token}`, accept: 'application/fhir+json', 'content-type': 'application/x-www-form-urlencoded' },
      body: `patient=Patient/${fhir.one.patientKey}&type=${values}`,
    });
    expect({ status: res.status, body: res.status === 200 ? '' : await res.text() }).toEqual({ status: 200, body: '' });
    const row = await lastSearchRow();
    expect({ chars: row.n, within: row.n <= MAX_DETAILS_CHARS }).toMatchObject({ within: true });
  });

  it('TRACE-01: a value cut where a character takes two UTF-16 units keeps it whole or leaves it out: half of it (a lone surrogate) the store refuses, and the search was answered 400', async () => {
    // 199 letters, then a character outside the BMP (two UTF-16 units) across the cut at 200
    const family = `${'c'.repeat(199)}\u{1F600}d`;
    const res = await fetch(`${fhir.server.baseUrl}/fhir/DocumentReference?patient=Patient/${fhir.one.patientKey}&author.family=${encodeURIComponent(family)}`, {
      headers: { authorization: `Bearer ${fhir.token}`, accept: 'application/fhir+json' },
    });
    expect({ status: res.status, body: res.status === 200 ? '' : await res.text() }).toEqual({ status: 200, body: '' });
    const traced = String((await lastSearchRow()).details.search?.authorFamily);
    expect(traced.startsWith('c'.repeat(199))).toBe(true);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(traced)).toBe(false);
  });
});
