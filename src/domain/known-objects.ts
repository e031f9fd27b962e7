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
//   - a folder: always (it is named by its own codes, and lists only known members);
//   - but in a record the caller may not read at all (`outsider`: another patient's record named
//     in a change, by one the patient never authorised, blocked, or bound to another patient), a
//     folder never, and a submission set only when it holds a document the caller knows of (one
//     they wrote, DOC-05). "Another patient's folder" would say that the id is a folder in
//     someone's DMP, which the id of nothing does not.
// The graph is the store's reading of the record around the ids asked about; an id it does not
// hold is not decided here (true): it is unknown to everyone alike. One it held but stopped
// reading before (`beyond`) is not known, nor is what is decided through it: what it leads to is
// unread. Objects whose decisions depend on each other (a cycle of associations) are decided
// together, so that the answer does not depend on which one was asked first.

export type RegistryKind = 'DocumentEntry' | 'SubmissionSet' | 'Folder' | 'Association';

export interface RegistryGraph {
  kindOf(id: string): RegistryKind | undefined;
  /** an association's source and target */
  endsOf(id: string): readonly [string, string] | undefined;
  /** the targets of a submission set's HasMember associations */
  membersOf(id: string): readonly string[];
  /** an id the reading reached but did not read (it stopped there) */
  beyond?(id: string): boolean;
}

/** Whether each object of the graph exists for a caller who knows the documents `knowsDocument` says. */
export function knownObjects(graph: RegistryGraph, knowsDocument: (id: string) => boolean, outsider = false): (id: string) => boolean {
  const decided = new Map<string, boolean>();
  const leadsToDocument = (id: string, seen: Set<string>): boolean => {
    const kind = graph.kindOf(id);
    if (kind === 'DocumentEntry') return true;
    if (kind !== 'Association' || seen.has(id)) return false;
    seen.add(id);
    return (graph.endsOf(id) ?? []).some((end) => leadsToDocument(end, seen));
  };
  /** what an object's decision reads: an association's ends, a set's members that lead to documents (worked out once) */
  const dependencies = new Map<string, readonly string[]>();
  const dependsOn = (id: string): readonly string[] => {
    let on = dependencies.get(id);
    if (!on) {
      const kind = graph.kindOf(id);
      on = kind === 'Association' ? (graph.endsOf(id) ?? []) : kind === 'SubmissionSet' ? graph.membersOf(id).filter((m) => leadsToDocument(m, new Set())) : [];
      dependencies.set(id, on);
    }
    return on;
  };
  return (id: string): boolean => {
    const cached = decided.get(id);
    if (cached !== undefined) return cached;
    // every object the decision reads, however deep; one already decided is final (decided with
    // all it reads) and is not walked again: asking about every link of one large set, one by
    // one, walks the set once, not once per link
    const reached = [id];
    const seen = new Set(reached);
    for (let i = 0; i < reached.length; i++) {
      if (decided.has(reached[i]!)) continue;
      for (const next of dependsOn(reached[i]!)) {
        if (seen.has(next)) continue;
        seen.add(next);
        reached.push(next);
      }
    }
    // hidden from the start: a document the caller does not know, an object left unread; then
    // what they make hidden, until nothing changes (an association with a hidden end, a set
    // whose every member leading to a document is hidden)
    const hiddenFromStart = (x: string): boolean => {
      const kind = graph.kindOf(x);
      if (kind === 'DocumentEntry') return !knowsDocument(x);
      return outsider && (kind === 'Folder' || (kind === 'SubmissionSet' && dependsOn(x).length === 0));
    };
    const hidden = new Set(reached.filter((x) => decided.get(x) === false || graph.beyond?.(x) === true || hiddenFromStart(x)));
    for (let changed = true; changed; ) {
      changed = false;
      for (const x of reached) {
        if (hidden.has(x) || decided.has(x)) continue;
        const kind = graph.kindOf(x);
        const on = dependsOn(x);
        const hides = kind === 'Association' ? on.some((e) => hidden.has(e)) : kind === 'SubmissionSet' && on.length > 0 && on.every((m) => hidden.has(m));
        if (hides) {
          hidden.add(x);
          changed = true;
        }
      }
    }
    for (const x of reached) decided.set(x, !hidden.has(x));
    return !hidden.has(id);
  };
}
