import { describe, expect, it } from '@jest/globals';
import { parseMediaType } from '../../../src/domain/media-types.js';
import { isUtf8 } from 'node:buffer';
import { charsetFollowsBytes, documentResponseHeaders, safeFileName } from '../../../src/http/content-headers.js';
import { isUtf8Slices } from '../../../src/util/utf8-slices.js';

describe('media types and the headers of document bytes', () => {
  it('reads media types strictly, quoted parameters included, and refuses what could break a header', () => {
    expect(parseMediaType('Text/HTML; Charset="UTF-8"')).toEqual({ essence: 'text/html', type: 'text', subtype: 'html', params: new Map([['charset', 'UTF-8']]) });
    const mtom = parseMediaType('multipart/related; boundary="MIME_a"; type="application/xop+xml"; start="<root@carnet>"; start-info="application/soap+xml"');
    expect(mtom?.params.get('start')).toBe('<root@carnet>');
    for (const bad of ['text/html\r\nSet-Cookie: a=b', 'text', 'text/', '/html', 'text/html;', 'text/html; charset', 'text/html; charset="utf-8', 'text/html x', 'text/plain; a="é"']) {
      expect({ bad, parsed: parseMediaType(bad) }).toEqual({ bad, parsed: undefined });
    }
  });

  it('serves an unreadable stored type as bytes to download, never as given', () => {
    expect(documentResponseHeaders({ mimeType: 'text/html\r\nSet-Cookie: a=b', baseName: 'd' })).toEqual({
      'content-type': 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "sandbox; default-src 'none'",
      'content-disposition': 'attachment; filename="d.bin"',
    });
  });

  it('passive types stay inline; any other type, XHTML and uppercase HTML included, is an attachment', () => {
    const disposition = (mimeType: string) => documentResponseHeaders({ mimeType, baseName: 'd' })['content-disposition']!.split(';')[0];
    expect(['application/pdf', 'TEXT/PLAIN', 'image/png', 'image/jpeg', 'image/gif'].map(disposition)).toEqual(Array(5).fill('inline'));
    expect(['TEXT/HTML', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/javascript', 'application/octet-stream', 'text/css', 'multipart/related; boundary=x'].map(disposition)).toEqual(Array(9).fill('attachment'));
  });

  it('file names keep letters, digits, dot, dash and underscore only, and never start with a dot', () => {
    expect(safeFileName('../../etc/passwd"; x=y', 'txt')).toBe('etc_passwd_x_y.txt');
    expect(safeFileName('', 'pdf')).toBe('document.pdf');
    expect(safeFileName('a'.repeat(300), 'p"df')).toMatch(/^a{90}\.pdf$/);
  });

  it('bytes read in slices are UTF-8 exactly when isUtf8 says so of them whole, wherever the slices cut a character', async () => {
    const samples = [Buffer.from('compte rendu é 😀 fin', 'utf8'), Buffer.from('café', 'latin1'), Buffer.from('tronqué', 'utf8').subarray(0, 7), Buffer.alloc(0)];
    async function* sliced(b: Buffer, at: number) {
      yield b.subarray(0, at);
      yield b.subarray(at);
    }
    for (const b of samples) {
      for (let at = 0; at <= b.length; at++) expect({ b: b.toString('hex'), at, utf8: await isUtf8Slices(sliced(b, at)) }).toEqual({ b: b.toString('hex'), at, utf8: isUtf8(b) });
    }
    // the headers of a streamed document: the charset as its bytes allow, the same as with them at hand
    expect(charsetFollowsBytes('text/plain')).toBe(true);
    expect(charsetFollowsBytes('text/plain; charset=windows-1252')).toBe(false);
    expect(charsetFollowsBytes('application/pdf')).toBe(false);
    expect(documentResponseHeaders({ mimeType: 'text/plain', baseName: 'd', utf8: false })['content-type']).toBe(documentResponseHeaders({ mimeType: 'text/plain', baseName: 'd', content: samples[1] })['content-type']);
    expect(documentResponseHeaders({ mimeType: 'text/plain', baseName: 'd', utf8: true })['content-type']).toBe('text/plain; charset=utf-8');
  });
});
