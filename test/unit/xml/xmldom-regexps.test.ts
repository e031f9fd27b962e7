// xmldom's grammar expressions are remembered by their pieces (src/xml/xmldom-regexps.ts): the
// same pieces give the same expression, and what the parser reads is unchanged.
import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { parseXml, serializeXml } from '../../../src/xml/index.js';
import { rememberXmldomRegexps } from '../../../src/xml/xmldom-regexps.js';

type Grammar = { reg: (...parts: Array<RegExp | string>) => RegExp; QName_group: RegExp; S_OPT: RegExp };

describe("xmldom's grammar expressions", () => {
  it('are remembered in this version of xmldom: the same pieces give the same expression, without a position to keep', () => {
    expect(rememberXmldomRegexps()).toBe(true);
    const g = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as Grammar;
    const a = g.reg('^', g.QName_group, g.S_OPT, '$');
    expect(g.reg('^', g.QName_group, g.S_OPT, '$')).toBe(a);
    expect(a.global || a.sticky).toBe(false);
    // other pieces, another expression
    expect(g.reg('^', g.QName_group)).not.toBe(a);
    expect(a.exec('rim:Slot ')?.[0]).toBe('rim:Slot ');
    expect(a.exec('rim:Slot x')).toBeNull();
  });

  it('read documents as before: names, end tags with spaces, and end tags that do not match are refused', () => {
    const xml = '<a:r xmlns:a="urn:a"><a:x  k="1">t</a:x ><a:y/><é:z xmlns:é="urn:e">u</é:z\n></a:r>';
    expect(serializeXml(parseXml(xml))).toBe('<a:r xmlns:a="urn:a"><a:x k="1">t</a:x><a:y/><é:z xmlns:é="urn:e">u</é:z></a:r>');
    expect(() => parseXml('<a><b></c></a>')).toThrow(/malformed XML/);
    expect(() => parseXml('<a></a b>')).toThrow(/malformed XML/);
  });
});
