import { describe, expect, it } from '@jest/globals';
import { NS, XmlParseError, childElements, descendants, escapeAttr, parseXml, textOf } from '../../../src/xml/index.js';

describe('parseXml', () => {
  it('refuses external entities (XXE)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
    expect(() => parseXml(xxe)).toThrow(XmlParseError);
  });

  it('refuses entity expansion bombs', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    expect(() => parseXml(bomb)).toThrow(/DOCTYPE/);
  });

  it('refuses malformed XML', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlParseError);
    expect(() => parseXml('')).toThrow(XmlParseError);
  });

  it('finds elements by namespace whatever the prefix', () => {
    for (const prefix of ['rim:', 'r:', '']) {
      const decl = prefix ? `xmlns:${prefix.slice(0, -1)}="${NS.rim}"` : `xmlns="${NS.rim}"`;
      const doc = parseXml(`<${prefix}List ${decl}><${prefix}Slot name="a"><${prefix}Value>v</${prefix}Value></${prefix}Slot></${prefix}List>`);
      const slots = childElements(doc.documentElement!, NS.rim, 'Slot');
      expect(slots).toHaveLength(1);
      expect(textOf(descendants(doc.documentElement!, NS.rim, 'Value')[0])).toBe('v');
    }
  });

  it('escapes attribute values', () => {
    expect(escapeAttr(`a"<&>\n`)).toBe('a&quot;&lt;&amp;&gt;&#10;');
  });
});
