// The lock from outside, through the bound on an answer's size: an ITI-18 query matching more
// than CARNET_MAX_QUERY_RESULTS objects is refused (XDSTooManyResults). Counted before the
// objects a reader may not see were left out, the refusal would say that hidden ones are there:
// it must count only what the answer would hold (ACC-08). A real port, raw SOAP, each store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import type { RunningApp } from '../support/app.js';
import { startLockServer, type LockClients, type LockServer } from '../support/lock-clients.js';
import { storeKinds } from '../support/stores.js';
import { recordWithFolder } from '../support/lock-records.js';
import { proActor } from '../support/world.js';
import { cx, queryObjects, responseStatus } from '../support/xds-client.js';
const APPROVED = ["('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')"];

for (const kind of storeKinds()) {
  describe(`ACC-08: XDSTooManyResults counts only what the reader is answered [${kind}]`, () => {
    let lock: LockServer;
    let server: RunningApp;
    let c: LockClients;
    const author = proActor('doctor');
    const other = proActor('doctor2');
    let ins: PatientIdentifier;
    let folder: string;

    beforeAll(async () => {
      // three objects at most in an answer
      lock = await startLockServer(kind, { CARNET_MAX_QUERY_RESULTS: '3' });
      ({ server, c } = lock);
      // a folder with two documents everyone reads, then two masked ones (MASK-01), each in its own submission set
      const made = await recordWithFolder(server.app.services, author, [author, other]);
      ({ ins, folder } = made);
      await made.file(['N']);
      await made.file(['N', 'MASQUE_PS']);
      await made.file(['N', 'MASQUE_PS']);
    }, 60_000);
    afterAll(async () => {
      await lock?.close();
    });

    it('ACC-08 / MASK-01: FindSubmissionSets answers the two sets the reader knows, where the sets of masked documents would make four', async () => {
      const mine = await c.query(other, ins, Q.FindSubmissionSets, { $XDSSubmissionSetPatientId: cx(ins), $XDSSubmissionSetStatus: APPROVED });
      expect(responseStatus(mine)).toMatch(/Success$/);
      expect(queryObjects(mine).submissionSets).toHaveLength(2);
      // the author, who reads all four, is past the bound
      const theirs = await c.query(author, ins, Q.FindSubmissionSets, { $XDSSubmissionSetPatientId: cx(ins), $XDSSubmissionSetStatus: APPROVED });
      expect(theirs.xml).toContain('XDSTooManyResults');
    });

    it('ACC-08 / MASK-01: GetFolderAndContents answers the folder with what the reader sees, where the links to masked documents would make four', async () => {
      const mine = await c.query(other, ins, Q.GetFolderAndContents, { $XDSFolderEntryUUID: `urn:uuid:${folder}` });
      expect(responseStatus(mine)).toMatch(/Success$/);
      expect(queryObjects(mine).documents).toHaveLength(2);
      const theirs = await c.query(author, ins, Q.GetFolderAndContents, { $XDSFolderEntryUUID: `urn:uuid:${folder}` });
      expect(theirs.xml).toContain('XDSTooManyResults');
    });
  });
}
