// XML TestScripts, XML fixtures, XML exchanges and XPath asserts (FHIR XML via src/fhir/xml.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { fhirJsonToXml, fhirXmlToJson } from '../../../../src/fhir/xml.js';
import { resultsByTest, runInline } from './harness.js';
import { PATIENT, startFakeServer } from './fake-fhir-server.js';
import type { FakeServer } from './fake-fhir-server.js';

const SYS = 'http://terminology.hl7.org/CodeSystem/testscript-operation-codes';

const patientXml = `<?xml version="1.0" encoding="UTF-8"?>
<Patient xmlns="http://hl7.org/fhir">
  <name><family value="Chalmers"/><given value="Peter"/></name>
  <gender value="male"/>
  <birthDate value="1974-12-25"/>
</Patient>`;

function assertXml(label: string, inner: string): string {
  return `<action><assert><label value="${label}"/>${inner}</assert></action>`;
}

// Written by hand (not generated) so the loader is proven on XML as authors write it.
const scriptXml = `<?xml version="1.0" encoding="UTF-8"?>
<TestScript xmlns="http://hl7.org/fhir">
  <url value="http://example.org/TestScript/xml"/>
  <name value="xml-script"/>
  <status value="active"/>
  <fixture id="patient">
    <autocreate value="false"/>
    <autodelete value="false"/>
    <resource><reference value="fixtures/patient.xml"/></resource>
  </fixture>
  <variable><name value="family"/><path value="fhir:Patient/fhir:name/fhir:family/@value"/><sourceId value="patient"/></variable>
  <setup>
    <action><operation>
      <type><system value="${SYS}"/><code value="create"/></type>
      <resource value="Patient"/><accept value="xml"/><contentType value="xml"/>
      <encodeRequestUrl value="true"/><sourceId value="patient"/><responseId value="created"/>
    </operation></action>
    ${assertXml('created', '<response value="created"/><warningOnly value="false"/>')}
  </setup>
  <test id="read-xml">
    <name value="read in XML"/>
    <action><operation>
      <type><system value="${SYS}"/><code value="read"/></type>
      <resource value="Patient"/><accept value="xml"/><encodeRequestUrl value="true"/><params value="/123"/>
    </operation></action>
    ${assertXml('xml', '<contentType value="xml"/><warningOnly value="false"/>')}
    ${assertXml('family', '<path value="fhir:Patient/fhir:name/fhir:family/@value"/><value value="\${family}"/><warningOnly value="false"/>')}
    ${assertXml('id unprefixed', '<path value="Patient/id"/><value value="123"/><warningOnly value="false"/>')}
    ${assertXml('same birthDate', '<compareToSourceId value="patient"/><compareToSourcePath value="fhir:Patient/fhir:birthDate/@value"/><path value="fhir:Patient/fhir:birthDate/@value"/><warningOnly value="false"/>')}
    ${assertXml('fhirpath on xml', '<expression value="Patient.name.given.first()"/><value value="Peter"/><warningOnly value="false"/>')}
  </test>
  <test id="xml-fails">
    <name value="wrong family"/>
    <action><operation>
      <type><system value="${SYS}"/><code value="read"/></type>
      <resource value="Patient"/><accept value="xml"/><encodeRequestUrl value="true"/><params value="/123"/>
    </operation></action>
    ${assertXml('family', '<path value="fhir:Patient/fhir:name/fhir:family/@value"/><value value="Smith"/><warningOnly value="false"/>')}
  </test>
  <test id="xpath-on-json">
    <name value="XPath on a JSON response"/>
    <action><operation>
      <type><system value="${SYS}"/><code value="read"/></type>
      <resource value="Patient"/><params value="/123"/>
    </operation></action>
    ${assertXml('json', '<contentType value="json"/><warningOnly value="false"/>')}
    ${assertXml('given', '<path value="fhir:Patient/fhir:name/fhir:given[2]/@value"/><value value="James"/><warningOnly value="false"/>')}
  </test>
</TestScript>`;

describe('XML TestScripts', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  beforeEach(() => {
    server.reset();
    server.routes.push((r) => {
      if (!String(r.headers.accept).includes('xml')) return undefined;
      const xml = { 'content-type': 'application/fhir+xml; charset=utf-8' };
      if (r.method === 'POST') {
        const sent = fhirXmlToJson(r.body); // the body must be FHIR XML
        return { status: 201, headers: { ...xml, location: `/Patient/123/_history/1` }, body: fhirJsonToXml({ ...sent, id: '123' }) };
      }
      return r.path === '/Patient/123' ? { status: 200, headers: xml, body: fhirJsonToXml(PATIENT as never) } : undefined;
    });
  });
  afterAll(() => server.close());

  it('loads an XML script and XML fixture, exchanges XML, and evaluates XPath asserts', async () => {
    const ran = await runInline(server.base, scriptXml, { 'fixtures/patient.xml': patientXml });
    expect(resultsByTest(ran.lines)).toEqual({ 'read in XML': 'PASS', 'wrong family': 'FAIL', 'XPath on a JSON response': 'PASS' });
    expect(ran.lines[1]).toContain('expected "Smith", found "Chalmers"');
    const post = server.received[0];
    expect(post.headers['content-type']).toBe('application/fhir+xml');
    expect(post.body).toContain('<family value="Chalmers"/>');
  });
});
