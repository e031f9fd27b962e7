// What loading an extraction changes in the directory. The extraction is a whole picture of the
// national directory, so a load is a comparison: what is new is added, what differs is updated,
// and what an earlier load brought but this file no longer lists is retired (made inactive, never
// deleted: authorisations, blocks and the trace name it). Rows put by hand or by the demo seed are
// not the load's to retire. Pure: the caller reads the current rows and writes the plan.
import type { ExtractContent, ExtractProfessional, ExtractStructure } from './directory-extract.js';

/** A professional as the directory holds it, with the places of practice the last load listed. */
export interface HeldProfessional {
  idNatPs: string;
  given: string | null;
  family: string;
  profession: string;
  specialty: string | null;
  structureId: string | null;
  active: boolean;
  /** brought by a load (true) or put by hand / by the seed (false) */
  fromExtract: boolean;
  structures: string[];
}

export interface HeldStructure {
  structureId: string;
  name: string;
  activitySector: string | null;
  address: string | null;
  active: boolean;
  fromExtract: boolean;
}

export interface Tally {
  added: number;
  updated: number;
  unchanged: number;
  retired: number;
}

export interface DirectoryLoadPlan {
  /** structures to write (new or changed), before the professionals that name them */
  structures: ExtractStructure[];
  professionals: ExtractProfessional[];
  retireProfessionals: string[];
  retireStructures: string[];
  tally: { professionals: Tally; structures: Tally };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function professionalChanged(held: HeldProfessional, p: ExtractProfessional): boolean {
  return (
    !held.active ||
    !held.fromExtract ||
    held.given !== p.given ||
    held.family !== p.family ||
    held.profession !== p.profession ||
    held.specialty !== p.specialty ||
    held.structureId !== (p.structures[0] ?? null) ||
    !sameList([...held.structures].sort(), [...p.structures].sort())
  );
}

function structureChanged(held: HeldStructure, s: ExtractStructure): boolean {
  return !held.active || !held.fromExtract || held.name !== s.name || held.activitySector !== s.activitySector || held.address !== s.address;
}

/** Compares the directory with the extraction. */
export function planDirectoryLoad(
  held: { professionals: ReadonlyMap<string, HeldProfessional>; structures: ReadonlyMap<string, HeldStructure> },
  file: ExtractContent,
): DirectoryLoadPlan {
  const tally = () => ({ added: 0, updated: 0, unchanged: 0, retired: 0 });
  const plan: DirectoryLoadPlan = { structures: [], professionals: [], retireProfessionals: [], retireStructures: [], tally: { professionals: tally(), structures: tally() } };

  for (const s of file.structures.values()) {
    const h = held.structures.get(s.structureId);
    if (!h) plan.tally.structures.added++;
    else if (structureChanged(h, s)) plan.tally.structures.updated++;
    else {
      plan.tally.structures.unchanged++;
      continue;
    }
    plan.structures.push(s);
  }
  for (const h of held.structures.values()) {
    if (h.fromExtract && h.active && !file.structures.has(h.structureId)) plan.retireStructures.push(h.structureId);
  }
  plan.tally.structures.retired = plan.retireStructures.length;

  for (const p of file.professionals.values()) {
    const h = held.professionals.get(p.idNatPs);
    if (!h) plan.tally.professionals.added++;
    else if (professionalChanged(h, p)) plan.tally.professionals.updated++;
    else {
      plan.tally.professionals.unchanged++;
      continue;
    }
    plan.professionals.push(p);
  }
  for (const h of held.professionals.values()) {
    if (h.fromExtract && h.active && !file.professionals.has(h.idNatPs)) plan.retireProfessionals.push(h.idNatPs);
  }
  plan.tally.professionals.retired = plan.retireProfessionals.length;
  return plan;
}
