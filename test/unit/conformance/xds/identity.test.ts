// The runner's VIHF: one signed assertion per patient, sent again for a few minutes as a client
// keeps its assertion, then signed afresh so that a long run never sends an expired one.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PROFESSIONAL, RunnerAssertions, testOnlySigner } from '../../../../src/conformance/xds/identity.js';

const signer = testOnlySigner()!;
const nina = { system: '1.2.250.1.213.1.4.8', value: '2750101234567' };
const paul = { system: '1.2.250.1.213.1.4.8', value: '1750101234568' };
const assertionId = (header: string) => /<saml2:Assertion [^>]*ID="([^"]+)"/.exec(header)?.[1];

describe('RunnerAssertions', () => {
  it('sends the same signed assertion again for the same patient, and another for another patient', () => {
    let now = 0;
    const a = new RunnerAssertions(DEFAULT_PROFESSIONAL, signer, undefined, () => now);
    const first = a.securityFor(nina);
    now += 60_000;
    expect(a.securityFor(nina)).toBe(first);
    const other = a.securityFor(paul);
    expect(assertionId(other)).not.toBe(assertionId(first));
    expect(other).toContain(paul.value);
    expect(first).toContain(nina.value);
    expect(first).toContain('<ds:SignatureValue>');
  });

  it('signs a new assertion once the kept one is five minutes old', () => {
    let now = 0;
    const a = new RunnerAssertions(DEFAULT_PROFESSIONAL, signer, undefined, () => now);
    const first = a.securityFor(nina);
    now += 5 * 60_000 - 1;
    expect(a.securityFor(nina)).toBe(first);
    now += 1;
    const renewed = a.securityFor(nina);
    expect(assertionId(renewed)).toBeDefined();
    expect(assertionId(renewed)).not.toBe(assertionId(first));
  });
});
