// The toolkit's processing before sending: patient ids, uniqueIds, UUIDs.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareSubmission, queryPatientId } from '../../../../src/conformance/xds/prepare.js';
import { DE_SCHEME, SS_SCHEME } from '../../../../src/xds/ebrim/constants.js';
import { NS, attr, descendants, parseXml, textOf } from '../../../../src/xml/index.js';

const TESTS = join(process.cwd(), 'conformance', 'xds', 'tests');
const read = (p: string) => readFileSync(join(TESTS, p), 'utf8');
const PID = '1234567890123^^^&1.2.250.1.213.1.4.8&ISO';
const counter = () => {
  let n = 0;
  return () => `1.2.250.1.999.1.${++n}`;
};
const eiValue = (xml: string, scheme: string) =>
  descendants(parseXml(xml), NS.rim, 'ExternalIdentifier').filter((e) => attr(e, 'identificationScheme') === scheme).map((e) => attr(e, 'value'));

describe('prepareSubmission', () => {
  it('puts the patient on every XDS*.patientId and fresh uniqueIds on the entry and the set', () => {
    const p = prepareSubmission(read('11966/submit/single_doc.xml'), { patientId: PID, noAssignUids: false, assignUuids: false, newUid: counter() });
    expect(eiValue(p.xml, DE_SCHEME.patientId)).toEqual([PID]);
    expect(eiValue(p.xml, SS_SCHEME.patientId)).toEqual([PID]);
    expect(p.patientId).toBe(PID);
    expect(eiValue(p.xml, DE_SCHEME.uniqueId)).toEqual(['1.2.250.1.999.1.1']);
    expect([...p.assignedUids]).toEqual([
      ['Document01', '1.2.250.1.999.1.1'],
      ['SubmissionSet01', '1.2.250.1.999.1.2'],
    ]);
    // no AssignUuids: symbolic ids are sent for the registry to assign
    expect(descendants(parseXml(p.xml), NS.rim, 'ExtrinsicObject').map((e) => attr(e, 'id'))).toEqual(['Document01']);
  });

  it('leaves the file patient alone with NoPatientId, and keeps the uniqueIds NoAssignUids names', () => {
    const text = read('15800/update/single_doc.xml').split('$patientid$').join(PID.replace(/&/g, '&amp;')).split('$lid$').join('urn:uuid:aaaaaaaa-0000-0000-0000-000000000001').split('$Document01_uid$').join('9.9.9');
    const p = prepareSubmission(text, { noAssignUids: ['Document01'], assignUuids: true, newUid: counter() });
    expect(eiValue(p.xml, DE_SCHEME.uniqueId)).toEqual(['9.9.9']);
    expect(eiValue(p.xml, SS_SCHEME.uniqueId)).toEqual(['1.2.250.1.999.1.1']);
    expect(eiValue(p.xml, DE_SCHEME.patientId)).toEqual([PID]);
  });

  it('with AssignUuids, turns symbolic ids into UUIDs and follows every reference', () => {
    const p = prepareSubmission(read('11966/submit/single_doc.xml'), { patientId: PID, noAssignUids: false, assignUuids: true, newUid: counter() });
    const doc = parseXml(p.xml);
    const de = p.assignedUuids.get('Document01')!;
    const ss = p.assignedUuids.get('SubmissionSet01')!;
    expect(de).toMatch(/^urn:uuid:/);
    const assoc = descendants(doc, NS.rim, 'Association')[0]!;
    expect([attr(assoc, 'sourceObject'), attr(assoc, 'targetObject')]).toEqual([ss, de]);
    for (const c of descendants(doc, NS.rim, 'Classification')) expect(attr(c, 'classifiedObject')).toMatch(/^urn:uuid:/);
    for (const el of [...descendants(doc, NS.rim, 'ExternalIdentifier'), ...descendants(doc, NS.rim, 'Classification')]) {
      expect(attr(el, 'id')).toMatch(/^urn:uuid:/);
    }
    expect(p.xml).not.toContain('"Document01"');
  });

  it('moves a sourcePatientId that repeated the file patient along with it, and no other', () => {
    const xml = read('11966/submit/single_doc.xml').replace('89765a87b^^^&amp;1.3.4.5&amp;ISO', 'SELF-5^^^&amp;1.3.6.1.4.1.21367.2005.3.7&amp;ISO');
    const p = prepareSubmission(xml, { patientId: PID, noAssignUids: false, assignUuids: false, newUid: counter() });
    const spid = descendants(parseXml(p.xml), NS.rim, 'Slot').filter((s) => attr(s, 'name') === 'sourcePatientId').map((s) => textOf(s).trim());
    expect(spid).toEqual([PID]);
    const untouched = prepareSubmission(read('11966/submit/single_doc.xml'), { patientId: PID, noAssignUids: false, assignUuids: false, newUid: counter() });
    expect(untouched.xml).toContain('89765a87b^^^&amp;1.3.4.5&amp;ISO');
  });

  it('reads the patient a stored query names', () => {
    const q = read('11898/simple/query.xml').replace('$patient_id$', PID.replace(/&/g, '&amp;'));
    expect(queryPatientId(q)).toBe(PID);
    expect(queryPatientId(read('11966/eval/query.xml'))).toBeUndefined();
  });
});
