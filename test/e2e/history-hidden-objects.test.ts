// TRACE-05 with ACC-08 for the objects around a hidden document: an association linking it (by
// its own id, however many links away) and a submission set holding only it or links to it do
// not exist for a reader it is hidden from (domain/known-objects.ts). A history entry naming one
// of them is left out of that reader's history, its pages and its totals, as an entry naming the
// document itself is, until the document is visible to them. On a real port: the author's ITI-57
// requests over XDS.b, the patient's history read through FHIR AuditEvent and the services.
//
// The world: the author deposits H in a folder F and hides it from the patient
// (INVISIBLE_PATIENT), then links H into F by ITI-57 (the link L, held by that request's
// submission set U through the link U -> L). Then two ITI-57 requests name only U -> L (a link to
// the link) and U: their rows name no document, only objects around H.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { pairId } from '../../src/fhir/mappings/composite-id.js';
import type { Services } from '../../src/services/index.js';
import type { RunningApp } from '../support/app.js';
import { describeEachLockServer } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { associationBetween, bare, registryUpdate, statusChange as statusChangeOf } from '../support/lock-xds.js';
import { as, patientCaller, proActor, submission, uid } from '../support/world.js';
import { postSoap, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

describeEachLockServer('TRACE-05 / ACC-08: a history entry naming only objects around a hidden document', (lock) => {
  const db = () => lock().db;
  let server: RunningApp;
  let services: Services;
  const author = proActor('doctor');
  let ins: PatientIdentifier;
  let patientKey: string;
  const id: Record<string, string> = {};
  /** the trace ids of the entries about H or the objects around it, by request */
  const rowsAbout: Record<string, string[]> = {};

  /** ITI-57 by the author changing the status of `target` (Approved -> Deprecated); the trace ids of its rows. */
  async function statusChange(target: string): Promise<string[]> {
    const requestId = randomUUID();
    await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], registryUpdate(ins, statusChangeOf(target)), { assertion: vihfFor(author), requestId });
    const rows = await db().query<{ id: string }>('SELECT trace_id::text AS id FROM access_trace WHERE chain_key = $1 AND request_id = $2', [patientKey, requestId]);
    return rows.rows.map((r) => r.id);
  }

  beforeAll(async () => {
    server = lock().server;
    services = server.app.services;
    ({ ins, patientKey } = await adultRecordAllowing(services, [author]));
    const a = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId, content: `H ${uid()}` }]);
    a.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: ins, codeList: [{ code: 'LOCK', system: '1.2.250.1.999.3' }] } }];
    a.associations.push({ id: 'ssF', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
    const assigned = (await services.submissions.submit(as(author), a)).assignedIds;
    id.F = assigned.Folder01!;
    // hidden from the patient until the announcement consultation (a new metadata version)
    id.H = (await services.metadata.setVisibility(as(author), { entryUuid: assigned.Document1! }, 'INVISIBLE_PATIENT', true)).entryUuid;
    // ITI-57: H joins F (the link L, a member of the request's set U)
    id.L = `urn:uuid:${randomUUID()}`;
    const u = await services.metadata.applyUpdate(as(author), {
      submissionSet: { ...submission(ins, []).submissionSet, id: `urn:uuid:${randomUUID()}` },
      documents: [],
      folders: [],
      statusChanges: [],
      associations: [{ id: id.L, type: 'HasMember', sourceId: id.F, targetId: id.H }],
    });
    id.U = Object.values(u.assignedIds).find((x) => x !== id.L && x.startsWith('urn:uuid:'))!;
    id['U -> L'] = await associationBetween(db(), patientKey, id.U, id.L);
    const linkRows = await db().query<{ id: string }>("SELECT trace_id::text AS id FROM access_trace WHERE chain_key = $1 AND details->>'association' = $2", [patientKey, bare(id.L)]);
    rowsAbout['the link L (one step to H)'] = linkRows.rows.map((r) => r.id);
    // ITI-57 naming only the link to the link, then only the set U: refused (what a set holds, a
    // set's status, are not changed), each traced on the record naming the object it asked about
    rowsAbout['U -> L (a link to the link)'] = await statusChange(id['U -> L']);
    rowsAbout['set U (holding only U -> L)'] = await statusChange(id.U);
  }, 120_000);

  /** The trace ids the patient is shown, by each path, with the totals each path counts. */
  async function shownToPatient(): Promise<{ ids: Set<string>; totals: Record<string, [number, number]> }> {
    const caller = patientCaller(patientKey);
    const history = await services.history.read(caller, patientKey, { limit: 500, offset: 0 });
    const view = await services.historyView.read(caller, patientKey, { limit: 500, offset: 0 });
    const res = await fetch(`${server.baseUrl}/fhir/AuditEvent?patient=Patient/${patientKey}&_count=500`, {
      headers: { accept: 'application/fhir+json', authorization: `Bearer ${await server.tokenFor({ kind: 'patient', patientKey })}` },
    });
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle<AuditEvent>;
    const fhirIds = (bundle.entry ?? []).map((e) => e.resource!.id!);
    const ids = new Set<string>();
    for (const r of history.rows) ids.add(`history ${r.trace_id}`);
    for (const r of view.rows) ids.add(`view ${r.row.trace_id}`);
    const all = Object.values(rowsAbout).flat();
    for (const t of all) if (fhirIds.includes(pairId(patientKey, t))) ids.add(`AuditEvent ${t}`);
    return {
      ids,
      totals: { history: [history.total, history.rows.length], view: [view.total, view.rows.length], AuditEvent: [bundle.total ?? -1, fhirIds.length] },
    };
  }

  it('TRACE-05 / ACC-08: the patient is shown no entry naming a link to a link to H or a set holding only such, by FHIR AuditEvent or the services, and no total counts one; they come back once H is visible', async () => {
    for (const [name, rows] of Object.entries(rowsAbout)) expect({ name, rows: rows.length > 0 }).toEqual({ name, rows: true });
    const before = await shownToPatient();
    const leaked = Object.entries(rowsAbout).flatMap(([name, rows]) =>
      rows.flatMap((t) => ['history', 'view', 'AuditEvent'].filter((path) => before.ids.has(`${path} ${t}`)).map((path) => `${name}: ${path}`)),
    );
    expect(leaked).toEqual([]);
    // every total is the number of entries shown (500 is more than the record holds)
    for (const [path, [total, shown]] of Object.entries(before.totals)) expect({ path, total }).toEqual({ path, total: shown });

    // the announcement consultation: H is visible to the patient, every entry comes back
    await services.metadata.setVisibility(as(author), { entryUuid: id.H }, 'INVISIBLE_PATIENT', false);
    const after = await shownToPatient();
    const missing = Object.entries(rowsAbout).flatMap(([name, rows]) =>
      rows.flatMap((t) => ['history', 'view', 'AuditEvent'].filter((path) => !after.ids.has(`${path} ${t}`)).map((path) => `${name}: ${path}`)),
    );
    expect(missing).toEqual([]);
  }, 240_000);
});
