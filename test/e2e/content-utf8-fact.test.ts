// Whether a document's bytes are UTF-8 is decided once, when they are deposited through either
// door (ITI-65, ITI-41), and stored beside their size (migration 0065): ITI-68 names the charset
// of a text without one from that fact. A content stored before the fact was kept has none (null):
// the first read that needs it decides it from the bytes and stores it, and so does a new deposit
// of the same bytes.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { postSoap, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

describeEachStore('document content: whether it is UTF-8, decided at deposit', (db) => {
  let server: RunningApp;
  let w: World;
  let patientKey: string;
  let ins: PatientIdentifier;
  let token: string;
  const doctor = proActor('doctor');
  // each run its own bytes, so that no content of another test is met
  const text = (label: string, encoding: 'utf8' | 'latin1') => Buffer.from(`Compte rendu ${label} ${randomUUID()} : fièvre à 39 °C`, encoding);
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    ({ patientKey, ins } = await adultRecord(w));
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    token = await server.tokenFor(doctor);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const storedFact = async (bytes: Buffer) =>
    (await w.db.query<{ is_utf8: boolean | null }>('SELECT is_utf8 FROM document_content WHERE patient_key = $1 AND sha256 = $2', [patientKey, sha256(bytes)])).rows[0]?.is_utf8;

  /** ITI-68's Content-Type of the document, with the bytes checked to be those deposited. */
  const servedType = async (id: string, bytes: Buffer) => {
    const res = await fetch(`${server.baseUrl}/fhir/Binary/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    return res.headers.get('content-type');
  };

  /** Deposits text/plain documents through ITI-65; their DocumentReference ids in order. */
  const depositIti65 = async (contents: Buffer[]) => {
    const bundle = provideBundle({ patient: `Patient/${patientKey}`, docs: contents.map((content) => ({ content, mimeType: 'text/plain', author: { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' } })) });
    const res = await fetch(`${server.baseUrl}/fhir`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
    const answer = (await res.json()) as { entry?: { response?: { location?: string } }[] };
    expect(res.status).toBe(200);
    return (answer.entry ?? []).map((e) => e.response?.location ?? '').filter((l) => l.startsWith('DocumentReference/')).map((l) => l.split('/')[1]!);
  };

  it('ITI-65 stores the fact with each content, and ITI-68 names the charset from it', async () => {
    const utf8 = text('ITI-65', 'utf8');
    const latin1 = text('ITI-65', 'latin1');
    const [utf8Id, latin1Id] = await depositIti65([utf8, latin1]);
    expect({ utf8: await storedFact(utf8), latin1: await storedFact(latin1) }).toEqual({ utf8: true, latin1: false });
    expect({ utf8: await servedType(utf8Id!, utf8), latin1: await servedType(latin1Id!, latin1) }).toEqual({
      utf8: 'text/plain; charset=utf-8',
      latin1: 'text/plain; charset=iso-8859-1',
    });
  });

  it('ITI-41 stores the fact with each content (MTOM attachments), and ITI-68 names the charset from it', async () => {
    const utf8 = text('ITI-41', 'utf8');
    const latin1 = text('ITI-41', 'latin1');
    const sub = submission(ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]);
    const attachments = [utf8, latin1].map((body, i) => {
      sub.documents[i]!.content = body;
      sub.documents[i]!.metadata.mimeType = 'text/plain';
      return { contentId: `${randomUUID()}@test`, contentType: 'text/plain', body };
    });
    const body = writeProvideAndRegisterRequest(sub, new Map(attachments.map((a, i) => [sub.documents[i]!.id, a.contentId])));
    const res = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion: vihfFor(doctor), attachments });
    expect(responseStatus(res)).toBe('Success');
    expect({ utf8: await storedFact(utf8), latin1: await storedFact(latin1) }).toEqual({ utf8: true, latin1: false });
    const ids = await w.db.query<{ entry_uuid: string; unique_id: string }>(
      `SELECT entry_uuid::text, metadata->>'uniqueId' AS unique_id FROM document_entry WHERE patient_key = $1 AND metadata->>'uniqueId' = ANY($2::text[])`,
      [patientKey, sub.documents.map((d) => d.metadata.uniqueId)],
    );
    const idOf = (i: number) => ids.rows.find((r) => r.unique_id === sub.documents[i]!.metadata.uniqueId)!.entry_uuid;
    expect({ utf8: await servedType(idOf(0), utf8), latin1: await servedType(idOf(1), latin1) }).toEqual({
      utf8: 'text/plain; charset=utf-8',
      latin1: 'text/plain; charset=iso-8859-1',
    });
  });

  it('a content stored before the fact was kept gets it from its first read that needs it, the same charset as before, and keeps it', async () => {
    const utf8 = text('before 0065', 'utf8');
    const latin1 = text('before 0065', 'latin1');
    const sub = submission(ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]);
    [utf8, latin1].forEach((bytes, i) => {
      sub.documents[i]!.content = bytes;
      sub.documents[i]!.metadata.mimeType = 'text/plain';
    });
    const { assignedIds } = await w.services.submissions.submit(as(doctor), sub);
    // as a row written before migration 0065 is
    await w.db.query('UPDATE document_content SET is_utf8 = NULL WHERE patient_key = $1 AND sha256 = ANY($2::text[])', [patientKey, [sha256(utf8), sha256(latin1)]]);
    expect({ utf8: await storedFact(utf8), latin1: await storedFact(latin1) }).toEqual({ utf8: null, latin1: null });
    const [utf8Id, latin1Id] = [assignedIds.Document1!.slice(9), assignedIds.Document2!.slice(9)];
    expect({ utf8: await servedType(utf8Id, utf8), latin1: await servedType(latin1Id, latin1) }).toEqual({
      utf8: 'text/plain; charset=utf-8',
      latin1: 'text/plain; charset=iso-8859-1',
    });
    expect({ utf8: await storedFact(utf8), latin1: await storedFact(latin1) }).toEqual({ utf8: true, latin1: false });
    expect(await servedType(latin1Id, latin1)).toBe('text/plain; charset=iso-8859-1');
  });

  it('the same bytes deposited again store the fact in a row that had none', async () => {
    const latin1 = text('again', 'latin1');
    await depositIti65([latin1]);
    await w.db.query('UPDATE document_content SET is_utf8 = NULL WHERE patient_key = $1 AND sha256 = $2', [patientKey, sha256(latin1)]);
    await depositIti65([latin1]);
    expect(await storedFact(latin1)).toBe(false);
  });
});
