// The directory of professionals and structures: read by anyone identified, fed by operators
// (from the national extraction, directory-feed.ts) and by the demo seed.
import type { Actor } from '../domain/actor.js';
import { searchProfessionals, searchStructures, upsertProfessional, upsertStructure, type ProfessionalRow, type ProfessionalSearch, type StructureRow, type StructureSearch } from '../store/directory-repo.js';
import { isRegulationCentre } from '../store/directory-feed-repo.js';
import type { ServiceDeps } from './deps.js';
import { directoryFeedService } from './directory-feed.js';

export interface DirectoryOptions {
  /** ACC-05: structures configured as medical regulation centres, besides those the directory marks */
  regulationCentres?: readonly string[];
}

export function directoryService(deps: ServiceDeps, options: DirectoryOptions = {}) {
  const configured = new Set(options.regulationCentres ?? []);
  const page = (limit?: number) => Math.min(Math.max(limit ?? deps.limits.defaultPageSize, 0), deps.limits.maxPageSize);
  return {
    searchProfessionals: (s: Omit<ProfessionalSearch, 'limit' | 'offset'> & { limit?: number; offset?: number }) =>
      searchProfessionals(deps.db, { ...s, limit: page(s.limit), offset: s.offset ?? 0 }),
    searchStructures: (s: Omit<StructureSearch, 'limit' | 'offset'> & { limit?: number; offset?: number }) =>
      searchStructures(deps.db, { ...s, limit: page(s.limit), offset: s.offset ?? 0 }),
    async putProfessional(p: Omit<ProfessionalRow, 'active'> & { active?: boolean }): Promise<void> {
      await upsertProfessional(deps.db, p);
    },
    async putStructure(s: Omit<StructureRow, 'active'> & { active?: boolean }): Promise<void> {
      await upsertStructure(deps.db, s);
    },
    ...directoryFeedService(deps),
    /**
     * ACC-05: the doors call this on every professional identity before the rules see it: a
     * declared Centre 15 mode counts only for a structure the directory marks (or the
     * configuration names) as a regulation centre; the claim alone never grants it.
     */
    async withStanding(actor: Actor): Promise<Actor> {
      if (actor.kind !== 'professional' || actor.mode !== 'centre_15') return actor;
      const id = actor.structureId;
      const regulationCentre = id !== undefined && (configured.has(id) || (await isRegulationCentre(deps.db, id)));
      return { ...actor, regulationCentre };
    },
  };
}

export type { ProfessionalRow, StructureRow };
export type DirectoryService = ReturnType<typeof directoryService>;
