// Every response that carries document bytes, on a real port: ITI-68 (raw and as a FHIR Binary),
// ITI-43 (MTOM over real SOAP) and the record download. Each forbids sniffing and runs
// sandboxed with nothing allowed; active types (HTML, SVG, XML, JavaScript, anything not on
// the passive list) are attachments under a safe name; text names its charset.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { NS } from '../../src/xml/index.js';
import { adultRecord, fhir, patientActor, pro, startRecordServer, type RecordServer } from '../support/fhir-record.js';
import { postSoap, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { submission } from '../support/world.js';

const CSP = "sandbox; default-src 'none'";

interface Sample {
  name: string;
  mimeType: string;
  content: Buffer;
  /** what the response must say */
  contentType: string;
  disposition: 'inline' | 'attachment';
  extension: string;
}

const SAMPLES: Sample[] = [
  { name: 'html', mimeType: 'text/html', content: Buffer.from('<html><body><script>parent.stolen = document.cookie</script></body></html>'), contentType: 'text/html; charset=utf-8', disposition: 'attachment', extension: 'html' },
  { name: 'svg', mimeType: 'image/svg+xml', content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), contentType: 'image/svg+xml', disposition: 'attachment', extension: 'svg' },
  { name: 'xml', mimeType: 'text/xml', content: Buffer.from('<?xml version="1.0"?><ClinicalDocument/>'), contentType: 'text/xml; charset=utf-8', disposition: 'attachment', extension: 'xml' },
  { name: 'javascript', mimeType: 'application/javascript', content: Buffer.from('fetch("/fhir/Patient")'), contentType: 'application/javascript', disposition: 'attachment', extension: 'js' },
  { name: 'unknown type', mimeType: 'application/x-carnet-test', content: Buffer.from('?'), contentType: 'application/x-carnet-test', disposition: 'attachment', extension: 'bin' },
  { name: 'pdf', mimeType: 'application/pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n'), contentType: 'application/pdf', disposition: 'inline', extension: 'pdf' },
  { name: 'utf-8 text', mimeType: 'text/plain', content: Buffer.from('Compte rendu : fièvre à 39 °C', 'utf8'), contentType: 'text/plain; charset=utf-8', disposition: 'inline', extension: 'txt' },
  { name: 'latin-1 text', mimeType: 'text/plain', content: Buffer.from('Compte rendu : fièvre à 39 °C', 'latin1'), contentType: 'text/plain; charset=iso-8859-1', disposition: 'inline', extension: 'txt' },
  { name: 'text with its charset', mimeType: 'text/plain; charset=windows-1252', content: Buffer.from('caf\xe9', 'latin1'), contentType: 'text/plain; charset=windows-1252', disposition: 'inline', extension: 'txt' },
  { name: 'png', mimeType: 'image/png', content: Buffer.from('89504e470d0a1a0a', 'hex'), contentType: 'image/png', disposition: 'inline', extension: 'png' },
  { name: 'jpeg', mimeType: 'image/jpeg', content: Buffer.from('ffd8ffe0', 'hex'), contentType: 'image/jpeg', disposition: 'inline', extension: 'jpg' },
];

function expectSafe(headers: Headers): void {
  expect({ nosniff: headers.get('x-content-type-options'), csp: headers.get('content-security-policy') }).toEqual({ nosniff: 'nosniff', csp: CSP });
}

describe('content responses: nosniff, sandbox, attachments for active types, charset for text', () => {
  let rs: RecordServer;
  let rec: { patientKey: string; ins: PatientIdentifier };
  const doctor = pro('doctor');
  /** entryUUID (without urn:uuid:) and uniqueId of each sample, by name */
  const stored = new Map<string, { id: string; uniqueId: string }>();

  beforeAll(async () => {
    rs = await startRecordServer();
    rec = await adultRecord(rs);
    await rs.server.app.services.consent.addGrant({ actor: patientActor(rec.patientKey), channel: 'test' }, rec.patientKey, {
      subjectKind: 'professional',
      subjectId: doctor.idNatPs,
      effect: 'permit',
    });
    const sub = submission(rec.ins, SAMPLES.map(() => ({ authorId: doctor.idNatPs })));
    SAMPLES.forEach((s, i) => {
      sub.documents[i]!.metadata.mimeType = s.mimeType;
      sub.documents[i]!.content = s.content;
    });
    const { assignedIds } = await rs.server.app.services.submissions.submit({ actor: doctor, channel: 'test' }, sub);
    SAMPLES.forEach((s, i) => stored.set(s.name, { id: assignedIds[`Document${i + 1}`]!.slice(9), uniqueId: sub.documents[i]!.metadata.uniqueId }));
  }, 60_000);
  afterAll(async () => {
    await rs.close();
  });

  it('ITI-68 GET /fhir/Binary/{id}: the bytes as deposited, with the headers their type calls for', async () => {
    const token = await rs.server.tokenFor(doctor);
    for (const s of SAMPLES) {
      const { id } = stored.get(s.name)!;
      const res = await fetch(`${rs.fhirBase}/Binary/${id}`, { headers: { authorization: `Bearer ${token}` } });
      expect({ name: s.name, status: res.status }).toEqual({ name: s.name, status: 200 });
      expectSafe(res.headers);
      expect({ name: s.name, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition') }).toEqual({
        name: s.name,
        type: s.contentType,
        disposition: `${s.disposition}; filename="document-${id}.${s.extension}"`,
      });
      expect(Buffer.from(await res.arrayBuffer()).equals(s.content)).toBe(true);
    }
  });

  it('ITI-68 as a FHIR Binary resource (JSON and XML) carries nosniff and the sandbox too', async () => {
    const { id } = stored.get('html')!;
    for (const format of ['json', 'xml'] as const) {
      const res = await fhir(rs, doctor, 'GET', `Binary/${id}`, { format });
      expect(res.status).toBe(200);
      expectSafe(res.headers);
    }
  });

  it('ITI-43 RetrieveDocumentSet: the MTOM answer is sandboxed, not sniffed, and an attachment', async () => {
    const body =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest>` +
      `<xdsb:RepositoryUniqueId>${rs.server.app.config.repositoryUniqueId}</xdsb:RepositoryUniqueId>` +
      `<xdsb:DocumentUniqueId>${stored.get('html')!.uniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    const res = await postSoap(`${rs.server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-43'], body, { assertion: vihfFor(doctor), mtom: true });
    expect([...res.attachments.values()].map((b) => b.toString())).toEqual([SAMPLES[0]!.content.toString()]);
    expect(res.status).toBe(200);
    expectSafe(res.headers);
    expect(res.contentType).toMatch(/^multipart\/related; /);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="retrieve-document-set.bin"');
  });

  it('the record download ($download): the zip is sandboxed, not sniffed, and an attachment under its own name', async () => {
    const res = await fetch(`${rs.fhirBase}/Patient/${rec.patientKey}/$download?parts=documents`, {
      headers: { authorization: `Bearer ${await rs.server.tokenFor(patientActor(rec.patientKey))}` },
    });
    expect(res.status).toBe(200);
    expectSafe(res.headers);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="dmp-[0-9A-Za-z_-]+\.zip"$/);
    await res.arrayBuffer();
  });
});
