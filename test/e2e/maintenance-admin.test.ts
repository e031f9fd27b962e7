// DMP-06 while the server runs: an operator plans, lists and cancels maintenance windows at
// /admin/maintenance; a suspended function answers 503 with Retry-After while the others go on;
// clients read the announcement at GET /maintenance and as FHIR Communication, without a token.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle, Communication } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { TestClock } from '../support/clock.js';
import { describeEachStore } from '../support/stores.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { adultRecord, makeWorld, patientCaller, proActor, type World } from '../support/world.js';
import { adhocQuery, cx, errorCodes, postSoap, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const OPERATOR: Actor = { kind: 'support', agentId: 'ops-1' };
const NOW = '2026-06-01T22:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

describeEachStore('DMP-06: maintenance windows planned while the server runs', (db) => {
  let server: RunningApp;
  let w: World;
  let patientKey: string;
  let ins: { system: string; value: string };
  const clock = new TestClock(Date.parse(NOW));
  const doctor = proActor('doctor');

  async function call(actor: Actor | null, path: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(init.headers as Record<string, string>) };
    if (actor) headers.authorization = `Bearer ${await server.tokenFor(actor)}`;
    return fetch(`${server.baseUrl}${path}`, { ...init, headers });
  }
  const plan = (actor: Actor | null, body: unknown) => call(actor, '/admin/maintenance', { method: 'POST', body: JSON.stringify(body) });
  const search = () => call(doctor, `/fhir/DocumentReference?patient=Patient/${patientKey}`);

  beforeAll(async () => {
    await makeWorld(db(), clock);
    server = await startTestApp(db(), {}, { clock });
    w = { db: db(), clock, services: server.app.services };
    ({ patientKey, ins } = await adultRecord(w));
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
  });
  afterAll(async () => {
    await server.close();
  });

  let running: string;
  let planned: string;

  it('DMP-06: an operator plans windows through the admin route; nobody else may, and a bad window is refused', async () => {
    const res = await plan(OPERATOR, { function: 'document.search', startsAt: at(-5), endsAt: at(10), message: 'Mise à jour du registre' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string };
    expect(body).toEqual({ id: expect.any(String), function: 'document.search', startsAt: at(-5), endsAt: at(10), message: 'Mise à jour du registre', createdBy: 'ops-1' });
    expect(res.headers.get('location')).toBe(`/admin/maintenance/${body.id}`);
    running = body.id;
    planned = ((await (await plan(OPERATOR, { function: 'record.create', startsAt: at(60), endsAt: at(120), message: 'Migration' })).json()) as { id: string }).id;

    expect((await plan(doctor, { function: 'record.create', startsAt: at(0), endsAt: at(5) })).status).toBe(403);
    expect((await plan(null, { function: 'record.create', startsAt: at(0), endsAt: at(5) })).status).toBe(401);
    expect((await plan(OPERATOR, { function: 'coffee', startsAt: at(0), endsAt: at(5) })).status).toBe(400);
    expect((await plan(OPERATOR, { function: 'record.create', startsAt: at(5), endsAt: at(0) })).status).toBe(400);
    const list = (await (await call(OPERATOR, '/admin/maintenance')).json()) as { windows: Array<{ id: string }> };
    expect(list.windows.map((x) => x.id)).toEqual([running, planned]);
    expect((await call(doctor, '/admin/maintenance')).status).toBe(403);
  });

  it('DMP-06: the suspended function answers 503 with Retry-After until the window ends; the others go on', async () => {
    const refused = await search();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('600');
    expect(JSON.stringify(await refused.json())).toContain('Mise à jour du registre');
    expect((await call(doctor, `/fhir/Patient/${patientKey}`)).status).toBe(200);
  });

  it('DMP-06: an XDS query refused by the window says when to come back too: XDSRegistryNotAvailable with Retry-After', async () => {
    const approved = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";
    const answer = await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: approved }), {
      assertion: vihfFor(doctor, { now: clock.now() }),
    });
    expect([responseStatus(answer), errorCodes(answer)]).toEqual(['Failure', ['XDSRegistryNotAvailable']]);
    expect(answer.headers.get('retry-after')).toBe('600');
    expect(answer.xml).toContain('Mise à jour du registre');
  });

  it('DMP-06: clients read the announcement without a token, at /maintenance and as FHIR Communication', async () => {
    const plain = (await (await fetch(`${server.baseUrl}/maintenance`)).json()) as { windows: Array<{ function: string }> };
    expect(plain.windows.map((x) => x.function)).toEqual(['document.search', 'record.create']);
    const bundle = (await (await fetch(`${server.baseUrl}/fhir/Communication`)).json()) as Bundle<Communication>;
    expect(bundle.total).toBe(2);
    const [now, later] = bundle.entry!.map((e) => e.resource!);
    expect(now).toMatchObject({
      resourceType: 'Communication',
      id: running,
      status: 'in-progress',
      topic: { text: 'document.search' },
      payload: [{ contentString: 'Mise à jour du registre' }],
      extension: [{ url: 'https://carnet.example/fhir/StructureDefinition/dmp-maintenance-period', valuePeriod: { start: at(-5), end: at(10) } }],
    });
    expect(later).toMatchObject({ id: planned, status: 'preparation', topic: { text: 'record.create' } });
    const one = await fetch(`${server.baseUrl}/fhir/Communication/${planned}`);
    expect(one.status).toBe(200);
    expect((await fetch(`${server.baseUrl}/fhir/Communication/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('DMP-06: cancelling a running window gives the function back at once; a window is cancelled once, and only by an operator', async () => {
    expect((await call(doctor, `/admin/maintenance/${running}`, { method: 'DELETE' })).status).toBe(403);
    expect((await call(OPERATOR, `/admin/maintenance/${running}`, { method: 'DELETE' })).status).toBe(204);
    expect((await search()).status).toBe(200);
    expect((await call(OPERATOR, `/admin/maintenance/${running}`, { method: 'DELETE' })).status).toBe(404);
    const plain = (await (await fetch(`${server.baseUrl}/maintenance`)).json()) as { windows: Array<{ function: string }> };
    expect(plain.windows.map((x) => x.function)).toEqual(['record.create']);
    expect((await fetch(`${server.baseUrl}/fhir/Communication/${running}`)).status).toBe(404);
    const trace = await db().query<{ action: string; actor_id: string }>("SELECT action, actor_id FROM access_trace WHERE action LIKE 'maintenance.%' ORDER BY occurred_at, seq");
    expect(trace.rows).toEqual([
      { action: 'maintenance.announce', actor_id: 'ops-1' },
      { action: 'maintenance.announce', actor_id: 'ops-1' },
      { action: 'maintenance.cancel', actor_id: 'ops-1' },
    ]);
  });
});
