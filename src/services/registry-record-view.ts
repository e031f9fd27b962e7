// The record as one caller may see it inside one stored query's transaction: documents through
// the caller's visibility filter, and the associations, submission sets and folders around them
// kept only when they reveal nothing hidden (ACC-08, ACC-09), each answer bounded by the query
// limit. Every query shape (registry-query-run.ts) reads the record only through it.
import { CarnetError } from '../domain/errors.js';
import type { StoredAssociation, StoredDocumentEntry, StoredFolder, StoredSubmissionSet } from '../domain/model.js';
import { knownObjects } from '../domain/known-objects.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Tx } from '../store/db.js';
import { findDocuments, type DocumentQuery } from '../store/document-search.js';
import { lookupObjects, type RegistryObjectType } from '../store/registry-repo.js';
import { findAssociations, type AssociationQuery } from '../store/association-repo.js';
import { findFolders, type FolderQuery } from '../store/folder-repo.js';
import { findSubmissionSets, type SubmissionSetQuery } from '../store/submission-set-repo.js';
import { loadRegistryGraph } from '../store/registry-graph.js';
import { idKey } from './known-ids.js';

/** The record as one caller may see it, inside one transaction. */
export class RecordView {
  private visible?: Map<string, StoredDocumentEntry>;
  private readonly types = new Map<string, RegistryObjectType | null>();

  constructor(
    readonly tx: Tx,
    readonly patientKey: string,
    private readonly visibility: VisibilityFilter,
    private readonly maxResults: number,
  ) {}

  private guardSize<T>(rows: T[]): T[] {
    if (rows.length > this.maxResults) {
      throw new CarnetError('too_many_results', `the query matches more than ${this.maxResults} objects; narrow it`);
    }
    return rows;
  }

  async documents(criteria: Omit<DocumentQuery, 'patientKey' | 'visibility'>): Promise<StoredDocumentEntry[]> {
    const page = await findDocuments(this.tx, { ...criteria, patientKey: this.patientKey, visibility: this.visibility, limit: this.maxResults + 1 });
    return this.guardSize(page.entries);
  }

  /** every metadata version the caller may see, by entryUUID */
  async visibleDocuments(): Promise<Map<string, StoredDocumentEntry>> {
    if (!this.visible) {
      const page = await findDocuments(this.tx, { patientKey: this.patientKey, visibility: this.visibility, latestOnly: false });
      this.visible = new Map(page.entries.map((d) => [d.entryUuid, d]));
    }
    return this.visible;
  }

  async typesOf(ids: string[]): Promise<void> {
    const unknown = [...new Set(ids.filter((id) => !this.types.has(id) && /^urn:uuid:/i.test(id)))];
    if (!unknown.length) return;
    const found = await lookupObjects(this.tx, unknown);
    for (const id of unknown) this.types.set(id, null);
    for (const o of found) this.types.set(o.entryUuid, o.patientKey === this.patientKey ? o.type : null);
  }

  typeOf(id: string): RegistryObjectType | null {
    return this.types.get(id) ?? null;
  }

  /**
   * ACC-08, ACC-09: whether each object around these ids exists for the caller (knownObjects): a
   * document they see, an association whose ends they know, a submission set that does not hold
   * only what is hidden from them.
   */
  async knows(ids: string[]): Promise<(id: string) => boolean> {
    const visible = await this.visibleDocuments();
    const graph = await loadRegistryGraph(this.tx, this.patientKey, ids);
    return knownObjects(graph, (id) => visible.has(`urn:uuid:${idKey(id)}`));
  }

  /** ACC-08: an association is shown only if it reveals no document hidden from the caller. */
  async associationsAllowed(list: StoredAssociation[]): Promise<StoredAssociation[]> {
    if (!list.length) return list;
    const known = await this.knows(list.map((a) => a.entryUuid));
    return list.filter((a) => known(a.entryUuid));
  }

  async associations(q: Omit<AssociationQuery, 'patientKey'>): Promise<StoredAssociation[]> {
    // ACC-08: bounded after what the caller may not see is left out, or the refusal would count it
    return this.guardSize(await this.associationsAllowed(await findAssociations(this.tx, { ...q, patientKey: this.patientKey })));
  }

  /** A submission set whose members that lead to documents are all hidden would reveal them: it is hidden too. */
  async submissionSetsAllowed(list: StoredSubmissionSet[]): Promise<StoredSubmissionSet[]> {
    if (!list.length) return list;
    const known = await this.knows(list.map((s) => s.entryUuid));
    return list.filter((s) => known(s.entryUuid));
  }

  async submissionSets(q: Omit<SubmissionSetQuery, 'patientKey'>): Promise<StoredSubmissionSet[]> {
    // ACC-08: bounded after the sets that reveal hidden documents are left out (as associations())
    return this.guardSize(await this.submissionSetsAllowed(await findSubmissionSets(this.tx, { ...q, patientKey: this.patientKey })));
  }

  async folders(q: Omit<FolderQuery, 'patientKey'>): Promise<StoredFolder[]> {
    // ACC-08: each folder's time as this reader is shown it (folder-time-sql.ts)
    return this.guardSize(await findFolders(this.tx, { ...q, patientKey: this.patientKey, visibility: this.visibility }));
  }
}
