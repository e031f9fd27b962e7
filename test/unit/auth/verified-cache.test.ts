// Verified credentials are remembered (bearer tokens, VIHF signatures) so that their signature is
// checked once; what depends on the moment or on the request is checked on every request all the
// same: a remembered token that has expired is refused, and the patient binding (ACC-10) a
// remembered credential carries is the one it was issued with.
import { describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { createBearerVerifier } from '../../../src/auth/bearer.js';
import { localKeysFromJwk } from '../../../src/auth/local-keys.js';
import { verifyVihf } from '../../../src/auth/vihf.js';
import { checkedVihfSignatures } from '../../../src/auth/vihf-signature.js';
import { vihfOutcome } from '../../support/vihf-outcome.js';
import { issueVihf, securityHeader } from '../../../src/auth/vihf-issuer.js';
import { createVerifiedCache } from '../../../src/auth/verified-cache.js';
import { CarnetError } from '../../../src/domain/errors.js';
import { parseSoapEnvelope } from '../../../src/xds/soap.js';
import { testSigner } from '../../support/vihf-keys.js';

const PATIENT_A = { system: '1.2.250.1.213.1.4.8', value: '1234567890123' };

async function verifierAt(clock: { now: Date }) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const localKeys = await localKeysFromJwk({ ...(await exportJWK(privateKey)), kid: 'test-key' });
  return createBearerVerifier({ audience: 'carnet', localKeys, devMode: true, now: () => clock.now });
}

async function refusalOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (e instanceof CarnetError) return `${e.code}:${String(e.reason)}`;
    throw e;
  }
}

describe('verified bearer tokens are remembered, their expiry is not', () => {
  it('a token verified once is served from memory, and refused as expired once its time is over', async () => {
    const clock = { now: new Date('2026-01-01T10:00:00Z') };
    const v = await verifierAt(clock);
    const token = await v.sign({ sub: '810000000001', subject_type: 'professional', profession: '10', purpose_of_use: 'normal' }, 60);
    await v.verify(token);
    expect(v.cachedTokens).toBe(1);
    await v.verify(token);
    expect(v.cachedTokens).toBe(1);
    // past exp and the 30 s tolerance: the remembered token no longer opens anything
    clock.now = new Date('2026-01-01T10:01:31Z');
    expect(await refusalOf(v.verify(token))).toBe('unauthenticated:expired');
  });

  it('ACC-10: a remembered token still carries the patient it is bound to, on every request', async () => {
    const clock = { now: new Date('2026-01-01T10:00:00Z') };
    const v = await verifierAt(clock);
    const token = await v.sign(
      { sub: '810000000001', subject_type: 'professional', profession: '10', purpose_of_use: 'normal', person_id: `${PATIENT_A.value}^^^&${PATIENT_A.system}&ISO` },
      600,
    );
    const first = await v.verify(token);
    const second = await v.verify(token);
    expect(v.cachedTokens).toBe(1);
    expect(second.actor).toEqual(first.actor);
    expect(second.actor.kind === 'professional' && second.actor.boundPatient).toEqual(PATIENT_A);
  });

  it('a refused token is never remembered', async () => {
    const v = await verifierAt({ now: new Date('2026-01-01T10:00:00Z') });
    const token = await v.sign({ sub: '810000000001', subject_type: 'professional', profession: '10', purpose_of_use: 'normal' }, 60);
    const [h, p] = token.split('.');
    expect(await refusalOf(v.verify(`${h}.${p}.${'A'.repeat(86)}`))).toBe('unauthenticated:invalid_signature');
    expect(v.cachedTokens).toBe(0);
  });
});

describe('checked VIHF signatures are remembered, their conditions are not', () => {
  const signer = testSigner('trusted');
  const AUDIENCE = 'https://carnet.test/xds';
  const issued = new Date('2025-03-01T10:00:00Z');
  const header = securityHeader(
    issueVihf(
      { idNatPs: '810000000001', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: '11234567890', subjectName: 'Paul Martin', mode: 'normal', patientId: PATIENT_A, audience: AUDIENCE },
      { ...signer, now: issued, validitySeconds: 600 },
    ),
  );
  const security = () => parseSoapEnvelope(`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header>${header}</env:Header><env:Body><x/></env:Body></env:Envelope>`).security;
  const at = (now: Date, audiences = [AUDIENCE]) => ({ trustedCertificates: [signer.certificatePem], audiences, now: () => now });

  it('ACC-10: an assertion checked once is remembered (signature checked, signed bytes parsed, once); expiry, audience and its patient are read again on every request', () => {
    const before = checkedVihfSignatures();
    const first = verifyVihf(security(), at(issued));
    expect(checkedVihfSignatures()).toBe(before + 1);
    const again = verifyVihf(security(), at(issued));
    expect(checkedVihfSignatures()).toBe(before + 1);
    expect(again.actor.boundPatient).toEqual(PATIENT_A);
    expect(again).toEqual(first);
    expect(vihfOutcome(() => verifyVihf(security(), at(new Date(issued.getTime() + 3600_000))))).toBe('expired');
    expect(vihfOutcome(() => verifyVihf(security(), at(issued, ['https://elsewhere.test/xds'])))).toBe('wrong_audience');
    // the signed assertion, parsed once, is read afresh: the refusals above left nothing behind
    expect(verifyVihf(security(), at(issued))).toEqual(first);
  });
});

describe('the verified cache', () => {
  it('keeps at most its bound, forgets the oldest first, and forgets an entry at its end', () => {
    let now = 0;
    const c = createVerifiedCache<number>({ maxEntries: 2, maxAgeMs: 1000, now: () => now });
    c.set(['a'], 1, 5000);
    c.set(['b'], 2, 500);
    c.set(['c'], 3, 5000);
    expect([c.get(['a']), c.get(['b']), c.get(['c'])]).toEqual([undefined, 2, 3]);
    now = 600;
    expect(c.get(['b'])).toBeUndefined();
    now = 1000;
    expect(c.get(['c'])).toBeUndefined();
    // parts are hashed with their lengths: ['ab', 'c'] is not ['a', 'bc']
    c.set(['ab', 'c'], 4, 5000);
    expect(c.get(['a', 'bc'])).toBeUndefined();
  });
});
