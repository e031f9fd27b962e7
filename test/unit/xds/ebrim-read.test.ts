import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { readProvideAndRegister, readRegistryObjectList, readSubmitObjectsRequest } from '../../../src/xds/ebrim/read.js';
import { readSoapPayload } from '../../../src/xds/mtom.js';
import { parseSoapEnvelope } from '../../../src/xds/soap.js';
import { NS, firstChild, parseXml } from '../../../src/xml/index.js';
import { XDS_DATA, loadHttpDump, loadToolkitHttp, readXdsFile } from '../../support/xds-raw.js';

const PID = 'P1005125143.2^^^&amp;1.3.6.1.4.1.21367.13.20.1000&amp;ISO';

/** A toolkit metadata file with its $patientid$ placeholder filled as the toolkit would. */
function root(relative: string) {
  return parseXml(readXdsFile(relative).replace(/\$patientid\$/g, PID)).documentElement!;
}

const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
const UPDATE_57 = `<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"><r:RegistryObjectList xmlns:r="${RIM}">
<r:RegistryPackage id="SS1"><r:Slot name="submissionTime"><r:ValueList><r:Value>20250101120000</r:Value></r:ValueList></r:Slot>
 <r:ExternalIdentifier identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8" value="1.2.3.4.5" registryObject="SS1" id="e1"/>
 <r:ExternalIdentifier identificationScheme="urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832" value="1.2.3" registryObject="SS1" id="e2"/>
 <r:ExternalIdentifier identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" value="${PID}" registryObject="SS1" id="e3"/>
</r:RegistryPackage>
<r:Classification id="c0" classifiedObject="SS1" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>
<r:ExtrinsicObject id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002" lid="urn:uuid:aaaaaaaa-0000-4000-8000-000000000001" mimeType="text/plain" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1" status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved">
 <r:Slot name="urn:att"><r:ValueList><r:Value>kept</r:Value></r:ValueList></r:Slot>
 <r:Slot name="urn:ihe:iti:xds:2013:referenceIdList"><r:ValueList><r:Value>E123^^^&amp;1.2.3&amp;ISO^urn:ihe:iti:xds:2015:encounterId</r:Value></r:ValueList></r:Slot>
 <r:VersionInfo versionName="2"/>
 <r:Classification id="c1" classificationScheme="urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f" classifiedObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002" nodeRepresentation="MASQUE_PS"><r:Slot name="codingScheme"><r:ValueList><r:Value>1.2.250.1.213.1.1.4.13</r:Value></r:ValueList></r:Slot></r:Classification>
 <r:Classification id="c2" classifiedObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002" classificationNode="urn:uuid:ab9b591b-83ab-4d03-8f5d-f93b1fb92e85"/>
 <r:ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="${PID}" registryObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002" id="e4"/>
 <r:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="1.2.3.9" registryObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002" id="e5"/>
</r:ExtrinsicObject>
<r:Association id="a1" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="SS1" targetObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002">
 <r:Slot name="SubmissionSetStatus"><r:ValueList><r:Value>Original</r:Value></r:ValueList></r:Slot>
 <r:Slot name="PreviousVersion"><r:ValueList><r:Value>1</r:Value></r:ValueList></r:Slot>
 <r:Slot name="AssociationPropagation"><r:ValueList><r:Value>no</r:Value></r:ValueList></r:Slot>
</r:Association>
<r:Association id="a2" associationType="urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus" sourceObject="SS1" targetObject="urn:uuid:bbbbbbbb-0000-4000-8000-000000000001">
 <r:Slot name="OriginalStatus"><r:ValueList><r:Value>urn:oasis:names:tc:ebxml-regrep:StatusType:Approved</r:Value></r:ValueList></r:Slot>
 <r:Slot name="NewStatus"><r:ValueList><r:Value>urn:asip:ci-sis:2010:StatusType:Deleted</r:Value></r:ValueList></r:Slot>
</r:Association>
<r:Association id="a3" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002" targetObject="urn:uuid:cccccccc-0000-4000-8000-000000000001">
 <r:Classification id="c3" classifiedObject="a3" classificationScheme="urn:uuid:abd807a3-4432-4053-87b4-fd82c643d1f3" nodeRepresentation="Additional_Information"><r:Slot name="codingScheme"><r:ValueList><r:Value>1.3.6.1.4.1.21367.2017.3</r:Value></r:ValueList></r:Slot><r:Name><r:LocalizedString value="Additional Information"/></r:Name></r:Classification>
</r:Association>
<r:ObjectRef id="urn:uuid:bbbbbbbb-0000-4000-8000-000000000001"/>
</r:RegistryObjectList></lcm:SubmitObjectsRequest>`;

