// Every ITI-65 Bundle of the NIST Asbestos MHDv420 Document Recipient collections (comprehensive
// and minimal), sent over HTTP in XML as Asbestos sends them: the valid ones are accepted and
// then found through ITI-67; the invalid ones get a 4xx OperationOutcome and store nothing.
// Two adjustments make the fixtures DMP deposits, and nothing else is changed:
// - their typeCode/classCode (LOINC 34895-3 / IHE REPORTS) are not DMP types, which the record
//   refuses (DOC-01, shown below once): valid fixtures carry 11488-4 / class 10 instead;
//   valid minimal-metadata fixtures have no type at all, which the DMP requires even then: they
//   get the same type and class added (the invalid ones are sent as they are);
// - their uniqueIds are constants (Two_Documents_Submit even repeats one): every occurrence is
//   given a fresh OID, so that each send is a new deposit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { fhirXmlToJson } from '../../src/fhir/xml.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { assembleAsbestosBundle, listAsbestosTests, type AsbestosCollection, type AsbestosTest } from '../support/asbestos-bundles.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, type World } from '../support/world.js';

const doctor = proActor('doctor');
const COLLECTIONS: AsbestosCollection[] = ['MHDv420_DocumentRecipient_comprehensive', 'MHDv420_DocumentRecipient_minimal'];
let arc = 0;

function freshUniqueIds(xml: string): string {
  return xml.replace(/1\.2\.129\.6\.58\.92\.[0-9.]+/g, () => `1.2.250.1.999.77.${process.pid}.${++arc}`);
}

const DMP_TYPE_AND_CLASS =
  '<type><coding><system value="http://loinc.org"/><code value="11488-4"/></coding></type>' +
  '<category><coding><system value="urn:oid:1.2.250.1.213.1.1.4.1"/><code value="10"/></coding></category>';

/** Adds type and category after the status of each DocumentReference that has none. */
function withTypes(xml: string): string {
  return xml
    .split('<DocumentReference')
    .map((part, i) => (i === 0 || part.includes('<type>') ? part : part.replace(/(<status value="current"\s*\/>)/, `$1${DMP_TYPE_AND_CLASS}`)))
    .join('<DocumentReference');
}

function asDmpDeposit(xml: string, addTypes: boolean): string {
  return freshUniqueIds(
    (addTypes ? withTypes(xml) : xml)
      .replace(/<code value="34895-3"\s*\/>/g, '<code value="11488-4"/>')
      .replace(/<system value="urn:oid:1\.3\.6\.1\.4\.1\.19376\.1\.2\.6\.1"\s*\/>(\s*)<code value="REPORTS"\s*\/>/g, '<system value="urn:oid:1.2.250.1.213.1.1.4.1"/>$1<code value="10"/>'),
  );
}

for (const kind of storeKinds()) {
  describe(`Asbestos MHDv420 ITI-65 Bundles over HTTP [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let w: World;
    let token: string;

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      w = await makeWorld(db);
      token = await server.tokenFor(doctor);
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    /** A record for the test's patient, authorising the depositing doctor to read it back. */
    async function patientFor(): Promise<string> {
      const rec = await adultRecord(w);
      await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      return rec.patientKey;
    }

    async function post(xml: string): Promise<{ status: number; body: Bundle | OperationOutcome }> {
      const res = await fetch(`${server.baseUrl}/fhir`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+xml', accept: 'application/fhir+json' },
        body: xml,
      });
      return { status: res.status, body: (await res.json()) as Bundle | OperationOutcome };
    }

    async function stored(patientKey: string): Promise<{ documents: number; lists: number }> {
      const page = await w.services.documents.find(as(doctor), { patientKey }, { countTotal: true, limit: 0, statuses: ['Approved', 'Deprecated', 'Archived'] });
      const lists = await w.services.lists.find(as(doctor), { patientKey });
      return { documents: page.total ?? 0, lists: lists.total };
    }

    function bundleXml(test: AsbestosTest, index: number, patientKey: string, original?: string): string {
      const xml = assembleAsbestosBundle(test, test.fixtures[index], {
        variables: { patientResourceId: `${server.baseUrl}/fhir/Patient/${patientKey}`, ...(original ? { original } : {}) },
      });
      return asDmpDeposit(xml, test.expectSuccess && test.collection === 'MHDv420_DocumentRecipient_minimal');
    }

    for (const collection of COLLECTIONS) {
      for (const test of listAsbestosTests(collection)) {
        const label = `${collection.replace('MHDv420_DocumentRecipient_', '')} ${test.name}`;
        if (test.expectSuccess) {
          it(`${label}: accepted, then found by ITI-67`, async () => {
            const patientKey = await patientFor();
            let original: string | undefined;
            for (let i = 0; i < test.fixtures.length; i++) {
              const { status, body } = await post(bundleXml(test, i, patientKey, original));
              expect({ fixture: test.fixtures[i].fixtureId, status, body: status === 200 ? 'ok' : body }).toEqual({ fixture: test.fixtures[i].fixtureId, status: 200, body: 'ok' });
              const response = body as Bundle;
              expect(response.type).toBe('transaction-response');
              const ids = (response.entry ?? []).map((e) => e.response?.location ?? '').filter((l) => l.startsWith('DocumentReference/')).map((l) => l.split('/')[1]);
              expect(ids.length).toBeGreaterThan(0);
              const found = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}&_count=50`, { headers: { authorization: `Bearer ${token}` } });
              const searchset = (await found.json()) as Bundle;
              const foundIds = (searchset.entry ?? []).map((e) => e.resource?.id);
              for (const id of ids) expect(foundIds).toContain(id);
              original = `${server.baseUrl}/fhir/DocumentReference/${ids[0]}`;
            }
          });
        } else {
          it(`${label}: refused with a 4xx OperationOutcome, nothing stored`, async () => {
            const patientKey = await patientFor();
            const before = await stored(patientKey);
            const { status, body } = await post(bundleXml(test, 0, patientKey));
            expect(status).toBeGreaterThanOrEqual(400);
            expect(status).toBeLessThan(500);
            expect(body.resourceType).toBe('OperationOutcome');
            expect(await stored(patientKey)).toEqual(before);
          });
        }
      }
    }

    it('DOC-01: the unchanged valid fixture is refused because 34895-3 is not a DMP document type', async () => {
      const patientKey = await patientFor();
      const test = listAsbestosTests('MHDv420_DocumentRecipient_comprehensive').find((t) => t.name === '1_Prerequisite_Single_Document_with_Binary')!;
      const xml = freshUniqueIds(assembleAsbestosBundle(test, test.fixtures[0], { variables: { patientResourceId: `${server.baseUrl}/fhir/Patient/${patientKey}` } }));
      const before = await stored(patientKey);
      const { status, body } = await post(xml);
      expect(status).toBe(400);
      expect(JSON.stringify(body)).toContain('unknown_document_type');
      expect(await stored(patientKey)).toEqual(before);
      expect(fhirXmlToJson<Bundle>(xml).resourceType).toBe('Bundle');
    });
  });
}
