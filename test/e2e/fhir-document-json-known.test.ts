// ITI-67's page statement is told which DocumentReferences the door holds, by row version
// (document-json-cache.ts): only those last answered within KNOWN_PAGES_AROUND pages of the page's
// own places, so that what it is told is bounded by the page's size, not by what is held of the
// record (which grows with every page read of it, up to the whole record). A page read again is
// still answered from what is held.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { KNOWN_PAGES_AROUND } from '../../src/fhir/routes/document-json-cache.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';

/** What each page statement was told (its held versions) and how many of its rows came unread. */
interface PageRead {
  told: number;
  unread: number;
  rows: number;
}

/** How many versions a held-versions parameter names: a list, or its array literal (known-versions.ts). */
function versionsIn(param: string | string[]): number {
  if (Array.isArray(param)) return param.length;
  const inner = param.slice(1, -1);
  return inner ? inner.split(',').length : 0;
}

function recordingPages(db: Db, reads: PageRead[]): Db {
  // the page statement runs in the search's transaction, or alone with its trace row
  const recorded = (q: Queryable): Queryable['query'] =>
    (async (sql: string, params?: unknown[]) => {
      const result = await q.query(sql, params);
      // the held versions' parameter, wherever the statement has it (the page alone, or after
      // its trace row's values when both go in one statement)
      const knownAt = /xmin::text = ANY\(\$(\d+)::text\[\]\)/.exec(sql);
      if (sql.includes('AS row_read') && knownAt) {
        // a page of no rows read with its trace comes as one row of nulls
        const rows = (result.rows as { row_uuid: string | null; row_read: boolean }[]).filter((r) => r.row_uuid !== null);
        reads.push({ told: versionsIn(params![Number(knownAt[1]) - 1] as string | string[]), unread: rows.filter((r) => !r.row_read).length, rows: rows.length });
      }
      return result;
    }) as Queryable['query'];
  return {
    kind: db.kind,
    query: recorded(db),
    exec: (sql) => db.exec(sql),
    close: async () => {},
    transaction: (fn) => db.transaction((tx) => fn({ exec: (sql) => tx.exec(sql), query: recorded(tx) })),
  };
}

describeEachStore('ITI-67: the held versions a page statement is told', (db) => {
  let server: RunningApp;
  let w: World;
  let patientKey: string;
  let token: string;
  const reads: PageRead[] = [];
  const doctor = proActor('doctor');
  const DOCUMENTS = 30;
  const COUNT = 2;

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(recordingPages(db(), reads));
    w = { db: db(), clock: undefined as never, services: server.app.services };
    let ins;
    ({ patientKey, ins } = await adultRecord(w));
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    await w.services.submissions.submit(as(doctor), submission(ins, Array.from({ length: DOCUMENTS }, () => ({ authorId: doctor.idNatPs }))));
    token = await server.tokenFor(doctor);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const page = async (offset: number) => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}&_count=${COUNT}&_offset=${offset}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
    });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('paged through the whole record, a page is told only of the held entries around its places; pages read again come from them', async () => {
    const first = await page(0);
    const middle = 5 * COUNT;
    let middleFirst = '';
    for (let offset = COUNT; offset < DOCUMENTS; offset += COUNT) {
      const text = await page(offset);
      if (offset === middle) middleFirst = text;
    }
    // however much was held, no page was told of more than the pages around it
    const window = (2 * KNOWN_PAGES_AROUND + 1) * COUNT;
    expect(Math.max(...reads.map((r) => r.told))).toBeLessThanOrEqual(window);
    reads.length = 0;
    expect(await page(0)).toBe(first);
    expect(await page(middle)).toBe(middleFirst);
    expect(reads).toEqual([
      // the first page: itself and the pages after it
      { told: (KNOWN_PAGES_AROUND + 1) * COUNT, unread: COUNT, rows: COUNT },
      // a page in the middle: the pages on both sides
      { told: window, unread: COUNT, rows: COUNT },
    ]);
    // the whole record is held, more than any page was told of
    expect(DOCUMENTS).toBeGreaterThan(window);
  });
});
