// A submission is one transaction whose inserts grow with its documents. On the embedded store,
// which runs in the server's thread, an ITI-41 or ITI-65 of 200 documents held the event loop
// ~0.2 s, of 250-380 documents 0.5-1.4 s on a loaded machine; the request limits alone (20,000
// XML elements, 500 Bundle entries) let some 450 and 249 through. A submission now deposits at
// most CARNET_SUBMISSION_MAX_DOCUMENTS (100): past it, it is refused before anything is checked
// or stored — XDSRegistryError naming the variable, or a 413 OperationOutcome. An ITI-57 holds
// at most as many new versions: each is a few statements under the record's lock too (200 held
// the embedded store's event loop 0.5-0.6 s).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { DEFAULT_SUBMISSION_MAX_DOCUMENTS as LIMIT } from '../../src/domain/input-limits.js';
import type { Db } from '../../src/store/db.js';
import { writeDocumentEntry } from '../../src/xds/ebrim/write.js';
import { registryUpdate } from '../support/lock-xds.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { submission } from '../support/world.js';
import { errorCodes, postSoap, provideAndRegister, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { longestTurn, startWithOneRecord, type OneRecord } from './one-record.js';

/** The longest turn of the event loop while the refusal is made (CPU of the process, best of three). */
const MAX_TURN_CPU_MS = 100;

async function stored(db: Db): Promise<{ entries: number; contents: number }> {
  const r = await db.query<{ entries: number; contents: number }>('SELECT (SELECT count(*) FROM document_entry)::int AS entries, (SELECT count(*) FROM document_content)::int AS contents');
  return r.rows[0]!;
}

describeEachStore('hostile submissions: how many documents one deposit may hold', (db: () => Db) => {
  let one: OneRecord;
  let assertion: string;
  let token: string;

  beforeAll(async () => {
    one = await startWithOneRecord(db());
    assertion = vihfFor(one.doctor);
    token = await one.server.tokenFor(one.doctor);
  }, 120_000);

  afterAll(async () => {
    await one?.server.close();
  });

  const iti41 = (n: number) => {
    const { body, attachments } = provideAndRegister(submission(one.ins, Array.from({ length: n }, (_, i) => ({ content: `document ${i} of ${n}` }))));
    return postSoap(`${one.server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion, attachments });
  };
  const iti65 = async (n: number) => {
    const bundle = provideBundle({ patient: `Patient/${one.patientKey}`, docs: Array.from({ length: n }, (_, i) => ({ content: `document ${i} of ${n}` })) });
    const res = await fetch(`${one.server.baseUrl}/fhir`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    return { status: res.status, json: (await res.json()) as OperationOutcome };
  };

  it(`refuses an ITI-41 of ${LIMIT * 2} documents with XDSRegistryError naming CARNET_SUBMISSION_MAX_DOCUMENTS, storing nothing, the event loop never held`, async () => {
    const before = await stored(db());
    const { answer, turnMs } = await longestTurn(() => iti41(LIMIT * 2), MAX_TURN_CPU_MS);
    expect({ status: responseStatus(answer), codes: errorCodes(answer), names: answer.xml.includes('CARNET_SUBMISSION_MAX_DOCUMENTS') }).toEqual({ status: 'Failure', codes: ['XDSRegistryError'], names: true });
    expect(await stored(db())).toEqual(before);
    expect({ turnMs: Math.round(turnMs), within: turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
  }, 120_000);

  it(`refuses an ITI-65 of ${LIMIT + 1} DocumentReferences with a 413 OperationOutcome naming CARNET_SUBMISSION_MAX_DOCUMENTS, storing nothing`, async () => {
    const before = await stored(db());
    const { status, json } = await iti65(LIMIT + 1);
    expect({ status, resourceType: json.resourceType, code: json.issue?.[0]?.code, names: /CARNET_SUBMISSION_MAX_DOCUMENTS/.test(json.issue?.[0]?.diagnostics ?? '') }).toEqual({
      status: 413,
      resourceType: 'OperationOutcome',
      code: 'too-costly',
      names: true,
    });
    expect(await stored(db())).toEqual(before);
  }, 120_000);

  it(`refuses an ITI-57 of ${LIMIT + 1} new DocumentEntry versions with XDSRegistryError naming CARNET_SUBMISSION_MAX_DOCUMENTS, before any is looked up`, async () => {
    const before = await stored(db());
    const md = submission(one.ins, [{}]).documents[0]!.metadata;
    const versions = Array.from({ length: LIMIT + 1 }, () => {
      const id = `urn:uuid:${randomUUID()}`;
      return (
        writeDocumentEntry({ ...md, logicalId: `urn:uuid:${randomUUID()}` }, id) +
        `<rim:Association id="urn:uuid:${randomUUID()}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="$SS" targetObject="${id}">` +
        '<rim:Slot name="SubmissionSetStatus"><rim:ValueList><rim:Value>Original</rim:Value></rim:ValueList></rim:Slot>' +
        '<rim:Slot name="PreviousVersion"><rim:ValueList><rim:Value>1</rim:Value></rim:ValueList></rim:Slot></rim:Association>'
      );
    });
    const a = await postSoap(`${one.server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], registryUpdate(one.ins, versions.join('')), { assertion });
    expect({ status: responseStatus(a), codes: errorCodes(a), names: a.xml.includes('CARNET_SUBMISSION_MAX_DOCUMENTS') }).toEqual({ status: 'Failure', codes: ['XDSRegistryError'], names: true });
    expect(await stored(db())).toEqual(before);
  }, 120_000);

  it(`takes an ITI-41 of ${LIMIT} documents (the limit)`, async () => {
    const before = await stored(db());
    const a = await iti41(LIMIT);
    expect({ status: responseStatus(a), codes: errorCodes(a) }).toEqual({ status: 'Success', codes: [] });
    expect((await stored(db())).entries).toBe(before.entries + LIMIT);
  }, 120_000);
});
