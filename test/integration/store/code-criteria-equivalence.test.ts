// The code lists of a search as array and JSON parameters (code-criteria-sql.ts) against the form
// they replaced, one placeholder per code and one clause per group: for criteria drawn at random
// (one code or several, with or without systems, groups from none to six, empty groups, codes
// holding quotes, percent signs, backslashes, braces, commas, `NULL`, spaces and non-Latin
// letters), over rows holding the same kinds of codes, both find the same rows. Every value
// travels as a parameter: none is ever in a statement's text.
import { beforeAll, expect, it } from '@jest/globals';
import type { VisibilityFilter } from '../../../src/domain/visibility.js';
import type { Queryable } from '../../../src/store/db.js';
import { documentWhere, type CodeCriterion, type DocumentQuery } from '../../../src/store/document-search.js';
import { findFolders } from '../../../src/store/folder-repo.js';
import { findSubmissionSets } from '../../../src/store/submission-set-repo.js';
import { SqlParams } from '../../../src/store/sql-params.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, proActor, submission, uid } from '../../support/world.js';

const ALL: VisibilityFilter = { kind: 'some', allowedTypeCodes: null, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: ['Deleted', 'Submitted'], emergency: false };
// every code and system holds `zq`, so that one written into a statement's text is seen there
const CODES = ['zqA', "zq'o", 'zq50%', 'zq\\b', 'zq"q', 'zqé', 'zq日本', 'zqNULL', 'zq{a,b}', 'zq sp ', 'zq_%'];
const SYSTEMS = [undefined, 'zqS1', "zqS'2", 'zq%\\"S'];
const ROWS = 6;
const DRAWS = 40;

type Code = { code: string; system?: string };

/** A small deterministic generator (mulberry32): the same draws on every run and store. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function draws(seed: number) {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const code = (): Code => {
    const system = pick(SYSTEMS);
    return system === undefined ? { code: pick(CODES) } : { code: pick(CODES), system };
  };
  const list = (max: number): Code[] => Array.from({ length: Math.floor(r() * (max + 1)) }, code);
  // mostly one to three codes, sometimes none
  const criterion = (): Code[] => (r() < 0.1 ? [] : list(3).concat(code()));
  // groups from none to six, a group now and then empty
  const groups = (): Code[][] => Array.from({ length: Math.floor(r() * 7) }, () => (r() < 0.1 ? [] : list(2).concat(code())));
  return { pick, code, list, criterion, groups, r };
}

// The fragments as document-repo.ts and registry-repo.ts wrote them before (3750c4b).
function oldCodeMatch(p: SqlParams, column: string, jsonKey: string, values: CodeCriterion): string {
  const alts = values.map((v) =>
    v.system ? `(d.${column} = ${p.add(v.code)} AND d.metadata->'${jsonKey}'->>'system' = ${p.add(v.system)})` : `d.${column} = ${p.add(v.code)}`,
  );
  return alts.length ? `(${alts.join(' OR ')})` : 'false';
}
function oldListMatch(p: SqlParams, jsonKey: string, values: CodeCriterion): string {
  const alts = values.map((v) =>
    v.system
      ? `d.metadata->'${jsonKey}' @> ${p.add(JSON.stringify([{ code: v.code, system: v.system }]))}::jsonb`
      : `d.metadata->'${jsonKey}' @> ${p.add(JSON.stringify([{ code: v.code }]))}::jsonb`,
  );
  return alts.length ? `(${alts.join(' OR ')})` : 'false';
}
function oldDocumentWhere(q: Partial<DocumentQuery>, p: SqlParams): string {
  const where: string[] = [];
  if (q.typeCodes) where.push(oldCodeMatch(p, 'type_code', 'typeCode', q.typeCodes));
  for (const g of q.eventCodes ?? []) where.push(oldListMatch(p, 'eventCodes', g));
  for (const g of q.confidentialityCodes ?? []) where.push(oldListMatch(p, 'confidentialityCodes', g));
  for (const g of q.referenceIdGroups ?? []) where.push(`d.reference_ids && ${p.add(g)}::text[]`);
  return where.length ? where.join(' AND ') : 'true';
}
function oldFolderCodes(add: (v: unknown) => string, codeList: Code[][]): string {
  return codeList
    .map((group) => {
      const alts = group.map((c) => (c.system ? `f.metadata->'codeList' @> ${add(JSON.stringify([{ code: c.code, system: c.system }]))}::jsonb` : `${add(c.code)} = ANY(f.code_list)`));
      return `(${alts.join(' OR ') || 'false'})`;
    })
    .join(' AND ') || 'true';
}
function oldContentTypes(add: (v: unknown) => string, codes: Code[]): string {
  const alts = codes.map((c) => (c.system ? `(s.content_type_code = ${add(c.code)} AND s.metadata->'contentTypeCode'->>'system' = ${add(c.system)})` : `s.content_type_code = ${add(c.code)}`));
  return `(${alts.join(' OR ') || 'false'})`;
}

/** The texts a store is sent. */
function spying(db: Queryable): { q: Queryable; texts: string[] } {
  const texts: string[] = [];
  return { texts, q: { query: (sql, params) => (texts.push(sql), db.query(sql, params)) } };
}

