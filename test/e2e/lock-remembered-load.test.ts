// The lock against reads decided on a remembered load (traced-read.ts RememberedLoads): a lane's
// next ITI-67 page or ITI-18 ObjectRef search is decided by decide() on the lane's last load, and
// its one statement reads only if the record is still in that load's state. Each attack reads
// once (the load remembered), changes one fact the decision or the page's SQL rests on (through
// the services, or straight into the store as another server would, this process told nothing),
// then reads again and expects the decision the new facts give. On a real port, both stores.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import type { Actor, ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { Clock } from '../../src/services/deps.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { describeEachLockServer, startLockServer, type LockClients, type LockServer } from '../support/lock-clients.js';
import { adultRecordAllowing, minorRecord } from '../support/lock-records.js';
import { describeEachStore } from '../support/stores.js';
import { as, patientCaller, proActor, submission } from '../support/world.js';
import { adhocQuery, postSoap, responseStatus, vihfFor, XDS_ACTIONS, cx } from '../support/xds-client.js';

const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";
const bare = (id: string) => id.replace(/^urn:uuid:/, '');

describeEachLockServer('a read decided on a remembered load is decided on the facts of now', (lock) => {
  let c: LockClients;
  const author = proActor('doctor');
  const reader = proActor('doctor2');
  const stranger = proActor('dentist', { profession: '10', specialty: 'SM26', structureId: '1690000098' });

  beforeAll(() => {
    c = lock().c;
  });

  const services = () => lock().server.app.services;
  const db = () => lock().db;

  /** ITI-67 with a page size asked: the page a lane's next search reads in one statement. */
  async function page(actor: Actor, patientKey: string): Promise<{ status: number; ids: string[] }> {
    const a = await c.fhir(actor, `DocumentReference?patient=Patient/${patientKey}&status=current&_count=50`);
    if (a.status !== 200) return { status: a.status, ids: [] };
    const bundle = a.json as { entry?: Array<{ resource?: { resourceType: string; id?: string } }> };
    const ids = (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === 'DocumentReference').map((r) => r!.id!);
    return { status: 200, ids: ids.sort() };
  }

  /**
   * ITI-18 FindDocuments as ObjectRef by a professional whose assertion names no patient (ACC-10
   * binds them to none): the record is loaded by the INS the query names, the identifier-named
   * lane's load remembered. The ids, or 'refused'.
   */
  async function objectRefs(actor: ProfessionalActor, ins: PatientIdentifier): Promise<string[] | 'refused'> {
    const a = await postSoap(
      `${lock().server.baseUrl}/xds/registry`,
      XDS_ACTIONS['ITI-18'],
      adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: APPROVED }, 'ObjectRef'),
      { assertion: vihfFor(actor) },
    );
    if (responseStatus(a) !== 'Success') return 'refused';
    const refs = Array.from(a.doc.getElementsByTagName('*')).filter((e) => e.localName === 'ObjectRef').map((e) => bare(e.getAttribute('id') ?? ''));
    return refs.sort();
  }

  type Door = 'ITI-67' | 'ITI-18';
  const DOORS: Door[] = ['ITI-67', 'ITI-18'];

  /** What `actor` finds of the record by `door`: the ids, or 'refused'. */
  async function find(door: Door, actor: ProfessionalActor | Actor, r: { patientKey: string; ins: PatientIdentifier }): Promise<string[] | 'refused'> {
    if (door === 'ITI-18') return objectRefs(actor as ProfessionalActor, r.ins);
    const p = await page(actor, r.patientKey);
    return p.status === 200 ? p.ids : p.status === 403 ? 'refused' : [`status ${p.status}`];
  }

  /** Every lane's head of the record's trace chain. */
  async function heads(patientKey: string): Promise<string> {
    const h = await db().query<{ lane: number; seq: string }>('SELECT lane::int AS lane, seq::text AS seq FROM access_trace_head WHERE chain_key = $1 ORDER BY lane', [patientKey]);
    return JSON.stringify(h.rows);
  }

  /**
   * `actor` reads by `door` twice (the second on the remembered load), then `change` is written
   * straight into the store as another server would (this process told nothing, no lane's head
   * moved: only the record's state can tell the next read), then `actor` reads again: what it
   * found first, and after.
   */
  async function attack(door: Door, actor: ProfessionalActor | Actor, r: { patientKey: string; ins: PatientIdentifier }, change: () => Promise<unknown>) {
    const before = await find(door, actor, r);
    expect(await find(door, actor, r)).toEqual(before);
    const h = await heads(r.patientKey);
    await change();
    expect(await heads(r.patientKey)).toBe(h);
    return { before, after: await find(door, actor, r) };
  }

  /**
   * The SQL the server sends for the record's load and its reads while `f` runs: the statements
   * that name the record or its trace (background work on the same pool, the statistics job say,
   * is not the read's).
   */
  async function sentDuring<T>(f: () => Promise<T>): Promise<{ value: T; sql: string[] }> {
    const q = services().deps.db;
    const spy = jest.spyOn(q, 'query');
    try {
      const value = await f();
      const sql = spy.mock.calls.map((call) => String(call[0]));
      return { value, sql: sql.filter((s) => /access_trace_head|FROM dmp d|JOIN dmp d/.test(s)) };
    } finally {
      spy.mockRestore();
    }
  }

  /** An adult's record authorising `permit`, with two documents of `author`, the second masked (MASQUE_PS) when asked. */
  async function record(permit: ProfessionalActor[], masked = false) {
    const { patientKey, ins } = await adultRecordAllowing(services(), [author, ...permit]);
    const sub = submission(ins, [
      { authorId: author.idNatPs, authorStructure: author.structureId },
      { authorId: author.idNatPs, authorStructure: author.structureId, ...(masked ? { confidentiality: ['N', 'MASQUE_PS'] } : {}) },
    ]);
    const ids = (await services().submissions.submit(as(author), sub)).assignedIds;
    return { patientKey, ins, docs: [bare(ids.Document1!), bare(ids.Document2!)].sort(), first: bare(ids.Document1!), second: bare(ids.Document2!) };
  }

  it('TRACE-01: the second search is the one statement on the remembered load, by either door (what the attacks below aim at)', async () => {
    const r = await record([reader]);
    for (const door of DOORS) {
      expect(await find(door, reader, r)).toEqual(r.docs);
      const { value, sql } = await sentDuring(() => find(door, reader, r));
      expect({ door, value }).toEqual({ door, value: r.docs });
      expect({ door, statements: sql.length, remembered: sql.filter((s) => /record_state_now/.test(s)).length }).toEqual({ door, statements: 1, remembered: 1 });
    }
  });

  it('ACC-03: a block of the reader, or of the structure they act for, written by another server after a read, refuses the next read', async () => {
    for (const door of DOORS) {
      for (const subject of ['professional', 'structure'] as const) {
        const r = await record([reader]);
        const block = () =>
          db().query(
            "INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by) VALUES ($1, gen_random_uuid(), $2, $3, 'deny', now(), 'another server')",
            [r.patientKey, subject, subject === 'professional' ? reader.idNatPs : reader.structureId],
          );
        expect({ door, subject, ...(await attack(door, reader, r, block)) }).toEqual({ door, subject, before: r.docs, after: 'refused' });
      }
    }
  });

  it('ACC-01: an authorisation withdrawn by another server after a read refuses the next; withdrawn and given again in between, the next read is permitted (the same facts, the same state, the same decision)', async () => {
    for (const door of DOORS) {
      const r = await record([reader]);
      const give = () =>
        db().query(
          "INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by) VALUES ($1, gen_random_uuid(), 'professional', $2, 'permit', now(), 'another server')",
          [r.patientKey, reader.idNatPs],
        );
      const revoke = () => db().query("UPDATE access_grant SET revoked_at = now(), revoked_by = 'another server' WHERE patient_key = $1 AND subject_id = $2 AND revoked_at IS NULL", [r.patientKey, reader.idNatPs]);
      const again = async () => {
        await revoke();
        await give();
      };
      expect({ door, ...(await attack(door, reader, r, again)) }).toEqual({ door, before: r.docs, after: r.docs });
      expect({ door, ...(await attack(door, reader, r, revoke)) }).toEqual({ door, before: r.docs, after: 'refused' });
      await give();
      expect({ door, found: await find(door, reader, r) }).toEqual({ door, found: r.docs });
    }
  });

  it('ACC-01, ACC-04: a structure authorised by another server after a refused read opens the next read to its care team; withdrawn, closes it again', async () => {
    for (const door of DOORS) {
      const r = await record([]);
      const member = proActor('doctor2', { idNatPs: '810000000077' });
      // the lane's load remembered by an authorised read, then the member refused on it
      expect(await find(door, author, r)).toEqual(r.docs);
      expect({ door, found: await find(door, member, r) }).toEqual({ door, found: 'refused' });
      const authorise = () =>
        db().query(
          "INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by) VALUES ($1, gen_random_uuid(), 'structure', $2, 'permit', now(), 'another server')",
          [r.patientKey, member.structureId],
        );
      expect({ door, ...(await attack(door, author, r, authorise)) }).toEqual({ door, before: r.docs, after: r.docs });
      expect({ door, found: await find(door, member, r) }).toEqual({ door, found: r.docs });
      const withdraw = () => db().query("UPDATE access_grant SET revoked_at = now() WHERE patient_key = $1 AND subject_kind = 'structure'", [r.patientKey]);
      expect({ door, ...(await attack(door, member, r, withdraw)) }).toEqual({ door, before: r.docs, after: 'refused' });
    }
  });

  it('ACC-01, ACC-08: a load remembered from one caller decides nothing for another: an unauthorised professional after an authorised one is refused', async () => {
    for (const door of DOORS) {
      const r = await record([reader]);
      expect(await find(door, reader, r)).toEqual(r.docs);
      expect(await find(door, reader, r)).toEqual(r.docs);
      expect({ door, found: await find(door, stranger, r) }).toEqual({ door, found: 'refused' });
      expect({ door, found: await find(door, reader, r) }).toEqual({ door, found: r.docs });
    }
  });

  it('MASK-01 / ACC-06: the page SQL built on the remembered load hides a masked document from whoever is not médecin traitant, whoever read before, and follows a médecin traitant named or removed by another server', async () => {
    for (const door of DOORS) {
      const r = await record([reader], true);
      await services().consent.designateMedecinTraitant(patientCaller(r.patientKey), r.patientKey, reader.idNatPs);
      const other = proActor('doctor', { idNatPs: '810000000099', structureId: '1690000097' });
      await services().consent.addGrant(patientCaller(r.patientKey), r.patientKey, { subjectKind: 'professional', subjectId: other.idNatPs, effect: 'permit' });
      // the médecin traitant sees the masked one; another authorised doctor next, on the same lane, does not
      expect(await find(door, reader, r)).toEqual(r.docs);
      expect({ door, found: await find(door, other, r) }).toEqual({ door, found: [r.first] });
      const removed = () => db().query('UPDATE dmp SET medecin_traitant = NULL WHERE patient_key = $1', [r.patientKey]);
      expect({ door, ...(await attack(door, reader, r, removed)) }).toEqual({ door, before: r.docs, after: [r.first] });
      const named = () => db().query('UPDATE dmp SET medecin_traitant = $2 WHERE patient_key = $1', [r.patientKey, reader.idNatPs]);
      expect({ door, ...(await attack(door, reader, r, named)) }).toEqual({ door, before: [r.first], after: r.docs });
    }
  });

  it('MASK-01: a document masked after a read is hidden from the next (the mask is in the page SQL, read by the statement itself)', async () => {
    for (const door of DOORS) {
      const r = await record([reader]);
      expect(await find(door, reader, r)).toEqual(r.docs);
      await services().metadata.setVisibility(patientCaller(r.patientKey), { entryUuid: `urn:uuid:${r.second}` }, 'MASQUE_PS', true);
      const after = await find(door, reader, r);
      expect(after).not.toBe('refused');
      expect({ door, hidden: (after as string[]).includes(r.second), count: (after as string[]).length }).toEqual({ door, hidden: false, count: 1 });
    }
  });

  it('DMP-05: a record closed by another server after a read refuses the next; reopened, it is read again', async () => {
    for (const door of DOORS) {
      const r = await record([reader]);
      const close = () => db().query("UPDATE dmp SET status = 'closed', closed_at = now(), closed_by = 'another server' WHERE patient_key = $1", [r.patientKey]);
      expect({ door, ...(await attack(door, reader, r, close)) }).toEqual({ door, before: r.docs, after: 'refused' });
      const reopen = () => db().query("UPDATE dmp SET status = 'open', closed_at = NULL, closed_by = NULL WHERE patient_key = $1", [r.patientKey]);
      await reopen();
      expect({ door, found: await find(door, reader, r) }).toEqual({ door, found: r.docs });
    }
    // the patient side too (ITI-67)
    const r = await record([]);
    const patient: Actor = { kind: 'patient', patientKey: r.patientKey };
    const close = () => db().query("UPDATE dmp SET status = 'closed', closed_at = now(), closed_by = 'another server' WHERE patient_key = $1", [r.patientKey]);
    const { before, after } = await attack('ITI-67', patient, r, close);
    expect(before).toEqual(r.docs);
    expect(after).not.toEqual(r.docs);
  });

  it('ACC-05: an opposition to bris de glace written after a read refuses the next emergency read, the lane warmed by an authorised one', async () => {
    for (const door of DOORS) {
      const r = await record([]);
      const emergency: ProfessionalActor = { ...stranger, mode: 'bris_de_glace' };
      expect({ door, found: await find(door, emergency, r) }).toEqual({ door, found: r.docs });
      const oppose = () => db().query('UPDATE dmp SET oppose_bris_de_glace = true WHERE patient_key = $1', [r.patientKey]);
      expect({ door, ...(await attack(door, author, r, oppose)) }).toEqual({ door, before: r.docs, after: r.docs });
      expect({ door, found: await find(door, emergency, r) }).toEqual({ door, found: 'refused' });
    }
  });

  it("ACC-10 / ITI-18: an INS moved to another record by another server after a read names that record on the next read, decided on that record's grants and read there", async () => {
    const r = await record([reader]);
    const other = await record([]);
    const move = async () => {
      await db().query('DELETE FROM patient_identifier WHERE patient_key = $1', [other.patientKey]);
      await db().query('UPDATE patient_identifier SET patient_key = $1 WHERE system = $2 AND value = $3', [other.patientKey, r.ins.system, r.ins.value]);
    };
    expect(await attack('ITI-18', reader, r, move)).toEqual({ before: r.docs, after: 'refused' });
    // the author, authorised on both, finds the other record's documents by that INS
    expect(await objectRefs(author, r.ins)).toEqual(other.docs);
  });

  it('ACC-10 / ITI-18: an INS taken from its record by another server after a read names no record on the next read', async () => {
    const r = await record([reader]);
    const take = () => db().query('DELETE FROM patient_identifier WHERE system = $1 AND value = $2', [r.ins.system, r.ins.value]);
    const { before, after } = await attack('ITI-18', reader, r, take);
    expect(before).toEqual(r.docs);
    expect(after === 'refused' || after.length === 0).toBe(true);
  });

  it('ACC-03, ACC-01: reads at once (the lanes spread, each its own remembered load) are all refused once a block is written, by one door or by both at once (one record named by key and by INS); withdrawn, all are read again', async () => {
    const block = (r: { patientKey: string }) =>
      db().query(
        "INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by) VALUES ($1, gen_random_uuid(), 'professional', $2, 'deny', now(), 'another server')",
        [r.patientKey, reader.idNatPs],
      );
    const unblock = (r: { patientKey: string }) => db().query("DELETE FROM access_grant WHERE patient_key = $1 AND effect = 'deny'", [r.patientKey]);
    const answers = async (all: Promise<Array<string[] | 'refused'>>) => new Set((await all).map((f) => JSON.stringify(f)));
    for (const doors of [['ITI-67'], ['ITI-18'], DOORS] as Door[][]) {
      const r = await record([reader]);
      const burst = () => Promise.all(Array.from({ length: 12 }, (_, i) => find(doors[i % doors.length]!, reader, r)));
      for (let i = 0; i < 2; i++) expect({ doors, found: await answers(burst()) }).toEqual({ doors, found: new Set([JSON.stringify(r.docs)]) });
      await block(r);
      expect({ doors, found: await answers(burst()) }).toEqual({ doors, found: new Set([JSON.stringify('refused')]) });
      await unblock(r);
      expect({ doors, found: await answers(burst()) }).toEqual({ doors, found: new Set([JSON.stringify(r.docs)]) });
      // a block written while reads are in flight: every read started after it committed is refused
      const during = burst();
      await block(r);
      const after = burst();
      await during;
      expect({ doors, found: await answers(after) }).toEqual({ doors, found: new Set([JSON.stringify('refused')]) });
    }
  });

  it("PAT-02: the patient's page size, changed by another server after their read, sizes the next page (the page SQL built on the remembered load)", async () => {
    const r = await record([]);
    const patient: Actor = { kind: 'patient', patientKey: r.patientKey };
    const ids = async () => {
      const a = await c.fhir(patient, `DocumentReference?patient=Patient/${r.patientKey}&status=current`);
      expect(a.status).toBe(200);
      return ((a.json as { entry?: Array<{ resource?: { id?: string } }> }).entry ?? []).map((e) => e.resource!.id!);
    };
    expect(await ids()).toHaveLength(2);
    const two = await sentDuring(ids);
    expect(two.value).toHaveLength(2);
    expect(two.sql.filter((s) => /record_state_now/.test(s))).toHaveLength(1);
    await db().query('UPDATE dmp SET page_size = 1 WHERE patient_key = $1', [r.patientKey]);
    expect(await ids()).toHaveLength(1);
  });

  it('ACC-04: a professional authorised through a structure, reading next for another structure (their own facts, not the record\'s), is refused', async () => {
    for (const door of DOORS) {
      const r = await record([]);
      const member = proActor('doctor2', { idNatPs: '810000000055' });
      await services().consent.addGrant(patientCaller(r.patientKey), r.patientKey, { subjectKind: 'structure', subjectId: member.structureId!, effect: 'permit' });
      expect(await find(door, member, r)).toEqual(r.docs);
      expect(await find(door, member, r)).toEqual(r.docs);
      expect({ door, found: await find(door, { ...member, structureId: '1690000096' }, r) }).toEqual({ door, found: 'refused' });
    }
  });

  it('MIN-03, MASK-04: a legal representative ended, or asked to read with a doctor, by another server after their read, reads nothing, or the patient-authored alone, next', async () => {
    const minor = await minorRecord(services(), [{ given: 'Anne', family: 'Durand' }, { given: 'Paul', family: 'Durand' }]);
    const r = { patientKey: minor.patientKey, ins: minor.ins };
    const [first, second] = minor.representativeIds.map((representativeId) => ({ kind: 'legal_representative' as const, patientKey: minor.patientKey, representativeId }));
    await services().consent.addGrant(as(first!), minor.patientKey, { subjectKind: 'professional', subjectId: author.idNatPs, effect: 'permit' });
    const doc = bare((await services().submissions.submit(as(author), submission(minor.ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]))).assignedIds.Document1!);
    const end = () => db().query('UPDATE legal_representative SET ended_at = now() WHERE patient_key = $1 AND representative_id = $2', [minor.patientKey, first!.representativeId]);
    expect(await attack('ITI-67', first!, r, end)).toEqual({ before: [doc], after: 'refused' });
    const withDoctor = () => db().query('UPDATE legal_representative SET doctor_presence_required = true WHERE patient_key = $1 AND representative_id = $2', [minor.patientKey, second!.representativeId]);
    expect(await attack('ITI-67', second!, r, withDoctor)).toEqual({ before: [doc], after: [] });
  });

  it('ACC-01, TRACE-01: a professional authorised after a lane\'s load was remembered reads at once, and on a load of their own from the next read (a refusal forgets the load)', async () => {
    for (const door of DOORS) {
      const r = await record([reader]);
      expect(await find(door, reader, r)).toEqual(r.docs);
      expect(await find(door, reader, r)).toEqual(r.docs);
      await db().query(
        "INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by) VALUES ($1, gen_random_uuid(), 'professional', $2, 'permit', now(), 'another server')",
        [r.patientKey, stranger.idNatPs],
      );
      // decided on the remembered load, which predates the authorisation: refused there, read by guarded()
      expect({ door, first: await find(door, stranger, r) }).toEqual({ door, first: r.docs });
      // the refusal forgot the stale load: this read loads afresh, and its load is remembered
      expect({ door, second: await find(door, stranger, r) }).toEqual({ door, second: r.docs });
      const next = await sentDuring(() => find(door, stranger, r));
      expect({ door, value: next.value, statements: next.sql.length, remembered: next.sql.filter((s) => /record_state_now/.test(s)).length }).toEqual({
        door,
        value: r.docs,
        statements: 1,
        remembered: 1,
      });
    }
  });
});

