// ebRIM 2.1 -> 3.0 on the testkit's own files: what the door's reader gets must be whole.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { convertEbRim21, isEbRim21, RIM21 } from '../../../../src/conformance/xds/convert21.js';
import { readSubmitObjectsRequest } from '../../../../src/xds/ebrim/read.js';
import { NS, attr, descendants, parseXml } from '../../../../src/xml/index.js';

const TESTS = join(process.cwd(), 'conformance', 'xds', 'tests');
const read = (p: string) => readFileSync(join(TESTS, p), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.xml') && n !== 'testplan.xml' ? [p] : [];
  });
}

describe('ebRIM 2.1 -> 3.0', () => {
  it('turns 11966 single_doc into a SubmitObjectsRequest the door reads without a problem', () => {
    const xml = convertEbRim21(read('11966/submit/single_doc.xml'));
    const root = parseXml(xml).documentElement!;
    expect(root.namespaceURI).toBe(NS.lcm);
    expect(root.localName).toBe('SubmitObjectsRequest');
    const r = readSubmitObjectsRequest(root);
    expect(r.problems.map((p) => p.message)).toEqual([]);
    expect(r.submission!.documents).toHaveLength(1);
    const de = r.submission!.documents[0]!.metadata;
    expect(de.classCode).toEqual({ code: 'REPORTS', system: '1.3.6.1.4.1.19376.1.2.6.1', display: 'Reports' });
    expect(de.authors).toHaveLength(2);
    expect(r.submission!.associations.map((a) => [a.type, a.sourceId, a.targetId, a.submissionSetStatus])).toEqual([
      ['HasMember', 'SubmissionSet01', 'Document01', 'Original'],
    ]);
  });

  it('gives every Classification, ExternalIdentifier and Association an id and its owner', () => {
    const doc = parseXml(convertEbRim21(read('11966/submit/single_doc.xml')));
    for (const c of descendants(doc, NS.rim, 'Classification')) {
      expect(attr(c, 'id')).toBeTruthy();
      expect(attr(c, 'classifiedObject')).toBeTruthy();
    }
    for (const e of descendants(doc, NS.rim, 'ExternalIdentifier')) {
      expect(attr(e, 'id')).toBeTruthy();
      expect(attr(e, 'registryObject')).toMatch(/^(Document01|SubmissionSet01)$/);
    }
    const assoc = descendants(doc, NS.rim, 'Association');
    expect(assoc.map((a) => attr(a, 'associationType'))).toEqual(['urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember']);
    expect(attr(assoc[0]!, 'id')).toBeTruthy();
  });

  it('drops the scheme ObjectRefs 2.1 needed but keeps one the submission points at (11992 rplc, tag0 prefix)', () => {
    const text = read('11992/rplc/metadata.xml').split('$rplc_doc_uuid$').join('urn:uuid:11111111-2222-3333-4444-555555555555');
    const doc = parseXml(convertEbRim21(text));
    expect(descendants(doc, NS.rim, 'ObjectRef').map((o) => attr(o, 'id'))).toEqual(['urn:uuid:11111111-2222-3333-4444-555555555555']);
    const types = descendants(doc, NS.rim, 'Association').map((a) => attr(a, 'associationType'));
    expect(types).toContain('urn:ihe:iti:2007:AssociationType:RPLC');
  });

  it('puts children in the 3.0 order: Slot, Name, Description, Classification, ExternalIdentifier', () => {
    const doc = parseXml(convertEbRim21(read('11966/submit/single_doc.xml')));
    const eo = descendants(doc, NS.rim, 'ExtrinsicObject')[0]!;
    const order = ['Slot', 'Name', 'Description', 'VersionInfo', 'Classification', 'ExternalIdentifier'];
    const ranks: number[] = [];
    for (let n = eo.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) ranks.push(order.indexOf((n as unknown as { localName: string }).localName));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('converts every 2.1 file of the testkit copy into 3.0 with no 2.1 element left', () => {
    const all = files(TESTS).filter((f) => isEbRim21(readFileSync(f, 'utf8')));
    expect(all.length).toBeGreaterThan(150);
    for (const f of all) {
      const xml = convertEbRim21(readFileSync(f, 'utf8').replace(/\$[A-Za-z_][\w.-]*\$/g, 'X'));
      expect(xml).not.toContain(RIM21);
      const doc = parseXml(xml);
      for (const local of ['ExtrinsicObject', 'RegistryPackage', 'Association', 'Classification', 'ExternalIdentifier']) {
        for (const el of descendants(doc, NS.rim, local)) expect([f, local, attr(el, 'id')]).toEqual([f, local, expect.any(String)]);
      }
    }
  });
});
