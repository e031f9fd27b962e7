import { afterAll, describe, expect, it } from '@jest/globals';
import { loadMigrations, migrate, MigrationError } from '../../../src/store/migrations.js';
import { openPostgres } from '../../../src/store/pg-db.js';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../../src/store/db.js';
import { openEmptyPglite, storeKinds } from '../../support/stores.js';
import { appendTrace, GENESIS_HASH, TRACE_LANES, traceRowHash } from '../../../src/store/trace-repo.js';
import { verifyTrace } from '../../../src/store/trace-verify.js';
import { findDocuments, type DocumentQuery } from '../../../src/store/document-search.js';
import { insertEntryVersionStatement } from '../../../src/store/document-repo.js';
import { EXCLUDED_STATUSES } from '../../../src/domain/visibility.js';
import type { DocumentEntryMetadata } from '../../../src/domain/model.js';

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

/** A record's row, as the schema of any version stores it: its key. */
async function openRecord(db: Db): Promise<string> {
  const patientKey = randomUUID();
  await db.query(
    `INSERT INTO dmp (patient_key, status, consent_by, consent_at, creation_channel, created_by, created_at, updated_at)
     VALUES ($1, 'open', 'patient', now(), 'professional', 'test', now(), now())`,
    [patientKey],
  );
  return patientKey;
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

    (kind === 'postgres' ? it : it.skip)('a server starting on an up-to-date database is not held up by a migration lock held elsewhere (it reads the applied list only)', async () => {
      const db = await emptyDb(kind);
      const other = openPostgres({ connectionString: process.env.DATABASE_URL!, maxConnections: 1 });
      let locked = true;
      try {
        await migrate(db);
        // Another process migrating: it holds the lock every migration takes.
        await other.query('SELECT pg_advisory_lock(7311001)');
        const outcome = await Promise.race([
          migrate(db).then((report) => ({ report })),
          // Or the start waits for that lock: seen in pg_locks, then let go so the test ends.
          (async () => {
            for (;;) {
              const { rows } = await other.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 7311001 AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
              if (rows[0].n > 0) return { waited: true };
              await new Promise((r) => setImmediate(r));
              if (!locked) return { waited: false };
            }
          })(),
        ]);
        expect(outcome).toEqual({ report: { applied: [], current: loadMigrations().at(-1)!.version } });
      } finally {
        locked = false;
        await other.query('SELECT pg_advisory_unlock(7311001)');
        await other.close();
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

    it('ACC-09: migration 0010 places the replacements recorded before it in their lineages', async () => {
      const db = await emptyDb(kind);
      try {
        const all = loadMigrations();
        await migrate(db, all.filter((m) => m.version < 10));
        const patientKey = await openRecord(db);
        // A (two versions) replaced by B, B replaced by C; D alone
        const [a, a2, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        const rows: Array<[string, string, number, boolean]> = [[a, a, 1, false], [a2, a, 2, true], [b, b, 1, true], [c, c, 1, true], [d, d, 1, true]];
        for (const [entry, logical, version, latest] of rows) {
          await db.query(
            `INSERT INTO document_entry (patient_key, entry_uuid, logical_id, version, is_latest, unique_id, status, mime_type, type_code,
               class_code, confidentiality, submission_set_uuid, stored_at, metadata)
             VALUES ($1, $2, $3, $4, $5, $6, 'Approved', 'text/plain', '11488-4', '10', '{N}', $2, now(), '{}')`,
            [patientKey, entry, logical, version, latest, `uid-${entry}`],
          );
        }
        for (const [i, [source, target]] of [[b, a2], [c, b]].entries()) {
          await db.query(
            `INSERT INTO association (patient_key, entry_uuid, type, source_uuid, target_uuid, stored_at, metadata)
             VALUES ($1, $2, 'RPLC', $3, $4, now() + make_interval(secs => $5), '{}')`,
            [patientKey, randomUUID(), source, target, i],
          );
        }
        await migrate(db);
        const placed = await db.query<{ entry: string; lineage: string; generation: number; shared: boolean }>(
          'SELECT entry_uuid::text AS entry, lineage_id::text AS lineage, lineage_generation AS generation, lineage_shared AS shared FROM document_entry WHERE patient_key = $1',
          [patientKey],
        );
        const at = new Map(placed.rows.map((r) => [r.entry, r]));
        for (const v of [a, a2, b, c]) expect(at.get(v)?.lineage).toBe(a);
        expect([a, a2, b, c].map((v) => at.get(v)?.generation)).toEqual([1, 1, 2, 3]);
        expect([a, a2, b, c].map((v) => at.get(v)?.shared)).toEqual([true, true, true, true]);
        expect(at.get(d)).toMatchObject({ lineage: d, generation: 1, shared: false });
      } finally {
        await db.close();
      }
    });

    it("TRACE-02: migration 0062 makes a record's single trace chain its lane 0: it still verifies, gets its other lanes, and the next row follows it", async () => {
      const db = await emptyDb(kind);
      try {
        const all = loadMigrations();
        // a database as it was before lanes: every other migration applied
        await migrate(db, all.filter((m) => m.version !== 62));
        const patientKey = randomUUID();
        let prev = { seq: 0, hash: GENESIS_HASH };
        for (let seq = 1; seq <= 3; seq++) {
          // a lane-0 row hashes as rows did before lanes (test/unit/store/trace-row-hash.test.ts)
          const row = {
            chain_key: patientKey, lane: 0, seq, trace_id: randomUUID(), occurred_at: new Date(Date.UTC(2026, 0, seq)), actor_kind: 'patient', actor_id: patientKey,
            actor_name: null, actor_profession: null, actor_specialty: null, actor_structure: null, action: 'record.read', outcome: 'success' as const, reason: null,
            access_mode: null, on_patient_request: false, document_logical_id: null, document_entry_uuid: null, document_unique_id: null, target_kind: null,
            target_id: null, channel: 'test', request_id: null, details: {}, prev_hash: prev.hash,
          };
          const hash = traceRowHash(row);
          await db.query(
            `INSERT INTO access_trace (chain_key, seq, trace_id, occurred_at, actor_kind, actor_id, action, outcome, channel, details, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}', $10, $11)`,
            [patientKey, seq, row.trace_id, row.occurred_at, row.actor_kind, row.actor_id, row.action, row.outcome, row.channel, row.prev_hash, hash],
          );
          prev = { seq, hash };
        }
        await db.query('INSERT INTO access_trace_head (chain_key, seq, hash) VALUES ($1, $2, $3)', [patientKey, prev.seq, prev.hash]);

        expect((await migrate(db)).applied).toEqual([62]);
        expect(await verifyTrace(db)).toEqual({ chains: 1, lanes: TRACE_LANES, rows: 3, broken: [] });
        const heads = await db.query<{ lane: number; seq: number; hash: string }>('SELECT lane::int AS lane, seq::int AS seq, hash FROM access_trace_head WHERE chain_key = $1 ORDER BY lane', [patientKey]);
        expect(heads.rows).toEqual(Array.from({ length: TRACE_LANES }, (_, lane) => (lane === 0 ? { lane, ...prev } : { lane, seq: 0, hash: GENESIS_HASH })));
        const next = await db.transaction((tx) =>
          appendTrace(tx, { patientKey, occurredAt: new Date(), actor: { kind: 'patient', id: patientKey }, action: 'record.read', outcome: 'success', channel: 'test' }),
        );
        expect(next).toMatchObject({ lane: 0, seq: 4, prev_hash: prev.hash });
        expect(await verifyTrace(db)).toEqual({ chains: 1, lanes: TRACE_LANES, rows: 4, broken: [] });
      } finally {
        await db.close();
      }
    });

    it("migration 0083 puts document_entry's filter columns before its metadata, keeping every row, index and constraint, after 0090 as before it", async () => {
      const db = await emptyDb(kind);
      try {
        const all = loadMigrations();
        // a store that applied 0090 before this migration existed (the pending one then runs last)
        await migrate(db, all.filter((m) => m.version !== 83));
        const patientKey = await openRecord(db);
        const [a, b] = [randomUUID(), randomUUID()];
        await db.query(
          `INSERT INTO document_entry (patient_key, entry_uuid, logical_id, lineage_id, lineage_generation, lineage_shared, version, is_latest, unique_id, status,
             mime_type, type_code, class_code, format_code, confidentiality, author_ids, author_family, authored_by_patient, creation_time, submission_set_uuid,
             stored_at, status_changes, status_changed_at, metadata)
           VALUES ($1, $2, $2, $2, 1, true, 2, true, 'uid-a', 'Deprecated', 'text/plain', '11488-4', '10', 'urn:f', '{N,MASQUE_PS}', '{810000000001}', '{roux}', false,
             '2026-01-02T03:04:05Z', $2, '2026-01-03T00:00:00Z', 1, '2026-01-04T00:00:00Z', '{"title":"a"}'),
                  ($1, $3, $3, $2, 2, true, 1, true, 'uid-b', 'Approved', 'text/plain', '34112-3', '10', NULL, '{N}', '{}', '{}', true,
             NULL, $3, '2026-01-05T00:00:00Z', 0, NULL, '{"title":"b"}')`,
          [patientKey, a, b],
        );
        const state = async () => ({
          rows: (await db.query<{ r: unknown }>('SELECT to_jsonb(d) AS r FROM document_entry d ORDER BY entry_uuid')).rows.map((x) => x.r),
          indexes: (await db.query<{ i: string }>("SELECT indexname || ': ' || regexp_replace(indexdef, ' ON \\S+ ', ' ON ') AS i FROM pg_indexes WHERE tablename = 'document_entry' AND schemaname = current_schema() ORDER BY 1")).rows.map((x) => x.i),
          constraints: (await db.query<{ c: string }>("SELECT conname || ': ' || pg_get_constraintdef(oid) AS c FROM pg_constraint WHERE conrelid = 'document_entry'::regclass ORDER BY 1")).rows.map((x) => x.c),
        });
        const before = await state();
        expect(before.indexes.length).toBeGreaterThanOrEqual(10);

        expect((await migrate(db)).applied).toEqual([83]);
        expect(await state()).toEqual(before);
        const columns = await db.query<{ name: string }>(
          "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'document_entry' AND table_schema = current_schema() ORDER BY ordinal_position",
        );
        const order = columns.rows.map((r) => r.name);
        // every column the visibility filter reads (store/visibility-sql.ts) stands before the metadata, which is last
        for (const c of ['is_latest', 'lineage_shared', 'lineage_id', 'status', 'type_code', 'confidentiality', 'author_ids', 'authored_by_patient']) {
          expect(order.indexOf(c)).toBeLessThan(16);
        }
        expect(order.at(-1)).toBe('metadata');
        expect(order).toHaveLength(35);
        // the lineage function (0010) still reads the new table
        const current = await db.query<{ logical_id: string }>('SELECT logical_id::text FROM carnet_lineage_current($1, $2)', [patientKey, a]);
        expect(current.rows).toEqual([{ logical_id: b }]);
      } finally {
        await db.close();
      }
    });

    it("migration 0095 folds the authors' names of the documents stored before it: each is still found by its folded name, and holds what a new row would", async () => {
      const db = await emptyDb(kind);
      try {
        const all = loadMigrations();
        await migrate(db, all.filter((m) => m.version < 95));
        const patientKey = await openRecord(db);
        // every block of marks the search drops (string-search.ts), an empty name, a name Ø
        const authors = [
          { person: { family: 'Lefe\u0300vre\u1ab0\u1dc0\u20d0\ufe20', given: 'Hélène' } },
          { person: { family: '', given: 'Zoé' } },
          { person: { family: 'ØSTER' } },
        ];
        const metadata = { title: 'stored before 0095', authors };
        const before = randomUUID();
        // as the code before it stored them: the names lower-cased by JavaScript
        await db.query(
          `INSERT INTO document_entry (patient_key, entry_uuid, logical_id, lineage_id, version, is_latest, unique_id, status, mime_type, type_code, class_code,
             confidentiality, author_family, author_given, submission_set_uuid, stored_at, metadata)
           VALUES ($1, $2, $2, $2, 1, true, 'uid-before', 'Approved', 'text/plain', '11488-4', '10', '{N}', $3, $4, $2, now(), $5)`,
          [patientKey, before, ['lefe\u0300vre\u1ab0\u1dc0\u20d0\ufe20', 'øster'], ['hélène', 'zoé'], JSON.stringify(metadata)],
        );
        expect((await migrate(db)).applied).toEqual(all.filter((m) => m.version >= 95).map((m) => m.version));

        const visibility = { kind: 'some' as const, allowedTypeCodes: null, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: [...EXCLUDED_STATUSES], emergency: false };
        const found = async (criteria: Partial<DocumentQuery>) => (await findDocuments(db, { patientKey, visibility, ...criteria })).entries.map((e) => e.entryUuid.replace(/^urn:uuid:/, ''));
        expect(await found({ authorFamily: 'LEFEVRE' })).toEqual([before]);
        expect(await found({ authorFamily: 'ØS' })).toEqual([before]);
        expect(await found({ authorGiven: 'helene' })).toEqual([before]);
        expect(await found({ authorGiven: 'ZOE' })).toEqual([before]);

        // a row stored now, of the same names, holds the same copies
        const after = randomUUID();
        const st = insertEntryVersionStatement({
          patientKey, entryUuid: after, logicalId: after, version: 1, status: 'Approved', metadata: { ...metadata, uniqueId: 'uid-after', mimeType: 'text/plain', eventCodes: [], referenceIds: [] } as unknown as DocumentEntryMetadata,
          typeCode: '11488-4', classCode: '10', confidentiality: ['N'], authorIds: [], authorStructures: [], authoredByPatient: false, submittedBy: null,
          submittedByStructure: null, submissionSetUuid: after, contentSha256: null, creationTime: null, serviceStartTime: null, serviceStopTime: null, storedAt: new Date(),
        });
        await db.query(st.sql, st.params);
        const copies = await db.query<{ family: string[]; given: string[] }>(
          'SELECT author_family AS family, author_given AS given FROM document_entry WHERE patient_key = $1 ORDER BY entry_uuid = $2 DESC',
          [patientKey, before],
        );
        expect(copies.rows).toEqual([
          { family: ['lefevre', 'øster'], given: ['helene', 'zoe'] },
          { family: ['lefevre', 'øster'], given: ['helene', 'zoe'] },
        ]);
      } finally {
        await db.close();
      }
    });

    it('a migration cut halfway says that nothing was applied and at which version the schema stays', async () => {
      const db = await emptyDb(kind);
      try {
        const first = { version: 1, name: 'first', sql: 'CREATE TABLE probe_first (x int);', checksum: 'f' };
        await migrate(db, [first]);
        const pending = [
          { version: 2, name: 'made', sql: 'CREATE TABLE probe_made (x int);', checksum: 'm' },
          { version: 3, name: 'cut', sql: 'CREATE TABLE probe_cut (x nosuchtype);', checksum: 'c' },
        ];
        const failure = await migrate(db, [first, ...pending]).then(() => undefined, (e: unknown) => e);
        expect(failure).toBeInstanceOf(MigrationError);
        expect((failure as Error).message).toBe(
          'migration 3 (cut) failed: type "nosuchtype" does not exist. Nothing was applied: the pending migrations (2, 3) run in one transaction, ' +
            'rolled back whole, and the schema stays at version 1; fix the cause and migrate again',
        );
        const made = await db.query<{ t: string | null }>("SELECT to_regclass('probe_made')::text AS t");
        expect(made.rows).toEqual([{ t: null }]);
        const recorded = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(recorded.rows).toEqual([{ version: 1 }]);
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
