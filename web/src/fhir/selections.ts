// Personal selections (DOC-07): Lists coded carnet-selection whose entries are documents.
import type { List } from '@medplum/fhirtypes';
import { CS } from './systems';

export const SELECTION_CODE = { coding: [{ system: CS.listType, code: 'carnet-selection' }] };

export function selectionList(patientId: string, title: string, documentIds: string[], id?: string): List {
  return {
    resourceType: 'List',
    ...(id ? { id } : {}),
    status: 'current',
    mode: 'working',
    title,
    code: SELECTION_CODE,
    subject: { reference: `Patient/${patientId}` },
    entry: documentIds.map((d) => ({ item: { reference: `DocumentReference/${d}` } })),
  };
}

export const documentIdsOf = (l: List): string[] =>
  (l.entry ?? []).map((e) => e.item?.reference ?? '').filter((r) => r.startsWith('DocumentReference/')).map((r) => r.slice('DocumentReference/'.length));
