// The runner's affinity-domain code mapping: the table is checked against the DMP policy, every
// coded value of the testkit has a DMP code, and queries keep their meaning.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AffinityCodeMapper } from '../../../../src/conformance/xds/affinity-codes.js';
import { codeKey, loadAffinityTable, parseAffinityTable } from '../../../../src/conformance/xds/affinity-table.js';
import { DEFAULT_PROFESSIONAL } from '../../../../src/conformance/xds/identity.js';
import { prepareSubmission } from '../../../../src/conformance/xds/prepare.js';
import { loadPolicy } from '../../../../src/profiles/load.js';
import { DE_SCHEME } from '../../../../src/xds/ebrim/constants.js';
import { NS, attr, descendants, parseXml } from '../../../../src/xml/index.js';

const TESTS = join(process.cwd(), 'conformance', 'xds', 'tests');
const policy = loadPolicy();
const table = loadAffinityTable(policy, DEFAULT_PROFESSIONAL)!;
const counter = () => {
  let n = 0;
  return () => `1.2.250.1.999.1.${++n}`;
};

function metadataFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return metadataFiles(p);
    return f.endsWith('.xml') && f !== 'testplan.xml' ? [p] : [];
  });
}

function codes(xml: string, scheme: string): string[] {
  return descendants(parseXml(xml), NS.rim, 'Classification')
    .filter((c) => attr(c, 'classificationScheme') === scheme)
    .map((c) => attr(c, 'nodeRepresentation')!);
}

const submission = (path: string) => prepareSubmission(readFileSync(join(TESTS, path), 'utf8'), { noAssignUids: false, assignUuids: false, newUid: counter() }).xml;

describe('affinity-domain codes', () => {
  it('DOC-01: the shipped table maps each toolkit (type, class) pair to a DMP type of the mapped class, readable by a médecin', () => {
    const readable = new Set(policy.matrix.entries.get('10')!.readable);
    for (const [, byClass] of table.typeByClass) {
      for (const [cls, dmp] of byClass) {
        const mappedClass = table.single.classCode.get([...table.single.classCode.keys()].find((k) => k.startsWith(`${cls}^^`))!)!.code;
        expect(policy.terminology.documentTypes.get(dmp.code)?.classCode).toBe(mappedClass);
        expect(readable.has(dmp.code)).toBe(true);
      }
    }
  });

  it('never sends a confidentiality code that hides documents', () => {
    expect([...table.single.confidentialityCode.values()].every((v) => ['N', 'R', 'V'].includes(v.code))).toBe(true);
    expect(() =>
      parseAffinityTable({ confidentialityCode: { 'V^^2.16.840.1.113883.5.25': 'MASQUE_PS' } }, policy, DEFAULT_PROFESSIONAL),
    ).toThrow(/would hide documents/);
  });

  it('refuses a pair whose DMP type does not carry the mapped class, and two toolkit pairs on one DMP type', () => {
    const bad = {
      classCode: { 'REPORTS^^x': '10', 'IMAGES^^x': '31' },
      typeCodeByClass: [
        { type: 'T', class: 'REPORTS', dmp: '18748-4' },
        { type: 'U', class: 'IMAGES', dmp: '18748-4' },
      ],
    };
    expect(() => parseAffinityTable(bad, policy, DEFAULT_PROFESSIONAL)).toThrow(/has class 31, not 10.*already stands for/);
  });

  it('covers every class/type pair and every mapped code of the testkit metadata', () => {
    const missing = new Set<string>();
    for (const file of metadataFiles(TESTS)) {
      const xml = readFileSync(file, 'utf8');
      if (!/ExtrinsicObject/.test(xml)) continue;
      let mapped: string;
      try {
        mapped = new AffinityCodeMapper(table).mapSubmission(xml);
      } catch {
        continue; // not XML before placeholder substitution
      }
      for (const eo of descendants(parseXml(mapped), NS.rim, 'ExtrinsicObject')) {
        const type = descendants(eo, NS.rim, 'Classification').find((c) => attr(c, 'classificationScheme') === DE_SCHEME.typeCode);
        const t = type && attr(type, 'nodeRepresentation');
        if (t && !policy.terminology.documentTypes.has(t)) missing.add(`${file.slice(TESTS.length + 1)}: type ${t}`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('sends DMP codes, keeps distinct toolkit types distinct and reads answers back in toolkit codes', () => {
    const m = new AffinityCodeMapper(table);
    const sent = m.mapSubmission(submission('12346/two_doc_w_fol/two_doc_w_fol.xml'));
    expect(codes(sent, DE_SCHEME.classCode)).toEqual(['52', '43']);
    expect(codes(sent, DE_SCHEME.typeCode)).toEqual(['11369-6', '60593-1']);
    expect(codes(sent, DE_SCHEME.confidentialityCode)).toEqual(['R', 'N']);
    expect(codes(sent, DE_SCHEME.healthcareFacilityTypeCode)).toEqual(['SA17', 'SA33']);

    const answer = parseXml(sent).documentElement!;
    m.restoreAnswer(answer);
    expect(codes(answer.toString(), DE_SCHEME.classCode)).toEqual(['HEALTH', 'DISPENSATIONS']);
    expect(codes(answer.toString(), DE_SCHEME.typeCode)).toEqual(['11369-6', '11369-6']);
  });

  it('maps coded query parameters, a typeCode to every DMP type it became in the run', () => {
    const m = new AffinityCodeMapper(table);
    m.mapSubmission(submission('12346/two_doc_w_fol/two_doc_w_fol.xml'));
    const q = m.mapQuery(readFileSync(join(TESTS, '11897/typecode/query.xml'), 'utf8'));
    expect(q).toContain(`('${codeKey('60593-1', '2.16.840.1.113883.6.1')}', '${codeKey('11369-6', '2.16.840.1.113883.6.1')}')`);
    const c = m.mapQuery(readFileSync(join(TESTS, '11897/classcode_one/query.xml'), 'utf8'));
    expect(c).toContain("('43^^1.2.250.1.213.1.1.4.1')");
    // a malformed or unknown code is left for the server to judge
    const bad = m.mapQuery(readFileSync(join(TESTS, '11897/classcode_scheme_mismatch/query.xml'), 'utf8'));
    expect(bad).toContain("'a^^'");
  });
});
