// The directory as a load from the national extraction sees it, and the writing of a load's plan.
// Rows are written in batches of arrays (one statement per batch), since an extraction lists
// hundreds of thousands of professionals.
import type { DirectoryLoadPlan, HeldProfessional, HeldStructure } from '../domain/directory-load.js';
import type { Queryable } from './db.js';

/** What rows brought by a load are marked with (professional.source, structure.source). */
export const EXTRACT_SOURCE = 'extract';
const BATCH = 5_000;

function* batches<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}

export async function readHeldDirectory(q: Queryable): Promise<{ professionals: Map<string, HeldProfessional>; structures: Map<string, HeldStructure> }> {
  const structures = new Map<string, HeldStructure>();
  const s = await q.query<{ structure_id: string; name: string; activity_sector: string | null; address: string | null; active: boolean; source: string | null }>(
    'SELECT structure_id, name, activity_sector, address, active, source FROM structure',
  );
  for (const r of s.rows) {
    structures.set(r.structure_id, { structureId: r.structure_id, name: r.name, activitySector: r.activity_sector, address: r.address, active: r.active, fromExtract: r.source === EXTRACT_SOURCE });
  }
  const professionals = new Map<string, HeldProfessional>();
  const p = await q.query<{ id_nat_ps: string; given: string | null; family: string; profession: string; specialty: string | null; structure_id: string | null; active: boolean; source: string | null }>(
    'SELECT id_nat_ps, given, family, profession, specialty, structure_id, active, source FROM professional',
  );
  for (const r of p.rows) {
    professionals.set(r.id_nat_ps, {
      idNatPs: r.id_nat_ps,
      given: r.given,
      family: r.family,
      profession: r.profession,
      specialty: r.specialty,
      structureId: r.structure_id,
      active: r.active,
      fromExtract: r.source === EXTRACT_SOURCE,
      structures: [],
    });
  }
  const a = await q.query<{ id_nat_ps: string; structure_id: string }>('SELECT id_nat_ps, structure_id FROM professional_activity');
  for (const r of a.rows) professionals.get(r.id_nat_ps)?.structures.push(r.structure_id);
  return { professionals, structures };
}

/** Writes a plan: structures first (professionals name them), then professionals, their places, the retirements. */
export async function writeDirectoryPlan(q: Queryable, plan: DirectoryLoadPlan): Promise<void> {
  for (const b of batches(plan.structures)) {
    await q.query(
      `INSERT INTO structure (structure_id, name, activity_sector, address, active, source)
       SELECT id, name, sector, address, true, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, name, sector, address)
       ON CONFLICT (structure_id) DO UPDATE SET name = excluded.name, activity_sector = excluded.activity_sector,
         address = excluded.address, active = true, source = excluded.source`,
      [b.map((s) => s.structureId), b.map((s) => s.name), b.map((s) => s.activitySector), b.map((s) => s.address), EXTRACT_SOURCE],
    );
  }
  for (const b of batches(plan.professionals)) {
    const ids = b.map((p) => p.idNatPs);
    // The extraction has no personal telephone: a number put by hand is kept.
    await q.query(
      `INSERT INTO professional (id_nat_ps, given, family, profession, specialty, structure_id, active, source)
       SELECT id, given, family, profession, specialty, structure, true, $7
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, given, family, profession, specialty, structure)
       ON CONFLICT (id_nat_ps) DO UPDATE SET given = excluded.given, family = excluded.family, profession = excluded.profession,
         specialty = excluded.specialty, structure_id = excluded.structure_id, active = true, source = excluded.source`,
      [ids, b.map((p) => p.given), b.map((p) => p.family), b.map((p) => p.profession), b.map((p) => p.specialty), b.map((p) => p.structures[0] ?? null), EXTRACT_SOURCE],
    );
    await q.query('DELETE FROM professional_activity WHERE id_nat_ps = ANY($1::text[])', [ids]);
    const pairs = b.flatMap((p) => p.structures.map((s) => [p.idNatPs, s] as const));
    if (pairs.length) {
      await q.query('INSERT INTO professional_activity (id_nat_ps, structure_id) SELECT * FROM unnest($1::text[], $2::text[])', [pairs.map((x) => x[0]), pairs.map((x) => x[1])]);
    }
  }
  for (const b of batches(plan.retireProfessionals)) {
    await q.query('UPDATE professional SET active = false WHERE id_nat_ps = ANY($1::text[])', [b]);
  }
  for (const b of batches(plan.retireStructures)) {
    await q.query('UPDATE structure SET active = false WHERE structure_id = ANY($1::text[])', [b]);
  }
}

/** ACC-05: marks (or unmarks) a structure as a medical regulation centre; false when there is no such structure. */
export async function setRegulationCentre(q: Queryable, structureId: string, on: boolean): Promise<boolean> {
  const r = await q.query('UPDATE structure SET regulation_centre = $2 WHERE structure_id = $1 RETURNING structure_id', [structureId, on]);
  return r.rows.length > 0;
}

/** ACC-05: the structure is an active medical regulation centre (SAMU – Centre 15). */
export async function isRegulationCentre(q: Queryable, structureId: string): Promise<boolean> {
  const r = await q.query<{ yes: boolean }>('SELECT regulation_centre AND active AS yes FROM structure WHERE structure_id = $1', [structureId]);
  return r.rows[0]?.yes === true;
}

/** The structures marked as regulation centres. */
export async function listRegulationCentres(q: Queryable): Promise<{ structure_id: string; name: string; active: boolean }[]> {
  const r = await q.query<{ structure_id: string; name: string; active: boolean }>('SELECT structure_id, name, active FROM structure WHERE regulation_centre ORDER BY structure_id');
  return r.rows;
}
