// The DMP terminologies as the rules need them, validated from the JSON of profiles/terminology.
// Pure: takes already-parsed JSON; the file reading lives in src/profiles/load.ts.
import { ACCESS_MODES } from './actor.js';
import { CONFIDENTIALITY_ALIASES, LEVEL_CODES, VISIBILITY_FLAGS } from './confidentiality.js';
import {
  PolicyError,
  asArray,
  asObject,
  asString,
  optionalBoolean,
  optionalString,
} from './json-check.js';

/**
 * health_professional: a TRE_G15 profession. role_based: a non-PS care role with a matrix entry.
 * administrative: reception, secretaries, administrative or service agents (ACC-04: never read).
 */
export type ProfessionCategory = 'health_professional' | 'role_based' | 'administrative';

export interface Concept {
  code: string;
  display: string;
  system?: string;
}

export interface Profession extends Concept {
  category: ProfessionCategory;
}

export interface DocumentType extends Concept {
  /** the TRE_A03 class every document of this type must carry (DOC-01) */
  classCode: string;
  /** a patient or legal representative may deposit this type (DOC-08) */
  patientDeposit: boolean;
}

export interface ConfidentialityConcept extends Concept {
  kind: 'level' | 'visibility';
}

export interface Terminology {
  professions: ReadonlyMap<string, Profession>;
  documentTypes: ReadonlyMap<string, DocumentType>;
  documentClasses: ReadonlyMap<string, Concept>;
  confidentiality: ReadonlyMap<string, ConfidentialityConcept>;
  /** accepted spelling -> stored code */
  confidentialityAliases: ReadonlyMap<string, string>;
  accessModes: ReadonlyMap<string, Concept>;
  facilityTypes: ReadonlyMap<string, Concept>;
  /** formatCodesComplete=false: the list is partial and may not be used to refuse a code */
  formatCodes: ReadonlyMap<string, Concept>;
  formatCodesComplete: boolean;
}

/** One parsed JSON value per file of profiles/terminology. */
export interface TerminologySources {
  professions: unknown;
  rolesNonPs: unknown;
  documentTypes: unknown;
  documentClasses: unknown;
  confidentiality: unknown;
  accessModes: unknown;
  facilityTypes: unknown;
  formatCodes: unknown;
}

/** Reads `concepts` of one file, refusing duplicates; `extra` adds the file's own fields. */
function concepts<T extends Concept>(
  file: unknown,
  name: string,
  extra: (raw: Record<string, unknown>, where: string) => Omit<T, keyof Concept>,
): Map<string, T> {
  const root = asObject(file, name);
  const fileSystem = optionalString(root.system, `${name}.system`);
  const out = new Map<string, T>();
  asArray(root.concepts, `${name}.concepts`).forEach((item, i) => {
    const raw = asObject(item, `${name}.concepts[${i}]`);
    const code = asString(raw.code, `${name}.concepts[${i}].code`);
    const where = `${name} concept "${code}"`;
    if (out.has(code)) throw new PolicyError(`${where}: duplicate code`);
    const concept = {
      code,
      display: asString(raw.display, `${where}.display`),
      system: optionalString(raw.system, `${where}.system`) ?? fileSystem,
      ...extra(raw, where),
    } as T;
    out.set(code, concept);
  });
  if (out.size === 0) throw new PolicyError(`${name}: no concepts`);
  return out;
}

const plain = () => ({});

export function parseTerminology(sources: TerminologySources): Terminology {
  const professions = new Map<string, Profession>();
  for (const p of concepts<Profession>(sources.professions, 'professions', () => ({ category: 'health_professional' })).values()) {
    professions.set(p.code, p);
  }
  const roles = concepts<Profession>(sources.rolesNonPs, 'roles-non-ps', (raw, where) => {
    const category = asString(raw.category, `${where}.category`);
    if (category !== 'administrative' && category !== 'role_based') {
      throw new PolicyError(`${where}.category: "${category}" is neither "administrative" nor "role_based"`);
    }
    return { category };
  });
  for (const r of roles.values()) {
    if (professions.has(r.code)) throw new PolicyError(`roles-non-ps concept "${r.code}": collides with a TRE_G15 profession`);
    professions.set(r.code, r);
  }

  const documentClasses = concepts<Concept>(sources.documentClasses, 'document-classes', plain);
  const documentTypes = concepts<DocumentType>(sources.documentTypes, 'document-types', (raw, where) => {
    const classCode = asString(raw.classCode, `${where}.classCode`);
    if (!documentClasses.has(classCode)) throw new PolicyError(`${where}: unknown classCode "${classCode}"`);
    return { classCode, patientDeposit: optionalBoolean(raw.patientDeposit, `${where}.patientDeposit`) };
  });

  const confidentiality = concepts<ConfidentialityConcept>(sources.confidentiality, 'confidentiality', (raw, where) => {
    const kind = asString(raw.kind, `${where}.kind`);
    if (kind !== 'level' && kind !== 'visibility') throw new PolicyError(`${where}.kind: "${kind}" is neither "level" nor "visibility"`);
    return { kind };
  });
  // The visibility rules are written against these codes: a file without them would silently
  // disable masking, so refuse it.
  for (const code of [...VISIBILITY_FLAGS, ...LEVEL_CODES]) {
    if (!confidentiality.has(code)) throw new PolicyError(`confidentiality: required code "${code}" is missing`);
  }
  const confidentialityAliases = parseAliases(sources.confidentiality, confidentiality);

  const accessModes = concepts<Concept>(sources.accessModes, 'access-modes', plain);
  for (const code of accessModes.keys()) {
    if (!(ACCESS_MODES as readonly string[]).includes(code)) {
      throw new PolicyError(`access-modes concept "${code}": no rule knows this mode (known: ${ACCESS_MODES.join(', ')})`);
    }
  }

  const facilityTypes = concepts<Concept>(sources.facilityTypes, 'facility-types', plain);
  const formatRoot = asObject(sources.formatCodes, 'format-codes');
  const formatCodes = concepts<Concept>(sources.formatCodes, 'format-codes', plain);

  return {
    professions,
    documentTypes,
    documentClasses,
    confidentiality,
    confidentialityAliases,
    accessModes,
    facilityTypes,
    formatCodes,
    formatCodesComplete: formatRoot.complete === true,
  };
}

/** The file's aliases must be exactly the ones the code normalises (confidentiality.ts). */
function parseAliases(file: unknown, codes: ReadonlyMap<string, unknown>): Map<string, string> {
  const raw = asObject(asObject(file, 'confidentiality').aliases ?? {}, 'confidentiality.aliases');
  const out = new Map<string, string>();
  for (const [alias, target] of Object.entries(raw)) {
    const to = asString(target, `confidentiality alias "${alias}"`);
    if (!codes.has(to)) throw new PolicyError(`confidentiality alias "${alias}": unknown target "${to}"`);
    if (CONFIDENTIALITY_ALIASES[alias] !== to) {
      throw new PolicyError(`confidentiality alias "${alias}" -> "${to}": not an alias the rules normalise`);
    }
    out.set(alias, to);
  }
  for (const [alias, to] of Object.entries(CONFIDENTIALITY_ALIASES)) {
    if (out.get(alias) !== to) throw new PolicyError(`confidentiality: alias "${alias}" -> "${to}" must be declared`);
  }
  return out;
}

/** Types of one class, for matrix entries written as a class. */
export function typeCodesOfClass(terminology: Terminology, classCode: string): string[] {
  return [...terminology.documentTypes.values()].filter((t) => t.classCode === classCode).map((t) => t.code);
}
