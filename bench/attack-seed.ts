// The attack benchmark's store, made and seeded in the benchmark's own process before the server
// starts, so that the server's process holds the server alone (its memory is what is measured):
// a PostgreSQL schema (or a PGlite folder when no DATABASE_URL is given) with one record of twenty
// documents that a doctor may read.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { CarnetClaims } from '../src/auth/claims.js';
import { migrate } from '../src/store/migrations.js';
import { openPglite } from '../src/store/pglite-db.js';
import { openPostgres } from '../src/store/pg-db.js';
import type { Db } from '../src/store/db.js';
import { claimsOf } from '../test/support/app.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission } from '../test/support/world.js';

/** Where the server finds the seeded store. */
export type AttackStore = { kind: 'postgres'; databaseUrl: string; schema: string } | { kind: 'pglite'; dir: string };

export interface SeededStore {
  store: AttackStore;
  patientKey: string;
  /** the doctor's claims, for the server to sign a bearer token with its own key */
  doctorClaims: CarnetClaims;
  drop(): Promise<void>;
}

export async function seedAttackStore(databaseUrl: string | undefined, workDir: string): Promise<SeededStore> {
  let db: Db;
  let store: AttackStore;
  let drop = async () => {};
  if (databaseUrl) {
    const schema = `carnet_attack_bench_${randomBytes(4).toString('hex')}`;
    const admin = openPostgres({ connectionString: databaseUrl, maxConnections: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    db = openPostgres({ connectionString: databaseUrl, maxConnections: 4, schema });
    store = { kind: 'postgres', databaseUrl, schema };
    drop = async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    };
  } else {
    const dir = join(workDir, 'pglite');
    db = await openPglite({ dataDir: dir });
    store = { kind: 'pglite', dir };
  }
  try {
    await migrate(db);
    const w = await makeWorld(db);
    const doctor = proActor('doctor');
    const rec = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    for (let i = 0; i < 5; i++) await w.services.submissions.submit(as(doctor), submission(rec.ins, [{}, {}, {}, {}]));
    return { store, patientKey: rec.patientKey, doctorClaims: claimsOf(doctor), drop };
  } finally {
    await db.close();
  }
}
