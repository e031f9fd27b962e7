// The scale benchmark's bulk loader: fills the store with filler records, each a copy of a
// template record that the server itself wrote through its services (a 20-document record), so
// that every row is one Carnet would store — the record (dmp, its INS, its grants), its document
// entries, contents, submission set and associations, and the global registry lookups of their
// entryUUIDs and uniqueIds. One INSERT … SELECT per table and batch, run in PostgreSQL: no rows
// travel through the benchmark, far faster than deposits.
//
// Each copy is told apart by its patient key and number: every uuid column (and every uuid a
// metadata document names) becomes md5(uuid || patient key), so a copy's associations still join
// its own entries; every uniqueId gets the copy's number as a last OID arc; the metadata's
// patientId names the copy's own INS. The copies' access traces are the template's own, so their
// hash chains do not verify (nothing in the benchmark verifies them); the template must be a
// record no request of the benchmark touches, or its traces would grow with every copy. Left
// out: the record's resource versions.
import type pg from 'pg';

/** The tables a record's copy is made of and the column that names the record, parents first (the rest reference dmp). */
const TABLES = [
  ['dmp', 'patient_key'],
  ['access_grant', 'patient_key'],
  ['document_content', 'patient_key'],
  ['submission_set', 'patient_key'],
  ['document_entry', 'patient_key'],
  ['association', 'patient_key'],
  ['registry_object', 'patient_key'],
  ['registry_unique_id', 'patient_key'],
  ['access_trace', 'chain_key'],
  ['access_trace_head', 'chain_key'],
] as const;

/** metadata keys whose values are `urn:uuid:` references to rows of the record */
const UUID_KEYS = ['entryUuid', 'logicalId', 'sourceId', 'targetId'];

interface Column {
  name: string;
  type: string;
}

async function columnsOf(c: pg.ClientBase, schema: string, table: string): Promise<Column[]> {
  const r = await c.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
  );
  return r.rows.map((row) => ({ name: row.column_name, type: row.data_type }));
}

const remapUuid = (uuidText: string) => `md5(${uuidText} || b.pk::text)::uuid`;

/** The copy's value of column `col` of template row `t`, for filler record `b` (pk, n, ins). */
function copiedValue(col: Column): string {
  const v = `t.${col.name}`;
  if (col.name === 'patient_key' || col.name === 'chain_key') return 'b.pk';
  if (col.type === 'uuid') return remapUuid(`${v}::text`);
  if (col.name === 'unique_id' || col.name === 'document_unique_id') return `${v} || '.' || b.n`;
  if (col.name === 'metadata' && col.type === 'jsonb') {
    const fixes = [
      `'uniqueId', CASE WHEN ${v} ? 'uniqueId' THEN (${v}->>'uniqueId') || '.' || b.n END`,
      `'patientId', CASE WHEN ${v} ? 'patientId' THEN jsonb_build_object('system', b.ins_system, 'value', b.ins_value) END`,
      ...UUID_KEYS.map((k) => `'${k}', CASE WHEN ${v} ? '${k}' THEN 'urn:uuid:' || ${remapUuid(`replace(${v}->>'${k}', 'urn:uuid:', '')`)} END`),
    ];
    return `${v} || jsonb_strip_nulls(jsonb_build_object(${fixes.join(', ')}))`;
  }
  return v;
}

export interface FillerBatch {
  /** the record every filler record copies */
  templateKey: string;
  /** filler records numbered [from, to): numbers stay unique across the batches of a run */
  from: number;
  to: number;
}

/**
 * Writes filler records `from` … `to - 1` (copies of the template record) in one transaction, on
 * client `c` whose search_path is the store's `schema`.
 */
export async function loadFillerBatch(c: pg.ClientBase, schema: string, batch: FillerBatch): Promise<void> {
  await c.query('BEGIN');
  try {
    const ins = await c.query<{ system: string }>('SELECT system FROM patient_identifier WHERE patient_key = $1 LIMIT 1', [batch.templateKey]);
    await c.query(
      `CREATE TEMP TABLE filler_batch ON COMMIT DROP AS
       SELECT gen_random_uuid() AS pk, n, $3::text AS ins_system, '9' || lpad(n::text, 12, '0') AS ins_value FROM generate_series($1::int, $2::int - 1) AS n`,
      [batch.from, batch.to, ins.rows[0]!.system],
    );
    for (const [table, key] of TABLES) {
      const cols = await columnsOf(c, schema, table);
      await c.query(
        `INSERT INTO ${table} (${cols.map((col) => col.name).join(', ')})
         SELECT ${cols.map(copiedValue).join(', ')} FROM ${table} t CROSS JOIN filler_batch b WHERE t.${key} = $1`,
        [batch.templateKey],
      );
      if (table === 'dmp') {
        await c.query('INSERT INTO patient_identifier (system, value, patient_key) SELECT ins_system, ins_value, pk FROM filler_batch');
      }
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/**
 * Grows the store to `total` documents entries by filler records of the template's size, in
 * batches of `perBatch` records, then VACUUMs and ANALYZEs: these machines' PostgreSQL runs
 * without autovacuum, and a plan made on the statistics of a store a hundred times smaller is not
 * the plan of a running server; the vacuum marks the pages all-visible, as autovacuum or Carnet's
 * own statistics job would on a running server, so index-only reads are measured as they run there. Returns the number of filler records now in the store.
 */
export async function growStore(
  c: pg.ClientBase,
  o: { schema: string; templateKey: string; fillerRecords: number; total: number; perBatch?: number; log: (l: string) => void },
): Promise<number> {
  const perRecord = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM document_entry WHERE patient_key = $1', [o.templateKey])).rows[0]!.n);
  const now = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM document_entry')).rows[0]!.n);
  const wanted = o.fillerRecords + Math.max(0, Math.ceil((o.total - now) / perRecord));
  const perBatch = o.perBatch ?? 1000;
  const started = Date.now();
  for (let from = o.fillerRecords; from < wanted; from += perBatch) {
    await loadFillerBatch(c, o.schema, { templateKey: o.templateKey, from, to: Math.min(wanted, from + perBatch) });
  }
  const loaded = Date.now();
  await c.query('VACUUM (ANALYZE)');
  // The load's dirty pages written now, not by a checkpoint in the middle of the measured
  // windows (CHECKPOINT needs a superuser or pg_checkpoint: without, the windows may carry it).
  await c.query('CHECKPOINT').catch((e: Error) => o.log(`  CHECKPOINT refused (${e.message}): the windows may carry the load's write-back`));
  const count = async (table: string) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n).toLocaleString('en');
  o.log(
    `  store: ${await count('document_entry')} document entries over ${await count('dmp')} records, ${await count('access_trace')} access traces; ` +
      `${(wanted - o.fillerRecords).toLocaleString('en')} filler records loaded in ${((loaded - started) / 1000).toFixed(1)} s, VACUUM (ANALYZE) and CHECKPOINT ${((Date.now() - loaded) / 1000).toFixed(1)} s`,
  );
  return wanted;
}
