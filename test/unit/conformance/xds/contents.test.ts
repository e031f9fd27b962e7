// ExpectedContents on AdhocQueryResponses written by the door's own writer.
import { describe, expect, it } from '@jest/globals';
import { checkContents } from '../../../../src/conformance/xds/contents.js';
import type { AvailabilityStatus } from '../../../../src/domain/model.js';
import { writeAdhocQueryResponse, writeAssociation, writeDocumentEntry, writeFolder, writeObjectRef, writeSubmissionSet } from '../../../../src/xds/ebrim/write.js';
import { parseXml } from '../../../../src/xml/index.js';
import { entryMetadata, newIns } from '../../../support/world.js';

const ins = newIns();
const u = (n: number) => `urn:uuid:00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const de = (n: number, status: AvailabilityStatus = 'Approved') => writeDocumentEntry({ ...entryMetadata(ins), availabilityStatus: status }, u(n));
const ss = (n: number) =>
  writeSubmissionSet({ uniqueId: `1.2.3.${n}`, sourceId: '1.2.3', patientId: ins, submissionTime: '20260101000000', contentTypeCode: { code: '04', system: '1.2.250.1.213.1.1.4.2' }, authors: [], intendedRecipients: [], availabilityStatus: 'Approved' }, u(n));
const fol = (n: number) => writeFolder({ uniqueId: `1.2.4.${n}`, patientId: ins, codeList: [{ code: 'X', system: '1.2.3' }], availabilityStatus: 'Approved' }, u(n));
const hm = (n: number, from: number, to: number) => writeAssociation({ type: 'HasMember', sourceId: u(from), targetId: u(to), submissionSetStatus: 'Original' }, u(n));
const body = (fragments: string[]) => parseXml(writeAdhocQueryResponse(fragments)).documentElement!;

describe('ExpectedContents', () => {
  it('SSwithOneDoc + DocApp pass on one set holding one approved entry, and fail otherwise', () => {
    expect(checkContents(body([ss(1), de(2), hm(3, 1, 2)]), [{ name: 'SSwithOneDoc' }, { name: 'DocApp' }])).toBeUndefined();
    expect(checkContents(body([ss(1), de(2, 'Deprecated'), hm(3, 1, 2)]), [{ name: 'DocApp' }])).toMatch(/DocApp: documentEntries statuses Deprecated/);
    expect(checkContents(body([ss(1), de(2), de(4), hm(3, 1, 2)]), [{ name: 'SSwithOneDoc' }])).toMatch(/documents 2 \(expected 1\)/);
    // as in the toolkit, an answer without documents has none that is not Approved
    expect(checkContents(body([]), [{ name: 'DocApp' }])).toBeUndefined();
  });

  it('counts Documents, SubmissionSets, Folders, Associations and ObjectRefs exactly', () => {
    const b = body([ss(1), fol(5), de(2), de(4), hm(3, 1, 2), hm(6, 5, 4)]);
    expect(checkContents(b, [{ name: 'Documents', count: 2 }, { name: 'SubmissionSets', count: 1 }, { name: 'Folders', count: 1 }, { name: 'Associations', count: 2 }])).toBeUndefined();
    expect(checkContents(b, [{ name: 'Associations', count: 3 }])).toBe('Associations 2 (expected 3)');
    expect(checkContents(body([writeObjectRef(u(1)), writeObjectRef(u(2))]), [{ name: 'ObjectRefs', count: 2 }])).toBeUndefined();
    expect(checkContents(body([writeObjectRef(u(1))]), [{ name: 'ObjectRefs', count: 2 }])).toMatch(/ObjectRefs 1/);
  });

  it('None means nothing at all; OneDocDep exactly one deprecated entry', () => {
    expect(checkContents(body([]), [{ name: 'None' }])).toBeUndefined();
    expect(checkContents(body([writeObjectRef(u(1))]), [{ name: 'None' }])).toMatch(/objectRefs 1/);
    expect(checkContents(body([de(1, 'Deprecated'), de(2)]), [{ name: 'OneDocDep' }, { name: 'OneDocApp' }])).toBeUndefined();
    expect(checkContents(body([de(1), de(2)]), [{ name: 'OneDocDep' }])).toMatch(/0 Deprecated/);
  });

  it('SSwithTwoDocOneFolOneDocInFol checks the folder membership too', () => {
    const base = [ss(1), fol(5), de(2), de(4), hm(3, 1, 2), hm(7, 1, 4), hm(8, 1, 5)];
    expect(checkContents(body([...base, hm(6, 5, 4)]), [{ name: 'SSwithTwoDocOneFolOneDocInFol' }])).toBeUndefined();
    expect(checkContents(body(base), [{ name: 'SSwithTwoDocOneFolOneDocInFol' }])).toMatch(/0 documents in the folder/);
  });

  it('an unknown pattern is a failure, not a silent pass', () => {
    expect(checkContents(body([]), [{ name: 'SomethingNew' }])).toMatch(/unknown ExpectedContents SomethingNew/);
  });
});