const sorted = (xs: string[]) => xs.map((x) => x.replace(/^urn:uuid:/, '')).sort();

describeEachStore('code criteria: the same rows as one placeholder per code', (db) => {
  let patientKey: string;
  let documents = 0;

  beforeAll(async () => {
    const w = await makeWorld(db());
    const rec = await adultRecord(w);
    patientKey = rec.patientKey;
    const doctor = proActor('doctor');
    for (let s = 0; s < 3; s++) {
      const sub = submission(rec.ins, s === 0 ? Array.from({ length: ROWS }, () => ({ authorId: doctor.idNatPs })) : [{ authorId: doctor.idNatPs }]);
      sub.folders = [0, 1].map((i) => ({ id: `Folder${i}`, metadata: { uniqueId: uid(), patientId: rec.ins, codeList: [{ code: 'F', system: 'S' }] } }));
      sub.folders.forEach((f, i) => sub.associations.push({ id: `hmf${i}`, type: 'HasMember', sourceId: 'SubmissionSet01', targetId: f.id, submissionSetStatus: 'Original' }));
      await w.services.submissions.submit(as(doctor), sub);
    }
    // the rows take codes of the same kinds as the criteria: a code with or without its system,
    // lists of none to three, no list at all now and then
    const g = draws(7);
    const asJson = (c: Code) => JSON.stringify(c);
    const docs = (await db().query<{ e: string }>('SELECT entry_uuid::text AS e FROM document_entry WHERE patient_key = $1', [patientKey])).rows;
    documents = docs.length;
    for (const { e } of docs) {
      const type = g.code();
      const events = g.r() < 0.15 ? null : g.list(3);
      const conf = g.list(2);
      const refs = Array.from({ length: Math.floor(g.r() * 3) }, () => g.pick(CODES));
      await db().query(
        `UPDATE document_entry SET type_code = $2, reference_ids = $3::text[],
           metadata = metadata || jsonb_build_object('typeCode', $4::jsonb, 'eventCodes', $5::jsonb, 'confidentialityCodes', $6::jsonb)
         WHERE patient_key = $1 AND entry_uuid = $7::uuid`,
        [patientKey, type.code, refs, asJson(type), events === null ? 'null' : JSON.stringify(events), JSON.stringify(conf), e],
      );
    }
    for (const { e } of (await db().query<{ e: string }>('SELECT entry_uuid::text AS e FROM folder WHERE patient_key = $1', [patientKey])).rows) {
      const codes = g.list(3);
      await db().query(`UPDATE folder SET code_list = $2::text[], metadata = jsonb_set(metadata, '{codeList}', $3::jsonb) WHERE patient_key = $1 AND entry_uuid = $4::uuid`, [
        patientKey,
        codes.map((c) => c.code),
        JSON.stringify(codes),
        e,
      ]);
    }
    for (const { e } of (await db().query<{ e: string }>('SELECT entry_uuid::text AS e FROM submission_set WHERE patient_key = $1', [patientKey])).rows) {
      const c = g.code();
      await db().query(`UPDATE submission_set SET content_type_code = $2, metadata = jsonb_set(metadata, '{contentTypeCode}', $3::jsonb) WHERE patient_key = $1 AND entry_uuid = $4::uuid`, [
        patientKey,
        c.code,
        asJson(c),
        e,
      ]);
    }
  }, 60_000);

  const noValueIn = (texts: string[]) => {
    for (const t of texts) expect(t).not.toContain('zq');
  };

  it('documents: type codes, event and confidentiality code groups, reference id groups', async () => {
    const g = draws(11);
    const found: number[] = [];
    for (let i = 0; i < DRAWS; i++) {
      const criteria: Partial<DocumentQuery> = {};
      if (g.r() < 0.7) criteria.typeCodes = g.criterion();
      if (g.r() < 0.6) criteria.eventCodes = g.groups();
      if (g.r() < 0.3) criteria.confidentialityCodes = g.groups();
      if (g.r() < 0.4) criteria.referenceIdGroups = g.groups().map((grp) => grp.map((c) => c.code));
      const { q, texts } = spying(db());
      const p = new SqlParams();
      const now = await q.query<{ e: string }>(`SELECT d.entry_uuid::text AS e FROM document_entry d WHERE ${documentWhere({ patientKey, visibility: ALL, ...criteria }, p)}`, p.values);
      const o = new SqlParams();
      const base = documentWhere({ patientKey, visibility: ALL }, o);
      const before = await db().query<{ e: string }>(`SELECT d.entry_uuid::text AS e FROM document_entry d WHERE ${base} AND ${oldDocumentWhere(criteria, o)}`, o.values);
      expect([JSON.stringify(criteria), sorted(now.rows.map((r) => r.e))]).toEqual([JSON.stringify(criteria), sorted(before.rows.map((r) => r.e))]);
      found.push(now.rows.length);
      noValueIn(texts);
    }
    // the draws reach rows, and not always all of them
    expect(found.some((n) => n > 0 && n < documents)).toBe(true);
  });

  it("folders' code lists and submission sets' content types", async () => {
    const g = draws(13);
    const found: number[] = [];
    for (let i = 0; i < DRAWS; i++) {
      const codeList = g.groups();
      const { q, texts } = spying(db());
      const now = (await findFolders(q, { patientKey, codeList })).map((f) => f.entryUuid);
      const params: unknown[] = [patientKey];
      const add = (v: unknown) => `$${params.push(v)}`;
      const before = await db().query<{ e: string }>(`SELECT f.entry_uuid::text AS e FROM folder f WHERE f.patient_key = $1 AND f.is_latest AND ${oldFolderCodes(add, codeList)}`, params);
      expect([JSON.stringify(codeList), sorted(now)]).toEqual([JSON.stringify(codeList), sorted(before.rows.map((r) => r.e))]);
      found.push(now.length);
      noValueIn(texts);
    }
    expect(found.some((n) => n > 0)).toBe(true);
    for (let i = 0; i < DRAWS; i++) {
      const contentTypeCodes = g.criterion();
      const { q, texts } = spying(db());
      const now = (await findSubmissionSets(q, { patientKey, contentTypeCodes })).map((s) => s.entryUuid);
      const params: unknown[] = [patientKey];
      const add = (v: unknown) => `$${params.push(v)}`;
      const before = await db().query<{ e: string }>(`SELECT s.entry_uuid::text AS e FROM submission_set s WHERE s.patient_key = $1 AND ${oldContentTypes(add, contentTypeCodes)}`, params);
      expect([JSON.stringify(contentTypeCodes), sorted(now)]).toEqual([JSON.stringify(contentTypeCodes), sorted(before.rows.map((r) => r.e))]);
      noValueIn(texts);
    }
  });
});
