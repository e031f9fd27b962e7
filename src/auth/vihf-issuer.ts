// Builds and signs VIHF assertions (SAML 2.0, DMP-FACTS §4) — for tests, the conformance runner
// and the development command, i.e. wherever Carnet plays the calling software.
import { X509Certificate, randomUUID } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { PatientIdentifier } from '../domain/model.js';
import { NS, escapeAttr, escapeText } from '../xml/index.js';
import { formatCx } from '../domain/hl7v2.js';
import { VIHF_ATTRIBUTE } from './vihf-identity.js';

export interface CodedRole {
  code: string;
  codeSystem: string;
  displayName?: string;
}

export interface VihfClaims {
  idNatPs: string;
  /** 1st role: TRE_G15 profession, e.g. {code:'10', codeSystem:'1.2.250.1.71.1.2.7'} */
  profession: CodedRole;
  /** 2nd role: savoir-faire, e.g. {code:'SM26', codeSystem:'1.2.250.1.71.4.2.5'} */
  specialty?: CodedRole;
  structureId: string;
  /** `code^oid`, e.g. `SA01^1.2.250.1.71.4.2.4` */
  activitySector?: string;
  /** "Prénom Nom" */
  subjectName: string;
  /** normal | bris_de_glace | centre_15 (anything else is sent as given) */
  mode: string;
  patientId?: PatientIdentifier;
  audience?: string;
  authenticationMode?: 'DIRECTE' | 'INDIRECTE' | 'INDIRECTE_RENFORCEE';
  lpsName?: string;
  lpsHomologation?: string;
}

export interface VihfSigningOptions {
  privateKeyPem: string;
  certificatePem: string;
  now?: Date;
  /** validity from now, seconds (default 3600) */
  validitySeconds?: number;
  /** default RSA-SHA256; the DMP also uses RSA-SHA1 */
  algorithm?: 'rsa-sha256' | 'rsa-sha1';
  assertionId?: string;
}

const PURPOSE_SYSTEM = '1.2.250.1.213.1.1.4.248';

function attribute(name: string, values: string[]): string {
  return (
    `<saml2:Attribute Name="${escapeAttr(name)}">` +
    values.map((v) => `<saml2:AttributeValue xsi:type="xs:string">${escapeText(v)}</saml2:AttributeValue>`).join('') +
    `</saml2:Attribute>`
  );
}

function ce(local: string, r: CodedRole): string {
  return (
    `<${local} xmlns="${NS.hl7}" xsi:type="CE" code="${escapeAttr(r.code)}" codeSystem="${escapeAttr(r.codeSystem)}"` +
    (r.displayName ? ` displayName="${escapeAttr(r.displayName)}"` : '') +
    `/>`
  );
}

/** The certificate subject as a one-line DN (Issuer with X509SubjectName format). */
export function subjectDn(certificatePem: string): string {
  return new X509Certificate(certificatePem).subject.split('\n').reverse().join(', ');
}

/** An unsigned VIHF assertion (exposed for tests that need to build bad ones). */
export function buildVihfAssertion(claims: VihfClaims, opts: { issuer: string; now?: Date; validitySeconds?: number; assertionId?: string }): string {
  const now = opts.now ?? new Date();
  const until = new Date(now.getTime() + (opts.validitySeconds ?? 3600) * 1000);
  const id = opts.assertionId ?? `_${randomUUID()}`;
  const roles = [claims.profession, ...(claims.specialty ? [claims.specialty] : [])];
  const attrs: string[] = [
    attribute('VIHF_Version', ['3.0']),
    attribute('Authentification_Mode', [claims.authenticationMode ?? 'INDIRECTE']),
    attribute(VIHF_ATTRIBUTE.structure, [claims.structureId]),
    attribute(VIHF_ATTRIBUTE.subjectId, [claims.subjectName]),
    `<saml2:Attribute Name="${VIHF_ATTRIBUTE.role}">` +
      roles.map((r) => `<saml2:AttributeValue>${ce('Role', r)}</saml2:AttributeValue>`).join('') +
      `</saml2:Attribute>`,
    `<saml2:Attribute Name="${VIHF_ATTRIBUTE.purposeOfUse}"><saml2:AttributeValue>` +
      ce('PurposeOfUse', { code: claims.mode, codeSystem: PURPOSE_SYSTEM }) +
      `</saml2:AttributeValue></saml2:Attribute>`,
    attribute('Ressource_URN', ['urn:dmp']),
    attribute('LPS_Nom', [claims.lpsName ?? 'Carnet test client']),
    attribute('LPS_ID_HOMOLOGATION_DMP', [claims.lpsHomologation ?? 'TEST-ONLY']),
  ];
  if (claims.activitySector) attrs.splice(3, 0, attribute(VIHF_ATTRIBUTE.sector, [claims.activitySector]));
  if (claims.patientId) attrs.push(attribute(VIHF_ATTRIBUTE.resourceId, [`${formatCx(claims.patientId)}^NH`]));
  return (
    `<saml2:Assertion xmlns:saml2="${NS.saml2}" xmlns:xsi="${NS.xsi}" xmlns:xs="${NS.xs}" ID="${escapeAttr(id)}" IssueInstant="${now.toISOString()}" Version="2.0">` +
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName">${escapeText(opts.issuer)}</saml2:Issuer>` +
    `<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escapeText(claims.idNatPs)}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:sender-vouches"/></saml2:Subject>` +
    `<saml2:Conditions NotBefore="${now.toISOString()}" NotOnOrAfter="${until.toISOString()}">` +
    (claims.audience ? `<saml2:AudienceRestriction><saml2:Audience>${escapeText(claims.audience)}</saml2:Audience></saml2:AudienceRestriction>` : '') +
    `</saml2:Conditions>` +
    `<saml2:AuthnStatement AuthnInstant="${now.toISOString()}"><saml2:AuthnContext>` +
    `<saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient</saml2:AuthnContextClassRef>` +
    `</saml2:AuthnContext></saml2:AuthnStatement>` +
    `<saml2:AttributeStatement>${attrs.join('')}</saml2:AttributeStatement>` +
    `</saml2:Assertion>`
  );
}

const ALGORITHMS = {
  'rsa-sha256': { signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', digest: 'http://www.w3.org/2001/04/xmlenc#sha256' },
  'rsa-sha1': { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
} as const;

/** Signs an assertion (enveloped signature after Issuer, exclusive c14n, certificate in KeyInfo). */
export function signAssertion(assertionXml: string, opts: Pick<VihfSigningOptions, 'privateKeyPem' | 'certificatePem' | 'algorithm'>): string {
  const alg = ALGORITHMS[opts.algorithm ?? 'rsa-sha256'];
  const sig = new SignedXml({
    privateKey: opts.privateKeyPem,
    publicCert: opts.certificatePem,
    signatureAlgorithm: alg.signature,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "/*[local-name()='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: alg.digest,
  });
  sig.computeSignature(assertionXml, {
    prefix: 'ds',
    location: { reference: "/*[local-name()='Assertion']/*[local-name()='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

/** A signed VIHF assertion. */
export function issueVihf(claims: VihfClaims, opts: VihfSigningOptions): string {
  const assertion = buildVihfAssertion(claims, {
    issuer: subjectDn(opts.certificatePem),
    now: opts.now,
    validitySeconds: opts.validitySeconds,
    assertionId: opts.assertionId,
  });
  return signAssertion(assertion, opts);
}

/** Wraps assertion XML in a `wsse:Security` header element. */
export function securityHeader(...assertions: string[]): string {
  return `<wsse:Security xmlns:wsse="${NS.wsse}">${assertions.join('')}</wsse:Security>`;
}
