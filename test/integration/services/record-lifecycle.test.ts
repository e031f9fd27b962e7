// DMP, MIN and TRACE rules at service level.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Caller } from '../../../src/services/deps.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, newIns, patientCaller, proActor, submission, SYSTEM, type World } from '../../support/world.js';

const SUPPORT: Caller = { actor: { kind: 'support', agentId: 'agent-7' }, channel: 'test' };

describeEachStore('the record: creation, closure, minors, trace (DMP, MIN, TRACE)', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  describe('creation', () => {
    it('DMP-01: a record is created only with consent, and the consent, creator and channel are recorded', async () => {
      const ins = newIns();
      await expect(w.services.records.create(SUPPORT, { identifiers: [ins], birthDate: '1970-01-01', consent: null })).rejects.toMatchObject({ code: 'forbidden' });
      const { patientKey } = await w.services.records.create(as(proActor('doctor')), { identifiers: [ins], birthDate: '1970-01-01', consent: { givenBy: 'patient' } });
      const row = await w.services.records.get(patientCaller(patientKey), patientKey);
      expect(row).toMatchObject({ creation_channel: 'professional', consent_by: 'patient', created_by: `professional:${proActor('doctor').idNatPs}` });
    });

    it('DMP-01: a minor\'s record needs a legal representative\'s consent (MIN-01)', async () => {
      const ins = newIns();
      const input = { identifiers: [ins], birthDate: '2016-04-04', representatives: [{ relationship: 'parent' as const, family: 'Durand' }] };
      await expect(w.services.records.create(SUPPORT, { ...input, consent: { givenBy: 'patient' } })).rejects.toMatchObject({ code: 'forbidden' });
      const { patientKey, representativeIds } = await w.services.records.create(SUPPORT, { ...input, consent: { givenBy: 'legal_representative', representativeIndex: 0 } });
      expect(representativeIds).toHaveLength(1);
      const row = await w.services.records.get(patientCaller(patientKey), patientKey);
      expect(row.consent_by).toBe(`legal_representative:${representativeIds[0]}`);
    });

    it('DMP-02: online self-creation is for adults; an emancipated minor acts as an adult', async () => {
      const selfCaller = (): Caller => ({ actor: { kind: 'patient', patientKey: randomUUID() }, channel: 'test' });
      await expect(w.services.records.create(selfCaller(), { identifiers: [newIns()], birthDate: '2012-01-01', consent: { givenBy: 'patient' } })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(w.services.records.create(selfCaller(), { identifiers: [newIns()], birthDate: '1990-01-01', consent: { givenBy: 'patient' } })).resolves.toHaveProperty('patientKey');
      await expect(
        w.services.records.create(selfCaller(), { identifiers: [newIns()], birthDate: '2009-01-01', emancipated: true, consent: { givenBy: 'patient' } }),
      ).resolves.toHaveProperty('patientKey');
    });

    it('DMP-03: a record exists without any internet account', async () => {
      const { patientKey } = await adultRecord(w);
      const accounts = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM account WHERE patient_key = $1', [patientKey]);
      expect(accounts.rows[0].n).toBe(0);
      const status = await w.services.records.get(patientCaller(patientKey), patientKey);
      expect(status.status).toBe('open');
    });

    it('DMP-04: nothing requires a DMP: asking about a patient without one is an answer, not an error', async () => {
      const status = await w.services.records.status(as(proActor('nurse')), newIns());
      expect(status).toEqual({ exists: false });
      const page = await w.services.documents.find(as(proActor('nurse')), newIns());
      expect(page.entries).toEqual([]);
    });
  });

  describe('closure', () => {
    it('DMP-05: a closed record accepts no deposit and no professional access; reactivation restores it as it was', async () => {
      const { patientKey, ins } = await adultRecord(w);
      const doctor = proActor('doctor');
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      await w.services.submissions.submit(as(doctor), submission(ins, [{}]));
      await w.services.records.close(patientCaller(patientKey), patientKey, 'patient-demande');
      await expect(w.services.submissions.submit(as(doctor), submission(ins, [{}]))).rejects.toMatchObject({ code: 'record_closed' });
      await expect(w.services.documents.find(as(doctor), { patientKey })).rejects.toMatchObject({ code: 'record_closed' });
      await w.services.records.reactivate(patientCaller(patientKey), patientKey);
      const page = await w.services.documents.find(as(doctor), { patientKey }, { countTotal: true });
      expect(page.total).toBe(1);
    });

    it('DMP-05: data are kept 10 years after closure, then purged with their trace; reactivation is refused after', async () => {
      const { patientKey, ins } = await adultRecord(w);
      await w.services.submissions.submit(as(proActor('doctor')), submission(ins, [{}]));
      await w.services.records.close(patientCaller(patientKey), patientKey);
      w.clock.advance(9 * 365 * 24 * 3600 * 1000);
      expect((await w.services.records.purgeExpired(SYSTEM)).purged).toBe(0);
      w.clock.advance(2 * 365 * 24 * 3600 * 1000);
      await expect(w.services.records.reactivate(patientCaller(patientKey), patientKey)).rejects.toMatchObject({ reason: 'retention_expired' });
      const { purged } = await w.services.records.purgeExpired(SYSTEM);
      expect(purged).toBeGreaterThanOrEqual(1);
      const left = await db().query<{ n: number }>('SELECT (SELECT count(*) FROM document_entry WHERE patient_key = $1) + (SELECT count(*) FROM access_trace WHERE chain_key = $1) AS n', [patientKey]);
      expect(Number(left.rows[0].n)).toBe(0);
      expect((await w.services.history.verify()).broken).toEqual([]);
      w.clock.set('2026-03-01T09:00:00Z');
    });

    it('DMP-06: a maintenance window suspends one function while the others go on, and is readable', async () => {
      const { patientKey } = await adultRecord(w);
      // A window far from the other tests' time, so that it suspends nothing else.
      w.clock.set('2031-01-01T09:00:00Z');
      const now = w.clock.now();
      await w.services.maintenance.announce(SUPPORT, { function: 'record.create', startsAt: new Date(now.getTime() - 1000), endsAt: new Date(now.getTime() + 3_600_000), message: 'migration' });
      await expect(w.services.records.create(SUPPORT, { identifiers: [newIns()], birthDate: '1970-01-01', consent: { givenBy: 'patient' } })).rejects.toMatchObject({ code: 'unavailable' });
      await expect(w.services.documents.find(patientCaller(patientKey), { patientKey })).resolves.toBeDefined();
      expect((await w.services.maintenance.announced()).map((m) => m.function)).toContain('record.create');
      w.clock.advance(2 * 3_600_000);
      await expect(w.services.records.create(SUPPORT, { identifiers: [newIns()], birthDate: '1970-01-01', consent: { givenBy: 'patient' } })).resolves.toBeDefined();
      w.clock.set('2026-03-01T09:00:00Z');
    });
  });

  describe('minors and legal representatives', () => {
    async function minor(birthDate = '2015-06-10') {
      const ins = newIns();
      const r = await w.services.records.create(SUPPORT, {
        identifiers: [ins],
        birthDate,
        representatives: [{ relationship: 'parent', family: 'Durand', email: 'parent@example.org' }],
        consent: { givenBy: 'legal_representative', representativeIndex: 0 },
      });
      const rep: Caller = { actor: { kind: 'legal_representative', patientKey: r.patientKey, representativeId: r.representativeIds[0] }, channel: 'test' };
      return { ...r, ins, rep };
    }

    it('MIN-01: the legal representative authorises professionals and decides masking for the minor', async () => {
      const m = await minor();
      const doctor = proActor('doctor');
      await w.services.consent.addGrant(m.rep, m.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      const sub = submission(m.ins, [{}]);
      await w.services.submissions.submit(as(doctor), sub);
      await w.services.metadata.setVisibility(m.rep, { uniqueId: sub.documents[0].metadata.uniqueId }, 'MASQUE_PS', true);
      expect((await w.services.documents.find(as(proActor('nurse', { mode: 'bris_de_glace' })), { patientKey: m.patientKey }, { countTotal: true })).total).toBe(0);
    });

    it('MIN-02: a record holds up to two legal representatives, never three', async () => {
      const m = await minor();
      await w.services.representatives.add(m.rep, m.patientKey, { relationship: 'parent', family: 'Martin' });
      await expect(w.services.representatives.add(m.rep, m.patientKey, { relationship: 'parent', family: 'Other' })).rejects.toMatchObject({ code: 'business_rule' });
      expect(await w.services.representatives.list(m.rep, m.patientKey)).toHaveLength(2);
    });

    it('MASK-03: a document hidden from the legal representatives is still seen by professionals', async () => {
      const m = await minor();
      const doctor = proActor('doctor');
      await w.services.consent.addGrant(m.rep, m.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      const sub = submission(m.ins, [{ confidentiality: ['N', 'INVISIBLE_REP_LEGAUX'] }, {}]);
      await w.services.submissions.submit(as(doctor), sub);
      const byRep = await w.services.documents.find(m.rep, { patientKey: m.patientKey }, { countTotal: true });
      expect(byRep.total).toBe(1);
      const byDoctor = await w.services.documents.find(as(doctor), { patientKey: m.patientKey }, { countTotal: true });
      expect(byDoctor.total).toBe(2);
      expect(byDoctor.entries.some((e) => e.confidentialityCodes.some((c) => c.code === 'INVISIBLE_REPRESENTANTS_LEGAUX'))).toBe(true);
    });

    it('MASK-04: a representative bound to a doctor\'s presence sees no medical document online', async () => {
      const m = await minor();
      await w.services.submissions.submit(as(proActor('doctor')), submission(m.ins, [{}]));
      expect((await w.services.documents.find(m.rep, { patientKey: m.patientKey }, { countTotal: true })).total).toBe(1);
      await w.services.representatives.setDoctorPresenceRequired(SUPPORT, m.patientKey, m.rep.actor.kind === 'legal_representative' ? m.rep.actor.representativeId : '', true);
      expect((await w.services.documents.find(m.rep, { patientKey: m.patientKey }, { countTotal: true })).total).toBe(0);
    });

    it('MIN-03: one month before majority the representatives are notified once; at majority their access ends', async () => {
      const notices: string[] = [];
      const local = await makeWorld(db(), w.clock);
      const svc = (await import('../../../src/services/representatives.js')).representativeService(local.services.deps, async (_tx, msg) => {
        notices.push(`${msg.kind}:${msg.to.email}`);
      });
      const m = await minor('2008-04-15');
      w.clock.set('2026-03-10T10:00:00Z');
      expect((await svc.runMajorityTransition(SYSTEM)).noticed).toBe(0);
      w.clock.set('2026-03-16T10:00:00Z');
      // Two job runners at once (a server's loop and `carnet jobs run`): one notice only.
      await Promise.all([svc.runMajorityTransition(SYSTEM), svc.runMajorityTransition(SYSTEM)]);
      await svc.runMajorityTransition(SYSTEM);
      expect(notices.filter((n) => n === 'majority_notice:parent@example.org')).toHaveLength(1);
      await expect(w.services.documents.find(m.rep, { patientKey: m.patientKey })).resolves.toBeDefined();
      w.clock.set('2026-04-15T10:00:00Z');
      expect((await svc.runMajorityTransition(SYSTEM)).ended).toBeGreaterThanOrEqual(1);
      await expect(w.services.documents.find(m.rep, { patientKey: m.patientKey })).rejects.toMatchObject({ code: 'forbidden' });
      w.clock.set('2026-03-01T09:00:00Z');
    });

    it('MIN-04: a tutor of a protected adult has the legal representative\'s prerogatives', async () => {
      const ins = newIns();
      const r = await w.services.records.create(SUPPORT, {
        identifiers: [ins],
        birthDate: '1960-01-01',
        protectedAdult: true,
        representatives: [{ relationship: 'tutor', family: 'Tuteur' }],
        consent: { givenBy: 'legal_representative', representativeIndex: 0 },
      });
      const tutor: Caller = { actor: { kind: 'legal_representative', patientKey: r.patientKey, representativeId: r.representativeIds[0] }, channel: 'test' };
      await w.services.consent.addGrant(tutor, r.patientKey, { subjectKind: 'professional', subjectId: proActor('doctor').idNatPs, effect: 'permit' });
      await w.services.records.close(tutor, r.patientKey);
      await w.services.records.reactivate(tutor, r.patientKey);
    });
  });

  describe('trace', () => {
    it('TRACE-01: reads, searches, deposits, refusals and emergency accesses are traced with who, what, when and how', async () => {
      const { patientKey, ins } = await adultRecord(w);
      const doctor = proActor('doctor');
      const sub = submission(ins, [{}]);
      await w.services.submissions.submit(as(doctor), sub);
      await w.services.documents.find(as(proActor('nurse')), { patientKey }).catch(() => undefined);
      await w.services.documents.retrieve(as(proActor('regulator', { mode: 'centre_15', regulationCentre: true })), { uniqueId: sub.documents[0].metadata.uniqueId });
      const rows = (await w.services.history.read(patientCaller(patientKey), patientKey, { limit: 100, offset: 0 })).rows;
      const deposit = rows.find((r) => r.action === 'document.submit');
      expect(deposit).toMatchObject({ actor_id: doctor.idNatPs, actor_profession: '10', outcome: 'success', document_unique_id: sub.documents[0].metadata.uniqueId, access_mode: 'normal' });
      expect(rows.find((r) => r.actor_id === proActor('nurse').idNatPs)).toMatchObject({ outcome: 'denied', reason: 'not_authorised' });
      expect(rows.find((r) => r.action === 'document.retrieve')).toMatchObject({ access_mode: 'centre_15', outcome: 'success' });
    });

    it('TRACE-02: a long chain verifies intact, read in batches across row 10 and beyond', async () => {
      const { patientKey } = await adultRecord(w);
      for (let i = 0; i < 25; i++) await w.services.documents.find(patientCaller(patientKey), { patientKey });
      const { verifyTrace } = await import('../../../src/store/trace-verify.js');
      for (const batch of [4, 10, 2000]) {
        const result = await verifyTrace(db(), batch);
        expect({ batch, broken: result.broken }).toEqual({ batch, broken: [] });
      }
    });

    it('TRACE-02: the database refuses to alter or delete trace rows', async () => {
      await expect(db().query("UPDATE access_trace SET action = 'nothing' WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(db().query('DELETE FROM access_trace')).rejects.toThrow(/append-only/);
      await expect(db().query('TRUNCATE access_trace')).rejects.toThrow(/append-only/);
    });

    it('TRACE-02: an alteration made behind the server\'s back is caught and the first broken row named', async () => {
      const { patientKey } = await adultRecord(w);
      await w.services.documents.find(patientCaller(patientKey), { patientKey });
      await w.services.documents.find(patientCaller(patientKey), { patientKey });
      expect((await w.services.history.verify()).broken).toEqual([]);
      await db().transaction(async (tx) => {
        await tx.query('ALTER TABLE access_trace DISABLE TRIGGER access_trace_no_update');
        await tx.query("UPDATE access_trace SET actor_id = 'someone-else' WHERE chain_key = $1 AND seq = 2", [patientKey]);
        await tx.query('ALTER TABLE access_trace ENABLE TRIGGER access_trace_no_update');
      });
      const result = await w.services.history.verify();
      expect(result.broken).toEqual([expect.objectContaining({ chainKey: patientKey, seq: 2, problem: expect.stringMatching(/altered/) })]);
      // restore so that later verifications of this shared database start clean
      await db().transaction(async (tx) => {
        await tx.query('ALTER TABLE access_trace DISABLE TRIGGER access_trace_no_update');
        const row = await tx.query<{ actor_kind: string; actor_id: string }>("SELECT actor_kind, actor_id FROM access_trace WHERE chain_key = $1 AND seq = 1", [patientKey]);
        await tx.query('UPDATE access_trace SET actor_id = $2 WHERE chain_key = $1 AND seq = 2', [patientKey, row.rows[0].actor_id]);
        await tx.query('ALTER TABLE access_trace ENABLE TRIGGER access_trace_no_update');
      });
    });

    it('TRACE-03: the patient reads the whole history, professionals\' actions apart from their own', async () => {
      const { patientKey, ins } = await adultRecord(w);
      await w.services.submissions.submit(as(proActor('doctor')), submission(ins, [{}]));
      const me = patientCaller(patientKey);
      await w.services.documents.find(me, { patientKey });
      const pros = await w.services.history.read(me, patientKey, { actorKinds: ['professional'], limit: 50, offset: 0 });
      const own = await w.services.history.read(me, patientKey, { actorKinds: ['patient'], limit: 50, offset: 0 });
      expect(pros.rows.every((r) => r.actor_kind === 'professional')).toBe(true);
      expect(pros.total).toBeGreaterThan(0);
      expect(own.total).toBeGreaterThan(0);
    });

    it('TRACE-04: professionals read the history only as médecin traitant', async () => {
      const { patientKey } = await adultRecord(w);
      const doctor = proActor('doctor');
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      await expect(w.services.history.read(as(doctor), patientKey, { limit: 5, offset: 0 })).rejects.toMatchObject({ reason: 'not_medecin_traitant' });
      await w.services.consent.designateMedecinTraitant(patientCaller(patientKey), patientKey, doctor.idNatPs);
      await expect(w.services.history.read(as(doctor), patientKey, { limit: 5, offset: 0 })).resolves.toHaveProperty('total');
    });
  });
});

describeEachStore('existence of another person\'s record', (db) => {
  it('ACC-08: a patient asking about another person\'s INS gets the same answer as for no DMP', async () => {
    const w = await makeWorld(db());
    const mine = await adultRecord(w);
    const theirs = await adultRecord(w);
    const answer = await w.services.records.status(patientCaller(mine.patientKey), theirs.ins);
    expect(answer).toEqual(await w.services.records.status(patientCaller(mine.patientKey), newIns()));
    const history = await w.services.history.read(patientCaller(theirs.patientKey), theirs.patientKey, { actions: ['record.exists'], limit: 5, offset: 0 });
    expect(history.rows[0]).toMatchObject({ outcome: 'denied', reason: 'wrong_record' });
  });
});
