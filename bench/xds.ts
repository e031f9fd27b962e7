// Issue "the XDS door": throughput and latency of the SOAP endpoints on PostgreSQL with eight
// concurrent clients (autocannon), each against a baseline doing the same rows straight through
// `pg` in the same run (see load.ts), and the process's peak RSS while eight 20 MB submissions
// run at once. The server runs in this process, on its own schema, for a bounded time.
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { issueVihf, securityHeader } from '../src/auth/vihf-issuer.js';
import { loadConfig } from '../src/config/config.js';
import type { PatientIdentifier } from '../src/domain/model.js';
import type { SubmissionRequest } from '../src/domain/submission.js';
import type { Caller } from '../src/services/deps.js';
import { migrate } from '../src/store/migrations.js';
import { openPostgres } from '../src/store/pg-db.js';
import { writeProvideAndRegisterRequest } from '../src/xds/ebrim/write.js';
import { buildMtomMessage } from '../src/xds/mtom.js';
import { XDS_ACTIONS } from '../src/xds/soap.js';
import { NS } from '../src/xml/index.js';
import { testSigner } from '../test/support/vihf-keys.js';
import pg from 'pg';
import { autocannon, baselineAll, baselineContent, baselineDeposit, concurrently, figuresOf, reportLine, type AutocannonResult, DOCTOR, ins, SUPPORT } from './load.js';
import { fmt } from './stats.js';


export interface XdsBenchOptions {
  databaseUrl: string;
  /** seconds per measured scenario (default 5) */
  durationSeconds?: number;
  connections?: number;
  /** documents of the FindDocuments patient (default 1,000) */
  documents?: number;
  log?: (line: string) => void;
}



let n = 0;
const uid = () => `1.2.250.1.999.8.${Date.now()}.${process.pid}.${++n}`;

export function submission(patient: PatientIdentifier, contents: Buffer[]): SubmissionRequest {
  const coded = (code: string, system: string) => ({ code, system });
  return {
    submissionSet: { id: 'SubmissionSet01', uniqueId: uid(), sourceId: '1.2.250.1.999.2', patientId: patient, submissionTime: '20260110100000', contentTypeCode: coded('04', '1.2.250.1.213.1.1.4.2'), authors: [], intendedRecipients: [] },
    documents: contents.map((content, i) => ({
      id: `Document${i + 1}`,
      content,
      metadata: {
        uniqueId: uid(),
        patientId: patient,
        sourcePatientId: `${patient.value}^^^&${patient.system}&ISO`,
        mimeType: 'text/plain',
        classCode: coded('10', '1.2.250.1.213.1.1.4.1'),
        typeCode: coded('11488-4', '2.16.840.1.113883.6.1'),
        formatCode: coded('urn:ihe:iti:xds-sd:text:2008', '1.3.6.1.4.1.19376.1.2.3'),
        healthcareFacilityTypeCode: coded('SA01', '1.2.250.1.71.4.2.4'),
        practiceSettingCode: coded('ETABLISSEMENT', '1.2.250.1.213.1.1.4.9'),
        confidentialityCodes: [coded('N', '2.16.840.1.113883.5.25')],
        eventCodes: [],
        creationTime: '20260110093000',
        languageCode: 'fr-FR',
        authors: [{ person: { id: DOCTOR.idNatPs, idSystem: '1.2.250.1.71.4.2.1', family: 'Martin' }, institutions: [], roles: [], specialties: [], telecoms: [] }],
        referenceIds: [],
      },
    })),
    folders: [],
    associations: contents.map((_, i) => ({ id: `a${i + 1}`, type: 'HasMember' as const, sourceId: 'SubmissionSet01', targetId: `Document${i + 1}`, submissionSetStatus: 'Original' as const })),
  };
}

