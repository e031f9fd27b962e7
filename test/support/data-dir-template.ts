// A data directory whose embedded store is already created and migrated, for the command-line
// tests that are not about a first start. PostgreSQL's initdb (in WASM) and the migrations cost
// a `carnet` process about 6 s of CPU against about 1 s to open an existing store: the directory
// is made once per machine (in the system's temporary folder, named by PGlite's version and the
// migrations' checksums) and each test copies it. A first start from an empty directory stays
// proven by the tests that start from one (test/e2e/cli.test.ts).
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate } from '../../src/store/migrations.js';

const PGLITE_VERSION = (JSON.parse(readFileSync(join(process.cwd(), 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }).version;

function templatePath(): string {
  const key = `${PGLITE_VERSION}:${loadMigrations().map((m) => m.checksum).join(',')}`;
  return join(tmpdir(), `carnet-test-datadir-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`);
}

async function ensureTemplate(): Promise<string> {
  const template = templatePath();
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  // Made aside and renamed: two test workers may make it at once.
  const aside = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    // Loaded only to make the template: a test file that copies it never loads PGlite.
    const { openPglite } = await import('../../src/store/pglite-db.js');
    const db = await openPglite({ dataDir: aside });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    renameSync(aside, template);
  } catch (e) {
    rmSync(aside, { recursive: true, force: true });
    // another worker renamed its own first
    if (!existsSync(join(template, 'PG_VERSION'))) throw e;
  }
  return template;
}

/**
 * Fills `dir` (an empty folder the test owns) with a created and migrated embedded store: no
 * keys, no lock, no row of Carnet's, as `carnet migrate` leaves a new data directory.
 */
export async function fillMigratedDataDir(dir: string): Promise<void> {
  cpSync(await ensureTemplate(), dir, { recursive: true });
}
