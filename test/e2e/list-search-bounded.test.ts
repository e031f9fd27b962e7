// ITI-66 Find Document Lists on a record holding thousands of folders, and on one holding
// thousands of deposits (submission sets). Any professional allowed to deposit may make folders
// and deposits in a record, so the search must not cost a caller more for each one there is: the
// page is cut in SQL, and only the page's members are read. The test counts the statements one
// search sends on a record of a few lists and on one of thousands (a real port, each store); the
// count must be the same, and the rows read a page's. The members and times shown stay the reader's
// (ACC-08): the totals count only what the reader may see.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, List } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { countedDb, type SentStatement } from '../support/counted-db.js';
import { LockClients } from '../support/lock-clients.js';
import { copyFolder, copySubmissionSet } from '../support/folder-copies.js';
import { recordWithFolder } from '../support/lock-records.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { proActor, seedDirectory } from '../support/world.js';

/** Enough folders that a search reading each one's members would cost many times a page's. */
const FOLDERS = Number(process.env.LIST_SEARCH_FOLDERS ?? 2000);
/** As many deposits, in a record of its own */
const DEPOSITS = FOLDERS;

for (const kind of storeKinds()) {
  describe(`ITI-66 List search on a record of ${FOLDERS} folders, and on one of ${DEPOSITS} deposits: work bounded by the page [${kind}]`, () => {
    let db: Db;
    let sent: SentStatement[];
    let server: RunningApp;
    let c: LockClients;
    const author = proActor('doctor');
    const reader = proActor('doctor2');
    let small: { patientKey: string; folder: string };
    let large: { patientKey: string; folder: string };
    let deposits: { patientKey: string; folder: string };

    beforeAll(async () => {
      db = await openTestDb(kind);
      const counted = countedDb(db);
      sent = counted.sent;
      server = await startTestApp(counted.db);
      await seedDirectory(server.app.services.directory);
      c = new LockClients(server, server.app.services.deps.repositoryUniqueId);
      small = await recordWithFolder(server.app.services, author, [reader]);
      await copyFolder(db, small.patientKey, small.folder, 2);
      large = await recordWithFolder(server.app.services, author, [reader]);
      await copyFolder(db, large.patientKey, large.folder, FOLDERS - 1);
      deposits = await recordWithFolder(server.app.services, author, [reader]);
      const [deposit] = (await db.query<{ id: string }>('SELECT entry_uuid::text AS id FROM submission_set WHERE patient_key = $1', [deposits.patientKey])).rows;
      await copySubmissionSet(db, deposits.patientKey, deposit!.id, DEPOSITS - 1);
    }, 120_000);

    afterAll(async () => {
      c?.close();
      await server?.close();
      await db?.close();
    });

    /** One search as `reader`: the statements it sent, and the rows the store handed back. */
    async function search(patientKey: string, query: string): Promise<{ bundle: Bundle; statements: number; rows: number }> {
      const before = sent.length;
      const answer = await c.fhir(reader, `List?patient=Patient/${patientKey}${query}`);
      expect(answer.status).toBe(200);
      const mine = sent.slice(before);
      return { bundle: answer.json as Bundle, statements: mine.length, rows: mine.reduce((n, s) => n + (s.rows ?? 0), 0) };
    }

    const searches = ['', '&_count=20', '&_count=0', '&_total=accurate', '&code=folder', '&code=folder&_count=5&_offset=2', '&code=submissionset'];

    /** The same search on the small record and on a larger one; the kinds of lists it asks for (1 when asked). */
    async function compared(query: string, larger: string) {
      const few = await search(small.patientKey, query);
      const many = await search(larger, query);
      return { few, many, folders: query.includes('code=submissionset') ? 0 : 1, sets: query.includes('code=folder') ? 0 : 1 };
    }

    /** The first two pages of 20 lists of `code`: each the latest first, the second none of the first's. */
    async function firstPages(patientKey: string, code: string) {
      const first = await search(patientKey, `&code=${code}&_count=20`);
      const lists = (first.bundle.entry ?? []).map((e) => e.resource as List);
      expect(lists).toHaveLength(20);
      const dates = lists.map((l) => l.date!);
      expect([...dates].sort().reverse()).toEqual(dates);
      const later = await search(patientKey, `&code=${code}&_count=20&_offset=20`);
      const ids = new Set(lists.map((l) => l.id));
      expect(later.bundle.entry).toHaveLength(20);
      for (const e of later.bundle.entry ?? []) expect(ids.has(e.resource!.id)).toBe(false);
      return { lists, first, later };
    }

    it.each(searches)('ACC-08: List?patient=…%s sends as many statements on thousands of folders as on three, and reads a page of rows', async (query) => {
      const { few, many, folders, sets } = await compared(query, large.patientKey);
      expect(many.statements).toBe(few.statements);
      // the larger record's page holds at most 20 folders more than the small one's three: each
      // one a row, a link, its member's type and its document, whatever the folders around
      expect(many.rows - few.rows).toBeLessThanOrEqual(4 * 20);
      // one submission set per record (its folder's deposit), which every reader here may see
      expect(few.bundle.total).toBe(3 * folders + sets);
      expect(many.bundle.total).toBe(FOLDERS * folders + sets);
    });

    it('ACC-08: the page of folders is the latest first, each listing its document the reader may see', async () => {
      const { lists, later } = await firstPages(large.patientKey, 'folder');
      expect(lists[0]!.id).toBe(large.folder);
      for (const l of lists) expect((l.entry ?? []).map((e) => e.item.reference)).toEqual([expect.stringMatching(/^DocumentReference\//)]);
      // a page deep in the record reads no more than the first
      const deep = await search(large.patientKey, `&code=folder&_count=20&_offset=${FOLDERS - 30}`);
      expect(deep.bundle.entry).toHaveLength(20);
      expect(deep.rows).toBeLessThanOrEqual(later.rows);
      expect(deep.bundle.link?.find((l) => l.relation === 'next')).toBeDefined();
    });

    it.each(searches)('ACC-08: List?patient=…%s sends no more statements on thousands of deposits than on one, and reads a page of rows', async (query) => {
      const { few, many, folders, sets } = await compared(query, deposits.patientKey);
      // none per deposit (fewer where the page, full of deposits, reads no folders)
      expect(many.statements).toBeLessThanOrEqual(few.statements);
      // the larger record's page holds at most 20 submission sets more than the small one's one:
      // each one a row and its two links (the copies all list the same document and folder)
      expect(many.rows - few.rows).toBeLessThanOrEqual(3 * 20);
      expect(few.bundle.total).toBe(3 * folders + sets);
      expect(many.bundle.total).toBe(folders + DEPOSITS * sets);
    });

    it('ACC-08: the page of deposits is the latest first, each listing its document; a page deep in the record reads no more than the first', async () => {
      const { lists, first } = await firstPages(deposits.patientKey, 'submissionset');
      for (const l of lists) expect((l.entry ?? []).map((e) => e.item.reference)).toContainEqual(expect.stringMatching(/^DocumentReference\//));
      const deep = await search(deposits.patientKey, `&code=submissionset&_count=20&_offset=${DEPOSITS - 30}`);
      expect(deep.bundle.entry).toHaveLength(20);
      expect(deep.rows).toBeLessThanOrEqual(first.rows);
      expect(deep.bundle.link?.find((l) => l.relation === 'next')).toBeDefined();
    });
  });
}
