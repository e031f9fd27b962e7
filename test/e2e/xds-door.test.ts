// The XDS.b door on a real port: ITI-41/42 submissions, ITI-43 retrieve, ITI-57 updates, the
// SOAP faults of wrong endpoints and refused identities (with their trace rows).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, afterAll, expect, it } from '@jest/globals';
import { buildVihfAssertion, securityHeader, subjectDn } from '../../src/auth/vihf-issuer.js';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { writeProvideAndRegisterRequest, writeSubmitObjectsRequest, writeDocumentEntry } from '../../src/xds/ebrim/write.js';
import { NS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { testSigner } from '../support/vihf-keys.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { XDS_DATA } from '../support/xds-raw.js';
import { errorCodes, faultSubcode, isFault, postSoap, responseStatus, sendRaw, vihfFor, XDS_ACTIONS, provideAndRegister } from '../support/xds-client.js';

const A = XDS_ACTIONS;

function retrieveBody(items: Array<{ repo: string; uid: string }>): string {
  return (
    `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}">` +
    items.map((i) => `<xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${i.repo}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${i.uid}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`).join('') +
    `</xdsb:RetrieveDocumentSetRequest>`
  );
}

describeEachStore('XDS door: ITI-41, ITI-42, ITI-43, ITI-57 and faults', (db) => {
  let server: RunningApp;
  let w: World;
  let repo: string;
  let reposUrl: string;
  let regUrl: string;
  const doctor = proActor('doctor');

  async function authorisedRecord(...pros: ProfessionalActor[]) {
    const rec = await adultRecord(w);
    for (const p of [doctor, ...pros]) {
      await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
    return rec;
  }

  async function submit(sub: SubmissionRequest, actor = doctor) {
    const { body, attachments } = provideAndRegister(sub);
    return postSoap(reposUrl, A['ITI-41'], body, { assertion: vihfFor(actor), attachments });
  }

  async function traceRows(requestId: string) {
    const r = await db().query<{ outcome: string; reason: string; channel: string; action: string }>(
      'SELECT outcome, reason, channel, action FROM access_trace WHERE request_id = $1',
      [requestId],
    );
    return r.rows;
  }

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    repo = server.app.config.repositoryUniqueId;
    reposUrl = `${server.baseUrl}/xds/repository`;
    regUrl = `${server.baseUrl}/xds/registry`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('ITI-41 (MTOM) stores the documents, and ITI-43 gives back the exact bytes as MTOM with the submitted mimeType', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ content: 'first document' }, { content: 'second document' }]);
    sub.documents[1]!.metadata.mimeType = 'application/x-carnet-test';
    const res = await submit(sub);
    expect(res.status).toBe(200);
    expect(responseStatus(res)).toBe('Success');
    const uids = sub.documents.map((d) => d.metadata.uniqueId);
    const got = await postSoap(reposUrl, A['ITI-43'], retrieveBody(uids.map((uid) => ({ repo, uid }))), { assertion: vihfFor(doctor), mtom: true });
    expect(got.contentType).toMatch(/^multipart\/related/);
    expect(responseStatus(got)).toBe('Success');
    const bodies = [...got.attachments.values()].map((b) => b.toString('utf8')).sort();
    expect(bodies).toEqual(['first document', 'second document']);
    expect(got.xml).toContain('<xdsb:mimeType>application/x-carnet-test</xdsb:mimeType>');
  });

  it('ITI-41 in the non-optimised form (inline base64, plain SOAP) is accepted', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ content: 'inline bytes' }]);
    const body = writeProvideAndRegisterRequest(sub, new Map()).replace(
      '</xdsb:ProvideAndRegisterDocumentSetRequest>',
      `<xdsb:Document id="Document1">${Buffer.from('inline bytes').toString('base64')}</xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>`,
    );
    const res = await postSoap(reposUrl, A['ITI-41'], body, { assertion: vihfFor(doctor) });
    expect(responseStatus(res)).toBe('Success');
  });

  it('ITI-41 errors carry the exact IHE codes, and a Failure stores nothing (DOC-03)', async () => {
    const rec = await authorisedRecord();
    const count = async () => (await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey }, { countTotal: true })).total;
    const cases: Array<[string, SubmissionRequest, string]> = [];
    const other = await adultRecord(w);
    cases.push(['unknown patient', submission({ system: '1.2.250.1.213.1.4.8', value: '9999999999999' }), 'XDSUnknownPatientId']);
    const mismatch = submission(rec.ins, [{}]);
    mismatch.documents[0]!.metadata.patientId = other.ins;
    cases.push(['patient mismatch', mismatch, 'XDSPatientIdDoesNotMatch']);
    cases.push(['wrong hash', submission(rec.ins, [{ content: 'x', hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' }]), 'XDSRepositoryMetadataError']);
    cases.push(['wrong size', submission(rec.ins, [{ content: 'x', size: 99 }]), 'XDSRepositoryMetadataError']);
    const twice = submission(rec.ins, [{}, {}]);
    twice.documents[1]!.metadata.uniqueId = twice.documents[0]!.metadata.uniqueId;
    cases.push(['uniqueId twice in the message', twice, 'XDSRepositoryDuplicateUniqueIdInMessage']);
    const noDoc = submission(rec.ins, [{}]);
    noDoc.documents[0]!.content = null;
    cases.push(['metadata without document', noDoc, 'XDSMissingDocument']);
    for (const [, sub, code] of cases) {
      const res = await submit(sub);
      expect(responseStatus(res)).toBe('Failure');
      expect(errorCodes(res)).toContain(code);
      expect(res.xml).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    // a document part without metadata
    const orphan = submission(rec.ins, [{}]);
    const { body, attachments } = provideAndRegister(orphan);
    const extra = body.replace('</xdsb:ProvideAndRegisterDocumentSetRequest>', `<xdsb:Document id="Stray"><xop:Include xmlns:xop="${NS.xop}" href="cid:stray@test"/></xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>`);
    const res = await postSoap(reposUrl, A['ITI-41'], extra, { assertion: vihfFor(doctor), attachments: [...attachments, { contentId: 'stray@test', contentType: 'text/plain', body: Buffer.from('stray') }] });
    expect(errorCodes(res)).toContain('XDSMissingDocumentMetadata');
    // same uniqueId, other content
    const first = submission(rec.ins, [{ content: 'v1' }]);
    expect(responseStatus(await submit(first))).toBe('Success');
    const again = submission(rec.ins, [{ content: 'v2', uniqueId: first.documents[0]!.metadata.uniqueId }]);
    expect(errorCodes(await submit(again))).toContain('XDSNonIdenticalHash');
    expect(await count()).toBe(1);
  });

  it('a raw toolkit MTOM message is read (framing, xop:Include) and answered with a RegistryResponse', async () => {
    const dir = `${XDS_DATA}/raw-messages/it-tests-PnrXop/Xop`;
    const plan = readFileSync(`${dir}/testplan.xml`, 'utf8');
    const ct = /Content-Type:\s*([^\n]+)/.exec(plan)![1]!.trim();
    const raw = readFileSync(`${dir}/body.txt`, 'latin1').replace(/<\/soapenv:Header>/, `${securityHeader(vihfFor(doctor))}</soapenv:Header>`);
    const res = await sendRaw(reposUrl, ct, Buffer.from(raw, 'latin1'));
    expect(isFault(res)).toBe(false);
    expect(responseStatus(res)).toBe('Failure');
    expect(errorCodes(res)).toContain('XDSUnknownPatientId');
  });

  it('ITI-42 registers metadata only, at the registry endpoint', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', size: 0 }]);
    for (const d of sub.documents) {
      d.content = null;
      d.metadata.repositoryUniqueId = '1.2.250.1.999.3.1';
    }
    const res = await postSoap(regUrl, A['ITI-42'], writeSubmitObjectsRequest(sub), { assertion: vihfFor(doctor) });
    expect(responseStatus(res)).toBe('Success');
    const page = await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey });
    expect(page.entries.map((e) => e.uniqueId)).toEqual([sub.documents[0]!.metadata.uniqueId]);
  });

  it('DOC-03: ITI-42 of a stable document without repositoryUniqueId stores nothing (XDSRegistryMetadataError)', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', size: 0 }, { hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', size: 0 }]);
    for (const d of sub.documents) d.content = null;
    sub.documents[0]!.metadata.repositoryUniqueId = '1.2.250.1.999.3.1';
    const res = await postSoap(regUrl, A['ITI-42'], writeSubmitObjectsRequest(sub), { assertion: vihfFor(doctor) });
    expect(responseStatus(res)).toBe('Failure');
    expect(errorCodes(res)).toEqual(['XDSRegistryMetadataError']);
    const page = await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey });
    expect(page.entries).toEqual([]);
  });

  it('ITI-43: unknown repository, unknown document and a mix give the IHE codes and PartialSuccess', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ content: 'known' }]);
    await submit(sub);
    const uid = sub.documents[0]!.metadata.uniqueId;
    const mixed = await postSoap(reposUrl, A['ITI-43'], retrieveBody([{ repo, uid }, { repo, uid: '1.2.3.404' }, { repo: '1.2.3.999', uid }]), { assertion: vihfFor(doctor), mtom: true });
    expect(responseStatus(mixed)).toBe('PartialSuccess');
    expect(errorCodes(mixed).sort()).toEqual(['XDSDocumentUniqueIdError', 'XDSUnknownRepositoryId']);
    expect([...mixed.attachments.values()].map((b) => b.toString())).toEqual(['known']);
    const none = await postSoap(reposUrl, A['ITI-43'], retrieveBody([{ repo, uid: '1.2.3.404' }]), { assertion: vihfFor(doctor) });
    expect(responseStatus(none)).toBe('Failure');
  });

  it('ACC-08: ITI-43 of a document hidden by the matrix reads as unknown (XDSDocumentUniqueIdError)', async () => {
    const podiatrist = proActor('podiatrist');
    const rec = await authorisedRecord(podiatrist);
    const sub = submission(rec.ins, [{ typeCode: '34112-3', classCode: '10' }]);
    await submit(sub);
    const res = await postSoap(reposUrl, A['ITI-43'], retrieveBody([{ repo, uid: sub.documents[0]!.metadata.uniqueId }]), { assertion: vihfFor(podiatrist) });
    expect(errorCodes(res)).toEqual(['XDSDocumentUniqueIdError']);
    expect(res.xml).not.toContain('matrix');
  });

  it('ITI-57: a metadata update makes a new version (same logicalId); an older PreviousVersion is XDSMetadataVersionError', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ authorId: doctor.idNatPs }]);
    await submit(sub);
    const [entry] = (await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey })).entries;
    const update = (previousVersion: number, title: string, confidentiality?: string[]) => {
      const md = { ...entry!, title, entryUuid: `urn:uuid:${randomUUID()}` };
      if (confidentiality) md.confidentialityCodes = confidentiality.map((c) => ({ code: c, system: c === 'N' ? '2.16.840.1.113883.5.25' : '1.2.250.1.213.1.1.4.13' }));
      const ss = submission(rec.ins, []).submissionSet;
      const assoc =
        `<rim:Association id="urn:uuid:${randomUUID()}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="${ss.id}" targetObject="${md.entryUuid}" objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association">` +
        `<rim:Slot name="SubmissionSetStatus"><rim:ValueList><rim:Value>Original</rim:Value></rim:ValueList></rim:Slot>` +
        `<rim:Slot name="PreviousVersion"><rim:ValueList><rim:Value>${previousVersion}</rim:Value></rim:ValueList></rim:Slot></rim:Association>`;
      const body = writeSubmitObjectsRequest({ submissionSet: ss, documents: [], folders: [], associations: [] }).replace(
        '</rim:RegistryObjectList>',
        `${writeDocumentEntry(md, md.entryUuid)}${assoc}</rim:RegistryObjectList>`,
      );
      return postSoap(regUrl, A['ITI-57'], body, { assertion: vihfFor(doctor) });
    };
    const ok = await update(1, 'new title');
    expect(responseStatus(ok)).toBe('Success');
    const versions = (await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey }, { latestOnly: false })).entries;
    expect(versions).toHaveLength(2);
    expect(new Set(versions.map((v) => v.logicalId)).size).toBe(1);
    expect(versions.find((v) => v.latest)?.title).toBe('new title');
    const stale = await update(1, 'again');
    expect(errorCodes(stale)).toEqual(['XDSMetadataVersionError']);
    // a confidentiality change is the DMP's visibility flags, under the same rules as on FHIR:
    // MASQUE_PS is the patient's (MASK-01), INVISIBLE_PATIENT a professional's (MASK-02)
    const masked = await update(2, 'masked', ['N', 'MASQUE_PS']);
    expect(responseStatus(masked)).toBe('Failure');
    expect(masked.xml).toContain('not authorised');
    const hidden = await update(2, 'hidden from the patient', ['N', 'INVISIBLE_PATIENT']);
    expect(responseStatus(hidden)).toBe('Success');
    const latest = (await w.services.documents.find(as(doctor), { patientKey: rec.patientKey })).entries[0]!;
    expect(latest.confidentialityCodes.map((c) => c.code)).toContain('INVISIBLE_PATIENT');
    expect(latest.version).toBe(3);
  });

  it('ITI-57 UpdateAvailabilityStatus with the DMP statuses: archiving is refused to a professional, the author deletes', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ authorId: doctor.idNatPs }]);
    await submit(sub);
    const [entry] = (await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey })).entries;
    const statusUpdate = (from: string, to: string) => {
      const ss = submission(rec.ins, []).submissionSet;
      const assoc =
        `<rim:Association id="urn:uuid:${randomUUID()}" associationType="urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus" sourceObject="${ss.id}" targetObject="${entry!.entryUuid}" objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association">` +
        `<rim:Slot name="OriginalStatus"><rim:ValueList><rim:Value>${from}</rim:Value></rim:ValueList></rim:Slot>` +
        `<rim:Slot name="NewStatus"><rim:ValueList><rim:Value>${to}</rim:Value></rim:ValueList></rim:Slot></rim:Association>`;
      const body = writeSubmitObjectsRequest({ submissionSet: ss, documents: [], folders: [], associations: [] }).replace('</rim:RegistryObjectList>', `${assoc}</rim:RegistryObjectList>`);
      return postSoap(regUrl, A['ITI-57'], body, { assertion: vihfFor(doctor) });
    };
    // archiving is the patient's (DOC-07): refused to a professional, through the rules
    const arch = await statusUpdate('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', 'urn:asip:ci-sis:2010:StatusType:Archived');
    expect(responseStatus(arch)).toBe('Failure');
    expect((await w.services.documents.read(patientCaller(rec.patientKey), { entryUuid: entry!.entryUuid })).availabilityStatus).toBe('Approved');
    // DOC-06: the author deletes (logically)
    const del = await statusUpdate('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', 'urn:asip:ci-sis:2010:StatusType:Deleted');
    expect(responseStatus(del)).toBe('Success');
    const left = await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey });
    expect(left.entries).toHaveLength(0);
  });

  it('each endpoint serves only its transactions: a query at the repository is a SOAP Fault', async () => {
    const res = await postSoap(reposUrl, A['ITI-18'], '<x/>', { assertion: vihfFor(doctor) });
    expect(isFault(res)).toBe(true);
    expect(faultSubcode(res)).toBe('wsa:ActionNotSupported');
    const bad = await sendRaw(regUrl, 'application/soap+xml', Buffer.from('<not-soap'));
    expect(isFault(bad)).toBe(true);
  });

  it('TRACE-05: a missing, unsigned, tampered, expired, untrusted or wrapped VIHF is a wsse Fault, logged in the security log and in no patient\'s trace', async () => {
    const rec = await authorisedRecord();
    const body = writeProvideAndRegisterRequest(submission(rec.ins, [{}]), new Map());
    const signer = testSigner('trusted');
    const good = vihfFor(doctor, { patientId: rec.ins });
    const unsigned = buildVihfAssertion(
      { idNatPs: doctor.idNatPs, profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: doctor.structureId!, subjectName: 'Alice Martin', mode: 'normal', patientId: rec.ins },
      { issuer: subjectDn(signer.certificatePem) },
    );
    const tampered = good.replace(doctor.idNatPs, proActor('doctor2').idNatPs);
    const expired = vihfFor(doctor, { patientId: rec.ins, now: new Date(Date.now() - 7200_000), validitySeconds: 600 });
    const untrusted = vihfFor(doctor, { patientId: rec.ins, signer: testSigner('untrusted') });
    // wrapping: the signed assertion moved away, an unsigned one with another identity in its place
    const wrapped = securityHeader(tampered.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')).replace('</wsse:Security>', `<wsse:Hidden>${good}</wsse:Hidden></wsse:Security>`);
    const cases: Array<[string, string | null, string]> = [
      ['missing', null, 'wsse:InvalidSecurity'],
      ['unsigned', securityHeader(unsigned), 'wsse:InvalidSecurity'],
      ['tampered', securityHeader(tampered), 'wsse:FailedCheck'],
      ['expired', securityHeader(expired), 'wsse:MessageExpired'],
      ['untrusted', securityHeader(untrusted), 'wsse:FailedAuthentication'],
      ['wrapped', wrapped, 'wsse:InvalidSecurity'],
    ];
    for (const [name, security, subcode] of cases) {
      const requestId = `vihf-${name}-${randomUUID()}`;
      const res = await postSoap(reposUrl, A['ITI-41'], body, { security, requestId });
      expect({ name, fault: isFault(res), subcode: faultSubcode(res) }).toEqual({ name, fault: true, subcode });
      expect(await traceRows(requestId)).toEqual([]);
      const logged = await db().query<{ channel: string; operation: string }>('SELECT channel, operation FROM security_log WHERE request_id = $1', [requestId]);
      expect(logged.rows).toEqual([{ channel: 'xds', operation: 'ITI-41' }]);
    }
    const own = await w.services.documents.find(patientCaller(rec.patientKey), { patientKey: rec.patientKey }, { countTotal: true });
    expect(own.total).toBe(0);
  });

  it('bris_de_glace from the VIHF purpose of use reads through the same rules, and is traced as such', async () => {
    const rec = await authorisedRecord();
    await submit(submission(rec.ins, [{ content: 'urgent' }]));
    const stranger = proActor('pharmacist', { mode: 'bris_de_glace' });
    const q = `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="ObjectRef"/><rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"><rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${rec.ins.value}^^^&amp;${rec.ins.system}&amp;ISO'</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest>`;
    const requestId = `bdg-${randomUUID()}`;
    const res = await postSoap(regUrl, A['ITI-18'], q, { assertion: vihfFor(stranger), requestId });
    expect(responseStatus(res)).toBe('Success');
    expect(res.xml.match(/<rim:ObjectRef /g)).toHaveLength(1);
    const rows = await db().query<{ access_mode: string }>('SELECT access_mode FROM access_trace WHERE request_id = $1', [requestId]);
    expect(rows.rows.map((r) => r.access_mode)).toContain('bris_de_glace');
  });
});
