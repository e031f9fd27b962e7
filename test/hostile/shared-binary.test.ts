// An ITI-65 Bundle whose two DocumentReferences name one Binary entry: FHIR lets several
// resources point at one, and XDS lets several DocumentEntries name one MTOM part (shared-part),
// so it is taken — two documents of the same bytes, each under its own uniqueId, each read back
// whole as its own Binary — and neither refused nor answered as a conflict.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { startWithOneRecord, type OneRecord } from './one-record.js';

const BYTES = 'one report, filed twice';

describeEachStore('hostile ITI-65: two DocumentReferences naming one Binary', (db: () => Db) => {
  let one: OneRecord;
  let token: string;

  beforeAll(async () => {
    one = await startWithOneRecord(db());
    token = await one.server.tokenFor(one.doctor);
  }, 120_000);

  afterAll(async () => {
    await one?.server.close();
  });

  it('stores two documents of the one Binary, each read back whole as its own Binary', async () => {
    const bundle = provideBundle({ patient: `Patient/${one.patientKey}`, docs: [{ content: BYTES, title: 'first' }, { content: BYTES, title: 'second' }] });
    const binaries = bundle.entry!.filter((e) => e.resource?.resourceType === 'Binary');
    const references = bundle.entry!.filter((e) => e.resource?.resourceType === 'DocumentReference').map((e) => e.resource as DocumentReference);
    // the second points at the first's Binary, whose own entry goes
    references[1]!.content[0]!.attachment.url = binaries[0]!.fullUrl;
    bundle.entry = bundle.entry!.filter((e) => e !== binaries[1]);
    const res = await fetch(`${one.server.baseUrl}/fhir`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    const answer = (await res.json()) as Bundle;
    const created = (answer.entry ?? []).map((e) => e.response?.location ?? '').filter((l) => l.startsWith('DocumentReference/'));
    expect({ status: res.status, documents: created.length }).toEqual({ status: 200, documents: 2 });
    for (const location of created) {
      const id = location.split('/')[1];
      const bytes = await fetch(`${one.server.baseUrl}/fhir/Binary/${id}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/plain' } });
      expect({ status: bytes.status, text: await bytes.text() }).toEqual({ status: 200, text: BYTES });
    }
  });
});
