// The runner against a fake XDS server that answers Success to everything: it must pass what
// expects Success, FAIL what expects Failure or objects, SKIP what does not apply, and print the
// toolkit-style lines and the `N passed, N failed` summary.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runXdsTests } from '../../../../src/conformance/xds/index.js';
import type { PatientIdentifier } from '../../../../src/domain/model.js';
import { writeAdhocQueryResponse, writeRegistryResponse } from '../../../../src/xds/ebrim/write.js';
import { readSoapPayload } from '../../../../src/xds/mtom.js';
import { parseSoapEnvelope } from '../../../../src/xds/soap.js';
import { buildSoapEnvelope } from '../../../../src/xds/soap-write.js';
import { NS, childElements, serializeXml } from '../../../../src/xml/index.js';

const TESTS = join(process.cwd(), 'conformance', 'xds', 'tests');

interface Seen {
  url: string;
  action?: string;
  to?: string;
  assertion: boolean;
  mtom: boolean;
  attachments: number;
  body: string;
}

describe('XDS runner flow against an always-Success server', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const payload = readSoapPayload(Buffer.concat(chunks), req.headers['content-type']);
        const soap = parseSoapEnvelope(payload.envelope);
        const assertion = !!soap.security && childElements(soap.security, NS.saml2, 'Assertion').length === 1;
        seen.push({ url: req.url ?? '', action: soap.header.action, to: soap.header.to, assertion, mtom: payload.mtom, attachments: payload.attachments.size, body: serializeXml(soap.body) });
        const body = soap.body.localName === 'AdhocQueryRequest' ? writeAdhocQueryResponse([]) : writeRegistryResponse();
        res.writeHead(200, { 'content-type': 'application/soap+xml; charset=UTF-8' });
        res.end(buildSoapEnvelope({ action: `${soap.header.action}Response`, relatesTo: soap.header.messageId, bodyXml: body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  const made: string[] = [];
  const tempDir = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };

  it('passes, fails and skips as the expectations say', async () => {
    // A one-step test of our own that only expects Success, next to real testkit tests.
    const dir = tempDir('xds-flow-');
    for (const t of ['11966', '11996', '15817', '11966_expired']) cpSync(join(TESTS, t), join(dir, t), { recursive: true });
    mkdirSync(join(dir, 'only_submit', 'submit'), { recursive: true });
    writeFileSync(join(dir, 'only_submit', 'index.idx'), 'submit\n');
    cpSync(join(TESTS, '11966', 'submit', 'single_doc.xml'), join(dir, 'only_submit', 'submit', 'single_doc.xml'));
    writeFileSync(
      join(dir, 'only_submit', 'submit', 'testplan.xml'),
      readFileSync(join(TESTS, '11990', 'submit', 'testplan.xml'), 'utf8').replace(/<NoPatientId\/>/, ''),
    );

    const registered: PatientIdentifier[] = [];
    const lines: string[] = [];
    const report = join(dir, 'out', 'report.json');
    const summary = await runXdsTests([dir], {
      base,
      registerPatient: async (p) => {
        registered.push(p);
      },
      notApplicable: new Map([
        ['11966_expired', 'needs an STS'],
        ['15817', 'feed replaced by registration'],
      ]),
      log: (l) => lines.push(l),
      reportFile: report,
    });

    expect(lines).toContainEqual(expect.stringMatching(/^FAIL 11966 \[eval\/eval\]: ExpectedContents: SSwithOneDoc: submissionSets 0 \(expected 1\)/));
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL 11996 \[submit\/submit\]: expected Failure, got Success/));
    expect(lines).toContain('SKIP 11966_expired: not applicable: needs an STS');
    expect(lines).toContain('SKIP 15817: not applicable: feed replaced by registration');
    expect(lines).toContain('PASS only_submit');
    expect(lines[lines.length - 1]).toBe('1 passed, 2 failed, 2 skipped');
    expect([summary.passed, summary.failed, summary.skipped]).toEqual([1, 2, 2]);
    expect(JSON.parse(readFileSync(report, 'utf8')).tests).toHaveLength(5);

    // The wire: PnR as MTOM to the repository with the document attached, the rest plain to the
    // registry, every request with WS-Addressing and one signed assertion.
    const pnr = seen.find((s) => s.action === 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b')!;
    expect([pnr.url, pnr.mtom, pnr.attachments]).toEqual(['/xds/repository', true, 1]);
    expect(pnr.to).toBe(`${base}/xds/repository`);
    const sq = seen.find((s) => s.action === 'urn:ihe:iti:2007:RegistryStoredQuery')!;
    expect([sq.url, sq.mtom]).toEqual(['/xds/registry', false]);
    // the eval query carries the SubmissionSet uniqueId the submit step assigned
    const ssUid = /value="([^"]+)" identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"/.exec(pnr.body)![1]!;
    expect(ssUid).not.toBe('SubmissionSet01');
    expect(sq.body).toContain(`'${ssUid}'`);
    expect(seen.every((s) => s.assertion)).toBe(true);
    // one registered patient for the run; 11996 (AltPatientId) sent one the server never heard of
    expect(registered).toHaveLength(1);
    const registers = seen.filter((s) => s.action === 'urn:ihe:iti:2007:RegisterDocumentSet-b');
    expect(registers).toHaveLength(2);
    expect(registers.filter((s) => s.body.includes(registered[0]!.value))).toHaveLength(1);
  });

  it('reads an absolute report XPath in the whole step log, as the toolkit does (15816)', async () => {
    // 15816 reports the ExtrinsicObject id from the `Result` of an ITI-42, a RegistryResponse:
    // the toolkit finds it in the InputMetadata of the same step.
    const dir = tempDir('xds-report-');
    cpSync(join(TESTS, '15816'), join(dir, '15816'), { recursive: true });
    const lines: string[] = [];
    const summary = await runXdsTests([dir], { base, registerPatient: async () => {}, notApplicable: new Map(), log: (l) => lines.push(l) });
    expect(lines).toContain('PASS 15816');
    expect(summary.passed).toBe(1);
  });
});
