// ITI-18 parameter value syntax (ITI TF-2 3.18.4.1.2.3.5): 'quoted strings' ('' escapes a quote),
// ('a','b') lists, unquoted numbers. The text between quotes is data, whatever it contains.
import { CarnetError } from '../../domain/errors.js';
import { SEARCH_MAX_VALUES_VARIABLE } from '../../domain/input-limits.js';
import { METADATA_MAX_VALUE_LENGTH } from '../../domain/metadata-limits.js';

/**
 * The values a stored query may still give, counted as they are read: the value that passes the
 * limit is refused at once, and the text after it never read (a Value of a few megabytes holds
 * tens of thousands of ids, each of them a turn of the reader and a parameter of the query).
 */
export class ValueBudget {
  private left: number;

  constructor(readonly max: number) {
    this.left = max;
  }

  /** the query gave more values than `max` */
  get spent(): boolean {
    return this.left < 0;
  }

  /** Counts one value of `slot`; throws once the query has given more than `max`. */
  take(slot: string): void {
    if (--this.left >= 0) return;
    throw new CarnetError('invalid_metadata', `the query gives more values than ${this.max} (${SEARCH_MAX_VALUES_VARIABLE}), counting every parameter`, {
      location: slot,
      reason: 'XDSRegistryError',
    });
  }
}

/** A quoted string from its opening quote, a doubled quote being one quote of the value. */
const QUOTED = /'([^']*(?:''[^']*)*)'/y;

export type Token = { quoted: true; value: string } | { quoted: false; value: string };

function syntax(slot: string, message: string): CarnetError {
  return new CarnetError('invalid_metadata', `parameter ${slot}: ${message}`, { location: slot, reason: 'XDSRegistryError' });
}

/**
 * A value longer than any stored metadata value could match nothing, and would only cost the
 * query (a LIKE pattern of a megabyte) and the error log: refused, naming the slot.
 */
function bounded(value: string, slot: string): string {
  if (value.length > METADATA_MAX_VALUE_LENGTH) throw syntax(slot, `a value of ${value.length} characters is longer than the ${METADATA_MAX_VALUE_LENGTH} a query value may hold`);
  return value;
}

/**
 * Parses one Value element's text into its items (a bare item or a parenthesised list), each
 * counted in `budget` (when given) as it is read.
 */
export function parseValue(text: string, slot: string, budget?: ValueBudget): Token[] {
  const s = text.trim();
  let i = 0;
  const items: Token[] = [];
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const item = (): Token => {
    ws();
    budget?.take(slot);
    if (s[i] === "'") {
      // the quoted text taken whole by one match, not a character at a time
      QUOTED.lastIndex = i;
      const m = QUOTED.exec(s);
      if (!m) throw syntax(slot, 'unterminated quoted string');
      i = QUOTED.lastIndex;
      const v = m[1]!;
      return { quoted: true, value: bounded(v.includes("''") ? v.replaceAll("''", "'") : v, slot) };
    }
    const m = /^[0-9A-Za-z.+\-:_]+/.exec(s.slice(i));
    if (!m) throw syntax(slot, `unexpected character ${JSON.stringify(s[i] ?? 'end of value')}`);
    i += m[0].length;
    return { quoted: false, value: bounded(m[0], slot) };
  };
  ws();
  if (s[i] === '(') {
    i++;
    ws();
    if (s[i] === ')') throw syntax(slot, 'empty list');
    for (;;) {
      items.push(item());
      ws();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === ')') {
        i++;
        break;
      }
      throw syntax(slot, 'a list must be (item, item, ...)');
    }
  } else {
    if (!s) throw syntax(slot, 'empty value');
    items.push(item());
  }
  ws();
  if (i !== s.length) throw syntax(slot, 'unexpected text after the value');
  return items;
}
