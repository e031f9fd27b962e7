// ITI-68 (`GET /fhir/Binary/<id>`) written as the document is read from the store, slice by slice:
// the same bytes and headers as a whole-built answer (Content-Length from the stored size; a text
// without charset gets UTF-8 only when all of it is UTF-8, even when a character straddles two
// slices), and a store lost on the way cuts the connection after the access was traced.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { CONTENT_SLICE_BYTES } from '../../src/store/content-slices.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { retrieveWithStoreLost } from '../support/failing-slices.js';

describeEachStore('FHIR door: ITI-68 written from the store', (db) => {
  let server: RunningApp;
  let w: World;
  let patientKey: string;
  let ins: PatientIdentifier;
  let token: string;
  const doctor = proActor('doctor');
  // three slices and a bit; 'é' (two bytes in UTF-8) straddles the end of the first slice
  const utf8Text = Buffer.concat([Buffer.alloc(CONTENT_SLICE_BYTES - 1, 'a'), Buffer.from('é', 'utf8'), Buffer.alloc(2 * CONTENT_SLICE_BYTES + 10, 'b')]);
  // the same length, one byte that is not UTF-8 in the last slice
  const latin1Text = Buffer.concat([Buffer.alloc(3 * CONTENT_SLICE_BYTES, 'c'), Buffer.from('caf\xe9', 'latin1')]);
  const pdf = Buffer.alloc(2 * CONTENT_SLICE_BYTES + 123, 0x25);
  const ids = new Map<string, string>();

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    ({ patientKey, ins } = await adultRecord(w));
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const docs = { utf8Text, latin1Text, pdf };
    const sub = submission(ins, Object.keys(docs).map(() => ({})));
    Object.values(docs).forEach((bytes, i) => {
      sub.documents[i]!.content = bytes;
      if (bytes === pdf) sub.documents[i]!.metadata.mimeType = 'application/pdf';
    });
    const { assignedIds } = await w.services.submissions.submit(as(doctor), sub);
    Object.keys(docs).forEach((name, i) => ids.set(name, assignedIds[`Document${i + 1}`]!.slice(9)));
    token = await server.tokenFor(doctor);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const get = (name: string, app = server, bearer = token) => fetch(`${app.baseUrl}/fhir/Binary/${ids.get(name)}`, { headers: { authorization: `Bearer ${bearer}` } });

  it('a document of several slices comes back whole, its length and type as stored, a charset only as its bytes allow', async () => {
    for (const [name, bytes, type] of [
      ['utf8Text', utf8Text, 'text/plain; charset=utf-8'],
      ['latin1Text', latin1Text, 'text/plain; charset=iso-8859-1'],
      ['pdf', pdf, 'application/pdf'],
    ] as const) {
      const res = await get(name);
      expect({ name, status: res.status, type: res.headers.get('content-type'), length: res.headers.get('content-length'), nosniff: res.headers.get('x-content-type-options') }).toEqual({
        name,
        status: 200,
        type,
        length: String(bytes.length),
        nosniff: 'nosniff',
      });
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('TRACE-01: the store lost while the document is on its way cuts the connection, and the retrieval was traced before any byte left', async () => {
    const lost = await retrieveWithStoreLost(
      db(),
      patientKey,
      async (failing) => Buffer.from(await (await get('pdf', failing, await failing.tokenFor(doctor))).arrayBuffer()),
      (body) => body.equals(pdf),
    );
    expect(lost).toEqual({ wholeWhenUnarmed: true, failedWhenArmed: true, tracedWhileArmed: 1 });
  });
});
