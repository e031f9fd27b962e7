// Issue "the FHIR door": throughput and latency of ITI-65 (one 10 KB, one 1 MB document; eight
// clients on eight records, then eight clients on one record, which the record lock serialises) and
// ITI-67 (a patient with 1,000 documents, read by a restricted professional) on PostgreSQL with
// eight concurrent clients (autocannon), and, in the same run, a baseline doing the same inserts
// (content row + entry row, one transaction) and the same indexed select (first page + count)
// straight through `pg`, eight at a time. Our figures are printed as ratios of the baseline: the
// baseline is the floor (no HTTP, no JSON, no rules, no trace), not a target to meet.
import { randomBytes } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { claimsOf } from '../test/support/app.js';
import { loadConfig } from '../src/config/config.js';
import type { Caller } from '../src/services/deps.js';
import { migrate } from '../src/store/migrations.js';
import { openPostgres } from '../src/store/pg-db.js';
import { provideBundle } from '../test/support/mhd-bundle.js';
import { autocannon, baselineDeposit, baselinePage, concurrently, reportLine, type Figures, DOCTOR, ins, SUPPORT } from './load.js';


export interface FhirBenchOptions {
  databaseUrl: string;
  /** seconds per measured case (default 3) */
  durationSeconds?: number;
  connections?: number;
  /** documents of the ITI-67 patient (default 1,000) */
  documents?: number;
  log?: (line: string) => void;
}

const NURSE = { idNatPs: '810000000004', profession: '60', structureId: '1750000001', given: 'Damien', family: 'Roux' };


