// A JSON Patch's `copy` and `move` operations were checked by the library (fast-json-patch) on a
// clone of the whole document, one clone per operation, on the event loop: 9,000 copies of a small
// extension, or 5,000 moves in a list of 4,000 extensions — a body of some 500 KB — held it 7-10 s.
// Each operation is now checked where it points (its `from` must name a value), with no clone,
// and the same patches cost milliseconds; what they leave is judged as before.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { DocumentReference } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import type { RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { patientCaller } from '../support/world.js';
import { longestTurn, startWithOneRecord } from './one-record.js';

/**
 * The longest turn of the event loop while the patch is served (CPU of the process, best of
 * three): 6-11 s before, 45-110 ms after (the first send, colder, up to 350 ms; load 5-10).
 */
const MAX_TURN_CPU_MS = 250;
const ARCHIVED = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived';
const note = (i: number) => ({ url: `urn:example:note-${i}`, valueString: 'x' });
/** after the operations under test, the extensions are the archiving flag alone: the patch archives */
const archive = { op: 'replace', path: '/extension', value: [{ url: ARCHIVED, valueBoolean: true }] };

describeEachStore('hostile JSON Patch: many operations, each cheap', (db: () => Db) => {
  let server: RunningApp;
  let patientToken: string;
  let path: string;

  beforeAll(async () => {
    const one = await startWithOneRecord(db());
    server = one.server;
    path = `/fhir/DocumentReference/${one.document.entryUuid.replace(/^urn:uuid:/, '')}`;
    patientToken = await server.tokenFor(patientCaller(one.patientKey).actor);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  const patch = async (ops: unknown[]): Promise<{ status: number; json: DocumentReference }> => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${patientToken}`, 'content-type': 'application/json-patch+json', accept: 'application/fhir+json' },
      body: JSON.stringify(ops),
    });
    return { status: res.status, json: (await res.json()) as DocumentReference };
  };

  it.each([
    ['9,000 copies of one small extension', [{ op: 'add', path: '/extension', value: [note(0)] }, ...Array.from({ length: 9000 }, () => ({ op: 'copy', from: '/extension/0', path: '/extension/-' })), archive]],
    [
      '5,000 moves in a list of 4,000 extensions',
      [{ op: 'add', path: '/extension', value: Array.from({ length: 4000 }, (_, i) => note(i)) }, ...Array.from({ length: 5000 }, () => ({ op: 'move', from: '/extension/0', path: '/extension/-' })), archive],
    ],
  ])('applies %s without holding the event loop (the patch archives)', async (_name, ops) => {
    const { answer, turnMs } = await longestTurn(() => patch(ops), MAX_TURN_CPU_MS);
    expect({ status: answer.status, archived: answer.json.extension?.some((e) => e.url === ARCHIVED && e.valueBoolean === true) }).toEqual({ status: 200, archived: true });
    expect({ turnMs: Math.round(turnMs), within: turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
  }, 120_000);

  it.each([
    ['a copy from nowhere', { op: 'copy', from: '/extension/7', path: '/extension/-' }],
    ['a move from nowhere', { op: 'move', from: '/contained/9/id', path: '/extension/-' }],
    ['a copy from a path through nothing', { op: 'copy', from: '/nothing/at/all', path: '/extension/-' }],
  ])('still refuses %s (400, naming the operation)', async (_name, op) => {
    const a = await patch([{ op: 'add', path: '/extension', value: [note(0)] }, op]);
    const issue = (a.json as unknown as { issue?: Array<{ code?: string; diagnostics?: string }> }).issue?.[0];
    expect({ status: a.status, code: issue?.code, says: /does not exist|cannot be applied/.test(issue?.diagnostics ?? '') }).toEqual({ status: 400, code: 'invalid', says: true });
  });
});
