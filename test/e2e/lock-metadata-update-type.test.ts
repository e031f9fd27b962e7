// DOC-01 / ACC-02 / MASK-01 through XDS.b ITI-57: a new metadata version is a document as the
// record will show it, so its type must be one the deposit itself would take. Otherwise the
// author (or a colleague of the author's structure) gives it a type no matrix names, and every
// other professional stops reading it: a masking from professionals, which only the patient
// decides (MASK-01), made by a professional behind the patient's back.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { describeEachLockServer, type LockClients } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { newVersion, registryUpdate } from '../support/lock-xds.js';
import { as, entryMetadata, proActor, submission } from '../support/world.js';
import { errorCodes, postSoap, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

describeEachLockServer('DOC-01 / MASK-01: an ITI-57 new version takes only the types a deposit takes', (lock) => {
  let c: LockClients;
  const author = proActor('doctor');
  /** another authorised doctor, who reads every type the terminology knows */
  const reader = proActor('doctor2');
  /** of the author's structure: DOC-05 lets her replace the author's documents; the matrix hides hospital reports from her */
  const nurse = proActor('nurse');
  let ins: PatientIdentifier;
  let patientKey: string;

  beforeAll(async () => {
    c = lock().c;
    ({ ins, patientKey } = await adultRecordAllowing(lock().server.app.services, [author, reader, nurse]));
  }, 120_000);

  /** A document of the author's, and ITI-57 asking for its next version with `typeCode` / `classCode`. */
  async function retype(typeCode: string, classCode: string, by = author, deposited = ['11488-4', '10']) {
    const services = lock().server.app.services;
    const logicalId = (await services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId, typeCode: deposited[0], classCode: deposited[1] }]))).assignedIds.Document1!.replace(/^urn:uuid:/, '');
    const was = await services.documents.read(as(author), { entryUuid: logicalId });
    const v = `urn:uuid:${randomUUID()}`;
    const md = {
      ...entryMetadata(ins, { authorId: author.idNatPs, authorStructure: author.structureId, uniqueId: was.uniqueId, typeCode, classCode }),
      hash: was.hash!,
      size: was.size!,
      repositoryUniqueId: was.repositoryUniqueId!,
      logicalId: `urn:uuid:${logicalId}`,
      entryUuid: v,
    };
    const answer = await postSoap(`${lock().server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], registryUpdate(ins, newVersion(md, v, 1)), { assertion: vihfFor(by, { patientId: ins }) });
    return { answer, logicalId };
  }

  const readerSees = async () => (await c.searchAll(reader, `DocumentReference?patient=Patient/${patientKey}`)).resources.map((r) => r.masterIdentifier?.value);

  it('DOC-01 / MASK-01: a new version with a type no terminology knows is refused, and the other doctor still reads the document', async () => {
    const { answer, logicalId } = await retype('TYPE-INCONNU', '10');
    expect(responseStatus(answer)).toBe('Failure');
    expect(errorCodes(answer)).toEqual(['XDSRegistryMetadataError']);
    const doc = await lock().server.app.services.documents.read(as(reader), { entryUuid: logicalId });
    expect(doc.typeCode?.code).toBe('11488-4');
    expect(await readerSees()).toContain(`urn:oid:${doc.uniqueId}`);
  });

  it('DOC-01: a new version whose class is not its type’s is refused', async () => {
    const { answer } = await retype('11488-4', '60');
    expect(responseStatus(answer)).toBe('Failure');
    expect(errorCodes(answer)).toEqual(['XDSRegistryMetadataError']);
  });

  it('DOC-01 (held): a new version of a known type with its own class is taken', async () => {
    const { answer } = await retype('34112-3', '10');
    expect(responseStatus(answer)).toBe('Success');
  });

  it('ACC-02 / DOC-05 (held): a colleague of the author’s structure cannot retype a psychiatric synthesis the matrix hides from her into a type she reads — answered as an unknown logical id, and she still reads nothing of it', async () => {
    const { answer, logicalId } = await retype('11488-4', '10', nurse, ['68599-0', '11']);
    expect([responseStatus(answer), errorCodes(answer)]).toEqual(['Failure', ['XDSMetadataVersionError']]);
    expect(answer.xml).toContain(`no registered object has the logical id urn:uuid:${logicalId}`);
    expect((await c.fhir(nurse, `Binary/${logicalId}`, { accept: '*/*' })).status).toBe(404);
    expect((await c.fhir(nurse, `DocumentReference/${logicalId}`)).status).toBe(404);
  });
});
