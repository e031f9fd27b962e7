// ITI-18 FindDocuments as the door now answers it: LeafClass written page after page as it is
// read, ObjectRef from the entryUUIDs alone. The answers must be the very bytes the whole-built
// answer had (the registry query's selection written by writeLeafClassObjects / writeObjectRef),
// for every actor's view and across pages; and a failure once the head is out must not leave the
// client a well-formed Success.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { securityHeader } from '../../src/auth/vihf-issuer.js';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { Db, Tx } from '../../src/store/db.js';
import { setEntryStatus } from '../../src/store/document-repo.js';
import { toRegistryQuery } from '../../src/xds/door/query.js';
import { writeAdhocQueryResponse, writeLeafClassObjects, writeObjectRef } from '../../src/xds/ebrim/write.js';
import { parseAdhocQueryRequest, STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { buildMtomMessage } from '../../src/xds/mtom.js';
import { responseAction } from '../../src/xds/soap.js';
import { buildSoapEnvelope } from '../../src/xds/soap-write.js';
import { parseXml, TRUSTED_XML_LIMITS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { adhocQuery, cx, envelope, postSoap, queryObjects, responseStatus, errorCodes, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const BOTH = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')";
const ACTION = XDS_ACTIONS['ITI-18'];

/**
 * A database whose transactions fail at their second FETCH while `armed` (the connection lost
 * mid-answer); once `received` is settled, if given (the client has the answer's first bytes).
 */
function failingMidStream(db: Db, state: { armed: boolean; received?: Promise<void> }): Db {
  const wrap = (tx: Tx): Tx => {
    let fetches = 0;
    return {
      exec: (sql) => tx.exec(sql),
      query: async (sql, params) => {
        if (state.armed && sql.startsWith('FETCH') && ++fetches === 2) {
          await state.received;
          throw new Error('the connection to the database was lost (test)');
        }
        return tx.query(sql, params);
      },
    };
  };
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    close: async () => {},
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
  };
}

describeEachStore('XDS door: ITI-18 FindDocuments streamed', (db) => {
  let server: RunningApp;
  let w: World;
  let url: string;
  let ins: PatientIdentifier;
  let patientKey: string;
  const doctor = proActor('doctor');
  const doctor2 = proActor('doctor2');
  const nurse = proActor('nurse');
  const masked: string[] = [];

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    url = `${server.baseUrl}/xds/registry`;
    ({ ins, patientKey } = await adultRecord(w));
    for (const p of [doctor, doctor2, nurse]) {
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
    // 3 x 40 documents (more than one page of 100), of several types, deposited by doctor2; one
    // in ten masked from professionals but its author (doctor2)
    for (let s = 0; s < 3; s++) {
      const docs = Array.from({ length: 40 }, (_, i) => ({
        typeCode: ['11488-4', '34112-3', '11490-0'][i % 3],
        authorId: i % 10 === 0 ? doctor2.idNatPs : doctor.idNatPs,
        confidentiality: i % 10 === 0 ? ['N', 'MASQUE_PS'] : ['N'],
        creationTime: `2025${String((i % 12) + 1).padStart(2, '0')}${String((s % 28) + 1).padStart(2, '0')}1000${String(i % 60).padStart(2, '0')}`,
      }));
      const sub = submission(ins, docs);
      const r = await w.services.submissions.submit(as(doctor2), sub);
      docs.forEach((d, i) => d.confidentiality.includes('MASQUE_PS') && masked.push(r.assignedIds[`Document${i + 1}`]!));
    }
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  /** The door's answer, as bytes (UTF-8 text), to FindDocuments of the record by `actor`. */
  async function answer(actor: ProfessionalActor, returnType: 'LeafClass' | 'ObjectRef'): Promise<string> {
    const body = envelope(ACTION, adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH }, returnType), securityHeader(vihfFor(actor)));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/soap+xml; charset=UTF-8' }, body });
    expect(res.status).toBe(200);
    return res.text();
  }

  /** The answer as the door built it whole before: the registry query's selection, written in one piece. */
  async function wholeBuilt(actor: ProfessionalActor, returnType: 'LeafClass' | 'ObjectRef', streamed: string): Promise<string> {
    const request = parseXml(adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH }, returnType), TRUSTED_XML_LIMITS).documentElement!;
    const sel = await w.services.registryQueries.run(as(actor), toRegistryQuery(parseAdhocQueryRequest(request)), { singlePatient: returnType === 'LeafClass' });
    const fragments = returnType === 'LeafClass' ? writeLeafClassObjects({ documentEntries: sel.documents }) : sel.documents.map((d) => writeObjectRef(d.entryUuid));
    // MessageID is fresh per answer and RelatesTo names the request: both taken from the answer
    const messageId = /<wsa:MessageID>([^<]+)<\/wsa:MessageID>/.exec(streamed)![1];
    const relatesTo = /<wsa:RelatesTo>([^<]+)<\/wsa:RelatesTo>/.exec(streamed)![1];
    return buildSoapEnvelope({ action: responseAction(ACTION), relatesTo, messageId, bodyXml: writeAdhocQueryResponse(fragments) });
  }

  it('LeafClass and ObjectRef answers are byte for byte the whole-built answers, for each view of the record (ACC-08), across pages', async () => {
    for (const actor of [doctor, doctor2, nurse]) {
      for (const returnType of ['LeafClass', 'ObjectRef'] as const) {
        const streamed = await answer(actor, returnType);
        expect(streamed).toBe(await wholeBuilt(actor, returnType, streamed));
      }
    }
    // the views differ: doctor2 sees its masked documents, the doctor does not
    const tag = /<rim:ExtrinsicObject /g;
    expect((await answer(doctor2, 'LeafClass')).match(tag)).toHaveLength(120);
    const seenByDoctor = await answer(doctor, 'LeafClass');
    expect(seenByDoctor.match(tag)).toHaveLength(120 - masked.length);
    for (const id of masked) expect(seenByDoctor).not.toContain(id);
  });

  it('an entry changed since it was last written is written anew (its row version changed), the same as a whole-built answer', async () => {
    const before = await answer(doctor, 'LeafClass');
    const changed = queryObjects(await postSoap(url, ACTION, adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH }, 'ObjectRef'), { assertion: vihfFor(doctor) })).objectRefs[5]!;
    await setEntryStatus(w.db, patientKey, changed, 'Deprecated', new Date());
    const after = await answer(doctor, 'LeafClass');
    expect(after).toBe(await wholeBuilt(doctor, 'LeafClass', after));
    expect(after).not.toBe(before.replace(/<wsa:MessageID>[^<]+</, after.match(/<wsa:MessageID>[^<]+</)![0]).replace(/<wsa:RelatesTo>[^<]+</, after.match(/<wsa:RelatesTo>[^<]+</)![0]));
  });

  it('a request framed as MTOM is answered as MTOM with the same envelope', async () => {
    const a = await postSoap(url, ACTION, adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH }), { assertion: vihfFor(doctor2), mtom: true });
    expect(a.contentType).toMatch(/^multipart\/related;/);
    expect(responseStatus(a)).toBe('Success');
    expect(queryObjects(a).documents).toHaveLength(120);
  });

  it('too many results (ITI-18 XDSTooManyResults) is refused whole, before anything of the answer is written', async () => {
    const small = await startTestApp(db(), { CARNET_MAX_QUERY_RESULTS: '50' });
    try {
      const a = await postSoap(`${small.baseUrl}/xds/registry`, ACTION, adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH }), { assertion: vihfFor(doctor) });
      expect(responseStatus(a)).toBe('Failure');
      expect(errorCodes(a)).toEqual(['XDSTooManyResults']);
      expect(queryObjects(a).documents).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('the database lost after the head was sent: the connection is cut, never a well-formed Success', async () => {
    const state = { armed: false };
    const failing = await startTestApp(failingMidStream(db(), state));
    try {
      const body = envelope(ACTION, adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH }), securityHeader(vihfFor(doctor2)));
      const post = () => fetch(`${failing.baseUrl}/xds/registry`, { method: 'POST', headers: { 'content-type': 'application/soap+xml; charset=UTF-8' }, body });
      // unarmed, the same server answers whole (the failure below is the database's, not the setup's)
      expect(await (await post()).text()).toMatch(/ResponseStatusType:Success.*<\/env:Envelope>$/s);
      state.armed = true;
      // the client sees a failure: the connection cut before the headers arrived, or while the body did
      const outcome = await post()
        .then((res) => res.text())
        .then(
          (text) => ({ text }),
          (error: unknown) => ({ error }),
        );
      expect(outcome).toHaveProperty('error');
    } finally {
      state.armed = false;
      await failing.close();
    }
  });

  it('the database lost after the head was sent, to an HTTP/1.0 client (a body that ends where the connection does) and framed as MTOM: what arrived is no whole envelope, no closed MIME package', async () => {
    const state: { armed: boolean; received?: Promise<void> } = { armed: false };
    const failing = await startTestApp(failingMidStream(db(), state));
    try {
      const soap = envelope(ACTION, adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH }), securityHeader(vihfFor(doctor2)));
      const mtom = buildMtomMessage(soap, [], ACTION);
      const forms = [
        { contentType: 'application/soap+xml; charset=UTF-8', body: Buffer.from(soap, 'utf8') },
        { contentType: mtom.contentType, body: Buffer.concat(mtom.chunks) },
      ];
      /** The bytes an HTTP/1.0 client receives until the server closes (no chunks: the close ends the body). */
      const http10 = (form: (typeof forms)[number], received = () => {}) =>
        new Promise<string>((resolve) => {
          const { port } = new URL(failing.baseUrl);
          const got: Buffer[] = [];
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write(`POST /xds/registry HTTP/1.0\r\nContent-Type: ${form.contentType}\r\nContent-Length: ${form.body.length}\r\n\r\n`);
            socket.write(form.body);
          });
          socket.on('data', (b: Buffer) => {
            got.push(b);
            received();
          });
          socket.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
          socket.on('error', () => {});
        });
      for (const form of forms) {
        // unarmed, the same server answers whole
        const whole = await http10(form);
        expect(whole).toMatch(/ResponseStatusType:Success.*<\/env:Envelope>/s);
        state.armed = true;
        let received!: () => void;
        state.received = new Promise<void>((r) => (received = r));
        const cut = await http10(form, received);
        state.armed = false;
        // the answer's head and first page went out before the failure
        expect(cut).toMatch(/^HTTP\/1\.1 200 .*ResponseStatusType:Success.*ExtrinsicObject/s);
        expect(cut).not.toContain('</env:Envelope>');
        expect(cut).not.toMatch(/\r\n--[^\r\n]+--\r\n$/);
      }
    } finally {
      state.armed = false;
      await failing.close();
    }
  });

  it('TRACE-01: a streamed FindDocuments leaves one record.read trace row, with its criteria', async () => {
    const count = async () => Number((await w.db.query<{ n: string }>(`SELECT count(*) AS n FROM access_trace WHERE chain_key = $1 AND action = 'record.read'`, [patientKey])).rows[0]!.n);
    const before = await count();
    await answer(doctor, 'LeafClass');
    expect(await count()).toBe(before + 1);
    const last = await w.db.query<{ details: { search?: { statuses?: string[] } }; outcome: string }>(
      `SELECT details, outcome FROM access_trace WHERE chain_key = $1 AND action = 'record.read' ORDER BY seq DESC LIMIT 1`,
      [patientKey],
    );
    expect(last.rows[0]!.outcome).toBe('success');
    expect(last.rows[0]!.details.search?.statuses).toEqual(['Approved', 'Deprecated']);
  });
});