describe('readProvideAndRegister on raw messages', () => {
  it('PnrXop/Xop: the whole DocumentEntry', () => {
    const { contentType, body } = loadToolkitHttp(`${XDS_DATA}/raw-messages/it-tests-PnrXop/Xop`);
    const payload = readSoapPayload(body, contentType);
    const soap = parseSoapEnvelope(payload.envelope);
    const { submission, problems } = readProvideAndRegister(soap.body, payload.attachments);
    expect(problems).toEqual([]);
    const doc = submission!.documents[0]!;
    expect(doc.id).toBe('Document01');
    expect(Buffer.from(doc.content!).toString()).toContain('It is great!');
    const md = doc.metadata;
    expect(md.entryUuid).toBeUndefined(); // symbolic id
    expect(md.mimeType).toBe('text/plain');
    expect(md.objectType).toBe('stable');
    expect(md.creationTime).toBe('20051224');
    expect(md.classCode?.system).toBeTruthy();
    expect(md.typeCode).toBeDefined();
    expect(md.formatCode).toBeDefined();
    expect(md.healthcareFacilityTypeCode).toBeDefined();
    expect(md.practiceSettingCode).toBeDefined();
    expect(md.confidentialityCodes.length).toBeGreaterThan(0);
    expect(md.patientId.system).toMatch(/^[0-9.]+$/);
    expect(md.authors.length).toBeGreaterThan(0);
    expect(submission!.submissionSet.id).toBeTruthy();
    expect(submission!.associations[0]).toMatchObject({ type: 'HasMember', submissionSetStatus: 'Original', targetId: 'Document01' });
  });

  it('request.txt: SubmissionSet classified by a Classification outside the package; ObjectRefs', () => {
    const { contentType, body } = loadHttpDump(`${XDS_DATA}/raw-messages/request.txt`);
    const payload = readSoapPayload(body, contentType);
    const { submission, objectRefs, problems } = readProvideAndRegister(parseSoapEnvelope(payload.envelope).body, payload.attachments);
    expect(problems).toEqual([]);
    expect(objectRefs).toContain('urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1');
    const ss = submission!.submissionSet;
    expect(ss.id).toBe('urn:uuid:2fa9ebcc-8fa8-1888-2052-0800271b8967');
    expect(ss.entryUuid).toBe(ss.id);
    expect(ss.submissionTime).toBe('20090713083850');
    expect(ss.contentTypeCode).toEqual({ code: 'Summarization of episode', system: 'Connect-a-thon contentTypeCodes', display: 'Summarization of episode' });
    expect(ss.sourceId).toBe('1.3.6.1.4.1.21367.2009.1.2.162');
    const md = submission!.documents[0]!.metadata;
    expect(md.legalAuthenticator).toBe('11111111^Wiseman^Bernard^^Sr.^Dr.^^^&1.3.5.35.1.4436.7&ISO');
    expect(md.authors[0]!.person).toMatchObject({ id: '90000', family: 'Pangburn', given: 'Jesse', idSystem: '1.3.6.1.4.1.21367.2005.3.7' });
    expect(md.sourcePatientInfo).toHaveLength(3);
    expect(md.eventCodes).toHaveLength(1);
    expect(submission!.documents[0]!.content!.length).toBeGreaterThan(0);
  });

  it('documents without metadata are orphans; metadata without document has no content', () => {
    const pnr = readXdsFile('raw-messages/PnR1Doc.xml').replace(/<\?xml[^>]*\?>/, '');
    const withExtra = pnr.replace(
      '</xdsb:ProvideAndRegisterDocumentSetRequest>',
      '<xdsb:Document id="Nobody">aGVsbG8=</xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>',
    );
    const r = readProvideAndRegister(parseXml(withExtra).documentElement!, new Map());
    expect(r.submission!.orphanContentIds).toEqual(['Nobody']);
  });
});

