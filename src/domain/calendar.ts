// Calendar arithmetic on YYYY-MM-DD strings. Civil dates are French (majority at midnight in
// Paris, not in UTC), so "today" is taken in Europe/Paris.

export interface CivilDate {
  y: number;
  m: number;
  d: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseCivilDate(s: string | undefined): CivilDate | null {
  const match = s === undefined ? null : ISO_DATE.exec(s);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function formatCivilDate({ y, m, d }: CivilDate): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Adds whole years; 29 February becomes 1 March in a common year (the day has fully passed). */
export function addYears(date: CivilDate, years: number): CivilDate {
  const y = date.y + years;
  if (date.d > daysInMonth(y, date.m)) return { y, m: date.m + 1, d: 1 };
  return { y, m: date.m, d: date.d };
}

/** Subtracts one month, keeping the day or the last day of the shorter month. */
export function minusOneMonth(date: CivilDate): CivilDate {
  const y = date.m === 1 ? date.y - 1 : date.y;
  const m = date.m === 1 ? 12 : date.m - 1;
  return { y, m, d: Math.min(date.d, daysInMonth(y, m)) };
}

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The civil date in France at this instant, YYYY-MM-DD. */
export function parisDay(now: Date): string {
  return PARIS_DAY.format(now);
}
