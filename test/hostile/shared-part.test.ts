// An ITI-41 whose DocumentEntries all name one MTOM part (each xdsb:Document an xop:Include of the
// same Content-ID) had that part hashed (SHA-1, SHA-256, the UTF-8 check) once per entry, on the
// event loop, inside the submission's transaction: 100 entries naming one 8 MB part were 800 MB
// hashed, seconds of CPU for an 8 MB request; the element limit allows ~450 entries and the body
// limit a 64 MB part. The bytes are now digested once per submission, however many entries hold
// them (they were already stored once). The entries here carry a wrong hash: refused, so that
// what is measured is the check, not the store taking them.
import { expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { describeEachStore } from '../support/stores.js';
import { submission } from '../support/world.js';
import { errorCodes, postSoap, responseStatus, XDS_ACTIONS } from '../support/xds-client.js';
import { longestTurn, useOneRecordOverXds } from './one-record.js';

const ENTRIES = 100;
const PART_BYTES = 8 * 1024 * 1024;
/**
 * The longest turn of the event loop while the submission is served, in CPU of the process (the
 * least of up to three sends). Hashed per entry, the loop over the entries was one turn of
 * 1.6-2.7 s here; digested once, 0.05-0.15 s.
 */
const MAX_TURN_CPU_MS = 400;

describeEachStore('hostile ITI-41: many entries naming one MTOM part', (db: () => Db) => {
  const xds = useOneRecordOverXds(db);

  it(`checks ${ENTRIES} entries naming one ${PART_BYTES / 1024 / 1024} MB part for the CPU of one digest, and refuses their wrong hash`, async () => {
    const { one, assertion } = xds;
    // one buffer for every entry: this side (in the same process) must not cost what is measured
    const part = Buffer.alloc(PART_BYTES, 'x');
    const send = () => {
      const sub = submission(one.ins, Array.from({ length: ENTRIES }, () => ({ content: 'x', hash: '0'.repeat(40) })));
      for (const d of sub.documents) d.content = part;
      const body = writeProvideAndRegisterRequest(sub, new Map(sub.documents.map((d) => [d.id, 'shared@x'])));
      return postSoap(`${one.server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion, attachments: [{ contentId: 'shared@x', contentType: 'text/plain', body: part }] });
    };
    const entries = async () => (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM document_entry')).rows[0]!.n;
    const before = await entries();
    const { answer, turnMs } = await longestTurn(send, MAX_TURN_CPU_MS);
    // each entry's hash is checked against the part's (DOC-03), the part hashed once
    expect({ status: responseStatus(answer), codes: [...new Set(errorCodes(answer))], count: errorCodes(answer).length }).toEqual({ status: 'Failure', codes: ['XDSRepositoryMetadataError'], count: ENTRIES });
    expect({ turnMs: Math.round(turnMs), within: turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
    expect(await entries()).toBe(before);
  }, 180_000);
});
