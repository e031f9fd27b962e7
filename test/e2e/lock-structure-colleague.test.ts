// MASK-01 / ACC-08 with DOC-05: a professional of the author's structure may replace the author's
// documents, but a document the patient masked from them does not exist for them. Walked on a
// real port by XDS.b ITI-57: a colleague who knew the document before it was masked sends a new
// metadata version naming themselves as its author, which would make them an author the masking
// spares.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { describeEachLockServer, type LockClients } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { newVersion, registryUpdate, registryWords } from '../support/lock-xds.js';
import { as, entryMetadata, patientCaller, proActor, submission } from '../support/world.js';
import { postSoap, provideAndRegister, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

describeEachLockServer('MASK-01 / ACC-08: a document masked from the author’s colleague does not exist for them, to replace or to update', (lock) => {
  let c: LockClients;
  let baseUrl: string;
  const author = proActor('doctor');
  /** of the author's structure, authorised, neither author nor médecin traitant */
  const colleague = proActor('nurse');
  let ins: PatientIdentifier;
  let patientKey: string;
  /** the document's logical id, its masked current version, and what the colleague saw of it before */
  let logicalId: string;
  /** an open document of the author, which the colleague may update (DOC-05) */
  let open: string;
  let masked: string;
  let seen: { uniqueId: string; hash: string; size: number; repositoryUniqueId: string; typeCode: string; classCode: string };

  beforeAll(async () => {
    const { server } = lock();
    c = lock().c;
    baseUrl = server.baseUrl;
    const services = server.app.services;
    ({ ins, patientKey } = await adultRecordAllowing(services, [author, colleague]));
    const ids = (await services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]))).assignedIds;
    logicalId = ids.Document1!.replace(/^urn:uuid:/, '');
    open = (await services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]))).assignedIds.Document1!.replace(/^urn:uuid:/, '');
    // the colleague reads it while it is open
    const before = await services.documents.read(as(colleague), { entryUuid: logicalId });
    seen = { uniqueId: before.uniqueId, hash: before.hash!, size: before.size!, repositoryUniqueId: before.repositoryUniqueId!, typeCode: before.typeCode!.code, classCode: before.classCode!.code };
    masked = (await services.metadata.setVisibility(patientCaller(patientKey), { entryUuid: logicalId }, 'MASQUE_PS', true)).entryUuid.replace(/^urn:uuid:/, '');
  }, 120_000);

  /** ITI-57 by the colleague: version 3 of `logical`, still masked, naming the colleague as its author. */
  function selfAuthoredVersion(logical: string, previous = 2, confidentiality = ['N', 'MASQUE_PS'], was = seen): string {
    const v = `urn:uuid:${randomUUID()}`;
    const md = {
      ...entryMetadata(ins, { authorId: colleague.idNatPs, authorStructure: colleague.structureId, uniqueId: was.uniqueId, typeCode: was.typeCode, classCode: was.classCode, confidentiality }),
      hash: was.hash,
      size: was.size,
      repositoryUniqueId: was.repositoryUniqueId,
      logicalId: `urn:uuid:${logical}`,
      entryUuid: v,
    };
    return newVersion(md, v, previous);
  }

  it('MASK-01 / ACC-08 / DOC-05: a new metadata version of the masked document by the author’s colleague is answered as for an unknown logical id, and the colleague still reads nothing of it', async () => {
    expect((await c.fhir(colleague, `DocumentReference/${masked}`)).status).toBe(404);
    const unknown = randomUUID();
    const send = (logical: string) => postSoap(`${baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], registryUpdate(ins, selfAuthoredVersion(logical)), { assertion: vihfFor(colleague) });
    const asUnknown = registryWords(await send(unknown), unknown);
    expect(asUnknown).toMatch(/^Failure /);
    expect(registryWords(await send(logicalId), logicalId).replaceAll(logicalId, unknown)).toEqual(asUnknown);
    // whatever was answered, the masking still holds for the colleague at every read
    const search = await c.searchAll(colleague, `DocumentReference?patient=Patient/${patientKey}`);
    expect(search.ids).toEqual([open]);
    expect((await c.fhir(colleague, `DocumentReference/${masked}`)).status).toBe(404);
    expect((await c.fhir(colleague, `Binary/${masked}`, { accept: '*/*' })).status).toBe(404);
    // the author still reads it, masked, at its second version
    const byAuthor = await c.searchAll(author, `DocumentReference?patient=Patient/${patientKey}`);
    expect(byAuthor.ids).toContain(masked);
    // not vacuous: the same request on the open document of the author is taken (DOC-05)
    const o = await lock().server.app.services.documents.read(as(colleague), { entryUuid: open });
    const was = { uniqueId: o.uniqueId, hash: o.hash!, size: o.size!, repositoryUniqueId: o.repositoryUniqueId!, typeCode: o.typeCode!.code, classCode: o.classCode!.code };
    const taken = await postSoap(`${baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], registryUpdate(ins, selfAuthoredVersion(open, 1, ['N'], was)), { assertion: vihfFor(colleague) });
    expect(registryWords(taken, open)).toMatch(/^Success /);
  });

  it('MASK-01 / ACC-08 / DOC-05: an ITI-41 replacement (RPLC) of the masked document by the author’s colleague is answered as for an unknown id; the colleague’s replacement of the open one is taken', async () => {
    const replace = (target: string) => {
      const sub = submission(ins, [{ authorId: colleague.idNatPs, authorStructure: colleague.structureId }]);
      sub.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: `urn:uuid:${target}` });
      const { body, attachments } = provideAndRegister(sub);
      return postSoap(`${baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion: vihfFor(colleague), attachments });
    };
    const unknown = randomUUID();
    const asUnknown = registryWords(await replace(unknown), unknown);
    expect(asUnknown).toMatch(/^Failure /);
    const current = masked;
    expect(registryWords(await replace(current), current).replaceAll(current, unknown)).toEqual(asUnknown);
    expect((await c.searchAll(colleague, `DocumentReference?patient=Patient/${patientKey}`)).ids).not.toContain(current);
    expect((await c.searchAll(author, `DocumentReference?patient=Patient/${patientKey}`)).ids).toContain(current);
    const [openNow] = (await c.searchAll(colleague, `DocumentReference?patient=Patient/${patientKey}`)).ids;
    expect(registryWords(await replace(openNow), openNow)).toMatch(/^Success /);
  });
});
