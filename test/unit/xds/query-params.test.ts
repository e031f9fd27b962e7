import { describe, expect, it } from '@jest/globals';
import { readdirSync, existsSync } from 'node:fs';
import { CarnetError, CarnetErrors } from '../../../src/domain/errors.js';
import { STORED_QUERIES, STORED_QUERY_IDS, parseAdhocQueryRequest } from '../../../src/xds/query/params.js';
import { parseValue } from '../../../src/xds/query/values.js';
import { parseXml } from '../../../src/xml/index.js';
import { XDS_TESTKIT, readXdsFile } from '../../support/xds-raw.js';

const PID = "'P1^^^&amp;1.2.3&amp;ISO'";

function toolkitQuery(relative: string) {
  // fill the toolkit placeholders the way its runner does
  const xml = readXdsFile(relative)
    .replace(/'\$patient_?id\$'/gi, PID)
    .replace(/\$[a-z_0-9]+\$/gi, 'urn:uuid:00000000-0000-4000-8000-000000000000');
  return parseAdhocQueryRequest(parseXml(xml).documentElement!);
}

function request(id: string, slots: Record<string, string | string[]>, returnType = 'LeafClass'): string {
  const slotXml = Object.entries(slots)
    .flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => `<r:Slot name="${name}"><r:ValueList><r:Value>${value}</r:Value></r:ValueList></r:Slot>`))
    .join('');
  return `<q:AdhocQueryRequest xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:r="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><q:ResponseOption returnComposedObjects="true" returnType="${returnType}"/><r:AdhocQuery id="${id}">${slotXml}</r:AdhocQuery></q:AdhocQueryRequest>`;
}

function parse(id: string, slots: Record<string, string | string[]>, returnType?: string) {
  return parseAdhocQueryRequest(parseXml(request(id, slots, returnType)).documentElement!);
}

function reasons(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof CarnetErrors) return e.problems.map((p) => p.reason ?? p.code);
    if (e instanceof CarnetError) return [e.reason ?? e.code];
    throw e;
  }
  throw new Error('no error');
}

const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";

describe('parseValue', () => {
  it('quoted strings, lists, numbers, doubled quotes', () => {
    expect(parseValue("'a'", 's')).toEqual([{ quoted: true, value: 'a' }]);
    expect(parseValue("( 'a' , 'b''c' )", 's').map((t) => t.value)).toEqual(['a', "b'c"]);
    expect(parseValue('20041224', 's')).toEqual([{ quoted: false, value: '20041224' }]);
  });
  it.each(["'a", "('a',)", "('a' 'b')", "'a' junk", '()', "('a'", ''])('rejects %p', (v) => {
    expect(() => parseValue(v, '$x')).toThrow(CarnetError);
  });
  it('keeps SQL injection text as plain data', () => {
    const evil = "'1'' OR ''1''=''1''; DROP TABLE documents; --'";
    expect(parseValue(evil, 's')).toEqual([{ quoted: true, value: "1' OR '1'='1'; DROP TABLE documents; --" }]);
  });
});

describe('the parameter table', () => {
  it('covers the 14 stored queries of IHE-FACTS §3', () => {
    expect(Object.keys(STORED_QUERIES).sort()).toEqual(Object.keys(STORED_QUERY_IDS).sort());
    expect(Object.keys(STORED_QUERY_IDS)).toHaveLength(14);
  });
});

