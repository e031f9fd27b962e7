// A database error never writes the record's values to the server's log. PostgreSQL's errors hold
// the key or the row they refused (`detail`: "Key (value)=(<INS>) already exists", "Failing row
// contains (<the row>)"), and the embedded store's held the statement's parameters: the log's
// `err` wrote them all. Real errors of the real store, on both stores: a constraint the test adds
// (an index, a check) refuses a real statement of a real request, or of the outbox's background
// round, with the values the request or the message carries; FHIR, XDS and the auth door. The
// log keeps what an operator needs: the SQLSTATE, the constraint, PostgreSQL's message, the
// request id.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { runJobs } from '../../src/services/jobs.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, newIns, patientCaller, proActor, submission, type World } from '../support/world.js';
import { postSoap, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { capturedLog } from '../support/captured-log.js';

const doctor = proActor('doctor');
const INS_OID = 'urn:oid:1.2.250.1.213.1.4.8';

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  status?: number;
  error?: string;
  err?: { type?: string; sqlState?: string; constraint?: string; table?: string; message?: string; stack?: string };
}

/** A local port nobody listens on: the mail transport's connection is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

describeEachStore('a database error in the server\'s log', (db) => {
  let server: RunningApp;
  let w: World;
  const captured = capturedLog<LogLine>();
  const { written, lines } = captured;
  const until = async (found: () => LogLine | undefined): Promise<LogLine> => {
    for (;;) {
      const line = found();
      if (line) return line;
      await new Promise((r) => setImmediate(r));
    }
  };
  const linesFor = captured.linesFor;
  /** None of the values anywhere in the log, whatever the line, the field or the escaping. */
  const expectNowhere = (values: string[]) => {
    const log = written.join('\n');
    const decoded = lines().map((l) => JSON.stringify(l)).join('\n');
    for (const v of values) {
      expect(log).not.toContain(v);
      expect(decoded).not.toContain(v);
    }
  };

  beforeAll(async () => {
    w = await makeWorld(db());
    server = await startTestApp(
      db(),
      { CARNET_SMTP_HOST: '127.0.0.1', CARNET_SMTP_PORT: String(await closedPort()), CARNET_SMTP_FROM: 'no-reply@carnet.test', CARNET_JOBS_INTERVAL_SECONDS: '0' },
      { logger: captured.logger },
    );
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('FHIR: a unique violation on a patient identifier answers 500 with the request id; the log has the SQLSTATE and the constraint, never the identifier, the name or the birth date', async () => {
    const taken = await adultRecord(w);
    const value = newIns().value;
    // The identifier's value is already another record's, under another assigning authority.
    await db().query('CREATE UNIQUE INDEX log_probe_identifier_value ON patient_identifier (value)');
    await db().query('INSERT INTO patient_identifier (system, value, patient_key) VALUES ($1, $2, $3)', ['1.2.250.1.999.77', value, taken.patientKey]);
    const patient: Patient = {
      resourceType: 'Patient',
      contained: [
        {
          resourceType: 'Consent',
          id: 'creation',
          status: 'active',
          scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
          category: [{ coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-consent-category', code: 'dmp-creation' }] }],
          patient: { reference: '#' },
          performer: [{ reference: '#' }],
          policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
          provision: { type: 'permit' },
        },
      ],
      identifier: [{ system: INS_OID, value }],
      name: [{ family: 'Sondelogfamille', given: ['Sondelogprenom'] }],
      gender: 'female',
      birthDate: '1971-08-19',
    };
    const res = await fetch(`${server.baseUrl}/fhir/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.tokenFor(doctor)}`, 'content-type': 'application/fhir+json', 'x-request-id': 'log-unique-fhir' },
      body: JSON.stringify(patient),
    });
    const answer = await res.text();
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('log-unique-fhir');
    const mine = await linesFor('log-unique-fhir');
    const logged = mine.find((l) => l.err);
    expect(logged).toMatchObject({ level: 50, err: { type: 'DatabaseError', sqlState: '23505', constraint: 'log_probe_identifier_value', table: 'patient_identifier', message: 'duplicate key value violates unique constraint "log_probe_identifier_value"' } });
    expect(logged!.err!.stack).toMatch(/^DatabaseError: duplicate key value violates unique constraint "log_probe_identifier_value"\n\s+at /);
    expect(mine.find((l) => l.msg === 'request')).toMatchObject({ status: 500, error: 'internal' });
    expectNowhere([value, 'Sondelogfamille', 'Sondelogprenom', '1971-08-19']);
    expect(answer).not.toContain(value);
    await db().query('DROP INDEX log_probe_identifier_value');
  });

  it('XDS (ITI-41): a check violation on a document\'s row answers an internal error; the log has the SQLSTATE and the constraint, never the title, the uniqueId or the patient\'s identifier', async () => {
    const { patientKey, ins } = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const title = 'Bilan Sondelogtitre';
    await db().query(`ALTER TABLE document_entry ADD CONSTRAINT log_probe_title CHECK (metadata->>'title' IS DISTINCT FROM '${title}') NOT VALID`);
    const sub = submission(ins, [{ authorId: doctor.idNatPs, authorStructure: doctor.structureId, content: 'compte rendu' }]);
    sub.documents[0]!.metadata.title = title;
    const cid = `${randomUUID()}@test`;
    const doc = sub.documents[0]!;
    const res = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], writeProvideAndRegisterRequest(sub, new Map([[doc.id, cid]])), {
      assertion: vihfFor(doctor),
      attachments: [{ contentId: cid, contentType: doc.metadata.mimeType, body: doc.content! }],
      requestId: 'log-check-xds',
    });
    // A RegistryResponse Failure with a bare XDSRegistryError "internal error"
    expect(res.xml).toMatch(/codeContext="internal error"/);
    const mine = await linesFor('log-check-xds');
    const logged = mine.find((l) => l.err);
    expect(logged).toMatchObject({ level: 50, err: { type: 'DatabaseError', sqlState: '23514', constraint: 'log_probe_title', table: 'document_entry', message: 'new row for relation "document_entry" violates check constraint "log_probe_title"' } });
    expectNowhere(['Sondelogtitre', doc.metadata.uniqueId, ins.value]);
    await db().query('ALTER TABLE document_entry DROP CONSTRAINT log_probe_title');
  });

  it('AUTH-06: an outbox round that fails on the database (in the background, and in the scheduled jobs\' report) says the SQLSTATE, never the recipient, the body or its code', async () => {
    const { patientKey } = await adultRecord(w);
    const recipient = 'sondelog.destinataire@example.org';
    const body = (n: number) => `Bonjour Sondelogcorps, votre code : 73190${n}`;
    await db().query('ALTER TABLE outbox ADD CONSTRAINT log_probe_error CHECK (last_error IS NULL) NOT VALID');
    const enqueue = (n: number) =>
      db().transaction((tx) => server.app.services.outbox.enqueue(tx, { patientKey, channel: 'email', recipient, subject: 'Votre code', body: body(n), kind: 'login_code' }));

    // The round a request asks for after its commit: the mail is refused (no server), and the
    // failure is written with the transport's words, which the constraint refuses.
    await enqueue(1);
    server.app.services.outbox.kick();
    const failed = await until(() => lines().find((l) => /outbox round failed/.test(l.msg)));
    expect(failed).toMatchObject({ level: 40, err: { type: 'DatabaseError', sqlState: '23514', constraint: 'log_probe_error', table: 'outbox' } });

    // The scheduled jobs' round: its report, printed by `carnet jobs run` and logged while serving.
    await enqueue(2);
    const report = await runJobs(server.app.services);
    expect(report.errors).toEqual([{ job: 'outbox', message: 'DatabaseError 23514 new row for relation "outbox" violates check constraint "log_probe_error"' }]);

    expectNowhere([recipient, 'Sondelogcorps', '731901', '731902']);
    expect(JSON.stringify(report)).not.toMatch(/sondelog|73190/i);
    await db().query('ALTER TABLE outbox DROP CONSTRAINT log_probe_error');
  });

  it('AUTH-06: the auth door\'s unexpected error (the one-time code\'s mail refused by the database) answers 500; the log has the SQLSTATE, never the address, the code\'s mail or the password', async () => {
    const support = { kind: 'support' as const, agentId: 'agent-log-probe' };
    const { patientKey } = await w.services.records.create(
      { actor: support, channel: 'test' },
      { identifiers: [newIns()], given: 'Sondelogprenom', family: 'Sondelogfamille', birthDate: '1971-08-19', consent: { givenBy: 'patient' } },
    );
    const email = 'sondelog.compte@example.org';
    const opened = await fetch(`${server.baseUrl}/auth/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.tokenFor(support)}` },
      body: JSON.stringify({ patientKey, role: 'patient', email }),
    });
    expect(opened.status).toBe(201);
    const { login, temporaryPassword } = (await opened.json()) as { login: string; temporaryPassword: string };
    await db().query("ALTER TABLE outbox ADD CONSTRAINT log_probe_code CHECK (kind <> 'login_code') NOT VALID");
    const res = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-check-auth' },
      body: JSON.stringify({ login, password: temporaryPassword }),
    });
    expect(res.status).toBe(500);
    const mine = await linesFor('log-check-auth');
    expect(mine.find((l) => l.err)).toMatchObject({ level: 50, err: { type: 'DatabaseError', sqlState: '23514', constraint: 'log_probe_code', table: 'outbox' } });
    expectNowhere([email, temporaryPassword, 'code de connexion', 'Sondelogfamille']);
    await db().query('ALTER TABLE outbox DROP CONSTRAINT log_probe_code');
  });
});
