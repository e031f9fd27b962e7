// PAT-01 and PAT-02: the patient's home figures and display settings. The figures are computed
// in SQL under the reader's visibility filter (ACC-08): a hidden document is neither listed nor
// counted, so MASK-02/03/04 hold on the home page as on the list.
import { CarnetError } from '../domain/errors.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import { visibilityFilter } from '../domain/visibility.js';
import { countByClass, type ClassCount } from '../store/document-counts.js';

export type { ClassCount };
import { findDocuments } from '../store/document-search.js';
import { updateDmp } from '../store/record-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';

/** How many of the latest documents the home page shows (FAQ: "les 5 derniers documents"). */
export const HOME_LATEST = 5;

export interface HomeView {
  /** the latest current documents, most recently added first */
  latest: StoredDocumentEntry[];
  /** per category (classCode): current and archived documents the reader may see */
  categories: ClassCount[];
  /** current (not archived) documents the reader may see */
  currentCount: number;
  archivedCount: number;
  display: DisplaySettings;
}

export interface DisplaySettings {
  /** documents per page of the list (1..100) */
  pageSize: number;
  /** `date`: newest first; `author`: by the author's family name */
  sortOrder: 'date' | 'author';
}

function checkDisplay(input: Partial<DisplaySettings>): Partial<DisplaySettings> {
  const out: Partial<DisplaySettings> = {};
  if (input.pageSize !== undefined) {
    if (!Number.isInteger(input.pageSize) || input.pageSize < 1 || input.pageSize > 100) {
      throw new CarnetError('invalid_metadata', 'pageSize is an integer from 1 to 100', { location: 'pageSize' });
    }
    out.pageSize = input.pageSize;
  }
  if (input.sortOrder !== undefined) {
    if (input.sortOrder !== 'date' && input.sortOrder !== 'author') {
      throw new CarnetError('invalid_metadata', 'sortOrder is date or author', { location: 'sortOrder' });
    }
    out.sortOrder = input.sortOrder;
  }
  return out;
}

export function homeService(deps: ServiceDeps) {
  return {
    /** PAT-01: one guarded read of the record, traced as a read of its list. */
    home(caller: Caller, patientKey: string): Promise<HomeView> {
      return guarded(deps, caller, {
        patientKey,
        action: 'record.read',
        trace: { details: { view: 'home' } },
        act: async ({ tx, record }) => {
          const visibility = visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now());
          const latest = await findDocuments(tx, { patientKey, visibility, statuses: ['Approved'], sort: 'stored-desc', limit: HOME_LATEST });
          const categories = await countByClass(tx, { patientKey, visibility });
          return {
            latest: latest.entries,
            categories,
            currentCount: categories.reduce((n, c) => n + c.current, 0),
            archivedCount: categories.reduce((n, c) => n + c.archived, 0),
            display: { pageSize: record.row.page_size, sortOrder: record.row.sort_order },
          };
        },
      });
    },

    /** PAT-02: the stored display settings. */
    display(caller: Caller, patientKey: string): Promise<DisplaySettings> {
      return guarded(deps, caller, {
        patientKey,
        action: 'record.settings',
        act: async ({ record }) => ({ pageSize: record.row.page_size, sortOrder: record.row.sort_order }),
      });
    },

    /** PAT-02: changes the page size and / or the sort; ITI-67 searches of the patient side then default to them. */
    setDisplay(caller: Caller, patientKey: string, input: Partial<DisplaySettings>): Promise<DisplaySettings> {
      const changes = checkDisplay(input);
      return guarded(deps, caller, {
        patientKey,
        action: 'record.settings',
        lock: true,
        trace: { details: { display: changes } },
        act: async ({ tx, record }) => {
          const cols: { page_size?: number; sort_order?: string } = {};
          if (changes.pageSize !== undefined) cols.page_size = changes.pageSize;
          if (changes.sortOrder !== undefined) cols.sort_order = changes.sortOrder;
          if (Object.keys(cols).length) await updateDmp(tx, patientKey, cols, deps.clock.now());
          return { pageSize: changes.pageSize ?? record.row.page_size, sortOrder: changes.sortOrder ?? record.row.sort_order };
        },
      });
    },
  };
}

export type HomeService = ReturnType<typeof homeService>;
