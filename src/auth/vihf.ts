// VIHF: the DMP's SAML 2.0 assertion in the WS-Security header (DMP-FACTS §4). Who the caller is
// is read only from the element the trusted signature covers, as xml-crypto returns it, never
// from the surrounding message: a wrapped or duplicated assertion therefore cannot lend its
// identity. Only configured certificates are trusted; KeyInfo only selects among them.
// This file is the door's entry: a Security block in, the caller's identity out, with the blocks
// already verified remembered. The signature is checked by vihf-signature.ts, the identity read by
// vihf-identity.ts, the refusals named in vihf-error.ts.
import type { Element } from '../xml/index.js';
import { createVerifiedCache } from './verified-cache.js';
import { identityFrom, type VihfIdentity } from './vihf-identity.js';
import { signedAssertionOf, trustOf, type SignedAssertion } from './vihf-signature.js';

export interface VihfVerifierConfig {
  /** PEM certificates whose signatures are accepted (the structures' "cachet" certificates or their issuing keys) */
  trustedCertificates: string[];
  /** accepted Audience values; when set, the assertion must name one of them */
  audiences?: string[];
  now?: () => Date;
  /** tolerance for clock differences, seconds (default 60) */
  clockSkewSeconds?: number;
  /** the longest validity accepted, from NotBefore (or IssueInstant) to NotOnOrAfter, seconds */
  maxLifetimeSeconds?: number;
  /** IdNat_Struct of the health insurers, whose assertions stand for the insurer's feed, not a professional */
  insurerStructures?: string[];
}

/** A wsse:Security header block as the SOAP layer hands it over (src/xds/soap.ts SecurityBlock). */
export interface SecurityHeaderBlock {
  /** the block's text in its namespace context: equal contexts are equal blocks (absent: not rememberable) */
  context?: readonly string[];
  /** the block's element, parsed when first asked */
  element(): Element;
}

/**
 * Security blocks already verified, by a hash of their text in its namespace context and of the
 * trusted certificates: a block presented again (the same assertion, request after request) is
 * neither parsed, nor serialised, nor hashed again, its signed assertion taken from here. Only
 * blocks whose signature verified are kept. Everything that depends on the moment or on the
 * configuration (validity dates, audience, lifetime, insurer structures) is checked on every
 * request, and each request gets an identity of its own, with its patient binding (ACC-10), made
 * from the claims read once (vihf-identity.ts).
 */
const verifiedBlocks = createVerifiedCache<SignedAssertion>({ maxEntries: 5_000, maxAgeMs: 10 * 60_000, now: Date.now });

/**
 * Verifies the VIHF of a wsse:Security block, remembering the blocks whose signature verified
 * (verifiedBlocks). Throws VihfError as verifyVihf does.
 */
export function verifyVihfBlock(block: SecurityHeaderBlock | undefined, config: VihfVerifierConfig): VihfIdentity {
  if (!block) return verifyVihf(undefined, config);
  // with the trust's hash: a block verified under other trust is not taken for verified
  const key = block.context ? [...block.context, trustOf(config).key] : undefined;
  let signed = key ? verifiedBlocks.get(key) : undefined;
  if (!signed) {
    signed = signedAssertionOf(block.element(), config);
    if (key) verifiedBlocks.set(key, signed, Infinity);
  }
  return identityFrom(signed, config);
}

/**
 * Verifies the VIHF in a `wsse:Security` header element and returns the caller's identity.
 * Throws VihfError.
 */
export function verifyVihf(security: Element | undefined, config: VihfVerifierConfig): VihfIdentity {
  return identityFrom(signedAssertionOf(security, config), config);
}
