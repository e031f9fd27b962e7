// The directory of professionals and structures: read by anyone identified, fed by operators
// (from the national extraction, directory-feed.ts) and by the demo seed.
import { searchProfessionals, searchStructures, upsertProfessional, upsertStructure, type ProfessionalRow, type ProfessionalSearch, type StructureRow } from '../store/directory-repo.js';
import type { ServiceDeps } from './deps.js';
import { directoryFeedService } from './directory-feed.js';

export function directoryService(deps: ServiceDeps) {
  const page = (limit?: number) => Math.min(Math.max(limit ?? deps.limits.defaultPageSize, 0), deps.limits.maxPageSize);
  return {
    searchProfessionals: (s: Omit<ProfessionalSearch, 'limit' | 'offset'> & { limit?: number; offset?: number }) =>
      searchProfessionals(deps.db, { ...s, limit: page(s.limit), offset: s.offset ?? 0 }),
    searchStructures: (s: { ids?: string[]; name?: string; address?: string; limit?: number; offset?: number }) =>
      searchStructures(deps.db, { ...s, limit: page(s.limit), offset: s.offset ?? 0 }),
    async putProfessional(p: Omit<ProfessionalRow, 'active'> & { active?: boolean }): Promise<void> {
      await upsertProfessional(deps.db, p);
    },
    async putStructure(s: Omit<StructureRow, 'active'> & { active?: boolean }): Promise<void> {
      await upsertStructure(deps.db, s);
    },
    ...directoryFeedService(deps),
  };
}

export type { ProfessionalRow, StructureRow };
export type DirectoryService = ReturnType<typeof directoryService>;
