// ExpectedContents: counting what an AdhocQueryResponse holds and checking the toolkit's named
// patterns (SSwithOneDoc, DocApp, ...). The objects are read with the door's own ebRIM reader.
import { readRegistryObjectList, type RegistryObjects } from '../../xds/ebrim/read.js';
import { NS, descendants } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import type { ContentExpectation } from './types.js';

export interface Counts {
  documents: number;
  submissionSets: number;
  folders: number;
  associations: number;
  objectRefs: number;
}

export function queryObjects(body: Element): RegistryObjects {
  const list = descendants(body, NS.rim, 'RegistryObjectList')[0];
  if (!list) return { documentEntries: [], submissionSets: [], folders: [], associations: [], objectRefs: [], problems: [] };
  return readRegistryObjectList(list);
}

export function countsOf(objs: RegistryObjects): Counts {
  return {
    documents: objs.documentEntries.length,
    submissionSets: objs.submissionSets.length,
    folders: objs.folders.length,
    associations: objs.associations.length,
    objectRefs: objs.objectRefs.length,
  };
}

type Check = (o: RegistryObjects, c: Counts) => string | undefined;

const expectCounts =
  (want: Partial<Counts>): Check =>
  (_o, c) => {
    const bad = (Object.keys(want) as (keyof Counts)[]).filter((k) => c[k] !== want[k]);
    return bad.length ? bad.map((k) => `${k} ${c[k]} (expected ${want[k]})`).join(', ') : undefined;
  };

const statuses = (o: RegistryObjects, kind: 'documentEntries' | 'submissionSets' | 'folders') =>
  o[kind].map((x) => x.metadata.availabilityStatus ?? 'Approved');

/**
 * Every object of the kind has the status. Nothing to check is no error: the toolkit records an
 * error only for an object with another status (20001 asks DocApp of an answer with no documents).
 */
const all =
  (kind: 'documentEntries' | 'submissionSets' | 'folders', status: string): Check =>
  (o) => {
    const s = statuses(o, kind);
    return s.every((x) => x === status) ? undefined : `${kind} statuses ${s.join(',')} (expected all ${status})`;
  };

const exactlyOne =
  (status: string): Check =>
  (o) => {
    const n = statuses(o, 'documentEntries').filter((x) => x === status).length;
    return n === 1 ? undefined : `${n} ${status} DocumentEntries (expected 1)`;
  };

const folderMembers = (o: RegistryObjects) => {
  const folders = new Set(o.folders.map((f) => f.id));
  const docs = new Set(o.documentEntries.map((d) => d.id));
  return o.associations.filter((a) => a.type === 'HasMember' && folders.has(a.sourceId) && docs.has(a.targetId)).length;
};

const PATTERNS: Record<string, Check> = {
  SSwithOneDoc: expectCounts({ submissionSets: 1, documents: 1, folders: 0 }),
  SSwithTwoDoc: expectCounts({ submissionSets: 1, documents: 2, folders: 0 }),
  SSwithOneFol: expectCounts({ submissionSets: 1, documents: 0, folders: 1 }),
  SSwithOneDocOneFol: expectCounts({ submissionSets: 1, documents: 1, folders: 1 }),
  SSwithTwoDocOneFol: expectCounts({ submissionSets: 1, documents: 2, folders: 1 }),
  SSwithTwoDocOneFolOneDocInFol: (o, c) =>
    expectCounts({ submissionSets: 1, documents: 2, folders: 1 })(o, c) ??
    (folderMembers(o) === 1 ? undefined : `${folderMembers(o)} documents in the folder (expected 1)`),
  NoSubmissionSet: expectCounts({ submissionSets: 0 }),
  NoDocument: expectCounts({ documents: 0 }),
  None: expectCounts({ documents: 0, submissionSets: 0, folders: 0, associations: 0, objectRefs: 0 }),
  DocApp: all('documentEntries', 'Approved'),
  DocDep: all('documentEntries', 'Deprecated'),
  SSApproved: all('submissionSets', 'Approved'),
  FolApp: all('folders', 'Approved'),
  OneDocApp: exactlyOne('Approved'),
  OneDocDep: exactlyOne('Deprecated'),
  HasXFRM_RPLC: (o) => (o.associations.some((a) => a.type === 'XFRM_RPLC') ? undefined : 'no XFRM_RPLC association'),
};

const COUNT_NAMES: Record<string, keyof Counts> = {
  Documents: 'documents',
  SubmissionSets: 'submissionSets',
  Folders: 'folders',
  Associations: 'associations',
  ObjectRefs: 'objectRefs',
};

/** Undefined when every expectation holds, else the reasons. */
export function checkContents(body: Element, expected: ContentExpectation[]): string | undefined {
  const objs = queryObjects(body);
  const counts = countsOf(objs);
  const problems: string[] = [];
  for (const e of expected) {
    const countKey = COUNT_NAMES[e.name];
    if (countKey) {
      if (e.count === undefined) problems.push(`${e.name} has no count`);
      else if (counts[countKey] !== e.count) problems.push(`${e.name} ${counts[countKey]} (expected ${e.count})`);
      continue;
    }
    const check = PATTERNS[e.name];
    if (!check) {
      problems.push(`unknown ExpectedContents ${e.name}`);
      continue;
    }
    const p = check(objs, counts);
    if (p) problems.push(`${e.name}: ${p}`);
  }
  return problems.length ? problems.join('; ') : undefined;
}
