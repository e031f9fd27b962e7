// An identified sender's XDS Body near the element limit (CARNET_XML_MAX_ELEMENTS, 20,000) was
// parsed in one call of the parser: 150-350 ms during which the event loop served nobody else
// (ITI-18 with 19,500 Values, ITI-57 with 430 DocumentEntries). The Body is now parsed in slices
// of 2,000 elements with the event loop served between them (src/xml/sliced-parse.ts); the
// answers are those of before.
import { expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { writeSubmitObjectsRequest } from '../../src/xds/ebrim/write.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { describeEachStore } from '../support/stores.js';
import { submission } from '../support/world.js';
import { adhocQuery, errorCodes, postSoap, responseStatus, XDS_ACTIONS } from '../support/xds-client.js';
import { longestTurn, useOneRecordOverXds } from './one-record.js';

/**
 * The longest turn of the event loop while the request is served, in CPU of the process (the
 * server runs in it): what a loaded machine does not stretch. Parsed whole, these Bodies took
 * 160-350 ms of one turn; in slices, 25-55 ms (docs/PERFORMANCE.md).
 */
const MAX_TURN_CPU_MS = 100;

describeEachStore('hostile XDS Bodies near the element limit, from an identified sender', (db: () => Db) => {
  const xds = useOneRecordOverXds(db);

  it('ITI-18 with 19,500 Value elements: refused for its values (XDSRegistryError), the event loop never held by the parse', async () => {
    const { one, assertion } = xds;
    const values = Array.from({ length: 19_500 }, (_, i) => `('urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}')`);
    const body = adhocQuery(Q.GetDocuments, { $XDSDocumentEntryEntryUUID: values }, 'ObjectRef');
    const { answer, turnMs } = await longestTurn(() => postSoap(`${one.server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], body, { assertion }), MAX_TURN_CPU_MS);
    expect({ status: responseStatus(answer), codes: errorCodes(answer), limit: answer.xml.includes('CARNET_SEARCH_MAX_VALUES') }).toEqual({ status: 'Failure', codes: ['XDSRegistryError'], limit: true });
    expect({ turnMs: Math.round(turnMs), within: turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
  }, 120_000);

  it('ITI-57 of 430 DocumentEntries (19,000 elements): read whole and answered (an operation of the wrong shape), the event loop never held by the parse', async () => {
    const { one, assertion } = xds;
    const body = writeSubmitObjectsRequest(submission(one.ins, Array.from({ length: 430 }, (_, i) => ({ content: `document ${i}` }))));
    const { answer, turnMs } = await longestTurn(() => postSoap(`${one.server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], body, { assertion }), MAX_TURN_CPU_MS);
    expect({ status: responseStatus(answer), codes: [...new Set(errorCodes(answer))] }).toEqual({ status: 'Failure', codes: ['XDSMetadataUpdateOperationError'] });
    expect({ turnMs: Math.round(turnMs), within: turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
  }, 120_000);
});