describeEachStore('a read decided on a remembered load is decided at the time of the read', (_db, kind) => {
  let lock: LockServer;
  let at = Date.now();
  const clock: Clock = { now: () => new Date(at) };

  beforeAll(async () => {
    lock = await startLockServer(kind, {}, clock);
  }, 60_000);
  afterAll(async () => {
    await lock?.close();
  });

  it('MIN-03: a representative whose planned end of access passes between two reads (the record unchanged) is refused the second', async () => {
    const services = lock.server.app.services;
    const author = proActor('doctor');
    const minor = await minorRecord(services, [{ given: 'Anne', family: 'Durand' }]);
    const representative = { kind: 'legal_representative' as const, patientKey: minor.patientKey, representativeId: minor.representativeIds[0]! };
    await services.consent.addGrant(as(representative), minor.patientKey, { subjectKind: 'professional', subjectId: author.idNatPs, effect: 'permit' });
    const doc = bare((await services.submissions.submit(as(author), submission(minor.ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]))).assignedIds.Document1!);
    await lock.db.query('UPDATE legal_representative SET access_ends_at = $3 WHERE patient_key = $1 AND representative_id = $2', [
      minor.patientKey,
      representative.representativeId,
      new Date(at + 5 * 60_000),
    ]);
    const read = async () => {
      const a = await lock.c.fhir(representative, `DocumentReference?patient=Patient/${minor.patientKey}&_count=50`);
      return { status: a.status, ids: a.status === 200 ? ((a.json as { entry?: Array<{ resource?: { id?: string } }> }).entry ?? []).map((e) => e.resource?.id) : [] };
    };
    expect(await read()).toEqual({ status: 200, ids: [doc] });
    expect(await read()).toEqual({ status: 200, ids: [doc] });
    at += 10 * 60_000;
    expect((await read()).status).toBe(403);
  });

});
