// AUTH-06 and the log's allow-list (docs/OPERATIONS.md) swept from the outside: one patient's
// INS, name, birth date, a document's title and uniqueId, an e-mail address and a bearer token
// sent where a client could put them by mistake — the path, the query's names and values, the
// headers (the request id, the user agent, the referrer, a content type the door does not take),
// a body the door cannot read (JSON, XML, SOAP), a FHIR resource it refuses, an XDS submission it
// refuses — and none of them anywhere in the server's log.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../support/app.js';
import { capturedLog } from '../support/captured-log.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, proActor, submission, type World } from '../support/world.js';
import { errorCodes, postSoap, provideAndRegister, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const doctor = proActor('doctor');
const INS_OID = 'urn:oid:1.2.250.1.213.1.4.8';

describeEachStore("the server's log swept for a patient's values", (db) => {
  let server: RunningApp;
  let w: World;
  let token: string;
  const log = capturedLog('debug');

  beforeAll(async () => {
    w = await makeWorld(db());
    server = await startTestApp(db(), {}, { logger: log.logger });
    token = await server.tokenFor(doctor);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('ACC-08, AUTH-06: values sent in the path, the query, the headers and bodies the doors refuse reach no line of the log', async () => {
    const { ins, patientKey } = await adultRecord(w);
    const family = 'Sondebalayage';
    const birth = '1971-08-19';
    const mail = 'sonde.balayage@example.org';
    const title = 'Compte-rendu Sondetitre';
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzb25kZSJ9.c29uZGVzZWNyZXQ';
    const values = [ins.value, family, birth, mail, 'Sondetitre', secret];
    const sub = submission(ins, [{ authorId: doctor.idNatPs }]);
    const uniqueId = `${sub.documents[0]!.metadata.uniqueId}.${ins.value}`;
    sub.documents[0]!.metadata.uniqueId = uniqueId;
    sub.documents[0]!.metadata.title = title;
    // an ITI-41 the door refuses: a class that does not go with the type (DOC-01), the title and a uniqueId holding the INS
    sub.documents[0]!.metadata.classCode = { code: '99', system: '1.2.250.1.213.1.1.4.1' };
    values.push(uniqueId);
    const auth = { authorization: `Bearer ${token}` };
    const requests: Array<[string, RequestInit]> = [
      [`/fhir/Patient/${ins.value}`, { headers: auth }],
      [`/fhir/Patient?family=${family}&birthdate=${birth}&email=${mail}`, { headers: auth }],
      [`/fhir/Patient?${family}&${INS_OID}|${ins.value}`, { headers: auth }],
      [`/fhir/DocumentReference?patient=Patient/${patientKey}&${encodeURIComponent(title)}=1`, { headers: auth }],
      [`/fhir/DocumentReference?patient=Patient/${patientKey}&_count=${ins.value}`, { headers: auth }],
      [`/fhir/DocumentReference?patient=Patient/${ins.value}`, { headers: auth }],
      [`/fhir/metadata`, { headers: { 'x-request-id': `r-${ins.value}`, 'user-agent': `agent ${family} ${mail}`, referer: `https://ehr.example/${ins.value}?name=${family}` } }],
      [`/fhir/metadata?access_token=${secret}`, {}],
      [`/fhir/Patient`, { method: 'POST', headers: { ...auth, 'content-type': `application/fhir+json; name=${family}` }, body: '{}' }],
      [`/fhir/Patient`, { method: 'POST', headers: { ...auth, 'content-type': 'application/fhir+json' }, body: `{"resourceType":"Patient","name":[{"family":"${family}"}],"birthDate":"${birth}",` }],
      [
        `/fhir/Patient`,
        {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/fhir+json' },
          body: JSON.stringify({ resourceType: 'Patient', identifier: [{ system: INS_OID, value: ins.value }], name: [{ family }], birthDate: `${birth}T99`, telecom: [{ system: 'email', value: mail }] }),
        },
      ],
      [`/xds/registry`, { method: 'POST', headers: { 'content-type': 'application/soap+xml; charset=UTF-8' }, body: `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><x>${ins.value} ${family}</y></env:Body></env:Envelope>` }],
      [`/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: mail, password: secret }) }],
    ];
    for (const [path, init] of requests) {
      const res = await fetch(`${server.baseUrl}${path}`, init);
      await res.arrayBuffer();
      expect(res.status).toBeLessThan(500);
      await log.linesFor(res.headers.get('x-request-id')!);
    }
    const { body, attachments } = provideAndRegister(sub);
    const refused = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion: vihfFor(doctor), attachments, requestId: 'sweep-iti41' });
    expect(errorCodes(refused)).toEqual(['XDSRegistryMetadataError']);
    await log.linesFor('sweep-iti41');
    const all = log.written.join('\n');
    const decoded = log.lines().map((l) => JSON.stringify(l)).join('\n');
    for (const v of values) {
      expect(all).not.toContain(v);
      expect(decoded).not.toContain(v);
    }
  });
});
