// The world the lock matrix (test/e2e/lock-matrix*.test.ts) is tested on: a server and the seeded
// lock world on one store, started before a describe block's tests and closed after, and the
// questions every path asks of it (which members a reader sees, which records it reads, the
// unknown id's answers, kept per reader). Shared so that the FHIR and XDS.b halves of the matrix
// ask them alike.
import { afterAll, beforeAll } from '@jest/globals';
import type { Actor } from '../../src/domain/actor.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from './app.js';
import { LockClients, unknownId, type Answer } from './lock-clients.js';
import { ACTOR_NAMES, actorOn, actsForAuthorStructure, expected, HIDINGS, isProfessional, MEMBERS, seedLockWorld, type ActorName, type Hiding, type LockWorld, type Member } from './lock-world.js';
import { openTestDb, type StoreKind } from './stores.js';
import { seedDirectory } from './world.js';

/** the members each kind of path can reach at all: searches and lists hold latest versions only */
export const LATEST: Member[] = ['current', 'predecessor', 'replacement'];

/** In a describe block: the server and seeded world on `kind`, and the matrix's questions. */
export function useLockMatrix(kind: StoreKind) {
  let db: Db;
  let server: RunningApp;
  let world: LockWorld;
  let c: LockClients;

  beforeAll(async () => {
    db = await openTestDb(kind);
    server = await startTestApp(db);
    await seedDirectory(server.app.services.directory);
    world = await seedLockWorld(server.app.services);
    c = new LockClients(server, server.app.services.deps.repositoryUniqueId);
  }, 120_000);
  afterAll(async () => {
    c?.close();
    await server?.close();
    await db?.close();
  });

  const records = () => [world.main, world.blocked, world.blockedStructure];
  const hidingsOf = (patientKey: string) => HIDINGS.filter((h) => world.lineages[h].patientKey === patientKey);
  const visible = (name: ActorName, h: Hiding) => expected(name, h, world.actors[name]);
  /**
   * the record as a whole is refused (403): support, the blocked author on the second record,
   * and whoever acts for the blocked structure (the author, the nurse) on the third (ACC-03)
   */
  const readsRecord = (name: ActorName, patientKey: string) =>
    name !== 'support' &&
    !(name === 'author' && patientKey === world.blocked.patientKey) &&
    !(actsForAuthorStructure(world.actors[name]) && patientKey === world.blockedStructure.patientKey);
  const actorFor = (name: ActorName, patientKey: string): Actor => actorOn(world.actors[name], patientKey);
  const idsOf = (patientKey: string, members: readonly Member[], keep: (h: Hiding) => boolean) =>
    hidingsOf(patientKey).filter(keep).flatMap((h) => members.map((m) => world.lineages[h].ids[m])).sort();
  const visibleIds = (name: ActorName, patientKey: string, members: readonly Member[] = MEMBERS) => idsOf(patientKey, members, (h) => visible(name, h));
  const hiddenIds = (name: ActorName, patientKey: string, members: readonly Member[] = MEMBERS) => idsOf(patientKey, members, (h) => !visible(name, h));
  const professionals = () => ACTOR_NAMES.filter((n) => isProfessional(world.actors[n]));
  const bare = (id: string) => id.replace(/^urn:uuid:/, '');
  /**
   * Made once per reader and kept: an answer a request of the same reader gets every time. A
   * professional reads the three records as one actor, so what an unknown id answers them (a
   * request that names no record) is asked once, not once per record; the ITI-66 search two
   * tests compare against is asked once per reader and record (nothing between them changes a
   * List: only the trace of each request grows).
   */
  const kept = new Map<string, Promise<Answer>>();
  const once = (actor: Actor, what: string, ask: () => Promise<Answer>): Promise<Answer> => {
    const key = `${JSON.stringify(actor)}|${what}`;
    if (!kept.has(key)) kept.set(key, ask());
    return kept.get(key)!;
  };
  const unknownRead = (actor: Actor, type: 'DocumentReference' | 'Binary' | 'List') =>
    once(actor, `unknown ${type}`, () => c.fhir(actor, `${type}/${unknownId()}`, type === 'Binary' ? { accept: '*/*' } : {}));
  const listSearch = (actor: Actor, patientKey: string) => once(actor, `lists of ${patientKey}`, () => c.fhir(actor, `List?patient=Patient/${patientKey}&_count=100`));

  return {
    /** set once the describe block's tests run */
    get db(): Db {
      return db;
    },
    get world(): LockWorld {
      return world;
    },
    get c(): LockClients {
      return c;
    },
    records,
    hidingsOf,
    visible,
    readsRecord,
    actorFor,
    idsOf,
    visibleIds,
    hiddenIds,
    professionals,
    bare,
    unknownRead,
    listSearch,
  };
}
