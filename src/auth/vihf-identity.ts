// Who a VIHF says the caller is, read from the signed assertion alone (vihf-signature.ts returns
// it): its validity and audience, the professional or insurer it names, and the patient it binds
// to (ACC-10). The conditions are checked on every request, since they depend on the moment and
// the configuration; the claims are read once per remembered block, like the signature check.
import type { InsurerActor, ProfessionalActor } from '../domain/actor.js';
import type { PatientIdentifier } from '../domain/model.js';
import { NS, attr, childElements, firstChild, textOf } from '../xml/index.js';
import type { Element } from '../xml/index.js';
import { parseCx } from '../domain/hl7v2.js';
import { VihfError } from './vihf-error.js';
import type { VihfVerifierConfig } from './vihf.js';
import type { SignedAssertion } from './vihf-signature.js';

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
export interface Claims {
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
export function identityFrom(signed: SignedAssertion, config: VihfVerifierConfig): VihfIdentity {
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
