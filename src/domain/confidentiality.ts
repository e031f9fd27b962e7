// Confidentiality codes (JDV_J58) that change who sees a document. Their meaning is code, not
// data: the visibility rules below are written against these three names, so the terminology
// file must declare them (checked in terminology.ts) but cannot rename them.

export const MASQUE_PS = 'MASQUE_PS';
export const INVISIBLE_PATIENT = 'INVISIBLE_PATIENT';
export const INVISIBLE_REPRESENTANTS_LEGAUX = 'INVISIBLE_REPRESENTANTS_LEGAUX';

export type VisibilityFlag = typeof MASQUE_PS | typeof INVISIBLE_PATIENT | typeof INVISIBLE_REPRESENTANTS_LEGAUX;
export const VISIBILITY_FLAGS: readonly VisibilityFlag[] = [MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX];

/** HL7 confidentiality levels (TRE_A08) kept in J58 next to the flags. */
export const LEVEL_CODES: readonly string[] = ['N', 'R', 'V'];
export const NORMAL = 'N';

/**
 * Other spellings seen on the wire. The HL7v2 "MetaDMPMSS" table spells the representatives'
 * flag INVISIBLE_REP_LEGAUX (MASK-03); storing the NOS spelling only keeps one SQL test.
 */
export const CONFIDENTIALITY_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  INVISIBLE_REP_LEGAUX: INVISIBLE_REPRESENTANTS_LEGAUX,
});

export function normaliseConfidentialityCode(code: string): string {
  return Object.hasOwn(CONFIDENTIALITY_ALIASES, code) ? CONFIDENTIALITY_ALIASES[code] : code;
}

/** Aliases resolved, duplicates removed, order of first appearance kept. */
export function normaliseConfidentiality(codes: readonly string[]): string[] {
  return [...new Set(codes.map(normaliseConfidentialityCode))];
}

export interface VisibilityChange {
  flag: VisibilityFlag;
  on: boolean;
}

export interface VisibilityChangeResult {
  codes: string[];
  /** false when the document already was in the asked state: no new metadata version (MASK-05) */
  changed: boolean;
}

/**
 * MASK-05: setting a flag adds it; lifting it removes it and leaves the document "N" unless a
 * level (R, V) set by its author still stands, since that level is the author's statement about
 * the content, not a visibility choice.
 */
export function applyVisibilityChange(current: readonly string[], change: VisibilityChange): VisibilityChangeResult {
  const codes = normaliseConfidentiality(current);
  const has = codes.includes(change.flag);
  if (has === change.on) return { codes, changed: false };
  if (change.on) return { codes: [...codes, change.flag], changed: true };
  const rest = codes.filter((c) => c !== change.flag);
  const hasLevel = rest.some((c) => LEVEL_CODES.includes(c));
  return { codes: hasLevel ? rest : [NORMAL, ...rest], changed: true };
}
