// Issue 11: an ITI-65 Bundle's documents are taken out of its JSON on a worker thread; the
// reading on the event loop gets their bytes back through marks, and reads the same submission.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Binary, Bundle } from '@medplum/fhirtypes';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { readProvideBundle } from '../../../src/fhir/mhd/provide-bundle.js';
import { markPayloads, payloadResolver } from '../../../src/fhir/mhd/provide-payloads.js';
import { recordProvideBundleChecks, replayingCheck } from '../../../src/fhir/mhd/provide-bundle-checks.js';
import { withoutPayloads } from '../../../src/fhir/validation/payloads.js';
import type { ProfileCheck } from '../../../src/fhir/validation/validate.js';
import { provideBundle } from '../../support/mhd-bundle.js';

const PID = { value: '1234567890123', system: '1.2.250.1.213.1.4.8' };
const read = (bundle: Bundle, payload?: ReturnType<typeof payloadResolver>, check?: ProfileCheck) =>
  readProvideBundle(bundle, { resolvePatient: () => PID, ...(payload ? { payload } : {}), ...(check ? { check } : {}) });
/** As the worker does: the profile checks made on the Bundle as sent (payloads lightened), replayed. */
const checksOf = async (bundle: Bundle) => replayingCheck(await recordProvideBundleChecks(withoutPayloads(bundle), false));

beforeAll(() => ensureFhirDefinitions());

describe('ITI-65 payloads taken out of the Bundle', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300_000, 0xe9)]);
  const bundle = provideBundle({ patient: 'Patient/abc', docs: [{ content: pdf, mimeType: 'application/pdf' }, { content: 'Hb 14 g/dL' }] });

  it('leaves a mark for each payload, never base64 text, and keeps the bytes apart', () => {
    const { bundle: marked, payloads } = markPayloads(bundle);
    const data = (marked.entry ?? []).filter((e) => e.resource?.resourceType === 'Binary').map((e) => (e.resource as Binary).data);
    expect(data).toEqual(['carnet-payload:0', 'carnet-payload:1']);
    expect(payloads.map((p) => Buffer.from(p))).toEqual([pdf, Buffer.from('Hb 14 g/dL')]);
    // the Bundle given is not changed
    expect((bundle.entry![2]!.resource as Binary).data).toBe(pdf.toString('base64'));
  });

  it('the reading through the marks finds the very submission the reading of the text finds', async () => {
    const { bundle: marked, payloads } = markPayloads(bundle);
    const viaMarks = await read(marked, payloadResolver(payloads), await checksOf(bundle));
    const direct = await read(bundle);
    expect(viaMarks.problems).toEqual([]);
    expect(viaMarks.request).toEqual(direct.request);
    expect(Buffer.from(viaMarks.request!.documents[0]!.content!)).toEqual(pdf);
  });

  it('a payload that is not base64 is reported where it stands, its text never kept', async () => {
    const bad = structuredClone(bundle);
    (bad.entry![2]!.resource as Binary).data = 'not base64 at all!';
    const { bundle: marked, payloads } = markPayloads(bad);
    expect((marked.entry![2]!.resource as Binary).data).toBe('carnet-payload:invalid');
    const problems = (await read(marked, payloadResolver(payloads), await checksOf(bad))).problems.map((p) => `${p.location}: ${p.message}`);
    expect(problems).toEqual((await read(bad)).problems.map((p) => `${p.location}: ${p.message}`));
    expect(problems).toContain('Bundle.entry[2].resource.data: The Binary has no (valid base64) data');
  });

  it('text that is no mark is decoded as before (a Bundle read on the event loop)', async () => {
    const resolver = payloadResolver([]);
    expect(resolver('SGVsbG8=')).toBeNull();
    const viaResolver = await read(bundle, resolver);
    expect(Buffer.from(viaResolver.request!.documents[0]!.content!)).toEqual(pdf);
  });
});
