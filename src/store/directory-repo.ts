// The directory of professionals and structures (reference data, not patient-owned).
import type { StringCriterion } from '../domain/string-search.js';
import type { Queryable } from './db.js';
import { stringCriterionSql } from './string-search-sql.js';

export interface ProfessionalRow {
  id_nat_ps: string;
  given: string | null;
  family: string;
  profession: string;
  specialty: string | null;
  structure_id: string | null;
  telecom: string | null;
  active: boolean;
}

export interface StructureRow {
  structure_id: string;
  name: string;
  activity_sector: string | null;
  address: string | null;
  active: boolean;
}

export async function upsertStructure(q: Queryable, s: Omit<StructureRow, 'active'> & { active?: boolean }): Promise<void> {
  await q.query(
    `INSERT INTO structure (structure_id, name, activity_sector, address, active) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (structure_id) DO UPDATE SET name = excluded.name, activity_sector = excluded.activity_sector,
       address = excluded.address, active = excluded.active`,
    [s.structure_id, s.name, s.activity_sector, s.address, s.active ?? true],
  );
}

export async function upsertProfessional(q: Queryable, p: Omit<ProfessionalRow, 'active'> & { active?: boolean }): Promise<void> {
  await q.query(
    `INSERT INTO professional (id_nat_ps, given, family, profession, specialty, structure_id, telecom, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id_nat_ps) DO UPDATE SET given = excluded.given, family = excluded.family, profession = excluded.profession,
       specialty = excluded.specialty, structure_id = excluded.structure_id, telecom = excluded.telecom, active = excluded.active`,
    [p.id_nat_ps, p.given, p.family, p.profession, p.specialty, p.structure_id, p.telecom, p.active ?? true],
  );
}

export interface ProfessionalSearch {
  ids?: string[];
  family?: StringCriterion;
  given?: StringCriterion;
  profession?: string;
  specialty?: string;
  structureId?: string;
  /** the address of the professional's structure (the place of practice) */
  address?: StringCriterion;
  limit: number;
  offset: number;
}

export async function searchProfessionals(q: Queryable, s: ProfessionalSearch): Promise<{ rows: ProfessionalRow[]; total: number }> {
  const params: unknown[] = [];
  const add = (v: unknown) => `$${params.push(v)}`;
  const where = ['true'];
  if (s.ids) where.push(`id_nat_ps = ANY(${add(s.ids)}::text[])`);
  // R4 string search: the start, :contains, :exact (string-search-sql.ts)
  if (s.family) where.push(stringCriterionSql(add, 'family', s.family));
  if (s.given) where.push(stringCriterionSql(add, 'given', s.given));
  if (s.profession) where.push(`profession = ${add(s.profession)}`);
  if (s.specialty) where.push(`specialty = ${add(s.specialty)}`);
  if (s.structureId) where.push(`structure_id = ${add(s.structureId)}`);
  if (s.address) where.push(`structure_id IN (SELECT structure_id FROM structure WHERE ${stringCriterionSql(add, 'address', s.address)})`);
  const w = where.join(' AND ');
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM professional WHERE ${w}`, params);
  const rows = await q.query<ProfessionalRow>(
    `SELECT * FROM professional WHERE ${w} ORDER BY family, given, id_nat_ps LIMIT ${add(s.limit)} OFFSET ${add(s.offset)}`,
    params,
  );
  return { rows: rows.rows, total: total.rows[0].n };
}

export interface StructureSearch {
  ids?: string[];
  name?: StringCriterion;
  address?: StringCriterion;
  limit: number;
  offset: number;
}

export async function searchStructures(q: Queryable, s: StructureSearch): Promise<{ rows: StructureRow[]; total: number }> {
  const params: unknown[] = [];
  const add = (v: unknown) => `$${params.push(v)}`;
  const where = ['true'];
  if (s.ids) where.push(`structure_id = ANY(${add(s.ids)}::text[])`);
  if (s.name) where.push(stringCriterionSql(add, 'name', s.name));
  if (s.address) where.push(stringCriterionSql(add, 'address', s.address));
  const w = where.join(' AND ');
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM structure WHERE ${w}`, params);
  const rows = await q.query<StructureRow>(`SELECT * FROM structure WHERE ${w} ORDER BY name, structure_id LIMIT ${add(s.limit)} OFFSET ${add(s.offset)}`, params);
  return { rows: rows.rows, total: total.rows[0].n };
}

