// A JSON Patch whose copies feed on themselves (an element copied into itself, each copy doubling
// the document) is refused with 413 too-costly once the patched document would hold more than
// twice the values of the document and the patch together, and the document is left as it was. Before, 22
// copies in a patch of 2 KB cost ~5 s of CPU on the event loop, 28 held it 35 s and grew the
// process by 2 GB, and a few more would have exhausted its memory.
//
// `copy` and `move` were also checked by the library (fast-json-patch) on a clone of the whole
// document, one clone per operation, on the event loop: 9,000 copies of a small extension, or
// 5,000 moves in a list of 4,000 extensions — a body of some 400 KB — held it 6-11 s. Each is now
// checked where its `from` points, with no clone, and the same patches cost milliseconds.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { DocumentReference, OperationOutcome } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import type { RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { patientCaller } from '../support/world.js';
import { cheapest, longestTurn, startWithOneRecord } from './one-record.js';

/** CPU the server may spend on one refused patch (the process's, so the least of three sends). */
const CPU_BUDGET_MS = 100;
const ARCHIVED = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived';
/**
 * The longest turn of the event loop while a patch of many operations is served (CPU of the
 * process, best of three): 6-11 s before, 45-110 ms after (the first send, colder, up to 350 ms; load 5-10).
 */
const MAX_TURN_CPU_MS = 250;
const note = (i: number) => ({ url: `urn:example:note-${i}`, valueString: 'x' });
/** after the operations under test, the extensions are the archiving flag alone: the patch archives */
const archive = { op: 'replace', path: '/extension', value: [{ url: ARCHIVED, valueBoolean: true }] };

describeEachStore('hostile JSON Patch: what a patch makes is bounded, each operation cheap', (db: () => Db) => {
  let server: RunningApp;
  let patientToken: string;
  let path: string;

  beforeAll(async () => {
    const one = await startWithOneRecord(db());
    server = one.server;
    path = `/fhir/DocumentReference/${one.document.entryUuid.replace(/^urn:uuid:/, '')}`;
    // the patient archives: a change a patch may make
    patientToken = await server.tokenFor(patientCaller(one.patientKey).actor);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  const patch = async (ops: unknown[]): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${patientToken}`, 'content-type': 'application/json-patch+json', accept: 'application/fhir+json' },
      body: JSON.stringify(ops),
    });
    return { status: res.status, json: await res.json() };
  };
  const read = async () => {
    const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${patientToken}`, accept: 'application/fhir+json' } });
    return (await res.json()) as DocumentReference;
  };

  const doubling = (copies: number, from: string, to: string) => [
    { op: 'add', path: '/extension', value: [{ url: ARCHIVED, valueBoolean: true }] },
    ...Array.from({ length: copies }, () => ({ op: 'copy', from, path: to })),
  ];

  it.each([
    ['an element copied into itself 22 times', doubling(22, '/extension', '/extension/-')],
    [
      'two elements copied into each other 34 times',
      [
        { op: 'add', path: '/extension', value: [{ url: ARCHIVED, valueBoolean: true }] },
        { op: 'add', path: '/contained/0/extension', value: [{ url: ARCHIVED, valueBoolean: true }] },
        ...Array.from({ length: 34 }, (_, i) => (i % 2 ? { op: 'copy', from: '/contained/0/extension', path: '/extension/-' } : { op: 'copy', from: '/extension', path: '/contained/0/extension/-' })),
      ],
    ],
  ])('refuses %s with 413 too-costly, cheaply, the document unchanged', async (_name, ops) => {
    const before = await read();
    const best = await cheapest(() => patch(ops), CPU_BUDGET_MS);
    const issue = (best.answer.json as OperationOutcome).issue?.[0];
    expect({ status: best.answer.status, code: issue?.code, says: /would hold more than \d+ values/.test(issue?.diagnostics ?? '') }).toEqual({ status: 413, code: 'too-costly', says: true });
    expect({ cpuMs: Math.round(best.cpuMs), within: best.cpuMs <= CPU_BUDGET_MS }).toMatchObject({ within: true });
    expect((await read()).meta?.versionId).toBe(before.meta?.versionId);
  });

  it('still takes a patch that copies within bounds (archiving by a copy of an added extension)', async () => {
    const a = await patch([
      { op: 'add', path: '/extension', value: [] },
      { op: 'add', path: '/contained/0/extension', value: [{ url: ARCHIVED, valueBoolean: true }] },
      { op: 'copy', from: '/contained/0/extension/0', path: '/extension/-' },
      { op: 'remove', path: '/contained/0/extension' },
    ]);
    expect({ status: a.status, archived: (a.json as DocumentReference).extension?.some((e) => e.url === ARCHIVED && e.valueBoolean === true) }).toEqual({ status: 200, archived: true });
  });

  it.each([
    ['9,000 copies of one small extension', [{ op: 'add', path: '/extension', value: [note(0)] }, ...Array.from({ length: 9000 }, () => ({ op: 'copy', from: '/extension/0', path: '/extension/-' })), archive]],
    [
      '5,000 moves in a list of 4,000 extensions',
      [{ op: 'add', path: '/extension', value: Array.from({ length: 4000 }, (_, i) => note(i)) }, ...Array.from({ length: 5000 }, () => ({ op: 'move', from: '/extension/0', path: '/extension/-' })), archive],
    ],
  ])('applies %s without holding the event loop (the patch archives)', async (_name, ops) => {
    const { answer, turnMs } = await longestTurn(() => patch(ops), MAX_TURN_CPU_MS);
    expect({ status: answer.status, archived: (answer.json as DocumentReference).extension?.some((e) => e.url === ARCHIVED && e.valueBoolean === true) }).toEqual({ status: 200, archived: true });
    expect({ turnMs: Math.round(turnMs), within: turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
  }, 120_000);

  it.each([
    ['a copy from nowhere', { op: 'copy', from: '/extension/7', path: '/extension/-' }],
    ['a move from nowhere', { op: 'move', from: '/contained/9/id', path: '/extension/-' }],
    ['a copy from a path through nothing', { op: 'copy', from: '/nothing/at/all', path: '/extension/-' }],
    ['a copy from past a string', { op: 'copy', from: '/id/0', path: '/extension/-' }],
  ])('still refuses %s (400, naming the operation)', async (_name, op) => {
    const a = await patch([{ op: 'add', path: '/extension', value: [note(0)] }, op]);
    const issue = (a.json as OperationOutcome).issue?.[0];
    expect({ status: a.status, code: issue?.code, says: /does not exist|cannot be applied/.test(issue?.diagnostics ?? '') }).toEqual({ status: 400, code: 'invalid', says: true });
  });
});
