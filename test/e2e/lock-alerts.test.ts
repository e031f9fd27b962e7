// The lock from outside, through the mail: the new-document alert (PAT-03) goes to the record's
// alert address, which a legal representative chooses for a minor (MIN-01). A deposit the
// representatives may not see (MASK-03, MASK-04) must not be announced there: one e-mail too many
// tells them that a document they cannot find exists. A real port, real SMTP, each store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { activeSession, call, provide, startPortal, type Portal } from '../support/patient-portal.js';
import { minorRecord } from '../support/lock-records.js';
import { storeKinds } from '../support/stores.js';
import { as, newIns, proActor } from '../support/world.js';

for (const kind of storeKinds()) {
  describe(`PAT-03 with MASK-03 / MASK-04: the alert tells of nothing a holder may not see [${kind}]`, () => {
    let portal: Portal;
    const doctor = proActor('doctor');
    const tag = `${process.pid}.${kind}`;
    const parentMail = `alerte-parent.${tag}@example.org`;
    const alerts = `alerte-dossier.${tag}@example.org`;
    let patientKey: string;
    let reps: string[];

    /** The alerts written for the record's address (each written in its deposit's transaction). */
    const alertRows = async () => (await portal.server.app.services.outbox.list({ recipient: alerts, kind: 'document_alert' })).map((r) => r.body);

    beforeAll(async () => {
      portal = await startPortal({}, kind);
      const created = await minorRecord(portal.server.app.services, [
        { given: 'Jeanne', family: 'Durand', email: parentMail },
        { given: 'Marc', family: 'Durand' },
      ]);
      patientKey = created.patientKey;
      reps = created.representativeIds;
      // a deposit needs an open record, not an authorisation (DOC-02)
      // the first parent's own session chooses the record's alert address (PAT-03, MIN-01)
      const { token } = await activeSession(portal, patientKey, parentMail, { role: 'legal_representative', representativeId: reps[0] });
      expect((await call(portal, 'PUT', '/auth/contact', { token, body: { alertEmail: alerts } })).status).toBe(200);
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('PAT-03 / MASK-03: a document deposited hidden from the legal representatives is not announced; one they see is', async () => {
      await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'], content: 'secret du mineur' }]);
      expect(await alertRows()).toEqual([]);
      await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'compte rendu ordinaire' }]);
      expect(await alertRows()).toHaveLength(1);
      // the mail that left says one document, the one they see
      const [mail] = await portal.sink.waitFor(alerts, 1);
      expect(mail.text).toContain('Un nouveau document');
    });

    it('PAT-03 / MASK-03: a deposit of several documents counts only those every holder sees', async () => {
      const before = (await alertRows()).length;
      await provide(portal, doctor, patientKey, [
        { typeCode: '11488-4', classCode: '10', content: 'visible un' },
        { typeCode: '11488-4', classCode: '10', confidentiality: ['N', 'INVISIBLE_REP_LEGAUX'], content: 'secret deux' },
      ]);
      const rows = await alertRows();
      expect(rows).toHaveLength(before + 1);
      expect(rows.filter((b) => b.includes('2 nouveaux documents'))).toEqual([]);
    });

    it('PAT-03 / MASK-04: once a representative sees medical documents only with a doctor, a professional deposit is not announced to the record’s address', async () => {
      // the minor's decision, through the services as the product takes it
      await portal.server.app.services.representatives.setDoctorPresenceRequired(as({ kind: 'patient', patientKey }), patientKey, reps[1], true);
      const before = (await alertRows()).length;
      await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'après MASK-04' }]);
      expect(await alertRows()).toHaveLength(before);
    });
  });
}

