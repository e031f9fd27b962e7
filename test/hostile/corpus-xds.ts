// The XDS part of the hostile corpus: envelopes past the XML limits (before any identity is
// known), DTDs, SOAP and MTOM framing faults, VIHF forgeries and signature wrapping, SQL and
// prototype keys in every stored-query slot, and submissions whose metadata lie.
import { randomUUID } from 'node:crypto';
import { buildVihfAssertion, securityHeader, signAssertion, subjectDn } from '../../src/auth/vihf-issuer.js';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { buildMtomMessage } from '../../src/xds/mtom.js';
import { STORED_QUERY_IDS } from '../../src/xds/query/params.js';
import { NS } from '../../src/xml/index.js';
import { testSigner } from '../support/vihf-keys.js';
import { vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { PROTOTYPE_KEYS, SQL_INJECTIONS, type HostileRequest } from './corpus.js';

const A = XDS_ACTIONS;
const SOAP = (action: string) => `application/soap+xml; charset=UTF-8; action="${action}"`;

export interface XdsCorpusContext {
  doctor: ProfessionalActor;
  /** the record's patient id as a quoted CX for stored-query slots */
  cx: string;
  /** a submission of one document for the record (its uniqueId and dates are overwritten) */
  submission: () => SubmissionRequest;
}

function envelope(action: string, body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
    `<wsa:Action env:mustUnderstand="true">${action}</wsa:Action><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>${header}` +
    `</env:Header><env:Body>${body}</env:Body></env:Envelope>`
  );
}

function adhoc(id: string, slots: Record<string, string>, returnType = 'LeafClass'): string {
  const slotXml = Object.entries(slots)
    .map(([name, v]) => `<rim:Slot name="${name}"><rim:ValueList><rim:Value>${v}</rim:Value></rim:ValueList></rim:Slot>`)
    .join('');
  return (
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnComposedObjects="true" returnType="${returnType}"/>` +
    `<rim:AdhocQuery id="${id}">${slotXml}</rim:AdhocQuery></query:AdhocQueryRequest>`
  );
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A stored-query slot value: quoted, quotes doubled as ITI-18 writes them, XML-escaped. */
function quoted(s: string): string {
  return xmlEscape(`'${s.replace(/'/g, "''")}'`);
}