describe('readSubmitObjectsRequest on toolkit metadata', () => {
  it('ReposAcceptanceTest-1113 fol_doc.xml: folder, two authors, XON without id', () => {
    const { submission, problems } = readSubmitObjectsRequest(root('tests/ReposAcceptanceTest-1113/SubmitFolderwDoc/fol_doc.xml'));
    expect(problems).toEqual([]);
    expect(submission!.folders).toHaveLength(1);
    const f = submission!.folders[0]!.metadata;
    expect(f.codeList).toEqual([{ code: 'Referrals', system: '1.3.6.1.4.1.21367.2017.3', display: 'Referrals' }]);
    expect(f.title).toBe('FOLDER');
    expect(f.comments).toBe('comments go here');
    const md = submission!.documents[0]!.metadata;
    expect(md.authors).toHaveLength(2);
    expect(md.authors[0]!.institutions.map((i) => i.name)).toEqual(['Cleveland Clinic', 'Parma Community']);
    expect(md.authors[0]!.person).toMatchObject({ family: 'Smitty', given: 'Gerald' });
    expect(md.authors[0]!.roles).toEqual(['Attending']);
    expect(md.eventCodes[0]!.code).toBe('urn:connectathon:policy:deny-access');
    expect(submission!.associations.length).toBeGreaterThan(1);
  });

  it('ITI-57 update (r: prefix): lid, VersionInfo, status, limited metadata, PreviousVersion, UpdateAvailabilityStatus, association documentation', () => {
    const { submission, objectRefs, problems } = readSubmitObjectsRequest(parseXml(UPDATE_57).documentElement!);
    expect(problems).toEqual([]);
    expect(objectRefs).toEqual(['urn:uuid:bbbbbbbb-0000-4000-8000-000000000001']);
    const md = submission!.documents[0]!.metadata;
    expect(md).toMatchObject({
      entryUuid: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000002',
      logicalId: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001',
      version: 2,
      availabilityStatus: 'Approved',
      limitedMetadata: true,
      confidentialityCodes: [{ code: 'MASQUE_PS', system: '1.2.250.1.213.1.1.4.13' }],
      extraSlots: [{ name: 'urn:att', values: ['kept'] }],
    });
    const [hm, uas, rplc] = submission!.associations;
    expect(hm).toMatchObject({ type: 'HasMember', previousVersion: '1', associationPropagation: false, submissionSetStatus: 'Original' });
    expect(uas).toMatchObject({ type: 'UpdateAvailabilityStatus', newStatus: 'urn:asip:ci-sis:2010:StatusType:Deleted' });
    expect(rplc!.extraSlots).toEqual([{ name: 'urn:carnet:associationDocumentation', values: ['Additional_Information^Additional Information^1.3.6.1.4.1.21367.2017.3'] }]);
  });

  it('reads several toolkit metadata files without structural problems', () => {
    const files = [
      'tests/ReposAcceptanceTest-1113/SubmitTwoDocs/two_doc.xml',
      'tests/ReposAcceptanceTest-1113/SubmitFolder/single_fol.xml',
      'tests/15801/referenceIdList/original.xml',
      'tests/15801/extra_metadata/original.xml',
      'tests/15801/author/original.xml',
      'tests/15800/original/single_doc.xml',
    ];
    for (const f of files) {
      const { submission, problems } = readSubmitObjectsRequest(root(f));
      expect({ f, problems: problems.map((p) => p.message) }).toEqual({ f, problems: [] });
      expect(submission).not.toBeNull();
    }
  });

  it('keeps unknown slots as extraSlots and reads referenceIdList', () => {
    const extra = readSubmitObjectsRequest(parseXml(UPDATE_57).documentElement!).submission!;
    expect(extra.documents[0]!.metadata.extraSlots).toEqual([{ name: 'urn:att', values: ['kept'] }]);
    expect(extra.documents[0]!.metadata.referenceIds).toEqual(['E123^^^&1.2.3&ISO^urn:ihe:iti:xds:2015:encounterId']);
  });
});

describe('structural problems are collected, located by object id', () => {
  const base = readXdsFile('tests/ReposAcceptanceTest-1113/SubmitFolderwDoc/fol_doc.xml');

  it('bad patient id, coded value without scheme, bad objectType, missing uniqueId', () => {
    const broken = base
      .replace('P1005125143.2^^^&amp;1.3.6.1.4.1.21367.13.20.1000&amp;ISO"\n                  objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier"\n                  id="id_10"', 'P1005125143.2"\n                  id="id_10"')
      .replace('<rim:Value>1.3.6.1.4.1.19376.1.2.6.1</rim:Value>', '')
      .replace('objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"', 'objectType="urn:uuid:bogus"')
      .replace('identificationScheme="urn:uuid:75df8f67-9973-4fbe-a900-df66cefecc5a"', 'identificationScheme="urn:uuid:other"');
    const { problems } = readSubmitObjectsRequest(parseXml(broken).documentElement!);
    const byLocation = problems.map((p) => [p.code, p.location, p.message]);
    expect(byLocation).toEqual(
      expect.arrayContaining([
        ['invalid_metadata', 'myDocId1', expect.stringMatching(/patientId.*CX/)],
        ['invalid_metadata', 'myDocId1', expect.stringMatching(/classCode .*codingScheme/)],
        ['invalid_metadata', 'myDocId1', expect.stringMatching(/objectType/)],
        ['invalid_metadata', 'myFolderId1', expect.stringMatching(/XDSFolder.uniqueId/)],
      ]),
    );
  });

  it('a package that is neither SubmissionSet nor Folder, and no SubmissionSet', () => {
    const broken = base.replace(/classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/, 'classificationNode="urn:uuid:nothing"');
    const r = readSubmitObjectsRequest(parseXml(broken).documentElement!);
    expect(r.submission).toBeNull();
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/neither/);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/exactly one SubmissionSet/);
  });

  it('reads a query response list too', () => {
    const list = firstChild(
      firstChild(root('tests/ReposAcceptanceTest-1113/SubmitFolderwDoc/fol_doc.xml'), NS.lcm, 'SubmitObjectsRequest')!,
      NS.rim,
      'RegistryObjectList',
    )!;
    const objs = readRegistryObjectList(list);
    expect(objs.documentEntries).toHaveLength(1);
    expect(objs.submissionSets).toHaveLength(1);
    expect(objs.folders).toHaveLength(1);
  });
});

it('fixture files are where the tests expect them', () => {
  expect(readFileSync(`${XDS_DATA}/README.md`, 'utf8')).toMatch(/NIST/);
});