for (const kind of storeKinds()) {
  describe(`PAT-03 with MIN-01 / MIN-03: an address a representative chose is told nothing once their access has ended [${kind}]`, () => {
    let portal: Portal;
    const doctor = proActor('doctor');
    const tag = `${process.pid}.${kind}.end`;

    /** A minor's record whose first parent set the alert address; the minor comes of age on 2026-03-10. */
    async function representedRecord(name: string): Promise<{ patientKey: string; reps: string[]; alerts: string; parentMail: string }> {
      const parentMail = `parent-${name}.${tag}@example.org`;
      const alerts = `adresse-${name}.${tag}@example.org`;
      const created = await minorRecord(
        portal.server.app.services,
        [
          { given: 'Anne', family: 'Roux', email: parentMail },
          { given: 'Paul', family: 'Roux' },
        ],
        '2008-03-10',
      );
      const { token } = await activeSession(portal, created.patientKey, parentMail, { role: 'legal_representative', representativeId: created.representativeIds[0] });
      expect((await call(portal, 'PUT', '/auth/contact', { token, body: { alertEmail: alerts } })).status).toBe(200);
      return { patientKey: created.patientKey, reps: created.representativeIds, alerts, parentMail };
    }
    const alertCount = async (to: string) => (await portal.server.app.services.outbox.list({ recipient: to, kind: 'document_alert' })).length;
    const deposit = (patientKey: string, content: string) => provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content }]);

    beforeAll(async () => {
      portal = await startPortal({}, kind);
      portal.clock.set('2026-03-01T09:00:00Z');
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('PAT-03 / MIN-03: at the majority the representative’s address is no longer told of deposits; the adult’s own address is', async () => {
      portal.clock.set('2026-03-01T09:00:00Z');
      const r = await representedRecord('majorite');
      await deposit(r.patientKey, 'avant la majorité');
      expect(await alertCount(r.alerts)).toBe(1);
      // MIN-03: at majority the parent's access ends (by age, whether or not the job has run yet)
      portal.clock.set('2026-03-11T09:00:00Z');
      await deposit(r.patientKey, 'après la majorité');
      expect(await alertCount(r.alerts)).toBe(1);
      // the adult chooses an address of their own: deposits are announced there again
      const own = `adulte.${tag}@example.org`;
      const { token } = await activeSession(portal, r.patientKey, `lina.${tag}@example.org`);
      // the settings tell the adult that the address they are shown is told nothing any more
      const shown = await call(portal, 'GET', '/auth/contact', { token });
      expect({ alertEmail: shown.json.alertEmail, alertSilent: shown.json.alertSilent }).toEqual({ alertEmail: r.alerts, alertSilent: true });
      expect((await call(portal, 'PUT', '/auth/contact', { token, body: { alertEmail: own } })).status).toBe(200);
      expect((await call(portal, 'GET', '/auth/contact', { token })).json.alertSilent).toBe(false);
      await deposit(r.patientKey, 'chez l’adulte');
      expect(await alertCount(own)).toBe(1);
      expect(await alertCount(r.alerts)).toBe(1);
    });

    it('PAT-03 / MIN-01: the address of a representative whose access was ended is no longer told of deposits', async () => {
      portal.clock.set('2026-03-01T09:00:00Z');
      const r = await representedRecord('fin');
      await portal.server.app.services.representatives.end(as({ kind: 'legal_representative', patientKey: r.patientKey, representativeId: r.reps[1] }), r.patientKey, r.reps[0]);
      await deposit(r.patientKey, 'après la fin');
      expect(await alertCount(r.alerts)).toBe(0);
    });
  });
}

for (const kind of storeKinds()) {
  describe(`PAT-03 with MIN-04 / an emancipated minor: the alert's holders are those who hold the record [${kind}]`, () => {
    let portal: Portal;
    const doctor = proActor('doctor');
    const tag = `${process.pid}.${kind}.holders`;
    const SUPPORT = as({ kind: 'support', agentId: 'agent-1' });
    const alertCount = async (to: string) => (await portal.server.app.services.outbox.list({ recipient: to, kind: 'document_alert' })).length;
    const deposit = (patientKey: string, confidentiality?: string[]) =>
      provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'compte rendu', ...(confidentiality ? { confidentiality } : {}) }]);

    beforeAll(async () => {
      portal = await startPortal({}, kind);
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('PAT-03 / MIN-04 / MASK-03: a protected adult’s guardian’s address is not told of a document hidden from the representatives; it is of one they read', async () => {
      const guardianMail = `tuteur.${tag}@example.org`;
      const alerts = `alertes-tutelle.${tag}@example.org`;
      const created = await portal.server.app.services.records.create(SUPPORT, {
        identifiers: [newIns()],
        given: 'Paul',
        family: 'Morel',
        birthDate: '1950-02-03',
        protectedAdult: true,
        representatives: [{ relationship: 'tutor', given: 'Anne', family: 'Morel', email: guardianMail }],
        consent: { givenBy: 'legal_representative', representativeIndex: 0 },
      });
      const { token } = await activeSession(portal, created.patientKey, guardianMail, { role: 'legal_representative', representativeId: created.representativeIds[0] });
      expect((await call(portal, 'PUT', '/auth/contact', { token, body: { alertEmail: alerts } })).status).toBe(200);
      await deposit(created.patientKey, ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX']);
      expect(await alertCount(alerts)).toBe(0);
      await deposit(created.patientKey);
      expect(await alertCount(alerts)).toBe(1);
    });

    it('PAT-03 / MIN-01: an emancipated minor holds the record alone: the address they set is told of every document they read, one hidden from the (former) representatives included', async () => {
      const own = `emancipe.${tag}@example.org`;
      // a minor the support service recorded as emancipated, a parent still listed from before
      const created = await portal.server.app.services.records.create(SUPPORT, {
        identifiers: [newIns()],
        given: 'Lou',
        family: 'Petit',
        birthDate: '2010-06-07',
        emancipated: true,
        representatives: [{ relationship: 'parent', given: 'Marc', family: 'Petit', email: `parent.${tag}@example.org` }],
        consent: { givenBy: 'patient' },
      });
      const { token } = await activeSession(portal, created.patientKey, `mineur.${tag}@example.org`);
      expect((await call(portal, 'PUT', '/auth/contact', { token, body: { alertEmail: own } })).status).toBe(200);
      await deposit(created.patientKey, ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX']);
      expect(await alertCount(own)).toBe(1);
    });
  });
}
