// An XDS answer's bytes are its text's UTF-8, whichever way they are made.
import { describe, expect, it } from '@jest/globals';
import { answerBytes } from '../../../src/xds/door/answer-bytes.js';

describe('answerBytes', () => {
  it('gives the UTF-8 bytes of the text: ASCII, Latin-1 and other letters, a character outside the BMP, a lone surrogate, nothing', () => {
    const texts = [
      '<rim:ObjectRef id="urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7"/>'.repeat(1000),
      '',
      '<x>Hélène</x>',
      // Latin-1 characters are one byte in Latin-1, two in UTF-8: not written as Latin-1
      '\u00e9'.repeat(10),
      '<x>\u4e2d\u6587 \u{1f600}</x>',
      '<x>\ud800</x>',
      'a'.repeat(100) + '\u00ff',
    ];
    for (const t of texts) expect(answerBytes(t).equals(Buffer.from(t, 'utf8'))).toBe(true);
  });

  it('of a long concatenation (an answer in pieces), the same bytes', () => {
    const pieces = Array.from({ length: 500 }, (_, i) => `<rim:ObjectRef id="urn:uuid:${String(i).padStart(12, '0')}"/>`);
    let text = '<?xml version="1.0" encoding="UTF-8"?><env:Envelope>';
    for (const p of pieces) text += p;
    text += '</env:Envelope>';
    expect(answerBytes(text).toString('utf8')).toBe(text);
    expect(answerBytes(`${text}\u00e9`).equals(Buffer.from(`${text}\u00e9`, 'utf8'))).toBe(true);
  });
});