export function xdsCorpus(ctx: XdsCorpusContext): HostileRequest[] {
  const out: HostileRequest[] = [];
  const vihf = () => vihfFor(ctx.doctor);
  // The envelopes whose fault lies elsewhere carry one valid assertion, as a client sends the
  // same one with each request: a new signature for each (and its first check by the server)
  // proved nothing more about them. The forgeries below start from assertions of their own.
  let valid: string | undefined;
  const security = () => securityHeader((valid ??= vihf()));
  const registry = (name: string, body: string | Buffer, contentType = SOAP(A['ITI-18']), search = false) =>
    out.push({ name: `xds: ${name}`, door: 'xds', method: 'POST', path: '/xds/registry', headers: { 'content-type': contentType }, body, search });
  const repository = (name: string, body: string | Buffer, contentType: string) =>
    out.push({ name: `xds: ${name}`, door: 'xds', method: 'POST', path: '/xds/repository', headers: { 'content-type': contentType }, body });
  const query = (slots: Record<string, string>) => adhoc(STORED_QUERY_IDS.FindDocuments, { $XDSDocumentEntryPatientId: ctx.cx, $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')", ...slots });

  // Before identity: shapes past the limits, anonymous.
  registry('wsse:Security with 1,250,000 empty elements (5 MB), no assertion', envelope(A['ITI-18'], query({}), `<wsse:Security xmlns:wsse="${NS.wsse}">${'<x/>'.repeat(1_250_000)}</wsse:Security>`));
  registry('envelope nested 100,000 deep', envelope(A['ITI-18'], query({}), '<x>'.repeat(100_000) + '</x>'.repeat(100_000)));
  for (const where of ['wsa:Action', 'wsa:MessageID']) {
    const deep = '<x>'.repeat(20_000) + 'urn:x' + '</x>'.repeat(20_000);
    const env = envelope(A['ITI-18'], query({}), security()).replace(new RegExp(`<${where}([^>]*)>[^<]*</${where}>`), `<${where}$1>${deep}</${where}>`);
    registry(`20,000-deep nesting inside ${where}`, env);
  }
  for (const where of ['saml2:NameID', 'saml2:AttributeValue']) {
    const deep = '<x>'.repeat(20_000) + 'v' + '</x>'.repeat(20_000);
    const forged = vihf().replace(new RegExp(`(<${where}[^>]*>)`), `$1${deep}`);
    registry(`20,000-deep nesting inside ${where}`, envelope(A['ITI-18'], query({}), securityHeader(forged)));
  }
  registry('5 MB of text in a header', envelope(A['ITI-18'], query({}), `<x>${'a'.repeat(5 * 1024 * 1024)}</x>`));
  registry('element with 10,000 namespace declarations', envelope(A['ITI-18'], query({}), `<x ${Array.from({ length: 10_000 }, (_, i) => `xmlns:p${i}="urn:p${i}"`).join(' ')}/>`));
  registry('plain SOAP body larger than the XML part limit (8 MB + 64 KB)', envelope(A['ITI-18'], query({}), `<x>${'a'.repeat(8 * 1024 * 1024 + 64 * 1024)}</x>`));
  // DTDs.
  registry('XXE in the envelope', `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>${envelope(A['ITI-18'], query({ $XDSDocumentEntryAuthorPerson: '&x;' }), security()).replace(/^<\?xml[^>]*>/, '')}`);
  registry('entity expansion in the envelope', `<!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${envelope(A['ITI-18'], query({}), security()).replace(/^<\?xml[^>]*>/, '')}`);
  registry('external DTD reference', `<!DOCTYPE e SYSTEM "http://127.0.0.1:9/e.dtd">${envelope(A['ITI-18'], query({}), security()).replace(/^<\?xml[^>]*>/, '')}`);
  // SOAP faults of form.
  registry('JSON instead of SOAP', '{"Envelope":{}}');
  registry('empty body', '');
  registry('SOAP 1.1 envelope', `<s:Envelope xmlns:s="${NS.soap11}"><s:Body>${query({})}</s:Body></s:Envelope>`);
  registry('envelope without a Body', `<env:Envelope xmlns:env="${NS.soap12}"><env:Header/></env:Envelope>`);
  registry('Body with two elements', envelope(A['ITI-18'], query({}) + query({}), security()));
  // The Header is cut from the Body by the scan before identity: envelopes where that cut could go wrong.
  const bulk = `<x>${'<y a="1"/>'.repeat(19_900)}</x>`;
  registry('19,900 elements after the Body, anonymous', envelope(A['ITI-18'], query({})).replace('</env:Envelope>', `${bulk}</env:Envelope>`));
  registry('a second Body of 19,900 elements, anonymous', envelope(A['ITI-18'], query({})).replace('</env:Envelope>', `<env:Body>${bulk}</env:Body></env:Envelope>`));
  registry('a decoy Header in another namespace before a Header of 19,900 elements', envelope(A['ITI-18'], query({}), bulk).replace('<env:Header>', '<o:Header xmlns:o="urn:o"/><env:Header>'));
  registry('Body before the Header', envelope(A['ITI-18'], query({}), security()).replace(/(<env:Header>[\s\S]*<\/env:Header>)(<env:Body>[\s\S]*<\/env:Body>)/, '$2$1'));
  registry('a second Body after the Body', envelope(A['ITI-18'], query({}), security()).replace('</env:Envelope>', `<env:Body>${query({})}</env:Body></env:Envelope>`));
  registry('an element after the Body', envelope(A['ITI-18'], query({}), security()).replace('</env:Envelope>', '<x/></env:Envelope>'));
  // WS-Addressing headers: each at most once, a MessageID of a sensible length (the answer repeats it)
  registry('wsa:MessageID twice', envelope(A['ITI-18'], query({}), security()).replace(/(<wsa:MessageID>[^<]*<\/wsa:MessageID>)/, '$1<wsa:MessageID>urn:uuid:00000000-0000-4000-8000-000000000000</wsa:MessageID>'));
  registry('wsa:Action twice, the second another transaction', envelope(A['ITI-18'], query({}), security()).replace(/(<wsa:Action[^>]*>[^<]*<\/wsa:Action>)/, `$1<wsa:Action>${A['ITI-57']}</wsa:Action>`));
  registry('wsa:MessageID of 200 KB', envelope(A['ITI-18'], query({}), security()).replace(/<wsa:MessageID>[^<]*</, `<wsa:MessageID>urn:uuid:${'a'.repeat(200_000)}<`));
  registry('unknown mustUnderstand header', envelope(A['ITI-18'], query({}), `<x:Evil xmlns:x="urn:evil" env:mustUnderstand="true"/>${security()}`));
  registry('action served by the other endpoint', envelope(A['ITI-41'], query({}), security()), SOAP(A['ITI-41']));
  registry('Content-Type action differs from wsa:Action', envelope(A['ITI-18'], query({}), security()), SOAP(A['ITI-57']));
  registry('invalid UTF-8 in the envelope', Buffer.concat([Buffer.from(envelope(A['ITI-18'], query({ $XDSDocumentEntryAuthorPerson: "'" }), security()).split("'</rim:Value>")[0]!), Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from("'</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest></env:Body></env:Envelope>")]));
  for (const key of ['__proto__', 'constructor', 'toString']) {
    registry(`wsa:Action ${key}`, envelope(key, query({}), security()), SOAP(key));
  }

  // MTOM framing faults.
  const mtom = buildMtomMessage(envelope(A['ITI-18'], query({}), security()), [], A['ITI-18']);
  const whole = Buffer.concat(mtom.chunks);
  const boundary = /boundary="([^"]+)"/.exec(mtom.contentType)![1]!;
  registry('MTOM without a boundary parameter or a leading delimiter', Buffer.concat([Buffer.from('junk\r\n'), whole]), 'multipart/related; type="application/xop+xml"');
  registry('MTOM truncated before its closing boundary', whole.subarray(0, whole.length - boundary.length - 8), mtom.contentType);
  registry('MTOM start part that does not exist', whole, mtom.contentType.replace(/start="[^"]+"/, 'start="<nowhere@x>"'));
  registry('MTOM boundary never found', Buffer.from('no parts here'), 'multipart/related; boundary="b"; type="application/xop+xml"');
  registry('MTOM part without a header separator in 16 KB', Buffer.from(`--b\r\nContent-Type: text/plain\r\nX: ${'a'.repeat(20_000)}\r\n--b--\r\n`), 'multipart/related; boundary="b"; type="application/xop+xml"');
  registry('MTOM part with an unknown transfer encoding', Buffer.from(`--b\r\nContent-Transfer-Encoding: x-evil\r\n\r\n<a/>\r\n--b--\r\n`), 'multipart/related; boundary="b"; type="application/xop+xml"');
  registry('MTOM with 5,000 parts', Buffer.from(`${'--b\r\nContent-ID: <p>\r\n\r\nx\r\n'.repeat(5000)}--b--\r\n`), 'multipart/related; boundary="b"; type="application/xop+xml"');
  registry('MTOM root part larger than the XML part limit', Buffer.from(`--b\r\nContent-Type: application/xop+xml\r\n\r\n<a>${'x'.repeat(9 * 1024 * 1024)}</a>\r\n--b--\r\n`), 'multipart/related; boundary="b"; type="application/xop+xml"');
  registry('multipart/form-data', whole, `multipart/form-data; boundary=${boundary}`);
  // A Content-ID names one part (RFC 2392): a second part of the same id made which one is read
  // the parser's choice (the last one won), for the root as for a document.
  const rootId = /start="<([^>]+)>"/.exec(mtom.contentType)![1]!;
  registry('MTOM root part whose Content-ID a second part repeats', Buffer.concat([whole.subarray(0, whole.length - boundary.length - 6), Buffer.from(`\r\n--${boundary}\r\nContent-ID: <${rootId}>\r\n\r\n<x/>\r\n--${boundary}--\r\n`)]), mtom.contentType);

  // VIHF forgeries and signature wrapping (they name no existing record).
  const signed = vihf();
  const unsigned = buildVihfAssertion({ idNatPs: '810000000666', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: '1', subjectName: 'Evil', mode: 'normal' }, { issuer: 'CN=Evil' });
  const evilId = `_${randomUUID()}`;
  const withSecurity = (name: string, header: string) => registry(`VIHF: ${name}`, envelope(A['ITI-18'], query({}), header));
  withSecurity('no wsse:Security', '');
  withSecurity('empty wsse:Security', securityHeader());
  withSecurity('unsigned assertion', securityHeader(unsigned));
  withSecurity('unsigned assertion wrapping a signed one', securityHeader(unsigned.replace('</saml2:Issuer>', `</saml2:Issuer><saml2:Advice>${signed}</saml2:Advice>`).replace(/ID="[^"]+"/, `ID="${evilId}"`)));
  withSecurity('signed assertion beside an unsigned one', securityHeader(unsigned, signed));
  withSecurity('signed assertion with its NameID changed', securityHeader(signed.replace(/(<saml2:NameID[^>]*>)[^<]+/, '$1810000000666')));
  withSecurity('signed assertion with its ID changed', securityHeader(signed.replace(/ ID="[^"]+"/, ` ID="${evilId}"`)));
  withSecurity('signature moved to an unsigned assertion', securityHeader(unsigned.replace('</saml2:Issuer>', `</saml2:Issuer>${/<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0]}`)));
  withSecurity('signed by an untrusted signer', securityHeader(vihfFor(ctx.doctor, { signer: testSigner('untrusted') })));
  withSecurity('valid for ten years', securityHeader(vihfFor(ctx.doctor, { validitySeconds: 10 * 365 * 86400 })));
  withSecurity('expired', securityHeader(vihfFor(ctx.doctor, { now: new Date(Date.now() - 86_400_000), validitySeconds: 600 })));
  withSecurity('not yet valid', securityHeader(vihfFor(ctx.doctor, { now: new Date(Date.now() + 86_400_000) })));
  const untrusted = testSigner('untrusted');
  const bulky = buildVihfAssertion({ idNatPs: '810000000666', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: '1', subjectName: 'Evil', mode: 'normal' }, { issuer: subjectDn(untrusted.certificatePem) })
    .replace('</saml2:AttributeStatement>', `${'<saml2:Attribute Name="x"><saml2:AttributeValue>v</saml2:AttributeValue></saml2:Attribute>'.repeat(3000)}</saml2:AttributeStatement>`);
  // Every transform of the signature's reference is a canonicalisation of the assertion, made
  // before the signature value is checked: anyone could ask hundreds of them, of a large assertion.
  const transforms = (n: number, more = '') =>
    vihf()
      .replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '')
      .replace('<ds:Transforms>', `<ds:Transforms>${'<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'.repeat(n)}`)
      .replace(/(<saml2:Issuer[^>]*)>/, `$1${more}>`);
  withSecurity('signature reference with 400 transforms', securityHeader(transforms(400)));
  withSecurity('signature reference with 100 transforms of an assertion of 1 MB', securityHeader(transforms(100, ` Evil="${'x'.repeat(1024 * 1024)}"`)));
  withSecurity('signature reference with an XSLT transform', securityHeader(vihf().replace('<ds:Transforms>', '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>')));
  withSecurity('assertion of 3 MB (one attribute)', securityHeader(vihf().replace(/(<saml2:Issuer[^>]*)>/, `$1 Evil="${'x'.repeat(3 * 1024 * 1024)}">`)));
  withSecurity('assertion of 9,000 elements', securityHeader(signAssertion(bulky, untrusted).replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '')));

  // SQL and prototype keys in every stored-query slot, from an identified, authorised caller.
  const slots: Array<[string, (v: string) => string, boolean]> = [
    ['$XDSDocumentEntryPatientId', quoted, false],
    ['$XDSDocumentEntryClassCode', (v) => `(${quoted(`${v}^^1.2.250.1.213.1.1.4.1`)})`, true],
    ['$XDSDocumentEntryTypeCode', (v) => `(${quoted(`${v}^^2.16.840.1.113883.6.1`)})`, true],
    ['$XDSDocumentEntryPracticeSettingCode', (v) => `(${quoted(`${v}^^1.2.250.1.213.1.1.4.9`)})`, true],
    ['$XDSDocumentEntryHealthcareFacilityTypeCode', (v) => `(${quoted(`${v}^^1.2.250.1.71.4.2.4`)})`, true],
    ['$XDSDocumentEntryEventCodeList', (v) => `(${quoted(`${v}^^1.2.3`)})`, true],
    ['$XDSDocumentEntryConfidentialityCode', (v) => `(${quoted(`${v}^^2.16.840.1.113883.5.25`)})`, true],
    ['$XDSDocumentEntryFormatCode', (v) => `(${quoted(`${v}^^1.2.3`)})`, true],
    ['$XDSDocumentEntryAuthorPerson', (v) => `(${quoted(v)})`, true],
    ['$XDSDocumentEntryStatus', (v) => `(${quoted(v)})`, true],
    ['$XDSDocumentEntryType', (v) => `(${quoted(v)})`, true],
    ['$XDSDocumentEntryCreationTimeFrom', (v) => v.replace(/[^0-9A-Za-z]/g, '') || '1', false],
    ['$XDSDocumentEntryServiceStopTimeTo', quoted, false],
  ];
  for (const sql of SQL_INJECTIONS.slice(0, 2)) {
    for (const [slot, value, mayRun] of slots) {
      registry(`ITI-18 ${slot} with SQL ${sql}`, envelope(A['ITI-18'], query({ [slot]: value(sql) }), security()), SOAP(A['ITI-18']), mayRun);
    }
    registry(`ITI-18 GetDocuments uniqueId with SQL ${sql}`, envelope(A['ITI-18'], adhoc(STORED_QUERY_IDS.GetDocuments, { $XDSDocumentEntryUniqueId: `(${quoted(sql)})` }), security()), SOAP(A['ITI-18']), true);
    registry(`ITI-18 GetDocuments entryUUID with SQL ${sql}`, envelope(A['ITI-18'], adhoc(STORED_QUERY_IDS.GetDocuments, { $XDSDocumentEntryEntryUUID: `(${quoted(sql)})` }), security()), SOAP(A['ITI-18']), true);
    registry(`ITI-18 FindSubmissionSets sourceId with SQL ${sql}`, envelope(A['ITI-18'], adhoc(STORED_QUERY_IDS.FindSubmissionSets, { $XDSSubmissionSetPatientId: ctx.cx, $XDSSubmissionSetStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')", $XDSSubmissionSetSourceId: `(${quoted(sql)})` }), security()), SOAP(A['ITI-18']), true);
    repository(`ITI-43 DocumentUniqueId with SQL ${sql}`, envelope(A['ITI-43'], `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest><xdsb:RepositoryUniqueId>1.2.250.1.999.1.1.1</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${xmlEscape(sql)}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`, security()), SOAP(A['ITI-43']));
  }
  for (const time of ['99999999999999', '20241345', '2024021', '00000101']) {
    registry(`ITI-18 creation time ${time}`, envelope(A['ITI-18'], query({ $XDSDocumentEntryCreationTimeFrom: time }), security()));
  }
  for (const key of PROTOTYPE_KEYS.slice(0, 3)) {
    registry(`ITI-18 slot named ${key}`, envelope(A['ITI-18'], adhoc(STORED_QUERY_IDS.FindDocuments, { [key]: "'x'" }), security()));
    registry(`ITI-18 stored query id ${key}`, envelope(A['ITI-18'], adhoc(key, { $XDSDocumentEntryPatientId: ctx.cx }), security()));
    registry(`ITI-18 returnType ${key}`, envelope(A['ITI-18'], adhoc(STORED_QUERY_IDS.FindDocuments, { $XDSDocumentEntryPatientId: ctx.cx, $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')" }, key), security()));
  }

  // Submissions whose metadata lie.
  const submit = (name: string, change: (s: SubmissionRequest) => void, raw?: (xml: string) => Buffer) => {
    const sub = ctx.submission();
    change(sub);
    const cid = `${randomUUID()}@hostile`;
    const body = writeProvideAndRegisterRequest(sub, new Map([[sub.documents[0]!.id, cid]]));
    const env = envelope(A['ITI-41'], body, security());
    const message = buildMtomMessage(env, [{ contentId: cid, contentType: 'text/plain', body: Buffer.from('hostile') }], A['ITI-41']);
    let bytes: Buffer = Buffer.concat(message.chunks);
    if (raw) bytes = replaceEnvelope(message.chunks, env, raw(env));
    repository(`ITI-41 ${name}`, bytes, message.contentType);
  };
  submit('uniqueId with SQL', (s) => (s.documents[0]!.metadata.uniqueId = `1.2.3'); DROP TABLE dmp;--`));
  submit('uniqueId that is not an OID', (s) => (s.documents[0]!.metadata.uniqueId = 'Document01'));
  submit('submission set uniqueId with SQL', (s) => (s.submissionSet.uniqueId = `1.2.3' OR '1'='1`));
  submit('creationTime 20241345', (s) => (s.documents[0]!.metadata.creationTime = '20241345'));
  submit('creationTime 99999999999999', (s) => (s.documents[0]!.metadata.creationTime = '99999999999999'));
  const twice = ctx.submission();
  const twiceCid = `${randomUUID()}@hostile`;
  const twiceEnv = envelope(A['ITI-41'], writeProvideAndRegisterRequest(twice, new Map([[twice.documents[0]!.id, twiceCid]])), security());
  const twiceMessage = buildMtomMessage(twiceEnv, [{ contentId: twiceCid, contentType: 'text/plain', body: Buffer.from('hostile') }, { contentId: twiceCid, contentType: 'text/plain', body: Buffer.from('another document') }], A['ITI-41']);
  repository('ITI-41 document part whose Content-ID a second part repeats', Buffer.concat(twiceMessage.chunks), twiceMessage.contentType);
  // Characters XML 1.0 does not allow (§2.2): kept, they made every later answer naming the
  // document (ITI-18, FHIR XML) XML that no reader can parse.
  for (const [what, text] of [['a character reference to U+0001', 'a&#1;b'], ['a character reference to U+FFFE', 'a&#xFFFE;b'], ['a raw U+0001', 'a\u0001b'], ['a reference to a lone surrogate', 'a&#xD800;b']]) {
    submit(`title with ${what}`, (s) => (s.documents[0]!.metadata.title = 'TITLE-MARK'), (env) => Buffer.from(env.replace('TITLE-MARK', text!), 'utf8'));
  }
  submit('title in invalid UTF-8', (s) => (s.documents[0]!.metadata.title = 'TITLE-MARK'), (env) => {
    const at = env.indexOf('TITLE-MARK');
    return Buffer.concat([Buffer.from(env.slice(0, at)), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from(env.slice(at + 'TITLE-MARK'.length))]);
  });
  return out;
}

/** The MTOM message with its envelope bytes replaced (to send bytes no string can hold). */
function replaceEnvelope(chunks: Buffer[], env: string, bytes: Buffer): Buffer {
  const original = Buffer.from(env, 'utf8');
  return Buffer.concat(chunks.map((c) => (c.equals(original) ? bytes : c)));
}
