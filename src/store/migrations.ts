// Versioned SQL migrations: files `NNNN_name.sql` in ./migrations, applied in order in one
// transaction, recorded with a checksum in `schema_migrations`. A database that has a version
// this code does not know is refused: an older server must not write into a newer schema.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationReport {
  applied: number[];
  current: number;
}

/**
 * Whether the database has applied exactly `migrations`, read in one statement: the common case
 * at every start, which then needs neither the DDL, nor the transaction, nor the lock of a
 * migration. Anything else (no table yet, a pending, unknown or changed migration, an error) is
 * left to the full check, which reports it.
 */
async function upToDate(db: Db, migrations: Migration[]): Promise<boolean> {
  try {
    const { rows } = await db.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version');
    return rows.length === migrations.length && rows.every((r, i) => r.version === migrations[i].version && r.checksum === migrations[i].checksum);
  } catch {
    return false;
  }
}

/** Applies what is pending. Safe to run from several processes at once (advisory lock). */
export async function migrate(db: Db, migrations: Migration[] = loadMigrations()): Promise<MigrationReport> {
  const latestKnown = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (await upToDate(db, migrations)) return { applied: [], current: latestKnown };
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  // the migration being applied when the transaction failed, and those pending with it
  let failed: { migration: Migration; pending: number[]; current: number } | undefined;
  return db.transaction(async (tx) => {
    // A migration may take longer than the statement timeout that protects requests.
    await tx.exec('SET LOCAL statement_timeout = 0');
    // Two servers starting together must not both apply the same migration.
    await tx.query('SELECT pg_advisory_xact_lock(7311001)');
    const { rows } = await tx.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const m = known.get(row.version);
      if (!m) {
        throw new MigrationError(
          `the database schema has migration ${row.version}, which this server (${latestKnown}) does not know: it is newer than this server; upgrade the server`,
        );
      }
      if (m.checksum !== row.checksum) {
        throw new MigrationError(`migration ${m.version} (${m.name}) was changed after it was applied`);
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    const pending = migrations.filter((m) => !done.has(m.version)).map((m) => m.version);
    const current = rows.length ? Math.max(...rows.map((r) => r.version)) : 0;
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      failed = { migration: m, pending, current };
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
      applied.push(m.version);
    }
    failed = undefined;
    return { applied, current: latestKnown };
  }).catch((e: unknown) => {
    // A migration cut halfway (an error of its own, a killed connection, the database stopped)
    // leaves nothing behind: all the pending ones run in this one transaction, rolled back whole.
    // The operator is told so, not only the cause, which alone reads as if the store were left
    // half rewritten.
    if (!failed || e instanceof MigrationError) throw e;
    const { migration: m, pending, current } = failed;
    throw new MigrationError(
      `migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}. Nothing was applied: ` +
        `the pending migrations (${pending.join(', ')}) run in one transaction, rolled back whole, and the schema stays at version ${current}; ` +
        'fix the cause and migrate again',
      { cause: e },
    );
  });
}
