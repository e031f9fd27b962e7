// A wsse:Security block whose signature verified is remembered by its text in its namespace
// context, so that the same assertion presented again in a new envelope is neither parsed nor
// checked again. What depends on the moment, the configuration or the request is read on every
// request all the same, and a block that is not exactly the one verified is checked afresh.
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { verifyVihfBlock, type SecurityHeaderBlock, type VihfVerifierConfig } from '../../../src/auth/vihf.js';
import { vihfOutcome } from '../../support/vihf-outcome.js';
import { issueVihf, securityHeader } from '../../../src/auth/vihf-issuer.js';
import { readSoapHead } from '../../../src/xds/soap.js';
import { NS } from '../../../src/xml/index.js';
import { testSigner } from '../../support/vihf-keys.js';

const PATIENT_A = { system: '1.2.250.1.213.1.4.8', value: '1234567890123' };
const AUDIENCE = 'https://carnet.test/xds';
const signer = testSigner('trusted');
const issued = new Date('2025-03-01T10:00:00Z');
// an assertion of its own: the remembered blocks are shared by every test of the process
const header = securityHeader(
  issueVihf(
    { idNatPs: '810000000009', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: '11234567890', subjectName: 'Anne Block', mode: 'normal', patientId: PATIENT_A, audience: AUDIENCE },
    { ...signer, now: issued, validitySeconds: 600 },
  ),
);

/** A new request (its own MessageID) carrying `security` in its Header. */
function envelope(security: string, envelopeStart = `<env:Envelope xmlns:env="${NS.soap12}">`): string {
  return `${envelopeStart}<env:Header><wsa:MessageID xmlns:wsa="${NS.wsa}">urn:uuid:${randomUUID()}</wsa:MessageID>${security}</env:Header><env:Body><x/></env:Body></env:Envelope>`;
}

/** The request's Security block, counting how many times its element is parsed whole. */
function counted(xml: string): { block: SecurityHeaderBlock; parsed: () => number } {
  const block = readSoapHead(xml).security!;
  let parsed = 0;
  return {
    block: { ...(block.context ? { context: block.context } : {}), element: () => (parsed++, block.element()) },
    parsed: () => parsed,
  };
}

const at = (now: Date, o: Partial<VihfVerifierConfig> = {}): VihfVerifierConfig => ({ trustedCertificates: [signer.certificatePem], audiences: [AUDIENCE], now: () => now, ...o });

describe('verified VIHF blocks are remembered by their text, their conditions are not', () => {
  it('ACC-10: the same block in a new envelope is not parsed again; expiry, audience and the patient binding are read on every request', () => {
    const first = counted(envelope(header));
    const identity = verifyVihfBlock(first.block, at(issued));
    expect(first.parsed()).toBe(1);

    const again = counted(envelope(header));
    expect(verifyVihfBlock(again.block, at(issued))).toEqual(identity);
    expect(identity.actor.boundPatient).toEqual(PATIENT_A);
    expect(vihfOutcome(() => verifyVihfBlock(again.block, at(new Date(issued.getTime() + 3600_000))))).toBe('expired');
    expect(vihfOutcome(() => verifyVihfBlock(again.block, at(issued, { audiences: ['https://elsewhere.test/xds'] })))).toBe('wrong_audience');
    expect(vihfOutcome(() => verifyVihfBlock(again.block, at(issued, { maxLifetimeSeconds: 60 })))).toBe('malformed');
    expect(again.parsed()).toBe(0);
  });

  it('ACC-10: a remembered block\'s claims are shared, each request\'s identity is its own, and what depends on the configuration is read on every request', () => {
    const one = verifyVihfBlock(counted(envelope(header)).block, at(issued));
    // what a later step does to one request's actor (its standing, a name) reaches no other request
    Object.assign(one.actor, { given: 'Changed', regulationCentre: true });
    delete one.actor.boundPatient;
    const two = verifyVihfBlock(counted(envelope(header)).block, at(issued));
    expect(two.actor).not.toBe(one.actor);
    expect(two.actor).toMatchObject({ kind: 'professional', idNatPs: '810000000009', given: 'Anne', boundPatient: PATIENT_A });
    expect(two.actor).not.toHaveProperty('regulationCentre');
    // the shared claims cannot be changed through an identity
    expect(() => ((two.patientId as { value: string }).value = '0')).toThrow(TypeError);
    expect(() => two.attributes[Object.keys(two.attributes)[0]!]!.push('x')).toThrow(TypeError);
    // the insurers' structures are the configuration's: the same remembered block, read both ways
    const insurer = verifyVihfBlock(counted(envelope(header)).block, at(issued, { insurerStructures: ['11234567890'] }));
    expect(insurer.actor).toMatchObject({ kind: 'insurer', insurerId: '11234567890', operator: '810000000009', boundPatient: PATIENT_A });
    expect(verifyVihfBlock(counted(envelope(header)).block, at(issued)).actor.kind).toBe('professional');
  });

  it('a block that differs by one character is checked afresh, and refused when its signature no longer holds', () => {
    verifyVihfBlock(counted(envelope(header)).block, at(issued));
    expect(header).toContain('>810000000009<');
    const altered = counted(envelope(header.replace('>810000000009<', '>810000000008<')));
    expect(vihfOutcome(() => verifyVihfBlock(altered.block, at(issued)))).toBe('invalid_signature');
    expect(altered.parsed()).toBe(1);
    // refused blocks are never remembered: checked afresh again
    expect(vihfOutcome(() => verifyVihfBlock(altered.block, at(issued)))).toBe('invalid_signature');
    expect(altered.parsed()).toBe(2);
  });

  it('the same block under other namespace declarations, or under other trusted certificates, is not the block verified', () => {
    verifyVihfBlock(counted(envelope(header)).block, at(issued));
    const elsewhere = counted(envelope(header, `<env:Envelope xmlns:env="${NS.soap12}" xmlns:x="urn:example:other">`));
    expect(vihfOutcome(() => verifyVihfBlock(elsewhere.block, at(issued)))).toBe('accepted');
    expect(elsewhere.parsed()).toBe(1);

    const otherTrust = counted(envelope(header));
    expect(vihfOutcome(() => verifyVihfBlock(otherTrust.block, at(issued, { trustedCertificates: [testSigner('untrusted').certificatePem] })))).toBe('untrusted');
    expect(otherTrust.parsed()).toBe(1);
  });
});
