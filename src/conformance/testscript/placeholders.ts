// Touchstone-style placeholders: ${UUID}, ${UUID-NODASH}, ${CURRENTDATE}, ${CURRENTDATETIME}
// with optional `, <portion>, <offset>` pairs (portion from "yyMMddHHmmss"), and the unique
// values ${C<n>} (letters), ${D<n>} (digits), ${CD<n>} (letters and digits), n in 1..20,
// fixed for the life of the runner (so a value created in setup can be searched in a test).
import { randomInt, randomUUID } from 'node:crypto';

const uniques = new Map<string, string>();

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function unique(kind: string, length: number): string {
  const key = kind + length;
  let value = uniques.get(key);
  if (!value) {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const alphabet = kind === 'C' ? letters : kind === 'D' ? '0123456789' : letters + '0123456789';
    value = randomString(alphabet, length);
    uniques.set(key, value);
  }
  return value;
}

function shiftDate(date: Date, portion: string, offset: number): void {
  switch (portion) {
    case 'y': date.setUTCFullYear(date.getUTCFullYear() + offset); break;
    case 'M': date.setUTCMonth(date.getUTCMonth() + offset); break;
    case 'd': date.setUTCDate(date.getUTCDate() + offset); break;
    case 'H': date.setUTCHours(date.getUTCHours() + offset); break;
    case 'm': date.setUTCMinutes(date.getUTCMinutes() + offset); break;
    case 's': date.setUTCSeconds(date.getUTCSeconds() + offset); break;
    default: throw new Error(`Unknown date portion "${portion}" (expected one of y M d H m s)`);
  }
}

/** The value of a placeholder expression (the text between `${` and `}`), or undefined. */
export function placeholderValue(expr: string, now: Date = new Date()): string | undefined {
  const [head, ...args] = expr.split(',').map((s) => s.trim());
  if (head === 'UUID') return randomUUID();
  if (head === 'UUID-NODASH') return randomUUID().replaceAll('-', '');
  if (head === 'UUID-ST' || head === 'UUID-ST-NODASH') {
    // The "static" UUID keeps its value for the whole run.
    if (!uniques.has('UUID-ST')) uniques.set('UUID-ST', randomUUID());
    const value = uniques.get('UUID-ST') as string;
    return head === 'UUID-ST' ? value : value.replaceAll('-', '');
  }
  if (head === 'CURRENTDATE' || head === 'CURRENTDATETIME') {
    const date = new Date(now.getTime());
    for (let i = 0; i + 1 < args.length; i += 2) shiftDate(date, args[i], Number(args[i + 1]));
    const iso = date.toISOString();
    return head === 'CURRENTDATE' ? iso.slice(0, 10) : iso.slice(0, 19) + 'Z';
  }
  const m = /^(CD|C|D)(\d{1,2})$/.exec(head);
  if (m && args.length === 0 && Number(m[2]) >= 1 && Number(m[2]) <= 20) return unique(m[1], Number(m[2]));
  return undefined;
}
