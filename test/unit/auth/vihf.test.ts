import { describe, expect, it } from '@jest/globals';
import { verifyVihf } from '../../../src/auth/vihf.js';
import { VihfError, vihfFaultSubcode } from '../../../src/auth/vihf-error.js';
import { vihfOutcome } from '../../support/vihf-outcome.js';
import type { VihfVerifierConfig } from '../../../src/auth/vihf.js';
import { buildVihfAssertion, issueVihf, securityHeader, signAssertion } from '../../../src/auth/vihf-issuer.js';
import type { VihfClaims } from '../../../src/auth/vihf-issuer.js';
import { parseSoapEnvelope } from '../../../src/xds/soap.js';
import { parseXml } from '../../../src/xml/index.js';
import { generateSelfSigned, testSigner } from '../../support/vihf-keys.js';

const trusted = testSigner('trusted');
const untrusted = testSigner('untrusted');
const NOW = new Date('2025-03-01T10:00:00Z');
const AUDIENCE = 'https://carnet.test/xds';

const claims: VihfClaims = {
  idNatPs: '810000000001',
  profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' },
  specialty: { code: 'SM26', codeSystem: '1.2.250.1.71.4.2.5' },
  structureId: '11234567890',
  activitySector: 'SA01^1.2.250.1.71.4.2.4',
  subjectName: 'Paul Martin',
  mode: 'normal',
  patientId: { value: '1234567890123', system: '1.2.250.1.213.1.4.10' },
  audience: AUDIENCE,
};

const config: VihfVerifierConfig = { trustedCertificates: [trusted.certificatePem], audiences: [AUDIENCE], now: () => NOW };

/**
 * The Security header as the SOAP layer hands it over, inside a full envelope (the SOAP layer's
 * own Header bound lifted: the verifier's bounds are what these tests prove).
 */
function security(headerXml: string) {
  const env = `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header>${headerXml}</env:Header><env:Body><x/></env:Body></env:Envelope>`;
  return parseSoapEnvelope(env, undefined, 1_000_000).security;
}

function signed(c: VihfClaims = claims, signer = trusted, now = NOW) {
  return issueVihf(c, { ...signer, now, validitySeconds: 600 });
}

