import { afterAll, describe, expect, it } from '@jest/globals';
import { loadMigrations, migrate, MigrationError } from '../../../src/store/migrations.js';
import { openPostgres } from '../../../src/store/pg-db.js';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../../src/store/db.js';
import { openEmptyPglite, storeKinds } from '../../support/stores.js';

// These tests start from truly empty databases (not the migrated test snapshot). On PGlite, one
// fresh instance for the file (creating one is the slow part), emptied again after each test.
let pglite: Promise<Db> | undefined;
afterAll(async () => {
  await (await pglite)?.close();
});

async function emptyDb(kind: string): Promise<Db> {
  if (kind === 'pglite') {
    const db = await (pglite ??= openEmptyPglite());
    return {
      ...db,
      async close() {
        await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      },
    };
  }
  const url = process.env.DATABASE_URL!;
  const schema = `carnet_mig_${randomBytes(5).toString('hex')}`;
  const admin = openPostgres({ connectionString: url, maxConnections: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const db = openPostgres({ connectionString: url, maxConnections: 2, schema });
  const close = db.close.bind(db);
  return {
    ...db,
    async close() {
      await close();
      const c = openPostgres({ connectionString: url, maxConnections: 1 });
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.close();
    },
  };
}

for (const kind of storeKinds()) {
  describe(`migrations [${kind}]`, () => {
    it('apply on an empty database, then a second run applies nothing', async () => {
      const db = await emptyDb(kind);
      try {
        const all = loadMigrations();
        const first = await migrate(db);
        expect(first.applied).toEqual(all.map((m) => m.version));
        const tables = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('dmp','document_entry','access_trace') AND table_schema = current_schema()",
        );
        expect(tables.rows[0].n).toBe(3);
        const second = await migrate(db);
        expect(second.applied).toEqual([]);
        const recorded = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
        expect(recorded.rows[0].n).toBe(all.length);
      } finally {
        await db.close();
      }
    });

    it('refuse a database whose schema is newer than the code', async () => {
      const db = await emptyDb(kind);
      try {
        await migrate(db);
        await db.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')");
        await expect(migrate(db)).rejects.toThrow(MigrationError);
        await expect(migrate(db)).rejects.toThrow(/newer than this server/);
      } finally {
        await db.close();
      }
    });

    it('refuse a migration that changed after it was applied', async () => {
      const db = await emptyDb(kind);
      try {
        const migrations = loadMigrations();
        await migrate(db, migrations);
        const tampered = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
        await expect(migrate(db, tampered)).rejects.toThrow(/was changed after it was applied/);
      } finally {
        await db.close();
      }
    });

    it('roll back every pending migration when one fails', async () => {
      const db = await emptyDb(kind);
      try {
        const broken = [
          { version: 1, name: 'ok', sql: 'CREATE TABLE probe_a (x int);', checksum: 'a' },
          { version: 2, name: 'broken', sql: 'CREATE TABLE probe_b (x nosuchtype);', checksum: 'b' },
        ];
        await expect(migrate(db, broken)).rejects.toThrow();
        const left = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'probe_a' AND table_schema = current_schema()",
        );
        expect(left.rows[0].n).toBe(0);
      } finally {
        await db.close();
      }
    });
  });
}
