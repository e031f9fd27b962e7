// `npm run bench -- history` (PostgreSQL, DATABASE_URL): what a history read costs on a record of
// 1,000 documents deposited as the doors deposit them (one submission set per deposit, HasMember
// links, some replacements and addenda) and about 5,000 trace rows. For each reader, alternating
// in the same process: the page and its total as read before TRACE-05 / ACC-08 reached the objects
// around hidden documents (the reader's filter alone: the same statements), the same with the
// reader's hidden objects found first (historyReader: hiddenDocumentsAround, then the registry
// graph around its candidates), each step alone, and the whole service read.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Actor } from '../src/domain/actor.js';
import type { RecordContext } from '../src/domain/record.js';
import type { Queryable } from '../src/store/db.js';
import { historyReader, readerFilter, readRows } from '../src/services/history.js';
import { openPostgres } from '../src/store/pg-db.js';
import { migrate } from '../src/store/migrations.js';
import { loadRecord } from '../src/store/record-repo.js';
import { hiddenDocumentsAround } from '../src/store/hidden-documents-around.js';
import { loadRegistryGraph } from '../src/store/registry-graph.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../test/support/world.js';
import { fmt, percentile } from './stats.js';

const AUTHOR = proActor('doctor');
const MT = proActor('doctor2');
/** the one type the doctors' matrix refuses: hidden from the médecin traitant */
const REFUSED = { typeCode: 'ATTEST-RESID', classCode: '95' };
const PAGE = { limit: 20, offset: 0 };

/** 1,000 documents in deposits of 1 to 3, every 10th masked, every 20th of a refused type; some RPLC / APND. */
async function seed(w: World): Promise<{ patientKey: string; ins: ReturnType<typeof submission>['submissionSet']['patientId']; docs: string[] }> {
  const { patientKey, ins } = await adultRecord(w);
  for (const p of [AUTHOR, MT]) await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
  await w.services.consent.designateMedecinTraitant(patientCaller(patientKey), patientKey, MT.idNatPs);
  const docs: string[] = [];
  for (let d = 0; docs.length < 1000; d++) {
    const n = Math.min(1 + (d % 3), 1000 - docs.length);
    const sub = submission(
      ins,
      Array.from({ length: n }, (_, i) => {
        const k = docs.length + i;
        return { authorId: AUTHOR.idNatPs, authorStructure: AUTHOR.structureId, ...(k % 20 === 7 ? REFUSED : { typeCode: '11488-4' }), confidentiality: k % 10 === 3 ? ['N', 'MASQUE_PS'] : ['N'] };
      }),
    );
    if (d > 50 && d % 25 === 0) sub.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: docs[docs.length - 40] });
    if (d > 50 && d % 25 === 12) sub.associations.push({ id: 'apnd', type: 'APND', sourceId: 'Document1', targetId: docs[docs.length - 30] });
    const assigned = (await w.services.submissions.submit(as(AUTHOR), sub)).assignedIds;
    for (let i = 0; i < n; i++) docs.push(assigned[`Document${i + 1}`]!);
  }
  return { patientKey, ins, docs };
}

