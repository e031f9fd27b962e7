// ACC-08, ACC-09 for the objects around documents: an association, a submission set and a folder
// exist for a caller only when they reveal no document hidden from that caller. Whoever holds
// their ids (an association's own entryUUID, a submission set's) must get, on every path, the
// answer for an id the registry never held, as for the hidden document itself.
//   - a document: as the caller's rule for documents says (`knowsDocument`: visible to a reader,
//     or knowsOfDocument for what a change may name);
//   - an association: when both its ends are known (an end that is an association, recursively);
//   - a submission set: when, of the members that lead to documents (a document, or an
//     association linking one), none are held, or at least one is known. A set whose every such
//     member is hidden would say that something was deposited, linked or masked at that time;
//   - a folder: always (it is named by its own codes, and lists only known members).
// The graph is the store's reading of the record around the ids asked about; an id it does not
// hold is not decided here (true): it is unknown to everyone alike.

export type RegistryKind = 'DocumentEntry' | 'SubmissionSet' | 'Folder' | 'Association';

export interface RegistryGraph {
  kindOf(id: string): RegistryKind | undefined;
  /** an association's source and target */
  endsOf(id: string): readonly [string, string] | undefined;
  /** the targets of a submission set's HasMember associations */
  membersOf(id: string): readonly string[];
}

/** Whether each object of the graph exists for a caller who knows the documents `knowsDocument` says. */
export function knownObjects(graph: RegistryGraph, knowsDocument: (id: string) => boolean): (id: string) => boolean {
  const decided = new Map<string, boolean>();
  const leadsToDocument = (id: string, seen: Set<string>): boolean => {
    const kind = graph.kindOf(id);
    if (kind === 'DocumentEntry') return true;
    if (kind !== 'Association' || seen.has(id)) return false;
    seen.add(id);
    return (graph.endsOf(id) ?? []).some((end) => leadsToDocument(end, seen));
  };
  const known = (id: string): boolean => {
    const cached = decided.get(id);
    if (cached !== undefined) return cached;
    // an object met again while it is being decided does not decide itself
    decided.set(id, true);
    let ok: boolean;
    switch (graph.kindOf(id)) {
      case 'DocumentEntry':
        ok = knowsDocument(id);
        break;
      case 'Association':
        ok = (graph.endsOf(id) ?? []).every(known);
        break;
      case 'SubmissionSet': {
        const revealing = graph.membersOf(id).filter((m) => leadsToDocument(m, new Set()));
        ok = !revealing.length || revealing.some(known);
        break;
      }
      default:
        ok = true;
    }
    decided.set(id, ok);
    return ok;
  };
  return known;
}
