// The per-object metadata limits (src/domain/metadata-limits.ts) came after documents were stored:
// a DocumentEntry kept with a title past METADATA_MAX_VALUE_LENGTH could then never be updated by
// ITI-57, whose new version repeats the whole entry, the old title included. The limits bound what
// a caller adds: a value the current version already holds is carried as it is, while a new value,
// a longer list or more slots of no profile than the current version's are refused as before.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { METADATA_MAX_VALUE_LENGTH } from '../../src/domain/metadata-limits.js';
import type { DocumentEntryMetadata, PatientIdentifier, StoredDocumentEntry } from '../../src/domain/model.js';
import type { Db } from '../../src/store/db.js';
import { writeDocumentEntry, writeSubmitObjectsRequest } from '../../src/xds/ebrim/write.js';
import { describeEachStore } from '../support/stores.js';
import { as, submission } from '../support/world.js';
import { errorCodes, postSoap, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { startWithOneRecord, type OneRecord } from './one-record.js';

const HAS_MEMBER = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember';
const OLD_TITLE = `an old title ${'t'.repeat(METADATA_MAX_VALUE_LENGTH * 2)}`;

/** An ITI-57 body: `md` as the version after `previousVersion`. */
function updateBody(ins: PatientIdentifier, md: DocumentEntryMetadata, entryUuid: string, previousVersion: number): string {
  const ss = submission(ins, []).submissionSet;
  const assoc =
    `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${HAS_MEMBER}" sourceObject="${ss.id}" targetObject="${entryUuid}">` +
    `<rim:Slot name="SubmissionSetStatus"><rim:ValueList><rim:Value>Original</rim:Value></rim:ValueList></rim:Slot>` +
    `<rim:Slot name="PreviousVersion"><rim:ValueList><rim:Value>${previousVersion}</rim:Value></rim:ValueList></rim:Slot></rim:Association>`;
  return writeSubmitObjectsRequest({ submissionSet: ss, documents: [], folders: [], associations: [] }).replace('</rim:RegistryObjectList>', `${writeDocumentEntry(md, entryUuid)}${assoc}</rim:RegistryObjectList>`);
}

describeEachStore('hostile metadata: the limits bound what an update adds, not what was stored before them', (db: () => Db) => {
  let one: OneRecord;
  let assertion: string;

  beforeAll(async () => {
    one = await startWithOneRecord(db());
    assertion = vihfFor(one.doctor);
    // the document as kept before the limits existed: its title past the value limit
    await db().query(`UPDATE document_entry SET metadata = jsonb_set(metadata, '{title}', to_jsonb($1::text)) WHERE unique_id = $2`, [OLD_TITLE, one.document.uniqueId]);
  }, 120_000);

  afterAll(async () => {
    await one?.server.close();
  });

  const latest = async (): Promise<StoredDocumentEntry> => {
    const page = await one.server.app.services.documents.find(as(one.doctor), { patientKey: one.patientKey }, {});
    return page.entries.find((e) => e.uniqueId === one.document.uniqueId)!;
  };
  const update = async (change: (m: DocumentEntryMetadata) => void) => {
    const current = await latest();
    const { lineage: _lineage, ...metadata } = current;
    const md = structuredClone(metadata) as DocumentEntryMetadata;
    change(md);
    const answer = await postSoap(`${one.server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], updateBody(one.ins, md, `urn:uuid:${randomUUID()}`, current.version), { assertion });
    return { current, answer };
  };

  it('refuses an update that lengthens the stored long title (XDSRegistryMetadataError), writing no version', async () => {
    const { current, answer } = await update((m) => void (m.title = `${OLD_TITLE}!`));
    expect({ status: responseStatus(answer), codes: errorCodes(answer), says: answer.xml.includes(`at most ${METADATA_MAX_VALUE_LENGTH}`) }).toEqual({ status: 'Failure', codes: ['XDSRegistryMetadataError'], says: true });
    expect((await latest()).version).toBe(current.version);
  });

  it('takes an ITI-57 of a document stored with a title past the limit that carries that title unchanged', async () => {
    const { current, answer } = await update((m) => void (m.comments = 'a comment added after the limits'));
    expect({ status: responseStatus(answer), codes: errorCodes(answer) }).toEqual({ status: 'Success', codes: [] });
    const after = await latest();
    expect({ version: after.version, title: after.title === OLD_TITLE, comments: after.comments }).toEqual({ version: current.version + 1, title: true, comments: 'a comment added after the limits' });
  });
});
