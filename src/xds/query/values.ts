// ITI-18 parameter value syntax (ITI TF-2 3.18.4.1.2.3.5): 'quoted strings' ('' escapes a quote),
// ('a','b') lists, unquoted numbers. The text between quotes is data, whatever it contains.
import { CarnetError } from '../../domain/errors.js';

export type Token = { quoted: true; value: string } | { quoted: false; value: string };

function syntax(slot: string, message: string): CarnetError {
  return new CarnetError('invalid_metadata', `parameter ${slot}: ${message}`, { location: slot, reason: 'XDSRegistryError' });
}

/** Parses one Value element's text into its items (a bare item or a parenthesised list). */
export function parseValue(text: string, slot: string): Token[] {
  const s = text.trim();
  let i = 0;
  const items: Token[] = [];
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const item = (): Token => {
    ws();
    if (s[i] === "'") {
      i++;
      let v = '';
      for (;;) {
        if (i >= s.length) throw syntax(slot, 'unterminated quoted string');
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i];
        i++;
      }
      return { quoted: true, value: v };
    }
    const m = /^[0-9A-Za-z.+\-:_]+/.exec(s.slice(i));
    if (!m) throw syntax(slot, `unexpected character ${JSON.stringify(s[i] ?? 'end of value')}`);
    i += m[0].length;
    return { quoted: false, value: m[0] };
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