async function traceRows(w: World, patientKey: string): Promise<number> {
  return (await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trace WHERE chain_key = $1', [patientKey])).rows[0].n;
}

function line(name: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `  ${name.padEnd(44)} median ${fmt(percentile(s, 50))} ms  p90 ${fmt(percentile(s, 90))} ms`;
}

/** BENCH_EXPLAIN=1: EXPLAIN (ANALYZE, BUFFERS) of each statement historyReader runs for the reader. */
async function explain(w: World, raw: pg.Client, deps: World['services']['deps'], actor: Actor, ctx: RecordContext, patientKey: string): Promise<void> {
  const seen: Array<[string, unknown[] | undefined]> = [];
  const capture: Queryable = { query: (sql, params) => (seen.push([sql, params]), w.db.query(sql, params)) };
  await readRows(capture, patientKey, await historyReader(capture, deps, actor, ctx, patientKey), PAGE);
  for (const [sql, params] of seen) {
    // the parameters the text names (a list added and left unused is not sent)
    const used = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    const plan = await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params?.slice(0, used));
    console.log(`-- ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
    for (const r of plan.rows) console.log(`   ${r['QUERY PLAN']}`);
  }
}

/** One reader, alternating the variants round by round. */
async function measure(w: World, raw: pg.Client, patientKey: string, label: string, actor: Actor, rounds: number): Promise<void> {
  const ctx = (await loadRecord(w.db, patientKey))!.context;
  const deps = w.services.deps;
  const filter = readerFilter(deps, actor, ctx);
  const around = await hiddenDocumentsAround(w.db, patientKey, filter);
  const reader = await historyReader(w.db, deps, actor, ctx, patientKey);
  const variants: Array<[string, () => Promise<unknown>]> = [
    ['page + total, reader filter alone (before)', () => w.db.transaction((tx) => readRows(tx, patientKey, { filter, hiddenObjects: [] }, PAGE))],
    ['historyReader + page + total (after)', () => w.db.transaction(async (tx) => readRows(tx, patientKey, await historyReader(tx, deps, actor, ctx, patientKey), PAGE))],
    ['hiddenDocumentsAround alone', () => hiddenDocumentsAround(w.db, patientKey, filter)],
    ['loadRegistryGraph alone', () => (around.around.length ? loadRegistryGraph(w.db, patientKey, around.around) : Promise.resolve())],
    ['service historyView.read (after)', () => w.services.historyView.read(as(actor), patientKey, PAGE)],
  ];
  const times = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds + 5; r++) {
    for (const [i, [, fn]] of variants.entries()) {
      const t = process.hrtime.bigint();
      await fn();
      if (r >= 5) times[i].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  if (process.env.BENCH_EXPLAIN) await explain(w, raw, deps, actor, ctx, patientKey);
  console.log(`${label}: ${around.documents.size} hidden versions, ${around.around.length} candidates, ${reader.hiddenObjects.length} hidden objects, ${await traceRows(w, patientKey)} trace rows`);
  variants.forEach(([name], i) => console.log(line(name, times[i])));
}

export async function runHistoryBench(options: { databaseUrl: string }): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 60);
  const schema = `carnet_history_bench_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres({ connectionString: options.databaseUrl, maxConnections: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openPostgres({ connectionString: options.databaseUrl, maxConnections: 4, schema });
  const raw = new pg.Client({ connectionString: options.databaseUrl, options: `-c search_path=${schema}` });
  try {
    await migrate(db);
    const w = await makeWorld(db);
    await raw.connect();
    const t0 = Date.now();
    const { patientKey, docs } = await seed(w);
    // reads up to about 5,000 trace rows, by the author and the patient
    for (let i = 0; (await traceRows(w, patientKey)) < 4900; i++) {
      for (let k = 0; k < 100; k++) await w.services.documents.read(i % 2 ? as(AUTHOR) : patientCaller(patientKey), { entryUuid: docs[(i * 100 + k * 7) % docs.length] }).catch(() => undefined); // the author's refusals are traced too
    }
    await db.query('ANALYZE');
    console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const patient: Actor = { kind: 'patient', patientKey };
    await measure(w, raw, patientKey, '(a) patient, nothing hidden from her', patient, rounds);
    // 50 documents hidden from the patient by a new metadata version, some of them in sets of 2 or 3, replaced or appended to
    // (every 20th document from the 7th is of the refused type: none of those; a replaced one refuses the change)
    let hidden = 0;
    for (let i = 0; hidden < 50; i++) {
      const ok = await w.services.metadata.setVisibility(as(AUTHOR), { entryUuid: docs[(i * 20 + 3 + (i % 3)) % docs.length] }, 'INVISIBLE_PATIENT', true).then(() => true, () => false);
      if (ok) hidden++;
    }
    await db.query('ANALYZE');
    await measure(w, raw, patientKey, '(b) patient, 50 documents INVISIBLE_PATIENT', patient, rounds);
    await measure(w, raw, patientKey, '(c) médecin traitant (50 documents of a refused type, 100 masked)', MT, rounds);
  } finally {
    await raw.end().catch(() => undefined);
    await db.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
}
