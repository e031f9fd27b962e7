// The XDS door's SOAP on a real port, read by raw HTTP clients: answers framed as the request was
// (MTOM or plain SOAP 1.2), and the faults of the SOAP 1.2 binding (VersionMismatch with the
// Upgrade block, MustUnderstand with NotUnderstood and RelatesTo, HTTP 500 for both).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { NS, parseXml, TRUSTED_XML_LIMITS } from '../../src/xml/index.js';
import { securityHeader } from '../../src/auth/vihf-issuer.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { adhocQuery, cx, postSoap, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const A = XDS_ACTIONS;
const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';

/** A raw POST: status, headers and body text as they came. */
async function post(url: string, contentType: string, body: string): Promise<{ status: number; contentType: string; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

describeEachStore('XDS door: SOAP framing and faults', (db) => {
  let server: RunningApp;
  let w: World;
  let reposUrl: string;
  let regUrl: string;
  const doctor = proActor('doctor');

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    reposUrl = `${server.baseUrl}/xds/repository`;
    regUrl = `${server.baseUrl}/xds/registry`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('ITI TF-2x V.3.6: an MTOM request gets an MTOM answer and a plain SOAP request a plain one (ITI-41, ITI-18, ITI-43)', async () => {
    const rec = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const assertion = vihfFor(doctor);
    const framing = (a: { contentType: string }) => (a.contentType.startsWith('multipart/related') ? 'mtom' : a.contentType.startsWith('application/soap+xml') ? 'plain' : a.contentType);

    // ITI-41: as MTOM with its document as an attachment, then plain with it inline
    const viaMtom: SubmissionRequest = submission(rec.ins, [{ content: 'par MTOM' }]);
    const cid = `${randomUUID()}@test`;
    const mtomPnr = await postSoap(reposUrl, A['ITI-41'], writeProvideAndRegisterRequest(viaMtom, new Map([['Document1', cid]])), {
      assertion,
      attachments: [{ contentId: cid, contentType: 'text/plain', body: Buffer.from('par MTOM') }],
    });
    expect({ framing: framing(mtomPnr), status: responseStatus(mtomPnr) }).toEqual({ framing: 'mtom', status: 'Success' });
    expect(mtomPnr.contentType).toContain('type="application/xop+xml"');
    expect(mtomPnr.contentType).toContain(`action="${A['ITI-41']}Response"`);
    const inline = submission(rec.ins, [{ content: 'en ligne' }]);
    const inlineBody = writeProvideAndRegisterRequest(inline, new Map()).replace(
      '</xdsb:ProvideAndRegisterDocumentSetRequest>',
      `<xdsb:Document id="Document1">${Buffer.from('en ligne').toString('base64')}</xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>`,
    );
    const plainPnr = await postSoap(reposUrl, A['ITI-41'], inlineBody, { assertion });
    expect({ framing: framing(plainPnr), status: responseStatus(plainPnr) }).toEqual({ framing: 'plain', status: 'Success' });

    // ITI-18, both ways
    const query = adhocQuery(FIND_DOCUMENTS, { $XDSDocumentEntryPatientId: cx(rec.ins), $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')" }, 'ObjectRef');
    expect(framing(await postSoap(regUrl, A['ITI-18'], query, { assertion }))).toBe('plain');
    const mtomQuery = await postSoap(regUrl, A['ITI-18'], query, { assertion, mtom: true });
    expect({ framing: framing(mtomQuery), refs: mtomQuery.xml.match(/<rim:ObjectRef /g)?.length }).toEqual({ framing: 'mtom', refs: 2 });

    // ITI-43: plain gives the document inline in base64, MTOM as an attachment
    const retrieve =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${server.app.config.repositoryUniqueId}</xdsb:RepositoryUniqueId>` +
      `<xdsb:DocumentUniqueId>${viaMtom.documents[0]!.metadata.uniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    const plainGet = await postSoap(reposUrl, A['ITI-43'], retrieve, { assertion });
    expect(framing(plainGet)).toBe('plain');
    const inlined = plainGet.doc.getElementsByTagNameNS(NS.xdsb, 'Document')[0]!;
    expect(Buffer.from(inlined.textContent ?? '', 'base64').toString('utf8')).toBe('par MTOM');
    expect(plainGet.xml).not.toContain('xop:Include');
    const mtomGet = await postSoap(reposUrl, A['ITI-43'], retrieve, { assertion, mtom: true });
    expect(framing(mtomGet)).toBe('mtom');
    expect([...mtomGet.attachments.values()].map((b) => b.toString('utf8'))).toEqual(['par MTOM']);
    expect(mtomGet.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('SOAP 1.2 Part 2 §7.5.1.2 and Part 1 §5.4.7: a SOAP 1.1 message gets a VersionMismatch with HTTP 500, in SOAP 1.1, with the Upgrade header naming SOAP 1.2', async () => {
    const res = await post(regUrl, 'text/xml; charset=UTF-8', `<s:Envelope xmlns:s="${NS.soap11}"><s:Header/><s:Body><x/></s:Body></s:Envelope>`);
    expect(res.status).toBe(500);
    expect(res.contentType).toMatch(/^text\/xml/);
    const doc = parseXml(res.text, TRUSTED_XML_LIMITS);
    expect(doc.documentElement!.namespaceURI).toBe(NS.soap11);
    const upgrade = doc.getElementsByTagNameNS(NS.soap12, 'Upgrade')[0]!;
    expect(upgrade.parentNode?.localName).toBe('Header');
    const supported = upgrade.getElementsByTagNameNS(NS.soap12, 'SupportedEnvelope')[0]!;
    const [prefix, local] = supported.getAttribute('qname')!.split(':');
    expect({ ns: supported.lookupNamespaceURI(prefix!), local }).toEqual({ ns: NS.soap12, local: 'Envelope' });
    expect(doc.getElementsByTagName('faultcode')[0]?.textContent).toMatch(/:VersionMismatch$/);
  });

  it('SOAP 1.2 Part 1 §5.4.7: another root than the SOAP 1.2 Envelope is a VersionMismatch (HTTP 500) carrying env:Upgrade', async () => {
    const res = await post(regUrl, 'application/soap+xml; charset=UTF-8', '<Envelope xmlns="urn:not-soap"><Body/></Envelope>');
    expect(res.status).toBe(500);
    const doc = parseXml(res.text, TRUSTED_XML_LIMITS);
    expect(doc.getElementsByTagNameNS(NS.soap12, 'Value')[0]?.textContent).toBe('env:VersionMismatch');
    expect(doc.getElementsByTagNameNS(NS.soap12, 'Upgrade')).toHaveLength(1);
  });

  it('SOAP 1.2 Part 2 §7.5.1.2 and Part 1 §5.4.8: headers not understood give a MustUnderstand fault with HTTP 500, one NotUnderstood each, and wsa:RelatesTo the MessageID', async () => {
    const messageId = `urn:uuid:${randomUUID()}`;
    // the MessageID comes after the headers not understood: the fault still relates to it
    const env =
      `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
      `<wsa:Action env:mustUnderstand="true">${A['ITI-18']}</wsa:Action>` +
      `<a:Routing xmlns:a="urn:example:a" env:mustUnderstand="true"/><b:Trace xmlns:b="urn:example:b" env:mustUnderstand="1"/>` +
      `<c:Optional xmlns:c="urn:example:c"/>` +
      `<wsa:MessageID>${messageId}</wsa:MessageID>${securityHeader(vihfFor(doctor))}` +
      `</env:Header><env:Body><x/></env:Body></env:Envelope>`;
    const res = await post(regUrl, 'application/soap+xml; charset=UTF-8', env);
    expect(res.status).toBe(500);
    const doc = parseXml(res.text, TRUSTED_XML_LIMITS);
    expect(doc.getElementsByTagNameNS(NS.soap12, 'Value')[0]?.textContent).toBe('env:MustUnderstand');
    expect(doc.getElementsByTagNameNS(NS.wsa, 'RelatesTo')[0]?.textContent).toBe(messageId);
    const named = Array.from(doc.getElementsByTagNameNS(NS.soap12, 'NotUnderstood')).map((n) => {
      const [prefix, local] = n.getAttribute('qname')!.split(':');
      return { ns: n.lookupNamespaceURI(prefix!), local, inHeader: n.parentNode?.localName === 'Header' };
    });
    expect(named).toEqual([
      { ns: 'urn:example:a', local: 'Routing', inHeader: true },
      { ns: 'urn:example:b', local: 'Trace', inHeader: true },
    ]);
  });

  it('SOAP 1.2 Part 2 §7.5.1.2: a Sender fault stays HTTP 400', async () => {
    const res = await post(regUrl, 'application/soap+xml; charset=UTF-8', `<env:Envelope xmlns:env="${NS.soap12}"><env:Header/></env:Envelope>`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('env:Sender');
  });
});
