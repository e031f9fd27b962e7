// The objects around documents exist for a caller only when they reveal no document hidden from
// them (known-objects.ts): associations by their ends, submission sets by their members.
import { describe, expect, it } from '@jest/globals';
import { knownObjects, type RegistryGraph, type RegistryKind } from '../../../src/domain/known-objects.js';

/** A graph from a list of objects: `kind id` or `Association id source target`, sets with their members. */
function graph(objects: Array<[RegistryKind, string, ...string[]]>): RegistryGraph {
  const byId = new Map(objects.map(([kind, id, ...rest]) => [id, { kind, rest }]));
  return {
    kindOf: (id) => byId.get(id)?.kind,
    endsOf: (id) => (byId.get(id)?.kind === 'Association' ? (byId.get(id)!.rest as [string, string]) : undefined),
    membersOf: (id) => (byId.get(id)?.kind === 'SubmissionSet' ? byId.get(id)!.rest : []),
  };
}

describe('ACC-08 / ACC-09: the associations, submission sets and folders around a hidden document', () => {
  // H hidden, V visible; F a folder holding H; set A holds H and F; set B holds V; L links H into F
  // (ITI-57) and set U holds L; set S holds only a folder; W is an association of an association to H
  const g = graph([
    ['DocumentEntry', 'H'],
    ['DocumentEntry', 'V'],
    ['Folder', 'F'],
    ['SubmissionSet', 'A', 'H', 'F', 'aFH'],
    ['SubmissionSet', 'B', 'V'],
    ['SubmissionSet', 'U', 'L'],
    ['SubmissionSet', 'S', 'F'],
    ['SubmissionSet', 'Mixed', 'H', 'V'],
    ['Association', 'aFH', 'F', 'H'],
    ['Association', 'aVH', 'V', 'H'],
    ['Association', 'aAF', 'A', 'F'],
    ['Association', 'aBV', 'B', 'V'],
    ['Association', 'L', 'F', 'H'],
    ['Association', 'aUL', 'U', 'L'],
    ['Association', 'W', 'V', 'aVH'],
    ['Association', 'cycle1', 'V', 'cycle2'],
    ['Association', 'cycle2', 'V', 'cycle1'],
  ]);
  const known = knownObjects(g, (id) => id === 'V');

  it('ACC-08: an association is known when both its ends are: one linking a hidden document, by its own id or through another association, is not', () => {
    expect(['aFH', 'aVH', 'L', 'W', 'aUL'].map(known)).toEqual([false, false, false, false, false]);
    expect(known('aBV')).toBe(true);
    // a link from a submission set that holds only hidden documents reveals that set
    expect(known('aAF')).toBe(false);
    // a cycle of associations decides without looping
    expect([known('cycle1'), known('cycle2')]).toEqual([true, true]);
  });

  it('ACC-08: a submission set whose members leading to documents are all hidden is not known; one holding a visible document, or no document at all, is', () => {
    expect(['A', 'U'].map(known)).toEqual([false, false]);
    expect(['B', 'S', 'Mixed'].map(known)).toEqual([true, true, true]);
    // a folder always is; a document as the caller's rule says; an id the graph does not hold is not decided here
    expect([known('F'), known('V'), known('H'), known('elsewhere')]).toEqual([true, true, false, true]);
  });

  it("ACC-08: in a record the caller may not read (outsider), a folder is not known, nor a set holding no document they know of; a set or link leading to a document they know of still is", () => {
    const outside = knownObjects(g, (id) => id === 'V', true);
    expect(['F', 'S', 'aAF', 'aFH', 'A', 'U'].map(outside)).toEqual([false, false, false, false, false, false]);
    expect(['V', 'B', 'aBV', 'Mixed'].map(outside)).toEqual([true, true, true, true]);
    // one who knows no document of the record knows nothing of it
    const nothing = knownObjects(g, () => false, true);
    expect(['F', 'S', 'B', 'aBV'].map(nothing)).toEqual([false, false, false, false]);
  });

  it('ACC-08: a caller who sees every document knows every object', () => {
    const all = knownObjects(g, () => true);
    expect(['A', 'U', 'aFH', 'aVH', 'aAF', 'L', 'aUL', 'W'].every(all)).toBe(true);
  });

  it('ACC-08: in a cycle of associations one of which links a hidden document, none is known, whichever is asked first', () => {
    const cyclic = graph([
      ['DocumentEntry', 'H'],
      ['DocumentEntry', 'V'],
      ['Association', 'X', 'Y', 'H'],
      ['Association', 'Y', 'X', 'V'],
      ['SubmissionSet', 'S', 'Y'],
    ]);
    for (const order of [['X', 'Y', 'S'], ['Y', 'X', 'S'], ['S', 'Y', 'X']]) {
      const k = knownObjects(cyclic, (id) => id === 'V');
      expect(order.map((id) => [id, k(id)])).toEqual(order.map((id) => [id, false]));
    }
  });

  it('ACC-08: an object past where the store stopped reading (beyond) is not known, nor what leads to it', () => {
    const cut: RegistryGraph = { ...graph([['DocumentEntry', 'V'], ['Association', 'a1', 'V', 'a0'], ['SubmissionSet', 'S', 'a1']]), beyond: (id) => id === 'a0' };
    const k = knownObjects(cut, () => true);
    expect([k('a0'), k('a1'), k('S'), k('V')]).toEqual([false, false, false, true]);
  });

  it('ACC-08: deciding every object around one large set reads each object a bounded number of times (not once per object asked)', () => {
    // a set of n documents, every other one hidden, and the set's HasMember link to each: asked
    // one by one (a history, a GetAll over the record); each decision used to walk the whole set
    const n = 2000;
    const objects: Array<[RegistryKind, string, ...string[]]> = [['SubmissionSet', 'S', ...Array.from({ length: n }, (_, i) => `D${i}`)]];
    for (let i = 0; i < n; i++) objects.push(['DocumentEntry', `D${i}`], ['Association', `A${i}`, 'S', `D${i}`]);
    const g = graph(objects);
    let reads = 0;
    const counted: RegistryGraph = {
      kindOf: (id) => (reads++, g.kindOf(id)),
      endsOf: (id) => (reads++, g.endsOf(id)),
      membersOf: (id) => (reads++, g.membersOf(id)),
    };
    const k = knownObjects(counted, (id) => Number(id.slice(1)) % 2 === 0);
    const answers = Array.from({ length: n }, (_, i) => k(`A${i}`));
    expect(answers.filter(Boolean)).toHaveLength(n / 2);
    expect(k('S')).toBe(true);
    expect(reads).toBeLessThan(50 * n);
  });
});
