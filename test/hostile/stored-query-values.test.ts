// An ITI-18 stored query naming tens of thousands of values (ids, codes, statuses: one Value of a
// few megabytes, or thousands of Value elements) is refused with an XDSRegistryError naming the
// limit, CARNET_SEARCH_MAX_VALUES, at the value that passes it: the values past it are
// never read. Before, every value was read one character at a time and the query run: 70,000 ids
// held the event loop 0.5–0.8 s, every other request of the server waiting.
// One value is bounded too, like a stored metadata value (4,096 characters): a longer one
// could match nothing and went to SQL as a LIKE pattern.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { METADATA_MAX_VALUE_LENGTH } from '../../src/domain/metadata-limits.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import type { Db } from '../../src/store/db.js';
import type { RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adhocQuery, cx, errorCodes, postSoap, queryObjects, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { cheapest, patientTraceRows, startWithOneRecord } from './one-record.js';

const LIMIT = 5000;
/** CPU the server may spend on one refused query (the process's, so the least of three sends). */
const CPU_BUDGET_MS = 300;
const APPROVED = "'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved'";

const uuidList = (n: number) => `(${Array.from({ length: n }, () => `'urn:uuid:${randomUUID()}'`).join(',')})`;

describeEachStore('hostile stored queries: the values of one query are bounded', (db: () => Db) => {
  let server: RunningApp;
  let url: string;
  let assertion: string;
  let patientCx: string;
  let documentUuid: string;

  beforeAll(async () => {
    const one = await startWithOneRecord(db());
    server = one.server;
    url = `${server.baseUrl}/xds/registry`;
    documentUuid = one.document.entryUuid;
    assertion = vihfFor(one.doctor);
    patientCx = cx(one.ins);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  const query = (id: string, slots: Record<string, string | string[]>, returnType: 'LeafClass' | 'ObjectRef' = 'LeafClass') => postSoap(url, XDS_ACTIONS['ITI-18'], adhocQuery(id, slots, returnType), { assertion });

  it(`answers a GetDocuments of ${LIMIT} ids (the limit) as any other`, async () => {
    const ids = `(${[`'${documentUuid}'`, ...Array.from({ length: LIMIT - 1 }, () => `'urn:uuid:${randomUUID()}'`)].join(',')})`;
    const a = await query(Q.GetDocuments, { $XDSDocumentEntryEntryUUID: ids }, 'ObjectRef');
    expect({ status: responseStatus(a), found: queryObjects(a).objectRefs }).toEqual({ status: 'Success', found: [documentUuid] });
  });

  const hostile: Array<[string, () => [string, Record<string, string | string[]>, ('LeafClass' | 'ObjectRef')?]]> = [
    [`GetDocuments, ${LIMIT + 1} ids in one Value`, () => [Q.GetDocuments, { $XDSDocumentEntryEntryUUID: uuidList(LIMIT + 1) }]],
    ['GetDocuments, 70,000 ids in one Value (3 MB)', () => [Q.GetDocuments, { $XDSDocumentEntryEntryUUID: uuidList(70_000) }, 'ObjectRef']],
    ['GetAssociations, 70,000 ids in one Value', () => [Q.GetAssociations, { $uuid: uuidList(70_000) }]],
    ['GetDocuments, 6,000 Value elements of one id each', () => [Q.GetDocuments, { $XDSDocumentEntryEntryUUID: Array.from({ length: 6000 }, () => `('urn:uuid:${randomUUID()}')`) }]],
    ['FindDocuments, 70,000 statuses', () => [Q.FindDocuments, { $XDSDocumentEntryPatientId: patientCx, $XDSDocumentEntryStatus: `(${Array.from({ length: 70_000 }, () => APPROVED).join(',')})` }]],
    ['FindDocuments, 70,000 class codes', () => [Q.FindDocuments, { $XDSDocumentEntryPatientId: patientCx, $XDSDocumentEntryStatus: `(${APPROVED})`, $XDSDocumentEntryClassCode: `(${Array.from({ length: 70_000 }, (_, i) => `'c${i}^^1.2.3'`).join(',')})` }]],
  ];
  it.each(hostile)('refuses %s with XDSRegistryError naming the limit, cheaply, tracing nothing', async (_name, make) => {
    const [id, slots, returnType] = make();
    const traceBefore = await patientTraceRows(db());
    const { answer, cpuMs } = await cheapest(() => query(id, slots, returnType), CPU_BUDGET_MS);
    expect({ status: responseStatus(answer), codes: errorCodes(answer), namesLimit: answer.xml.includes('CARNET_SEARCH_MAX_VALUES') }).toEqual({
      status: 'Failure',
      codes: ['XDSRegistryError'],
      namesLimit: true,
    });
    expect({ cpuMs: Math.round(cpuMs), within: cpuMs <= CPU_BUDGET_MS }).toMatchObject({ within: true });
    expect(await patientTraceRows(db())).toBe(traceBefore);
  });

  const findByAuthor = (author: string) =>
    postSoap(url, XDS_ACTIONS['ITI-18'], adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: patientCx, $XDSDocumentEntryStatus: `(${APPROVED})`, $XDSDocumentEntryAuthorPerson: `('${author}')` }, 'ObjectRef'), { assertion });

  it(`answers an authorPerson of ${METADATA_MAX_VALUE_LENGTH} characters (the limit) as any other, and refuses one more with XDSRegistryError naming the slot, tracing nothing`, async () => {
    expect(responseStatus(await findByAuthor('a'.repeat(METADATA_MAX_VALUE_LENGTH)))).toBe('Success');
    const traceBefore = await patientTraceRows(db());
    const answer = await findByAuthor('a'.repeat(METADATA_MAX_VALUE_LENGTH + 1));
    expect({ status: responseStatus(answer), codes: errorCodes(answer), namesSlot: answer.xml.includes('$XDSDocumentEntryAuthorPerson') }).toEqual({
      status: 'Failure',
      codes: ['XDSRegistryError'],
      namesSlot: true,
    });
    expect(await patientTraceRows(db())).toBe(traceBefore);
  });
});