export async function runFhirBench(options: FhirBenchOptions): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const duration = options.durationSeconds ?? 3;
  const connections = options.connections ?? 8;
  const schema = `carnet_fhir_bench_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres({ connectionString: options.databaseUrl, maxConnections: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openPostgres({ connectionString: options.databaseUrl, maxConnections: 16, schema });
  const raw = new pg.Pool({ connectionString: options.databaseUrl, max: connections, options: `-c search_path=${schema}` });
  const config = { ...loadConfig({ CARNET_LOG_LEVEL: 'silent', CARNET_DEV_MODE: 'true', CARNET_DATA_DIR: `/tmp/${schema}` }), host: '127.0.0.1', port: 0 };
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    await migrate(db);
    app = await createApp(config, { db, logger: pino({ level: 'silent' }) });
    const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
    const s = app.services;
    await s.directory.putStructure({ structure_id: DOCTOR.structureId, name: 'CH bench', activity_sector: 'SA01', address: null });
    for (const p of [DOCTOR, NURSE]) {
      await s.directory.putProfessional({ id_nat_ps: p.idNatPs, given: p.given, family: p.family, profession: p.profession, specialty: null, structure_id: p.structureId, telecom: null });
    }
    const record = async () => {
      const id = ins();
      const { patientKey } = await s.records.create(SUPPORT, { identifiers: [id], given: 'Jeanne', family: 'Durand', birthDate: '1980-05-17', consent: { givenBy: 'patient' } });
      for (const p of [DOCTOR, NURSE]) {
        await s.consent.addGrant({ actor: { kind: 'patient', patientKey }, channel: 'cli' }, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
      }
      return patientKey;
    };
    const token = async (p: typeof DOCTOR) => app!.verifier.sign(claimsOf({ kind: 'professional', mode: 'normal', ...p }), 3600);
    const doctorToken = await token(DOCTOR);
    const nurseToken = await token(NURSE);
    const report = (name: string, ours: Figures, floor: Figures) => log(reportLine(name, ours, floor));
    const cannon = async (name: string, opts: Record<string, unknown>): Promise<Figures> => {
      const r = await autocannon({ connections, duration, ...opts });
      if (r.non2xx || r.errors) log(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      return { perSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
    };

    // ITI-65, one document of 10 KB then 1 MB, fresh uniqueIds every request; each client on a
    // record of its own, then all clients on one record. A deposit locks its record (the trace
    // chain and DOC-03 are per record), so on one record the deposits run one after the other by
    // design: that case measures the lock, not the door.
    const writers = await Promise.all(Array.from({ length: connections }, () => record()));
    const cases = [
      { label: `${connections} clients on ${connections} different records`, patients: writers },
      { label: `${connections} clients on the same record (serialised by the record lock, by design)`, patients: [writers[0]] },
    ];
    for (const [size, sizeLabel] of [[10 * 1024, '10 KB'], [1024 * 1024, '1 MB']] as const) {
      const content = randomBytes(size);
      const body = (patient: string) => JSON.stringify(provideBundle({ patient: `Patient/${patient}`, docs: [{ content, mimeType: 'application/octet-stream', author: { idNatPs: DOCTOR.idNatPs, family: DOCTOR.family, given: DOCTOR.given } }] }));
      const headers = { 'content-type': 'application/fhir+json', authorization: `Bearer ${doctorToken}` };
      const probe = await fetch(`${base}/fhir`, { method: 'POST', headers, body: body(writers[0]) });
      if (probe.status !== 200) {
        // A failing request would measure nothing: say why and go on with the other cases.
        log(`ITI-65 ${sizeLabel}: skipped, the request does not succeed (${probe.status} ${(await probe.text()).slice(0, 300)})`);
        continue;
      }
      for (const c of cases) {
        const label = `ITI-65 ${sizeLabel}, ${c.label}`;
        let nextClient = 0;
        const ours = await cannon(label, {
          url: `${base}/fhir`,
          method: 'POST',
          setupClient: (client: { setHeadersAndBody: (h: Record<string, string>, b: string) => void; on: (e: string, f: () => void) => void }) => {
            const patient = c.patients[nextClient++ % c.patients.length];
            const next = () => client.setHeadersAndBody(headers, body(patient));
            next();
            client.on('response', next);
          },
        });
        // The baseline writes the same rows for the same records (it takes no lock: the floor).
        let nextLoop = 0;
        const floor = await concurrently(connections, duration, () => c.patients[nextLoop++ % c.patients.length], (writer) => baselineDeposit(raw, writer, content));
        report(label, ours, floor);
      }
    }

    // ITI-67 as a nurse (the matrix and masking restrict what she sees), 1,000 documents.
    const reader = await record();
    const readerId = (await s.records.identifiersOf(reader))[0]!;
    const total = options.documents ?? 1000;
    const doctor: Caller = { actor: { kind: 'professional', mode: 'normal', ...DOCTOR }, channel: 'cli' };
    const types = ['11488-4', '11490-0', '11502-2', '34112-3'];
    for (let i = 0; i < total; i += 50) {
      const docs = Array.from({ length: Math.min(50, total - i) }, (_, j) => ({ typeCode: types[(i + j) % types.length], confidentiality: (i + j) % 10 === 0 ? ['N', 'MASQUE_PS'] : ['N'] }));
      const { provideBundleToSubmission } = await import('../src/fhir/mhd/provide-bundle.js');
      const bundle: Bundle = provideBundle({ patient: `Patient/${reader}`, docs });
      const request = await provideBundleToSubmission(bundle, { resolvePatient: () => readerId });
      await s.submissions.submit(doctor, request);
    }
    const url = `${base}/fhir/DocumentReference?patient=Patient/${reader}&status=current&_count=20`;
    const probe = await fetch(url, { headers: { authorization: `Bearer ${nurseToken}` } });
    const seen = ((await probe.json()) as Bundle).total;
    if (probe.status !== 200) throw new Error(`ITI-67: ${probe.status}`);
    const ours = await cannon('ITI-67', { url, headers: { authorization: `Bearer ${nurseToken}` } });
    const floor = await concurrently(connections, duration, () => undefined, () => baselinePage(raw, reader));
    report(`ITI-67 restricted professional, ${total} documents (${seen} visible), first page of 20 + total`, ours, floor);
  } finally {
    await app?.close();
    await raw.end();
    await db.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
    await admin.close();
  }
}
