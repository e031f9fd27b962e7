// A record whose metadata hold characters XML 1.0 does not allow (written before the XML reader
// refused them, or by a way in that is not XML) is still answered in XML every reader can parse:
// such a character is written as U+FFFD. Before, one such title made every ITI-18 answer and every
// FHIR XML answer naming the document unreadable, for every client of the record.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { parseXml } from '../../src/xml/index.js';
import type { RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adhocQuery, cx, postSoap, queryObjects, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { startWithOneRecord } from './one-record.js';

const TITLE = 'a\u0001b\u001fc\uFFFEd\uFFFFe';
const SHOWN = 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe';

describeEachStore('hostile metadata: characters XML does not allow never reach an XML answer', (db: () => Db) => {
  let server: RunningApp;
  let assertion: string;
  let token: string;
  let patientKey: string;
  let patientCx: string;

  beforeAll(async () => {
    const one = await startWithOneRecord(db(), 'one document', {}, { title: TITLE });
    server = one.server;
    assertion = vihfFor(one.doctor);
    token = await server.tokenFor(one.doctor);
    patientKey = one.patientKey;
    patientCx = cx(one.ins);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('answers ITI-18 in XML every reader parses, the title with U+FFFD in their place', async () => {
    // postSoap parses the answer with the server's own reader, which refuses such characters
    const a = await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: patientCx, $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')" }), { assertion });
    expect({ status: responseStatus(a), documents: queryObjects(a).documents.length, title: a.xml.includes(`value="${SHOWN}"`) }).toEqual({ status: 'Success', documents: 1, title: true });
  });

  it('answers a FHIR XML search that parses, the title with U+FFFD in their place', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+xml' } });
    const xml = await res.text();
    expect({ status: res.status, parses: !!parseXml(xml).documentElement, title: xml.includes(`<description value="${SHOWN}"/>`) || xml.includes(`value="${SHOWN}"`) }).toEqual({ status: 200, parses: true, title: true });
  });
});
