import { describe, expect, it } from '@jest/globals';
import { parseMediaType } from '../../../src/domain/media-types.js';
import { documentResponseHeaders, safeFileName } from '../../../src/http/content-headers.js';

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
});