export function envelope(action: string, body: string, security: string): string {
  return (
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header><wsa:Action env:mustUnderstand="true">${action}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>${security}</env:Header><env:Body>${body}</env:Body></env:Envelope>`
  );
}

/** An ITI-41 MTOM request with one document of these bytes (fresh uniqueIds each time). */
export function pnrRequest(patient: PatientIdentifier, content: Buffer, security: string): { headers: Record<string, string>; body: Buffer } {
  const sub = submission(patient, [content]);
  const cid = `${randomUUID()}@bench`;
  const env = envelope(XDS_ACTIONS['ITI-41'], writeProvideAndRegisterRequest(sub, new Map([['Document1', cid]])), security);
  const m = buildMtomMessage(env, [{ contentId: cid, contentType: 'text/plain', body: content }], XDS_ACTIONS['ITI-41']);
  return { headers: { 'content-type': m.contentType }, body: Buffer.concat(m.chunks) };
}

export async function runXdsBench(options: XdsBenchOptions): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const duration = options.durationSeconds ?? 5;
  const connections = options.connections ?? 8;
  const schema = `carnet_xds_bench_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres({ connectionString: options.databaseUrl, maxConnections: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openPostgres({ connectionString: options.databaseUrl, maxConnections: 16, schema });
  const raw = new pg.Pool({ connectionString: options.databaseUrl, max: 8, options: `-c search_path=${schema}` });
  const config = { ...loadConfig({ CARNET_LOG_LEVEL: 'silent', CARNET_DEV_MODE: 'true', CARNET_DATA_DIR: `/tmp/${schema}` }), host: '127.0.0.1', port: 0 };
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    await migrate(db);
    app = await createApp(config, { db, logger: pino({ level: 'silent' }) });
    const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
    const s = app.services;
    await s.directory.putStructure({ structure_id: DOCTOR.structureId, name: 'CH bench', activity_sector: 'SA01', address: null });
    await s.directory.putProfessional({ id_nat_ps: DOCTOR.idNatPs, given: DOCTOR.given, family: DOCTOR.family, profession: '10', specialty: null, structure_id: DOCTOR.structureId, telecom: null });
    const record = async () => {
      const id = ins();
      const { patientKey } = await s.records.create(SUPPORT, { identifiers: [id], given: 'Jeanne', family: 'Durand', birthDate: '1980-05-17', consent: { givenBy: 'patient' } });
      await s.consent.addGrant({ actor: { kind: 'patient', patientKey }, channel: 'cli' }, patientKey, { subjectKind: 'professional', subjectId: DOCTOR.idNatPs, effect: 'permit' });
      return id;
    };
    const signer = testSigner('trusted');
    const security = securityHeader(
      issueVihf(
        { idNatPs: DOCTOR.idNatPs, profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: DOCTOR.structureId, subjectName: 'Alice Martin', mode: 'normal' },
        { ...signer, validitySeconds: 3600 },
      ),
    );
    const doctor: Caller = { actor: { kind: 'professional', mode: 'normal', ...DOCTOR }, channel: 'cli' };

    // Each scenario is first checked to answer Success: a fast Failure would measure nothing.
    const check = async (name: string, path: string, headers: Record<string, string>, body: Buffer | string) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: body as unknown as RequestInit['body'] });
      const text = Buffer.from(await res.arrayBuffer()).toString('latin1');
      if (!text.includes('ResponseStatusType:Success')) throw new Error(`${name}: the request does not succeed (${res.status})`);
    };
    const report = async (name: string, r: AutocannonResult, baseline: () => Promise<void>) => {
      if (r.non2xx || r.errors) log(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      log(reportLine(name, figuresOf(r), await concurrently(connections, duration, () => undefined, baseline)));
    };

    // ITI-41, one 10 KB and one 1 MB document per request
    const writer = await record();
    const writerKey = (await s.records.lookup(writer))!;
    for (const [label, size] of [['ITI-41 10 KB', 10 * 1024], ['ITI-41 1 MB', 1024 * 1024]] as const) {
      const content = randomBytes(size);
      const sample = pnrRequest(writer, content, security);
      await check(label, '/xds/repository', sample.headers, sample.body);
      await report(
        label,
        await autocannon({
          url: `${base}/xds/repository`,
          connections,
          duration,
          method: 'POST',
          setupClient: (client: { setHeadersAndBody: (h: Record<string, string>, b: Buffer) => void; on: (e: string, f: () => void) => void }) => {
            const next = () => {
              const r = pnrRequest(writer, content, security);
              client.setHeadersAndBody(r.headers, r.body);
            };
            next();
            client.on('response', next);
          },
        }),
        () => baselineDeposit(raw, writerKey, content),
      );
    }

    // ITI-18 FindDocuments (LeafClass) on a patient with 1,000 documents
    const reader = await record();
    const total = options.documents ?? 1000;
    for (let i = 0; i < total; i += 50) {
      await s.submissions.submit(doctor, submission(reader, Array.from({ length: Math.min(50, total - i) }, () => randomBytes(256))));
    }
    const find =
      `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="LeafClass"/>` +
      `<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">` +
      `<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${reader.value}^^^&amp;${reader.system}&amp;ISO'</rim:Value></rim:ValueList></rim:Slot>` +
      `<rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot>` +
      `</rim:AdhocQuery></query:AdhocQueryRequest>`;
    await check('ITI-18', '/xds/registry', { 'content-type': 'application/soap+xml; charset=UTF-8' }, envelope(XDS_ACTIONS['ITI-18'], find, security));
    const readerKey = (await s.records.lookup(reader))!;
    await report(
      `ITI-18 FindDocuments LeafClass, ${total} documents`,
      await autocannon({
        url: `${base}/xds/registry`,
        connections,
        duration,
        method: 'POST',
        headers: { 'content-type': 'application/soap+xml; charset=UTF-8' },
        body: envelope(XDS_ACTIONS['ITI-18'], find, security),
      }),
      () => baselineAll(raw, readerKey),
    );

    // ITI-43 of a 1 MB document
    const big = submission(reader, [randomBytes(1024 * 1024)]);
    await s.submissions.submit(doctor, big);
    const retrieve =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${config.repositoryUniqueId}</xdsb:RepositoryUniqueId>` +
      `<xdsb:DocumentUniqueId>${big.documents[0]!.metadata.uniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    await check('ITI-43', '/xds/repository', { 'content-type': 'application/soap+xml; charset=UTF-8' }, envelope(XDS_ACTIONS['ITI-43'], retrieve, security));
    const bigKey = (await raw.query<{ content_sha256: string }>('SELECT content_sha256 FROM document_entry WHERE patient_key = $1 AND unique_id = $2', [readerKey, big.documents[0]!.metadata.uniqueId])).rows[0]!.content_sha256;
    await report(
      'ITI-43 1 MB',
      await autocannon({
        url: `${base}/xds/repository`,
        connections,
        duration,
        method: 'POST',
        headers: { 'content-type': 'application/soap+xml; charset=UTF-8' },
        body: envelope(XDS_ACTIONS['ITI-43'], retrieve, security),
      }),
      () => baselineContent(raw, readerKey, bigKey),
    );

    // Peak RSS while eight 20 MB submissions run at once.
    const requests = Array.from({ length: 8 }, () => pnrRequest(writer, randomBytes(20 * 1024 * 1024), security));
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const t0 = Date.now();
    const statuses = await Promise.all(requests.map((r) => fetch(`${base}/xds/repository`, { method: 'POST', headers: r.headers, body: r.body as unknown as RequestInit['body'] }).then(async (res) => ((await res.text()).includes('ResponseStatusType:Success') ? 'Success' : `HTTP ${res.status} not Success`))));
    clearInterval(sampler);
    const mb = (b: number) => fmt(b / 1024 / 1024, 0);
    log(
      `8 x 20 MB ITI-41 at once: ${Date.now() - t0} ms, answers ${[...new Set(statuses)].join(',')}, RSS ${mb(before)} MB before (requests built, 160 MB of bodies held by the client), peak ${mb(peak)} MB (+${mb(peak - before)} MB)`,
    );
  } finally {
    await app?.close();
    await raw.end();
    await db.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
    await admin.close();
  }
}
