// PAT-03 on a real port with a real SMTP sink: the new-document alert leaves right after the
// deposit commits, without waiting for a jobs round (the server's loop is off here and runJobs
// is never called); the outbox row records the delivery.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { creationPatient } from '../support/fhir-record.js';
import type { Patient } from '@medplum/fhirtypes';
import { activeSession, call, provide, startPortal, type Portal } from '../support/patient-portal.js';
import { proActor } from '../support/world.js';

describe('PAT-03 alert sent promptly after the submission', () => {
  let portal: Portal;
  const doctor = proActor('doctor');
  const email = `prompt.${process.pid}@example.org`;
  const alerts = `prompt-alertes.${process.pid}@example.org`;
  let patientKey: string;

  beforeAll(async () => {
    portal = await startPortal();
    const created = await call<Patient>(portal, 'POST', '/fhir/Patient', {
      actor: { kind: 'support', agentId: 'agent-1' },
      body: creationPatient({ family: 'Petit', given: 'Louise', birthDate: '1975-02-03' }),
    });
    expect(created.status).toBe(201);
    patientKey = created.json.id!;
    const { token } = await activeSession(portal, patientKey, email);
    expect((await call(portal, 'PUT', '/auth/contact', { token, body: { alertEmail: alerts } })).status).toBe(200);
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('PAT-03: the alert e-mail arrives after an ITI-65 deposit without any jobs round', async () => {
    await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'Compte rendu', creation: '2026-02-01T09:00:00Z' }]);
    const mails = await portal.sink.waitFor(alerts, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Nouveau document dans votre DMP');
    expect(mails[0].text).not.toContain('Compte rendu');
    // the row written in the deposit's transaction is the record of the delivery
    // (marked sent just after the SMTP answer, so it may take a moment)
    let rows = await portal.server.app.services.outbox.list({ recipient: alerts });
    while (!rows[0]?.sent_at) {
      await new Promise((r) => setTimeout(r, 20));
      rows = await portal.server.app.services.outbox.list({ recipient: alerts });
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'document_alert' });
    expect(rows[0].sent_at).toBeTruthy();
  });
});
