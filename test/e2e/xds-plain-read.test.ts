// The ITI-18 door on a real port answers an envelope read by the plain reader (src/xml/plain-read.ts)
// exactly as it answers the same envelope read by the DOM. The DOM's reading is had by putting a
// comment between the Header and the Body, which the plain reader never reads and no reader of
// the envelope sees. Each envelope is a signed query of patient A altered outside its assertion:
// namespace prefixes shadowed or unset, a second patient id slot, entities and references, header
// blocks that must be understood, and, at random (fixed seed), pieces of XML put anywhere.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { securityHeader } from '../../src/auth/vihf-issuer.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { NS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { seededRandom } from '../support/seeded-random.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { cx, sendRaw, vihfFor, XDS_ACTIONS, type XdsAnswer } from '../support/xds-client.js';

const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";
const SOAP_TYPE = `application/soap+xml; charset=UTF-8; action="${XDS_ACTIONS['ITI-18']}"`;

/** What an answer says, the MessageID it was given left out. */
function said(a: XdsAnswer): { status: number; xml: string } {
  return { status: a.status, xml: a.xml.replace(/<wsa:MessageID>[^<]*<\/wsa:MessageID>/, '') };
}

describeEachStore('ITI-18: an envelope read plainly is answered as the DOM reads it', (db) => {
  let server: RunningApp;
  let registry: string;
  const doctor = proActor('doctor');
  let a: { patientKey: string; ins: PatientIdentifier };
  let b: { patientKey: string; ins: PatientIdentifier };

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    registry = `${server.baseUrl}/xds/registry`;
    const w: World = { db: db(), clock: undefined as never, services: server.app.services };
    a = await adultRecord(w);
    b = await adultRecord(w);
    for (const p of [a, b]) {
      await w.services.consent.addGrant(patientCaller(p.patientKey), p.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      await w.services.submissions.submit(as(doctor), submission(p.ins, [{ authorId: doctor.idNatPs, content: 'a document' }]));
    }
  });
  afterAll(async () => {
    await server.close();
  });

  /** The envelope as sent, and forced to the DOM: a comment before the Body (none: not sent). */
  async function bothWays(text: string): Promise<[plain: ReturnType<typeof said>, dom: ReturnType<typeof said>] | undefined> {
    const body = text.lastIndexOf('<env:Body');
    if (body < 0) return undefined;
    const send = async (t: string) => said(await sendRaw(registry, SOAP_TYPE, Buffer.from(t, 'utf8')));
    return [await send(text), await send(`${text.slice(0, body)}<!---->${text.slice(body)}`)];
  }

  it('ACC-10: the same answer, plain or DOM, for envelopes altered by hand and at random outside the assertion', async () => {
    const security = securityHeader(vihfFor(doctor, { patientId: a.ins }));
    const slot = (name: string, value: string, open = '<rim:Slot', close = '</rim:Slot>', v = 'rim:') =>
      `${open} name="${name}"><${v}ValueList><${v}Value>${value}</${v}Value></${v}ValueList>${close}`;
    const query = (inner: string, returnType = 'ObjectRef') =>
      `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="${returnType}"/>` +
      `<rim:AdhocQuery id="${Q.FindDocuments}">${inner}</rim:AdhocQuery></query:AdhocQueryRequest>`;
    const ofA = slot('$XDSDocumentEntryPatientId', cx(a.ins));
    const status = slot('$XDSDocumentEntryStatus', APPROVED);
    const envelope = (body: string, headers = '') =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}">\n<env:Header>` +
      `<wsa:Action env:mustUnderstand="true">${XDS_ACTIONS['ITI-18']}</wsa:Action><wsa:MessageID>urn:uuid:6a0c9c4e-5f0e-4d7e-9a59-1f1c2f8e0001</wsa:MessageID>` +
      `${headers}${security}</env:Header>\n<env:Body>${body}</env:Body>\n</env:Envelope>\n`;
    const base = envelope(query(ofA + status));
    const byHand = [
      base,
      // entity references other than the five: the DOM refuses them, `&constructor;` included
      envelope(query(ofA + slot('$XDSDocumentEntryStatus', "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved&constructor;')"))),
      envelope(query(ofA + status + '<rim:Slot name="&constructor;"/>')),
      envelope(query(ofA + status), '<wsa:To>&constructor;</wsa:To>'),
      // an element named xmlns: the DOM refuses it
      envelope(query(ofA + status + '<xmlns/>')),
      envelope(query(ofA + status), '<xmlns/>'),
      // B's patient id in a slot of another namespace, by a shadowed prefix or a default namespace
      envelope(query(ofA + status + slot('$XDSDocumentEntryPatientId', cx(b.ins), '<rim:Slot xmlns:rim="urn:other"'))),
      envelope(query(ofA + status + slot('$XDSDocumentEntryPatientId', cx(b.ins), `<Slot xmlns="${NS.rim}"`, '</Slot>', ''))),
      envelope(query(slot('$XDSDocumentEntryPatientId', cx(b.ins), `<r:Slot xmlns:r="${NS.rim}"`, '</r:Slot>', 'r:') + status)),
      envelope(query(ofA + status + slot('$XDSDocumentEntryPatientId', cx(b.ins), '<rim:Slot xmlns=""', '</rim:Slot>'))),
      // references where the values are: characters, the five, line ends, tabs in attributes
      envelope(query(slot('$XDSDocumentEntryPatientId', `&apos;${a.ins.value}^^^&amp;${a.ins.system}&amp;ISO&apos;`) + status)),
      envelope(query(slot('$XDSDocumentEntryPatientId', `&#39;${a.ins.value}^^^&#38;${a.ins.system}&#38;ISO&#39;`) + status)),
      envelope(query(ofA + status, 'LeafClass\t')),
      envelope(query(ofA + status, 'LeafClass')).replaceAll('\n', '\r\n'),
      envelope(query(ofA + status.replace('name=', 'name\t=\t'))),
      // header blocks: Action in another namespace, a block to be understood by a prefix declared on it
      base.replace('<wsa:Action ', '<wsa:Action xmlns:wsa="urn:other" '),
      envelope(query(ofA + status), `<x:Lock xmlns:x="urn:x" xmlns:s="${NS.soap12}" s:mustUnderstand="true"/>`),
      envelope(query(ofA + status), `<x:Lock xmlns:x="urn:x" xmlns:env="urn:not-soap" env:mustUnderstand="true"/>`),
      envelope(query(ofA + status), `<x:Lock xmlns:x="urn:x" env:mustUnderstand="true" env:mustUnderstand="false"/>`),
    ];
    // at random: pieces of XML put anywhere outside the assertion, or characters cut
    const random = seededRandom(18);
    const pieces = ['<', '>', '&', '&amp;', '&lt;', '&#38;', '&x;', '&constructor;', '"', "'", ' ', '\t', '\r\n', ':', 'é', ' xmlns=""', ' xmlns="urn:d"', ` xmlns:rim="urn:other"`, ` xmlns:query="urn:other"`, ` xmlns:wsa="urn:other"`, ` xmlns:env="urn:other"`, ' env:mustUnderstand="true"', '<a/>', '<xmlns/>', '<!--c-->', '<![CDATA[x]]>', ' xml:lang="fr"', '</rim:Slot>', '<rim:Slot name="$XDSDocumentEntryPatientId">', slot('$XDSDocumentEntryPatientId', cx(b.ins)), ' returnType="LeafClass"', '</env:Body>', '<env:Body>'];
    const assertionAt = base.indexOf('<wsse:Security');
    const assertionEnd = base.indexOf('</wsse:Security>') + '</wsse:Security>'.length;
    const atRandom: string[] = [];
    for (let k = 0; k < 40; k++) {
      let text = base;
      for (let e = 1 + Math.floor(random() * 2); e > 0; e--) {
        const before = random() < 0.2;
        const at = before ? Math.floor(random() * assertionAt) : assertionEnd + Math.floor(random() * (base.length - assertionEnd));
        const shift = text.length - base.length;
        const i = before ? at : at + shift;
        text = random() < 0.7 ? text.slice(0, i) + pieces[Math.floor(random() * pieces.length)] + text.slice(i) : text.slice(0, i) + text.slice(i + 1 + Math.floor(random() * 8));
      }
      atRandom.push(text);
    }
    let compared = 0;
    for (const text of [...byHand, ...atRandom]) {
      const answers = await bothWays(text);
      if (!answers) continue;
      compared++;
      // the assertion is left out of what a failure shows
      const sent = text.replace(security, '<wsse:Security/>');
      expect({ sent, answer: answers[0] }).toEqual({ sent, answer: answers[1] });
    }
    expect(compared).toBeGreaterThan(50);
    // the envelope as clients send it: A's document, read plainly
    const [plain] = (await bothWays(base))!;
    expect(plain.xml).toContain('ResponseStatusType:Success');
    expect(plain.xml).toContain('<rim:ObjectRef ');
  });
});
