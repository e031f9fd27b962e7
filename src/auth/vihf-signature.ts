// The VIHF's signature: the assertion a trusted certificate's signature covers, read from the
// signed bytes as xml-crypto returns them, never from the surrounding message (a wrapped or
// duplicated assertion cannot lend its identity). Only configured certificates are trusted;
// KeyInfo only selects among them. The costly check (canonicalisation, RSA) is bounded before it
// runs and remembered after.
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { NS, attr, childElements, descendants, firstChild, parseXml, selfAndDescendants, serializeXml, textOf } from '../xml/index.js';
import type { Element } from '../xml/index.js';
import { createVerifiedCache, keyOf } from './verified-cache.js';
import { VihfError } from './vihf-error.js';
import type { VihfVerifierConfig } from './vihf.js';
import type { Claims } from './vihf-identity.js';

/** Far above any real VIHF (about forty elements), far below what would cost the signature check. */
const MAX_ASSERTION_ELEMENTS = 500;
/** Far above any real VIHF (a few kilobytes), far below what would cost the signature check. */
const MAX_ASSERTION_CHARACTERS = 64 * 1024;

/**
 * The transforms a VIHF's signature reference may name, at most two of them: the enveloped
 * signature and a canonicalisation (SAML 2.0 core §5.4.3-4, as the DMP's signers make them). The
 * library applies every transform, each a canonicalisation of the whole assertion, before it
 * checks the signature value: a reference with hundreds of them cost anyone who sent one seconds
 * of the event loop.
 */
