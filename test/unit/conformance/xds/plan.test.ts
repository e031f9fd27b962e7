// Reading test plans and filling placeholders.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTest } from '../../../../src/conformance/xds/loader.js';
import { substitute, substituteXml, unresolved } from '../../../../src/conformance/xds/placeholders.js';
import { parseTestPlan } from '../../../../src/conformance/xds/testplan.js';
import { useIdTarget } from '../../../../src/conformance/xds/variables.js';

const TESTS = join(process.cwd(), 'conformance', 'xds', 'tests');
const plan = (p: string) => parseTestPlan(readFileSync(join(TESTS, p, 'testplan.xml'), 'utf8'));

describe('testplan.xml', () => {
  it('reads a metadata update step: NoAssignUids by id, UseId, UseReport and an InputMetadata report', () => {
    const [s] = plan('15800/update');
    expect(s!.kind).toBe('Mu');
    expect(s!.noAssignUids).toEqual(['Document01']);
    expect(s!.assignUuids).toBe(true);
    expect(s!.noPatientId).toBe(true);
    expect(s!.useIds.map((u) => [u.symbol, u.section])).toEqual([
      ['$lid$', 'AssignedUuids'],
      ['$Document01_uid$', 'AssignedUids'],
    ]);
    expect(s!.useReports[0]).toEqual({ reportName: '$patientid$', test: '15817', section: 'pif', step: 'step', useAs: '$patientid$' });
    expect(s!.reports[0]!.section).toBe('InputMetadata');
  });

  it('reads flags on the TestStep itself (11996 AltPatientId) and expected errors', () => {
    const [s] = plan('11996/submit');
    expect(s!.altPatientId).toBe(true);
    expect(s!.expectedStatus).toBe('Failure');
    expect(s!.expectedErrorMessages).toEqual(['XDSUnknownPatientId']);
  });

  it('reads Null steps with assertions, retrieve reference documents and ExpectedContents', () => {
    const [q, v] = plan('15800/query_by_uniqueid');
    expect(q!.expectedContents).toEqual([{ name: 'Documents', count: 2 }]);
    expect(v!.kind).toBe('Null');
    expect(v!.asserts.length).toBeGreaterThan(5);
    const [r] = plan('12021/retrieve');
    expect(r!.kind).toBe('Retrieve');
    expect(r!.referenceDocuments.map((d) => d.uid)).toEqual(['$docuid1$', '$docuid2$']);
    const [n] = plan('11998/rplc');
    expect([n!.kind, n!.newPatientId]).toEqual(['None', true]);
  });

  it('marks transactions it does not send as unsupported', () => {
    expect(plan('PnrXop/Xop')[0]!.kind).toBe('Unsupported');
  });

  it('loads sections in index.idx order', () => {
    const t = loadTest(join(TESTS, '11992'));
    expect(t.sections.map((s) => s.name)).toEqual(['submit', 'rplc', 'eval']);
    expect(t.title).toBe('Document Replace');
  });
});

describe('placeholders', () => {
  it('replaces the longest names first and lists what is left', () => {
    const vars = new Map([
      ['$docuid1$', 'A'],
      ['$docuid10$', 'B'],
      ['orig_uuid', 'urn:uuid:1'],
    ]);
    expect(substitute('$docuid10$ $docuid1$ @id="orig_uuid"', vars)).toBe('B A @id="urn:uuid:1"');
    expect(substituteXml('<v>$p$</v>', new Map([['$p$', '1^^^&1.2&ISO']]))).toBe('<v>1^^^&amp;1.2&amp;ISO</v>');
    expect(unresolved("'$ssuid$' and $XDSDocumentEntryPatientId")).toEqual(['$ssuid$']);
  });

  it('resolves UseId testdir from the section, or from the test folder', () => {
    const sectionDir = join(TESTS, '11897', 'approved');
    expect(useIdTarget({ testdir: '../../12346/single_doc', id: 'x', symbol: 's', step: 'submit_doc', section: 'AssignedUuids' }, '11897', sectionDir, join(TESTS, '11897'))).toEqual({
      test: '12346',
      section: 'single_doc',
    });
    expect(useIdTarget({ testdir: 'submit', id: 'x', symbol: 's', step: 'submit', section: 'AssignedUids' }, '12021', join(TESTS, '12021', 'retrieve'), join(TESTS, '12021'))).toEqual({
      test: '12021',
      section: 'submit',
    });
  });
});
