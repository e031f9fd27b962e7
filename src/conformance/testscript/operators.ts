// The assert operators of TestScript, applied to the values an assert observed.
// `actual` holds every value found (the first one is compared by the scalar operators);
// `expected` is the assert's `value` (or the typed field such as responseCode).

export type Operator =
  | 'equals' | 'notEquals' | 'in' | 'notIn' | 'greaterThan' | 'lessThan'
  | 'empty' | 'notEmpty' | 'contains' | 'notContains' | 'eval';

export interface Comparison {
  ok: boolean;
  /** Describes what was found against what was expected, for failure messages. */
  detail: string;
}

function list(expected: string): string[] {
  return expected.split(',').map((s) => s.trim());
}

function order(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function show(actual: string[]): string {
  if (actual.length === 0) return 'nothing';
  return actual.length === 1 ? `"${actual[0]}"` : `[${actual.map((a) => `"${a}"`).join(', ')}]`;
}

/** Applies `operator` (default equals). Throws for an unknown operator or a missing value. */
export function compare(operator: string | undefined, actual: string[], expected: string | undefined): Comparison {
  const op = (operator ?? 'equals') as Operator;
  const found = show(actual);
  const first = actual[0];
  const need = (): string => {
    if (expected === undefined) throw new Error(`operator ${op} needs a value to compare with`);
    return expected;
  };
  switch (op) {
    case 'empty':
      return { ok: actual.length === 0 || actual.every((a) => a === ''), detail: `expected empty, found ${found}` };
    case 'notEmpty':
      return { ok: actual.some((a) => a !== ''), detail: `expected a value, found ${found}` };
    case 'equals':
      return { ok: first !== undefined && first === need(), detail: `expected "${need()}", found ${found}` };
    case 'notEquals':
      return { ok: first !== need(), detail: `expected anything but "${need()}", found ${found}` };
    case 'in':
      return { ok: first !== undefined && list(need()).includes(first), detail: `expected one of [${need()}], found ${found}` };
    case 'notIn':
      return { ok: first === undefined || !list(need()).includes(first), detail: `expected none of [${need()}], found ${found}` };
    case 'greaterThan':
      return { ok: first !== undefined && order(first, need()) > 0, detail: `expected > ${need()}, found ${found}` };
    case 'lessThan':
      return { ok: first !== undefined && order(first, need()) < 0, detail: `expected < ${need()}, found ${found}` };
    case 'contains':
      return { ok: actual.some((a) => a.includes(need())), detail: `expected to contain "${need()}", found ${found}` };
    case 'notContains':
      return { ok: !actual.some((a) => a.includes(need())), detail: `expected not to contain "${need()}", found ${found}` };
    case 'eval':
      // handled by the expression asserts; on other values `eval` means "is true"
      return { ok: actual.length === 1 && actual[0] === 'true', detail: `expected true, found ${found}` };
    default:
      throw new Error(`unknown operator "${String(operator)}"`);
  }
}