const ALLOWED_TRANSFORMS = new Set([
  'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);
const MAX_TRANSFORMS = 2;

interface TrustedCert {
  pem: string;
  raw: Buffer;
}

function loadTrusted(pems: string[]): TrustedCert[] {
  return pems.map((pem) => {
    const c = new X509Certificate(pem);
    return { pem: c.toString(), raw: c.raw };
  });
}

/** The trusted certificates of a configuration, read once, with one hash of them all. */
const trustCache = new WeakMap<string[], { certs: TrustedCert[]; key: string }>();

export function trustOf(config: VihfVerifierConfig): { certs: TrustedCert[]; key: string } {
  let t = trustCache.get(config.trustedCertificates);
  if (!t) {
    const certs = loadTrusted(config.trustedCertificates);
    t = { certs, key: keyOf(certs.map((c) => c.pem)) };
    trustCache.set(config.trustedCertificates, t);
  }
  return t;
}

function trusted(config: VihfVerifierConfig): TrustedCert[] {
  return trustOf(config).certs;
}

/** A signature checked: the references it covers, and the one signed assertion, once parsed. */
interface CheckedSignature {
  references: string[];
  /** the signed assertion as read from the signed bytes (read-only: shared by the requests that present it) */
  assertion?: Element;
}

/**
 * Signatures already checked: the same assertion bytes, signature bytes and trusted certificates
 * always give the same signed references, so the canonicalisation and RSA check run once per
 * assertion, and the signed bytes are parsed once. Conditions (expiry, audience) and the identity,
 * with its patient binding (ACC-10), are read from the signed assertion again on every request.
 */
const checkedSignatures = createVerifiedCache<CheckedSignature>({ maxEntries: 5_000, maxAgeMs: 10 * 60_000, now: Date.now });

/** Signatures remembered as checked (for tests and figures). */
export function checkedVihfSignatures(): number {
  return checkedSignatures.size;
}

/**
 * xml-crypto (with its XPath engine, ~100 ms to load) is loaded by the first signature checked:
 * a server that answers no XDS request never loads it, and a start does not wait for it.
 */
let signedXml: typeof import('xml-crypto').SignedXml | undefined;
function SignedXmlClass(): typeof import('xml-crypto').SignedXml {
  signedXml ??= (createRequire(import.meta.url)('xml-crypto') as typeof import('xml-crypto')).SignedXml;
  return signedXml;
}

function checkWith(cert: TrustedCert, signatureXml: string, assertionXml: string): string[] | undefined {
  const SignedXml = SignedXmlClass();
  const sig = new SignedXml({ publicCert: cert.pem, getCertFromKeyInfo: () => null });
  try {
    sig.loadSignature(signatureXml);
    if (!sig.checkSignature(assertionXml)) return undefined;
    return sig.getSignedReferences();
  } catch {
    return undefined;
  }
}

/** The assertion a trusted signature covers, as read from the signed bytes, and its ID. */
export interface SignedAssertion {
  assertion: Element;
  id: string;
  /**
   * what the assertion says of its subject, read at its first use that passed (vihf-identity.ts
   * claimsOf): a remembered block's DOM is not walked again on every request, only its conditions
   * are checked
   */
  claims?: Claims;
}

/** The assertion of a `wsse:Security` element once its signature is checked against the trusted certificates. Throws VihfError. */
export function signedAssertionOf(security: Element | undefined, config: VihfVerifierConfig): SignedAssertion {
  if (!security) throw new VihfError('missing', 'no wsse:Security header');
  const assertions = childElements(security, NS.saml2, 'Assertion');
  if (assertions.length === 0) throw new VihfError('missing', 'no SAML assertion in the wsse:Security header');
  if (assertions.length > 1) throw new VihfError('malformed', 'more than one SAML assertion in the wsse:Security header');
  const assertion = assertions[0]!;
  const id = attr(assertion, 'ID');
  if (!id) throw new VihfError('malformed', 'the assertion has no ID');

  const signatures = childElements(assertion, NS.ds, 'Signature');
  if (signatures.length === 0) throw new VihfError('unsigned', 'the assertion is not signed');
  if (signatures.length > 1) throw new VihfError('invalid_signature', 'the assertion carries more than one signature');
  const signature = signatures[0]!;
  const signedInfo = firstChild(signature, NS.ds, 'SignedInfo');
  const references = signedInfo ? childElements(signedInfo, NS.ds, 'Reference') : [];
  if (references.length !== 1 || attr(references[0]!, 'URI') !== `#${id}`) {
    throw new VihfError('invalid_signature', 'the signature must have exactly one reference, to the assertion itself');
  }
  const transforms = childElements(firstChild(references[0]!, NS.ds, 'Transforms') ?? references[0]!, NS.ds, 'Transform');
  if (transforms.length > MAX_TRANSFORMS || transforms.some((t) => !ALLOWED_TRANSFORMS.has(attr(t, 'Algorithm') ?? ''))) {
    throw new VihfError('invalid_signature', `the signature's reference may name at most ${MAX_TRANSFORMS} transforms: the enveloped signature and a canonicalisation`);
  }

  const trust = trusted(config);
  const keyInfoCerts = descendants(signature, NS.ds, 'X509Certificate').map((e) => Buffer.from(textOf(e).replace(/\s+/g, ''), 'base64'));
  let candidates = trust;
  if (keyInfoCerts.length) {
    candidates = trust.filter((t) => keyInfoCerts.some((k) => k.equals(t.raw)));
    if (!candidates.length) throw new VihfError('untrusted', 'the assertion is signed by a certificate that is not trusted');
  }

  // A VIHF has a few dozen elements; a larger one is not canonicalised and hashed at all, so
  // that an unsigned bulk cannot make the signature check expensive.
  if (selfAndDescendants(assertion).length > MAX_ASSERTION_ELEMENTS) {
    throw new VihfError('malformed', `the assertion holds more than ${MAX_ASSERTION_ELEMENTS} elements`);
  }
  const assertionXml = serializeXml(assertion);
  if (assertionXml.length > MAX_ASSERTION_CHARACTERS) {
    throw new VihfError('malformed', `the assertion is longer than ${MAX_ASSERTION_CHARACTERS} characters`);
  }
  const signatureXml = serializeXml(signature);
  const cacheKey = [assertionXml, signatureXml, ...candidates.map((c) => c.pem)];
  let checked = checkedSignatures.get(cacheKey);
  for (const c of checked ? [] : candidates) {
    const references = checkWith(c, signatureXml, assertionXml);
    if (references) {
      checked = { references };
      checkedSignatures.set(cacheKey, checked, Infinity);
      break;
    }
  }
  if (!checked) {
    throw new VihfError(keyInfoCerts.length ? 'invalid_signature' : 'untrusted', 'the assertion signature does not verify with a trusted certificate');
  }
  if (checked.references.length !== 1) throw new VihfError('invalid_signature', 'the signature must cover exactly the assertion');

  // From here on, only the signed bytes are read.
  if (!checked.assertion) {
    try {
      checked.assertion = parseXml(checked.references[0]!).documentElement!;
    } catch {
      throw new VihfError('invalid_signature', 'the signed content cannot be read');
    }
  }
  const signedAssertion = checked.assertion;
  if (signedAssertion.namespaceURI !== NS.saml2 || signedAssertion.localName !== 'Assertion' || attr(signedAssertion, 'ID') !== id) {
    throw new VihfError('invalid_signature', 'the signature does not cover the assertion presented');
  }
  return { assertion: signedAssertion, id };
}
