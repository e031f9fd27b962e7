// VIHF: the DMP's SAML 2.0 assertion in the WS-Security header (DMP-FACTS §4). Who the caller is
// is read only from the element the trusted signature covers, as xml-crypto returns it, never
// from the surrounding message: a wrapped or duplicated assertion therefore cannot lend its
// identity. Only configured certificates are trusted; KeyInfo only selects among them.
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { CarnetError } from '../domain/errors.js';
import type { InsurerActor, ProfessionalActor } from '../domain/actor.js';
import type { PatientIdentifier } from '../domain/model.js';
import { NS, attr, childElements, descendants, firstChild, parseXml, selfAndDescendants, serializeXml, textOf } from '../xml/index.js';
import type { Element } from '../xml/index.js';
import { parseCx } from '../domain/hl7v2.js';
import { createVerifiedCache, keyOf } from './verified-cache.js';

export type VihfErrorKind = 'missing' | 'unsigned' | 'invalid_signature' | 'expired' | 'wrong_audience' | 'untrusted' | 'malformed';

/** An unacceptable or absent VIHF. code `unauthenticated`, reason = kind. */
export class VihfError extends CarnetError {
  readonly kind: VihfErrorKind;
  constructor(kind: VihfErrorKind, message: string) {
    super('unauthenticated', message, { reason: kind });
    this.name = 'VihfError';
    this.kind = kind;
  }
}

/** WS-Security fault subcode to answer each kind with (OASIS WSS 1.1 §12). */
export function vihfFaultSubcode(kind: VihfErrorKind): string {
  switch (kind) {
    case 'missing':
    case 'unsigned':
      return 'wsse:InvalidSecurity';
    case 'invalid_signature':
      return 'wsse:FailedCheck';
    case 'expired':
      return 'wsse:MessageExpired';
    case 'malformed':
      return 'wsse:InvalidSecurityToken';
    case 'wrong_audience':
    case 'untrusted':
      return 'wsse:FailedAuthentication';
  }
}

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

export interface VihfIdentity {
  /** a professional, or the insurer's feed when the structure is a configured insurer */
  actor: ProfessionalActor | InsurerActor;
  /** the patient the request is about (resource-id), when given */
  patientId?: PatientIdentifier;
  assertionId: string;
  issuer?: string;
  notOnOrAfter?: string;
  /** every attribute's text values as signed, by Name (CE-valued ones as `code^codeSystem`) */
  attributes: Record<string, string[]>;
}

export const VIHF_ATTRIBUTE = {
  role: 'urn:oasis:names:tc:xacml:2.0:subject:role',
  subjectId: 'urn:oasis:names:tc:xspa:1.0:subject:subject-id',
  purposeOfUse: 'urn:oasis:names:tc:xspa:1.0:subject:purposeofuse',
  resourceId: 'urn:oasis:names:tc:xacml:2.0:resource:resource-id',
  structure: 'Identifiant_Structure',
  sector: 'Secteur_Activite',
} as const;

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

