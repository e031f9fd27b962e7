// The lock from outside, through a folder's clock: a document added to a folder moves the
// folder's lastUpdateTime (ITI TF-3 4.2.3.4), which every reader of the folder is shown (XDS
// slot lastUpdateTime, FHIR List meta.lastUpdated and date, the searches by that time and their
// order). A document the reader may not see must not move it for that reader (ACC-08): the time
// would say that something they cannot find was filed there, and when. A real port, both doors,
// each store.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, List } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { UpdateRequest } from '../../src/domain/update-request.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import type { RunningApp } from '../support/app.js';
import { TestClock } from '../support/clock.js';
import { startLockServer, type LockClients, type LockServer } from '../support/lock-clients.js';
import { storeKinds } from '../support/stores.js';
import { recordWithFolder } from '../support/lock-records.js';
import { as, proActor, submission } from '../support/world.js';
import { cx } from '../support/xds-client.js';

/** The folder's lastUpdateTime slot in an ITI-18 LeafClass answer. */
function folderSlot(xml: string): string | undefined {
  return /<(?:\w+:)?Slot name="lastUpdateTime">\s*<(?:\w+:)?ValueList>\s*<(?:\w+:)?Value>([^<]*)</.exec(xml)?.[1];
}

for (const kind of storeKinds()) {
  describe(`ACC-08: a folder's lastUpdateTime moves only for what its reader sees [${kind}]`, () => {
    let lock: LockServer;
    let server: RunningApp;
    let c: LockClients;
    const clock = new TestClock();
    const author = proActor('doctor');
    const other = proActor('doctor2');
    let patientKey: string;
    let ins: PatientIdentifier;
    let folder: string;
    let patient: Actor;

    /** What `actor` is shown of the folder's time, by FHIR read, ITI-66 search and ITI-18. */
    async function shownTime(actor: Actor): Promise<{ meta?: string; date?: string; search?: string; xds?: string }> {
      const read = await c.fhir(actor, `List/${folder}`);
      expect(read.status).toBe(200);
      const list = read.json as List;
      const found = await c.fhir(actor, `List?patient=Patient/${patientKey}&code=folder`);
      const inSearch = ((found.json as Bundle).entry ?? []).map((e) => e.resource as List).find((l) => l.id === folder);
      const shown: { meta?: string; date?: string; search?: string; xds?: string } = { meta: list.meta?.lastUpdated, date: list.date, search: inSearch?.date };
      if (actor.kind === 'professional') {
        const xds = await c.query(actor, ins, Q.GetFolders, { $XDSFolderEntryUUID: [`urn:uuid:${folder}`] });
        shown.xds = folderSlot(xds.xml);
      }
      return shown;
    }

    /** The author files one document into the folder by ITI-41. */
    let fileIntoFolder: (confidentiality: string[]) => Promise<void>;

    beforeAll(async () => {
      // the server's clock from now on (the signed assertions are checked against it), moved a minute at a step
      clock.set(new Date().toISOString());
      lock = await startLockServer(kind, {}, clock);
      ({ server, c } = lock);
      const made = await recordWithFolder(server.app.services, author, [author, other]);
      ({ patientKey, ins, folder } = made);
      fileIntoFolder = made.file;
      patient = { kind: 'patient', patientKey };
    }, 60_000);
    afterAll(async () => {
      await lock?.close();
    });

    it('ACC-08 / MASK-01: a masked document filed into the folder does not move its time for a professional who may not read it, by either door', async () => {
      const before = await shownTime(other);
      expect(before.meta).toBeDefined();
      expect(before.xds).toBeDefined();
      clock.advance(60_000);
      await fileIntoFolder(['N', 'MASQUE_PS']);
      expect(await shownTime(other)).toEqual(before);
      // the author, who reads it, sees the folder moved
      expect((await shownTime(author)).meta).not.toEqual(before.meta);
    });

    it('ACC-08 / MASK-02: a document not yet explained to the patient does not move the folder’s time for the patient', async () => {
      const before = await shownTime(patient);
      clock.advance(60_000);
      await fileIntoFolder(['N', 'INVISIBLE_PATIENT']);
      expect(await shownTime(patient)).toEqual(before);
    });

    it('ACC-08: a document linked into the folder by ITI-57 moves its time only for those who read it; one everyone reads moves it for everyone', async () => {
      const before = await shownTime(other);
      clock.advance(60_000);
      const masked = (await server.app.services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId, confidentiality: ['N', 'MASQUE_PS'] }]))).assignedIds.Document1!;
      const request = (): UpdateRequest => ({ submissionSet: { ...submission(ins, []).submissionSet, id: `urn:uuid:${randomUUID()}` }, documents: [], folders: [], statusChanges: [], associations: [] });
      await server.app.services.metadata.applyUpdate(as(author), { ...request(), associations: [{ id: `urn:uuid:${randomUUID()}`, type: 'HasMember', sourceId: `urn:uuid:${folder}`, targetId: masked }] });
      expect(await shownTime(other)).toEqual(before);
      // a filing the reader sees moves the time it is shown, by both doors
      clock.advance(60_000);
      await fileIntoFolder(['N']);
      const after = await shownTime(other);
      expect(Date.parse(after.meta!)).toBeGreaterThan(Date.parse(before.meta!));
      expect(after.xds).not.toEqual(before.xds);
    });

    it('ACC-08: FindFolders and the List search by time find the folder for what the reader sees, not for a hidden filing', async () => {
      const seen = await shownTime(other);
      clock.advance(60_000);
      await fileIntoFolder(['N', 'MASQUE_PS']);
      const after = new Date(Date.parse(seen.meta!) + 1000);
      const dtm = after.toISOString().replace(/[-:T]/g, '').slice(0, 14);
      const xds = await c.query(other, ins, Q.FindFolders, { $XDSFolderPatientId: cx(ins), $XDSFolderStatus: ["('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')"], $XDSFolderLastUpdateTimeFrom: dtm });
      expect(xds.xml).toContain('ResponseStatusType:Success');
      expect(xds.xml).not.toContain(folder);
      const search = await c.fhir(other, `List?patient=Patient/${patientKey}&code=folder&date=ge${after.toISOString()}`);
      expect(search.status).toBe(200);
      expect(((search.json as Bundle).entry ?? []).map((e) => e.resource?.id)).not.toContain(folder);
      // ...while the author, who reads what was filed, finds it there
      const mine = await c.fhir(author, `List?patient=Patient/${patientKey}&code=folder&date=ge${after.toISOString()}`);
      expect(((mine.json as Bundle).entry ?? []).map((e) => e.resource?.id)).toContain(folder);
    });
  });
}

