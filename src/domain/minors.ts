// Minors, emancipation, protected adults and the end of a legal representative's access
// (MIN-01..04, DMP-02). Majority is 18 years (Code civil art. 414), reached on the birthday.
import { addYears, formatCivilDate, minusOneMonth, parisDay, parseCivilDate } from './calendar.js';
import type { LegalRepresentative, RecordContext } from './record.js';

export const MAJORITY_AGE = 18;
/** MIN-02: two representatives, each with an own account. */
export const MAX_LEGAL_REPRESENTATIVES = 2;

/** YYYY-MM-DD of the 18th birthday; throws on a malformed birth date. */
export function majorityDate(birthDate: string): string {
  const birth = parseCivilDate(birthDate);
  if (!birth) throw new RangeError(`not a YYYY-MM-DD birth date: ${birthDate}`);
  return formatCivilDate(addYears(birth, MAJORITY_AGE));
}

/** MIN-03: representatives are told one month before the majority. */
export function majorityNoticeDate(birthDate: string): string {
  const majority = parseCivilDate(majorityDate(birthDate));
  return formatCivilDate(minusOneMonth(majority!));
}

/** By age only: a valid birth date less than 18 years ago. An unknown birth date is not a minor. */
export function isMinor(ctx: Pick<RecordContext, 'birthDate'>, now: Date): boolean {
  if (!parseCivilDate(ctx.birthDate)) return false;
  return parisDay(now) < majorityDate(ctx.birthDate!);
}

/** DMP-02 / FAQ: an emancipated minor acts as an adult. */
export function actsAsAdult(ctx: Pick<RecordContext, 'birthDate' | 'emancipated'>, now: Date): boolean {
  return !isMinor(ctx, now) || ctx.emancipated;
}

/**
 * Whether the record is, today, managed by legal representatives: a non-emancipated minor, or a
 * protected adult under tutelle (MIN-04). An unknown birth date does not make a minor: the
 * representatives of a record whose age cannot be shown lose access (fail closed).
 */
export function isRepresented(ctx: RecordContext, now: Date): boolean {
  return ctx.protectedAdult || !actsAsAdult(ctx, now);
}

/** MIN-03: within the month before the majority, when the representatives must be notified. */
export function inMajorityNoticeWindow(ctx: RecordContext, now: Date): boolean {
  if (ctx.protectedAdult || ctx.emancipated || !parseCivilDate(ctx.birthDate)) return false;
  const today = parisDay(now);
  return today >= majorityNoticeDate(ctx.birthDate!) && today < majorityDate(ctx.birthDate!);
}

function reached(at: string | undefined, now: Date): boolean {
  if (at === undefined) return false;
  const t = Date.parse(at);
  // An unreadable end date is treated as passed: access is never extended by bad data.
  return Number.isNaN(t) || t <= now.getTime();
}

export type RepresentativeStatus = 'active' | 'ended' | 'unknown';

/** MIN-01/03/04: a representative reaches the record only while it is represented and not ended. */
export function representativeStatus(ctx: RecordContext, representativeId: string, now: Date): RepresentativeStatus {
  const rep = ctx.legalRepresentatives.find((r) => r.representativeId === representativeId);
  if (!rep) return 'unknown';
  if (reached(rep.endedAt, now) || reached(rep.accessEndsAt, now) || !isRepresented(ctx, now)) return 'ended';
  return 'active';
}

export function activeRepresentatives(ctx: RecordContext, now: Date): LegalRepresentative[] {
  return ctx.legalRepresentatives.filter((r) => representativeStatus(ctx, r.representativeId, now) === 'active');
}

/** MIN-02: another representative may be added while fewer than two are active. */
export function canAddRepresentative(ctx: RecordContext, now: Date): boolean {
  return isRepresented(ctx, now) && activeRepresentatives(ctx, now).length < MAX_LEGAL_REPRESENTATIVES;
}