function trustOf(config: VihfVerifierConfig): { certs: TrustedCert[]; key: string } {
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

/** A wsse:Security header block as the SOAP layer hands it over (src/xds/soap.ts SecurityBlock). */
export interface SecurityHeaderBlock {
  /** the block's text in its namespace context: equal contexts are equal blocks (absent: not rememberable) */
  context?: readonly string[];
  /** the block's element, parsed when first asked */
  element(): Element;
}

/** The assertion a trusted signature covers, as read from the signed bytes, and its ID. */
interface SignedAssertion {
  assertion: Element;
  id: string;
  /**
   * what the assertion says of its subject, read at its first use that passed (claimsOf): a
   * remembered block's DOM is not walked again on every request, only its conditions are checked
   */
  claims?: Claims;
}

/**
 * Security blocks already verified, by a hash of their text in its namespace context and of the
 * trusted certificates: a block presented again (the same assertion, request after request) is
 * neither parsed, nor serialised, nor hashed again, its signed assertion taken from here. Only
 * blocks whose signature verified are kept. Everything that depends on the moment or on the
 * configuration (validity dates, audience, lifetime, insurer structures) and the identity with its
 * patient binding (ACC-10) are read from the signed assertion on every request.
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

/** The assertion of a `wsse:Security` element once its signature is checked against the trusted certificates. Throws VihfError. */
function signedAssertionOf(security: Element | undefined, config: VihfVerifierConfig): SignedAssertion {
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

function checkConditions(assertion: Element, config: VihfVerifierConfig): string | undefined {
  const now = (config.now ?? (() => new Date()))().getTime();
  const skew = (config.clockSkewSeconds ?? 60) * 1000;
  const conditions = firstChild(assertion, NS.saml2, 'Conditions');
  const notBefore = conditions ? attr(conditions, 'NotBefore') : undefined;
  const notOnOrAfter = conditions ? attr(conditions, 'NotOnOrAfter') : undefined;
  if (!notOnOrAfter) throw new VihfError('malformed', 'the assertion has no Conditions/@NotOnOrAfter');
  const nb = notBefore ? Date.parse(notBefore) : undefined;
  const na = Date.parse(notOnOrAfter);
  if (Number.isNaN(na) || (nb !== undefined && Number.isNaN(nb))) throw new VihfError('malformed', 'unreadable validity dates');
  if (nb !== undefined && now + skew < nb) throw new VihfError('expired', 'the assertion is not yet valid');
  if (now - skew >= na) throw new VihfError('expired', 'the assertion has expired');
  if (config.maxLifetimeSeconds !== undefined) {
    // A long-lived assertion is a stolen one's best friend: its validity is bounded from its start.
    const issued = attr(assertion, 'IssueInstant');
    const start = nb ?? (issued ? Date.parse(issued) : NaN);
    if (Number.isNaN(start)) throw new VihfError('malformed', 'the assertion has neither Conditions/@NotBefore nor a readable IssueInstant');
    if (na - start > config.maxLifetimeSeconds * 1000) {
      throw new VihfError('malformed', `the assertion is valid for longer than the ${config.maxLifetimeSeconds} seconds this server accepts`);
    }
  }

  if (config.audiences && config.audiences.length) {
    const audiences = conditions
      ? childElements(conditions, NS.saml2, 'AudienceRestriction').flatMap((r) => childElements(r, NS.saml2, 'Audience').map((a) => textOf(a).trim()))
      : [];
    if (!audiences.some((a) => config.audiences!.includes(a))) {
      throw new VihfError('wrong_audience', 'the assertion is not meant for this service');
    }
  }
  return notOnOrAfter;
}

interface AttrValue {
  text: string;
  /** first element child (CE Role / PurposeOfUse) */
  element?: Element;
}

function readAttributes(assertion: Element): Map<string, AttrValue[]> {
  const out = new Map<string, AttrValue[]>();
  for (const st of childElements(assertion, NS.saml2, 'AttributeStatement')) {
    for (const a of childElements(st, NS.saml2, 'Attribute')) {
      const name = attr(a, 'Name');
      if (!name) continue;
      const list = out.get(name) ?? out.set(name, []).get(name)!;
      for (const v of childElements(a, NS.saml2, 'AttributeValue')) {
        const element = childElements(v)[0];
        list.push({ text: textOf(v).trim(), element });
      }
    }
  }
  return out;
}

function ceCode(v: AttrValue | undefined): { code?: string; codeSystem?: string } {
  if (!v) return {};
  if (v.element) return { code: attr(v.element, 'code'), codeSystem: attr(v.element, 'codeSystem') };
  return { code: v.text || undefined };
}

/** What a signed assertion says of its subject, whatever the moment and the server's configuration. */
interface Claims {
  nameId: string;
  /** the professional as signed, never bound to a patient here: each identity gets its own copy */
  professional: Readonly<ProfessionalActor>;
  attributes: Readonly<Record<string, readonly string[]>>;
  issuer?: string;
  patientId?: Readonly<PatientIdentifier>;
}

/**
 * The claims of an assertion; VihfError ('malformed') for one missing or unreadable (then nothing
 * is kept: the next request reads and refuses them again). Frozen: a remembered block's claims
 * are shared by every request that presents it.
 */
function claimsOf(assertion: Element): Claims {
  const subject = firstChild(assertion, NS.saml2, 'Subject');
  const nameId = textOf(subject ? firstChild(subject, NS.saml2, 'NameID') : undefined).trim();
  if (!nameId) throw new VihfError('malformed', 'the assertion has no Subject/NameID');

  const attrs = readAttributes(assertion);
  const attributes: Record<string, string[]> = {};
  for (const [name, values] of attrs) {
    attributes[name] = values.map((v) => {
      if (!v.element) return v.text;
      const c = ceCode(v);
      return c.codeSystem ? `${c.code ?? ''}^${c.codeSystem}` : (c.code ?? '');
    });
    Object.freeze(attributes[name]);
  }
  const roles = attrs.get(VIHF_ATTRIBUTE.role) ?? [];
  const profession = ceCode(roles[0]).code;
  if (!profession) throw new VihfError('malformed', 'the assertion has no subject role (profession)');

  const actor: ProfessionalActor = { kind: 'professional', idNatPs: nameId, profession, mode: '' };
  const specialty = ceCode(roles[1]).code;
  if (specialty) actor.specialty = specialty;
  const structure = attrs.get(VIHF_ATTRIBUTE.structure)?.[0]?.text;
  if (structure) actor.structureId = structure;
  const sector = attrs.get(VIHF_ATTRIBUTE.sector)?.[0]?.text;
  if (sector) actor.activitySector = sector.split('^')[0];
  // purpose of use is kept as sent; the domain refuses anything but its access modes
  const purpose = ceCode(attrs.get(VIHF_ATTRIBUTE.purposeOfUse)?.[0]).code;
  actor.mode = purpose ?? '';
  const name = attrs.get(VIHF_ATTRIBUTE.subjectId)?.[0]?.text;
  if (name) {
    const space = name.indexOf(' ');
    if (space > 0) {
      actor.given = name.slice(0, space);
      actor.family = name.slice(space + 1).trim();
    } else actor.family = name;
  }
  const claims: Claims = { nameId, professional: Object.freeze(actor), attributes: Object.freeze(attributes) };
  const issuer = textOf(firstChild(assertion, NS.saml2, 'Issuer')).trim();
  if (issuer) claims.issuer = issuer;
  const resource = attrs.get(VIHF_ATTRIBUTE.resourceId);
  if (resource !== undefined) {
    // ACC-10: a resource-id that cannot be read as one patient (no value, an empty one, one
    // written as an element, several) binds to nothing readable: refused, never taken as "no
    // patient", which would let the request reach every record the rules open to the caller.
    const values = new Set(resource.map((v) => (v.element ? '' : v.text)));
    const [only] = values;
    const pid = values.size === 1 && only ? parseCx(only) : undefined;
    if (!pid) throw new VihfError('malformed', 'resource-id is not one CX patient identifier');
    claims.patientId = Object.freeze(pid);
  }
  return Object.freeze(claims);
}

/**
 * The identity of a signed assertion: its conditions (validity, audience, lifetime) checked now,
 * first, as before any claim; its claims read once per remembered block (SignedAssertion.claims),
 * then copied into an identity of this request's own.
 */
function identityFrom(signed: SignedAssertion, config: VihfVerifierConfig): VihfIdentity {
  const notOnOrAfter = checkConditions(signed.assertion, config);
  const claims = (signed.claims ??= claimsOf(signed.assertion));
  const actor: ProfessionalActor = { ...claims.professional };
  // An automated flow of a health insurer (NameID: the person responsible for it) is the insurer's
  // feed: it deposits reimbursement data and is never taken for a professional.
  const insurer = actor.structureId && config.insurerStructures?.includes(actor.structureId);
  const identity: VihfIdentity = {
    actor: insurer ? { kind: 'insurer', insurerId: actor.structureId!, operator: claims.nameId } : actor,
    assertionId: signed.id,
    attributes: claims.attributes as Record<string, string[]>,
  };
  if (notOnOrAfter) identity.notOnOrAfter = notOnOrAfter;
  if (claims.issuer) identity.issuer = claims.issuer;
  if (claims.patientId) {
    identity.patientId = claims.patientId;
    // ACC-10: the request may concern this patient and no other.
    identity.actor.boundPatient = claims.patientId;
  }
  return identity;
}
