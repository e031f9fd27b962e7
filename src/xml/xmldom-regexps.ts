// @xmldom/xmldom 0.9 builds a new regular expression for every end tag it reads, and for each
// name it matches at a position (its grammar's `reg`, called from the SAX reader): a Unicode
// expression of the XML name grammar, several kilobytes of source, compiled again each time. Its
// arguments are the grammar's own constant pieces, so the expressions it returns for the same
// pieces are the same; they carry neither the `g` nor the `y` flag, so `exec` and `test` keep no
// state in them, and one shared expression reads exactly as a new one would. Remembering them by
// their pieces took a third off the parse of a SOAP envelope. If a later xmldom has no such
// function, nothing is changed (and test/unit/xml/xmldom-regexps.test.ts says so).
import { createRequire } from 'node:module';

type Reg = (this: unknown, ...parts: Array<RegExp | string>) => RegExp;

/** Distinct piece lists remembered at most: the reader's call sites use a handful. */
const MAX_REMEMBERED = 64;

let installed = false;

/** Whether the grammar's expressions are remembered (false: this xmldom has no `reg` to wrap). */
export function rememberXmldomRegexps(): boolean {
  if (installed) return true;
  let grammar: { reg?: Reg };
  try {
    grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as { reg?: Reg };
  } catch {
    return false;
  }
  const original = grammar.reg;
  if (typeof original !== 'function') return false;
  const remembered = new Map<string, RegExp>();
  // the pieces are the grammar's own objects: each named by a number, not by its long source
  const pieceIds = new WeakMap<RegExp, number>();
  let nextId = 0;
  const idOf = (p: RegExp): number => {
    let id = pieceIds.get(p);
    if (id === undefined) pieceIds.set(p, (id = nextId++));
    return id;
  };
  grammar.reg = function (this: unknown, ...parts: Array<RegExp | string>): RegExp {
    let key = '';
    for (const p of parts) key += typeof p === 'string' ? `s${p.length}:${p}` : `r${idOf(p)}`;
    const known = remembered.get(key);
    if (known) return known;
    const made = original.apply(this, parts);
    // only expressions that keep no position between uses may be shared
    if (!made.global && !made.sticky && remembered.size < MAX_REMEMBERED) remembered.set(key, made);
    return made;
  };
  installed = true;
  return true;
}
