// A JSON Patch whose copies feed on themselves (an element copied into itself, each copy doubling
// the document) is refused with 413 too-costly once the patched document would hold more than
// twice the values of the document and the patch together, and the document is left as it was. Before, 22
// copies in a patch of 2 KB cost ~5 s of CPU on the event loop, 28 held it 35 s and grew the
// process by 2 GB, and a few more would have exhausted its memory.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { DocumentReference, OperationOutcome } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import type { RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { patientCaller } from '../support/world.js';
import { cheapest, startWithOneRecord } from './one-record.js';

/** CPU the server may spend on one refused patch (the process's, so the least of three sends). */
const CPU_BUDGET_MS = 100;
const ARCHIVED = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived';

describeEachStore('hostile JSON Patch: what a patch makes is bounded', (db: () => Db) => {
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
});