describe('parseAdhocQueryRequest', () => {
  it('FindDocuments with codes (OR within, AND across), times and statuses', () => {
    const q = parse(STORED_QUERY_IDS.FindDocuments, {
      $XDSDocumentEntryPatientId: PID,
      $XDSDocumentEntryStatus: APPROVED,
      $XDSDocumentEntryClassCode: "('DISPENSATIONS^^1.3.6.1.4.1.19376.1.2.6.1', 'X^Display^1.2')",
      $XDSDocumentEntryEventCodeList: ["('E1^^1.2')", "('E2^^1.2','E3^^1.2')"],
      $XDSDocumentEntryCreationTimeFrom: '20041224',
      $XDSDocumentEntryCreationTimeTo: '200412252300',
      $XDSDocumentEntryAuthorPerson: "('%Ford%')",
    });
    expect(q.name).toBe('FindDocuments');
    expect(q.returnType).toBe('LeafClass');
    expect(q.params.patientId).toEqual({ value: 'P1', system: '1.2.3' });
    expect(q.params.documentEntryStatus).toEqual(['urn:oasis:names:tc:ebxml-regrep:StatusType:Approved']);
    expect(q.params.classCode).toEqual([
      [
        { code: 'DISPENSATIONS', system: '1.3.6.1.4.1.19376.1.2.6.1' },
        { code: 'X', system: '1.2', display: 'Display' },
      ],
    ]);
    expect(q.params.eventCode).toEqual([[{ code: 'E1', system: '1.2' }], [{ code: 'E2', system: '1.2' }, { code: 'E3', system: '1.2' }]]);
    expect(q.params.creationTimeFrom).toBe('20041224');
    expect(q.params.authorPerson).toEqual(['%Ford%']);
  });

  it('11897/classcode_scheme_mismatch: a code without scheme fails', () => {
    expect(reasons(() => toolkitQuery('tests/11897/classcode_scheme_mismatch/query.xml'))).toEqual(['XDSRegistryError']);
  });

  it('11897/old_scheme: the old request (code without scheme + CodeScheme slot) fails', () => {
    expect(reasons(() => toolkitQuery('tests/11897/old_scheme/query.xml'))).toEqual(['XDSRegistryError']);
  });

  it('11897/practicesetting_scheme: a CE code plus the old CodeScheme slot is accepted, the slot ignored', () => {
    const q = toolkitQuery('tests/11897/practicesetting_scheme/query.xml');
    expect(q.params.practiceSettingCode).toEqual([[{ code: 'Practice-D', system: '1.3.6.1.4.1.21367.2017.3' }]]);
    expect(q.ignoredParams).toEqual(['$XDSDocumentEntryPracticeSettingCodeScheme']);
  });

  it('11897/classcode_one passes', () => {
    const q = toolkitQuery('tests/11897/classcode_one/query.xml');
    expect(q.params.classCode?.[0]?.[0]?.system).toBeTruthy();
  });

  it('reads every toolkit 11897 query that is meant to succeed', () => {
    const dir = `${XDS_TESTKIT}/11897`;
    const bad = new Set(['classcode_scheme_mismatch', 'old_scheme']);
    for (const step of readdirSync(dir)) {
      if (bad.has(step) || !existsSync(`${dir}/${step}/query.xml`)) continue;
      expect(() => toolkitQuery(`tests/11897/${step}/query.xml`)).not.toThrow();
    }
  });

  it('unknown query id -> XDSUnknownStoredQuery', () => {
    expect(reasons(() => parse('urn:uuid:00000000-0000-0000-0000-000000000000', {}))).toEqual(['XDSUnknownStoredQuery']);
  });

  it('missing required parameters -> XDSStoredQueryMissingParam', () => {
    expect(reasons(() => parse(STORED_QUERY_IDS.FindDocuments, { $XDSDocumentEntryStatus: APPROVED }))).toEqual(['XDSStoredQueryMissingParam']);
    expect(reasons(() => parse(STORED_QUERY_IDS.GetDocuments, {}))).toEqual(['XDSStoredQueryMissingParam']);
    expect(reasons(() => parse(STORED_QUERY_IDS.GetRelatedDocuments, { $XDSDocumentEntryUniqueId: "'1.2'" }))).toEqual(['XDSStoredQueryMissingParam']);
  });

  it('too many values or alternatives -> XDSStoredQueryParamNumber', () => {
    expect(
      reasons(() => parse(STORED_QUERY_IDS.FindDocuments, { $XDSDocumentEntryPatientId: [PID, PID], $XDSDocumentEntryStatus: APPROVED })),
    ).toEqual(['XDSStoredQueryParamNumber']);
    expect(
      reasons(() => parse(STORED_QUERY_IDS.FindDocuments, { $XDSDocumentEntryPatientId: `(${PID}, ${PID})`, $XDSDocumentEntryStatus: APPROVED })),
    ).toEqual(['XDSStoredQueryParamNumber']);
    expect(
      reasons(() => parse(STORED_QUERY_IDS.GetDocuments, { $XDSDocumentEntryUniqueId: "('1')", $XDSDocumentEntryEntryUUID: "('urn:uuid:1')" })),
    ).toEqual(['XDSStoredQueryParamNumber']);
    expect(
      reasons(() => parse(STORED_QUERY_IDS.GetSubmissionSetAndContents, { $XDSSubmissionSetUniqueId: "('1', '2')" })),
    ).toEqual(['XDSStoredQueryParamNumber']);
  });

  it('malformed patient id or time is refused', () => {
    expect(reasons(() => parse(STORED_QUERY_IDS.FindDocuments, { $XDSDocumentEntryPatientId: "'P1'", $XDSDocumentEntryStatus: APPROVED }))).toEqual([
      'XDSRegistryError',
    ]);
    expect(
      reasons(() =>
        parse(STORED_QUERY_IDS.FindDocuments, { $XDSDocumentEntryPatientId: PID, $XDSDocumentEntryStatus: APPROVED, $XDSDocumentEntryCreationTimeFrom: "'2004-12-24'" }),
      ),
    ).toEqual(['XDSRegistryError']);
  });

  it('SQL injection attempts stay values (ipf iti18 style)', () => {
    const q = parse(STORED_QUERY_IDS.GetDocuments, {
      $XDSDocumentEntryUniqueId: "('1.2.3'' OR 1=1 --', 'x''); DELETE FROM document_entry; --')",
    });
    expect(q.params.documentEntryUniqueId).toEqual(["1.2.3' OR 1=1 --", "x'); DELETE FROM document_entry; --"]);
  });

  it('ObjectRef, MetadataLevel, home, ignored unknown slots', () => {
    const xml = request(STORED_QUERY_IDS.GetAssociations, { $uuid: "('urn:uuid:a','urn:uuid:b')", $MetadataLevel: '2', $Whatever: "'x'" }, 'ObjectRef').replace(
      '<r:AdhocQuery ',
      '<r:AdhocQuery home="urn:oid:1.2.3" ',
    );
    const q = parseAdhocQueryRequest(parseXml(xml).documentElement!);
    expect(q).toMatchObject({ name: 'GetAssociations', returnType: 'ObjectRef', homeCommunityId: 'urn:oid:1.2.3', ignoredParams: ['$Whatever'] });
    expect(q.params).toEqual({ uuid: ['urn:uuid:a', 'urn:uuid:b'], metadataLevel: 2 });
  });

  it('rejects an unsupported returnType', () => {
    expect(reasons(() => parse(STORED_QUERY_IDS.GetAssociations, { $uuid: "('a')" }, 'RegistryObject'))).toEqual(['XDSRegistryError']);
  });
});