describe('verifyVihf', () => {
  it('accepts a valid assertion and reads the identity, bound to the patient its resource-id names', () => {
    const id = verifyVihf(security(securityHeader(signed())), config);
    expect(id.actor).toEqual({
      kind: 'professional',
      idNatPs: '810000000001',
      profession: '10',
      specialty: 'SM26',
      structureId: '11234567890',
      activitySector: 'SA01',
      mode: 'normal',
      given: 'Paul',
      family: 'Martin',
      boundPatient: { value: '1234567890123', system: '1.2.250.1.213.1.4.10' },
    });
    expect(id.patientId).toEqual({ value: '1234567890123', system: '1.2.250.1.213.1.4.10' });
    expect(id.issuer).toMatch(/TEST ONLY VIHF trusted signer/);
    expect(id.attributes['urn:oasis:names:tc:xacml:2.0:subject:role']).toEqual(['10^1.2.250.1.71.1.2.7', 'SM26^1.2.250.1.71.4.2.5']);
  });

  it('accepts RSA-SHA1 as the DMP sends it', () => {
    const a = signAssertion(buildVihfAssertion(claims, { issuer: 'CN=x', now: NOW }), { ...trusted, algorithm: 'rsa-sha1' });
    expect(verifyVihf(security(securityHeader(a)), config).actor).toMatchObject({ idNatPs: '810000000001' });
  });

  it('keeps an unknown purpose of use as sent (the domain refuses it)', () => {
    expect(verifyVihf(security(securityHeader(signed({ ...claims, mode: 'curiosite' }))), config).actor).toMatchObject({ mode: 'curiosite' });
  });

  it("ACC-10: an assertion of a configured insurer's structure stands for the insurer's feed, bound to its patient, never for a professional", () => {
    const insurer = { ...claims, structureId: '3180000000001' };
    expect(verifyVihf(security(securityHeader(signed(insurer))), { ...config, insurerStructures: ['3180000000001'] }).actor).toEqual({
      kind: 'insurer',
      insurerId: '3180000000001',
      operator: '810000000001',
      // ACC-10 holds it to the patient its resource-id names, as it holds a professional
      boundPatient: { value: '1234567890123', system: '1.2.250.1.213.1.4.10' },
    });
    // The same assertion, its structure not configured as an insurer, is a professional's.
    expect(verifyVihf(security(securityHeader(signed(insurer))), config).actor).toMatchObject({ kind: 'professional', structureId: '3180000000001' });
  });

  it('missing: no header, or no assertion in it', () => {
    expect(vihfOutcome(() => verifyVihf(undefined, config))).toBe('missing');
    expect(vihfOutcome(() => verifyVihf(security(securityHeader()), config))).toBe('missing');
  });

  it('unsigned', () => {
    const a = buildVihfAssertion(claims, { issuer: 'CN=x', now: NOW });
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(a)), config))).toBe('unsigned');
  });

  it('tampered: a changed NameID breaks the digest', () => {
    const a = signed().replace('>810000000001<', '>810000000666<');
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(a)), config))).toBe('invalid_signature');
  });

  it('tampered: a changed purpose of use breaks the digest', () => {
    const a = signed().replace('code="normal"', 'code="bris_de_glace"');
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(a)), config))).toBe('invalid_signature');
  });

  it('expired and not yet valid (injectable clock, skew)', () => {
    const h = security(securityHeader(signed()));
    expect(vihfOutcome(() => verifyVihf(h, { ...config, now: () => new Date(NOW.getTime() + 11 * 60_000) }))).toBe('expired');
    expect(vihfOutcome(() => verifyVihf(h, { ...config, now: () => new Date(NOW.getTime() - 5 * 60_000) }))).toBe('expired');
    expect(vihfOutcome(() => verifyVihf(h, { ...config, now: () => new Date(NOW.getTime() + 10 * 60_000 + 30_000) }))).toBe('accepted');
  });

  it('refuses an assertion announcing a longer validity than the configured maximum', () => {
    const tenYears = issueVihf(claims, { ...trusted, now: NOW, validitySeconds: 10 * 365 * 86400 });
    const h = security(securityHeader(tenYears));
    expect(vihfOutcome(() => verifyVihf(h, config))).toBe('accepted');
    expect(vihfOutcome(() => verifyVihf(h, { ...config, maxLifetimeSeconds: 8 * 3600 }))).toBe('malformed');
    expect(() => verifyVihf(h, { ...config, maxLifetimeSeconds: 8 * 3600 })).toThrow(/longer than the 28800 seconds/);
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(signed())), { ...config, maxLifetimeSeconds: 8 * 3600 }))).toBe('accepted');
  });

  it('does not canonicalise an assertion of thousands of elements', () => {
    const bulky = signAssertion(
      buildVihfAssertion(claims, { issuer: 'CN=x', now: NOW }).replace('</saml2:AttributeStatement>', `${'<saml2:Attribute Name="x"><saml2:AttributeValue>v</saml2:AttributeValue></saml2:Attribute>'.repeat(1000)}</saml2:AttributeStatement>`),
      trusted,
    );
    expect(() => verifyVihf(security(securityHeader(bulky)), config)).toThrow(/more than 500 elements/);
  });

  it('wrong audience, or none when one is required', () => {
    const h = security(securityHeader(signed()));
    expect(vihfOutcome(() => verifyVihf(h, { ...config, audiences: ['https://elsewhere'] }))).toBe('wrong_audience');
    const none = security(securityHeader(signed({ ...claims, audience: undefined })));
    expect(vihfOutcome(() => verifyVihf(none, config))).toBe('wrong_audience');
    expect(vihfOutcome(() => verifyVihf(none, { ...config, audiences: undefined }))).toBe('accepted');
  });

  it('untrusted: a valid signature by an unknown certificate', () => {
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(signed(claims, untrusted))), config))).toBe('untrusted');
    const fresh = generateSelfSigned();
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(signed(claims, fresh))), config))).toBe('untrusted');
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(signed(claims, fresh))), { ...config, trustedCertificates: [untrusted.certificatePem, fresh.certificatePem] }))).toBe('accepted');
  });

  it('untrusted: a KeyInfo swapped for a trusted certificate does not help a foreign key', () => {
    const trustedB64 = trusted.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    const a = signed(claims, untrusted).replace(/<ds:X509Certificate>[^<]+<\/ds:X509Certificate>/, `<ds:X509Certificate>${trustedB64}</ds:X509Certificate>`);
    expect(vihfOutcome(() => verifyVihf(security(securityHeader(a)), config))).toBe('invalid_signature');
  });

  describe('signature wrapping', () => {
    const genuine = signed();
    const evilClaims = { ...claims, idNatPs: '899999999999', mode: 'bris_de_glace' };
    const evil = (id: string) => buildVihfAssertion(evilClaims, { issuer: 'CN=x', now: NOW, assertionId: id });
    const genuineId = /ID="([^"]+)"/.exec(genuine)![1]!;

    it('an unsigned assertion next to the genuine one', () => {
      expect(vihfOutcome(() => verifyVihf(security(securityHeader(evil('_evil'), genuine)), config))).toBe('malformed');
      expect(vihfOutcome(() => verifyVihf(security(securityHeader(genuine, evil('_evil'))), config))).toBe('malformed');
    });

    it('an unsigned assertion wrapping the genuine one', () => {
      const wrapper = evil('_evil').replace('</saml2:Assertion>', `<saml2:Advice>${genuine}</saml2:Advice></saml2:Assertion>`);
      expect(vihfOutcome(() => verifyVihf(security(securityHeader(wrapper)), config))).toBe('unsigned');
    });

    it('the genuine signature moved onto a wrapper that embeds the genuine assertion', () => {
      const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(genuine)![0];
      const genuineUnsigned = genuine.replace(sig, '');
      const wrapper = evil('_evil')
        .replace('</saml2:Issuer>', `</saml2:Issuer>${sig}`)
        .replace('</saml2:Assertion>', `<saml2:Advice>${genuineUnsigned}</saml2:Advice></saml2:Assertion>`);
      expect(vihfOutcome(() => verifyVihf(security(securityHeader(wrapper)), config))).toBe('invalid_signature');
    });

    it('the wrapper takes the genuine ID (duplicate ids)', () => {
      const wrapper = evil(genuineId)
        .replace('</saml2:Issuer>', `</saml2:Issuer>${/<ds:Signature[\s\S]*<\/ds:Signature>/.exec(genuine)![0]}`)
        .replace('</saml2:Assertion>', `<saml2:Advice>${genuine}</saml2:Advice></saml2:Assertion>`);
      const id = (() => {
        try {
          return verifyVihf(security(securityHeader(wrapper)), config);
        } catch (e) {
          return e;
        }
      })();
      expect(id).toBeInstanceOf(VihfError);
      expect((id as VihfError).kind).toBe('invalid_signature');
    });
  });

  it('maps kinds to WS-Security fault subcodes', () => {
    expect(vihfFaultSubcode('missing')).toBe('wsse:InvalidSecurity');
    expect(vihfFaultSubcode('untrusted')).toBe('wsse:FailedAuthentication');
    expect(vihfFaultSubcode('expired')).toBe('wsse:MessageExpired');
  });

  it('VihfError is an unauthenticated CarnetError', () => {
    const e = new VihfError('expired', 'x');
    expect(e.code).toBe('unauthenticated');
    expect(e.reason).toBe('expired');
  });

  it('the issued assertion is well-formed SAML with the signature after Issuer', () => {
    const doc = parseXml(signed());
    const names = [];
    for (let n = doc.documentElement!.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) names.push((n as unknown as { localName: string }).localName);
    expect(names.slice(0, 3)).toEqual(['Issuer', 'Signature', 'Subject']);
  });
});
