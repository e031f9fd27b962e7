// What one object's metadata may hold is bounded (src/domain/metadata-limits.ts): a title of a
// megabyte, hundreds of slots of no profile or a slot value of 100 KB were accepted and stored
// (ITI-41, ITI-65), then written again in every answer naming the document. Now refused, with
// XDSRegistryMetadataError on the XDS door and a 400 OperationOutcome on the FHIR door, naming
// what passed which limit; nothing of the submission is kept.
//
// How many documents one submission deposits is bounded too (CARNET_SUBMISSION_MAX_DOCUMENTS,
// 100). A submission is one transaction whose inserts grow with its documents; on the embedded
// store, which runs in the server's thread, an ITI-41 or ITI-65 of 200 documents held the event
// loop ~0.2 s, of 250-380 documents 0.5-1.4 s on a loaded machine, and the request limits alone
// (20,000 XML elements, 500 Bundle entries) let some 450 and 249 through. Past the bound it is
// refused before anything is checked or stored — XDSRegistryError naming the variable, or a 413
// OperationOutcome. An ITI-57 makes at most as many new versions (200 held the loop 0.5-0.6 s).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { DEFAULT_SUBMISSION_MAX_DOCUMENTS as LIMIT } from '../../src/domain/input-limits.js';
import { METADATA_MAX_EXTRA_SLOTS, METADATA_MAX_LIST_LENGTH, METADATA_MAX_VALUE_LENGTH } from '../../src/domain/metadata-limits.js';
import type { DocumentEntryMetadata } from '../../src/domain/model.js';
import type { Db } from '../../src/store/db.js';
import { writeDocumentEntry } from '../../src/xds/ebrim/write.js';
import { registryUpdate } from '../support/lock-xds.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { submission } from '../support/world.js';
import { errorCodes, postSoap, provideAndRegister, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { longestTurn, startWithOneRecord, type OneRecord } from './one-record.js';

const MB = 1024 * 1024;
/** The longest turn of the event loop while a submission past the document bound is refused (CPU of the process, best of three). */
const MAX_TURN_CPU_MS = 100;

async function stored(db: Db): Promise<{ entries: number; objects: number; contents: number }> {
  const r = await db.query<{ entries: number; objects: number; contents: number }>(
    'SELECT (SELECT count(*) FROM document_entry)::int AS entries, (SELECT count(*) FROM registry_object)::int AS objects, (SELECT count(*) FROM document_content)::int AS contents',
  );
  return r.rows[0]!;
}

describeEachStore('hostile metadata: what one object, and one submission, may hold is bounded', (db: () => Db) => {
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

  const iti41 = (change: (m: DocumentEntryMetadata) => void) => {
    const sub = submission(one.ins, [{ content: 'a document' }]);
    change(sub.documents[0]!.metadata);
    const { body, attachments } = provideAndRegister(sub);
    return postSoap(`${one.server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion, attachments });
  };
  const slots = (n: number, size = 8) => Array.from({ length: n }, (_, i) => ({ name: `urn:x:slot${i}`, values: ['v'.repeat(size)] }));

  it('takes an ITI-41 at the limits: a title and a slot value of the longest, the most slots of no profile', async () => {
    const a = await iti41((m) => {
      m.title = 't'.repeat(METADATA_MAX_VALUE_LENGTH);
      m.extraSlots = slots(METADATA_MAX_EXTRA_SLOTS, METADATA_MAX_VALUE_LENGTH / 16);
    });
    expect({ status: responseStatus(a), codes: errorCodes(a) }).toEqual({ status: 'Success', codes: [] });
  });

  const hostile: Array<[string, (m: DocumentEntryMetadata) => void, string]> = [
    ['a title of 1 MB', (m) => void (m.title = 't'.repeat(MB)), `title is ${MB} characters long`],
    ['comments of 1 MB', (m) => void (m.comments = 'c'.repeat(MB)), `comments is ${MB} characters long`],
    [`${METADATA_MAX_EXTRA_SLOTS * 4} slots of no profile`, (m) => void (m.extraSlots = slots(METADATA_MAX_EXTRA_SLOTS * 4)), `${METADATA_MAX_EXTRA_SLOTS * 4} slots of no profile`],
    ['a slot value of 100 KB', (m) => void (m.extraSlots = [{ name: 'urn:x:big', values: ['v'.repeat(100 * 1024)] }]), 'slot urn:x:big.values[0] is 102400 characters long'],
    [`a slot of ${METADATA_MAX_LIST_LENGTH + 1} values`, (m) => void (m.extraSlots = [{ name: 'urn:x:many', values: Array.from({ length: METADATA_MAX_LIST_LENGTH + 1 }, (_, i) => `v${i}`) }]), `holds ${METADATA_MAX_LIST_LENGTH + 1} values`],
    ['a sourcePatientInfo value of 1 MB', (m) => void (m.sourcePatientInfo = ['PID-5|' + 'x'.repeat(MB)]), 'sourcePatientInfo[0] is'],
  ];
  it.each(hostile)('refuses an ITI-41 carrying %s with XDSRegistryMetadataError, storing nothing', async (_name, change, says) => {
    const before = await stored(db());
    const a = await iti41(change);
    expect({ status: responseStatus(a), codes: errorCodes(a), says: a.xml.includes(says) }).toEqual({ status: 'Failure', codes: ['XDSRegistryMetadataError'], says: true });
    expect(await stored(db())).toEqual(before);
  });

  const postBundle = async (bundle: Bundle) => {
    const res = await fetch(`${one.server.baseUrl}/fhir`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    return { status: res.status, json: (await res.json()) as OperationOutcome };
  };
  const iti65 = async (title: string, related = 0) => {
    const bundle = provideBundle({ patient: `Patient/${one.patientKey}`, docs: [{ title }] });
    if (related) {
      const dr = bundle.entry!.find((e) => e.resource?.resourceType === 'DocumentReference')!.resource as unknown as { context: Record<string, unknown> };
      dr.context.related = Array.from({ length: related }, (_, i) => ({ identifier: { system: 'urn:oid:1.2.3', value: `r${i}` } }));
    }
    return postBundle(bundle);
  };

  it.each([
    ['a title of 1 MB', () => iti65('t'.repeat(MB)), `title is ${MB} characters long`],
    [`${METADATA_MAX_LIST_LENGTH + 1} related identifiers`, () => iti65('Document', METADATA_MAX_LIST_LENGTH + 1), `referenceIds holds ${METADATA_MAX_LIST_LENGTH + 1} values`],
  ])('refuses an ITI-65 DocumentReference carrying %s with a 400 OperationOutcome, storing nothing', async (_name, send, says) => {
    const before = await stored(db());
    const { status, json } = await send();
    const diagnostics = (json.issue ?? []).map((i) => i.diagnostics ?? '').join(' | ');
    expect({ status, resourceType: json.resourceType, says: diagnostics.includes(says) ? true : diagnostics.slice(0, 300) }).toEqual({ status: 400, resourceType: 'OperationOutcome', says: true });
    expect(await stored(db())).toEqual(before);
  });

  const iti41Of = (n: number) => {
    const { body, attachments } = provideAndRegister(submission(one.ins, Array.from({ length: n }, (_, i) => ({ content: `document ${i} of ${n}` }))));
    return postSoap(`${one.server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion, attachments });
  };
  const iti65Of = (n: number) => postBundle(provideBundle({ patient: `Patient/${one.patientKey}`, docs: Array.from({ length: n }, (_, i) => ({ content: `document ${i} of ${n}` })) }));

  it(`refuses an ITI-41 of ${LIMIT * 2} documents with XDSRegistryError naming CARNET_SUBMISSION_MAX_DOCUMENTS, storing nothing, the event loop never held`, async () => {
    const before = await stored(db());
    const { answer, turnMs } = await longestTurn(() => iti41Of(LIMIT * 2), MAX_TURN_CPU_MS);
    expect({ status: responseStatus(answer), codes: errorCodes(answer), names: answer.xml.includes('CARNET_SUBMISSION_MAX_DOCUMENTS') }).toEqual({ status: 'Failure', codes: ['XDSRegistryError'], names: true });
    expect(await stored(db())).toEqual(before);
    expect({ turnMs: Math.round(turnMs), within: turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
  }, 120_000);

  it(`refuses an ITI-65 of ${LIMIT + 1} DocumentReferences with a 413 OperationOutcome naming CARNET_SUBMISSION_MAX_DOCUMENTS, storing nothing`, async () => {
    const before = await stored(db());
    const { status, json } = await iti65Of(LIMIT + 1);
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
    const a = await iti41Of(LIMIT);
    expect({ status: responseStatus(a), codes: errorCodes(a) }).toEqual({ status: 'Success', codes: [] });
    expect((await stored(db())).entries).toBe(before.entries + LIMIT);
  }, 120_000);
});
