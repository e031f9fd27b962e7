// What the server's store sets on every session it opens (src/store/pg-db.ts): JIT off. Carnet's
// statements are short reads and writes; PostgreSQL compiles a statement anew on every execution
// once its estimate passes the JIT thresholds, which cost a history read ~0.5 s of compiling for a
// statement that runs in ~15 ms (docs/PERFORMANCE.md). The embedded store has no JIT.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '../../../src/store/db.js';
import { openPostgres } from '../../../src/store/pg-db.js';
import { storeKinds } from '../../support/stores.js';

const onPostgres = storeKinds().includes('postgres');

/** a statement PostgreSQL estimates far above its JIT thresholds (jit_above_cost: 100,000) */
const COSTLY = 'SELECT count(*) FROM generate_series(1, 10000000) a CROSS JOIN generate_series(1, 100) b WHERE a + b > 7';

(onPostgres ? describe : describe.skip)('the sessions of the server store [postgres]', () => {
  const url = process.env.DATABASE_URL ?? '';
  const schema = `carnet_test_${randomBytes(6).toString('hex')}`;
  let plain: Db;
  let inSchema: Db;

  beforeAll(async () => {
    plain = openPostgres({ connectionString: url, maxConnections: 2 });
    await plain.query(`CREATE SCHEMA ${schema}`);
    inSchema = openPostgres({ connectionString: url, maxConnections: 2, schema });
  });

  afterAll(async () => {
    await inSchema?.close();
    await plain?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await plain?.close();
  });

  it('run with JIT off, with or without a schema of their own', async () => {
    for (const db of [plain, inSchema]) {
      const r = await db.query<{ jit: string }>('SHOW jit');
      expect(r.rows[0]!.jit).toBe('off');
    }
    const path = await inSchema.query<{ search_path: string }>('SHOW search_path');
    expect(path.rows[0]!.search_path).toBe(schema);
  });

  it("keep JIT off and their schema when the URL carries session options of its own", async () => {
    // pg takes a URL's options over the pool's: the store joins them, its own last
    const u = new URL(url);
    u.searchParams.set('options', '-c jit=on -c search_path=public -c application_name=carnet_test_options');
    const withOptions = openPostgres({ connectionString: u.toString(), maxConnections: 1, schema });
    try {
      const r = await withOptions.query<{ jit: string; search_path: string; application_name: string }>(
        "SELECT current_setting('jit') AS jit, current_setting('search_path') AS search_path, current_setting('application_name') AS application_name",
      );
      expect(r.rows[0]).toEqual({ jit: 'off', search_path: schema, application_name: 'carnet_test_options' });
    } finally {
      await withOptions.close();
    }
  });

  it('plan a statement above the JIT thresholds without compiling it', async () => {
    const plan = await inSchema.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${COSTLY}`);
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).not.toMatch(/^JIT:/m);
  });
});
