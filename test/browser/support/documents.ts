// Documents of each kind the viewer shows, made here so the tests need no binary fixture: a
// one-page PDF, a CDA document whose narrative carries things that must never act (a script,
// an event handler, a link), and a small PNG.
import { crc32, deflateSync } from 'node:zlib';

/** A valid one-page PDF whose page says `text` (Helvetica, with a correct cross-reference table). */
export function pdf(text: string): Buffer {
  const escaped = text.replace(/[\\()]/g, '\\$&');
  const stream = `BT /F1 20 Tf 72 760 Td (${escaped}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A CDA R2 document with a readable narrative, and content that must stay inert. */
export function cda(title: string): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <title>${title}</title>
  <component><structuredBody>
    <component><section>
      <title>Motif</title>
      <text><paragraph onclick="window.__carnetPwned = 1">Bilan annuel, <content styleCode="Bold">sans plainte</content>.</paragraph>
        <xhtml:script>window.__carnetPwned = 2</xhtml:script>
        <linkHtml href="javascript:window.__carnetPwned = 3">voir le site</linkHtml>
      </text>
    </section></component>
    <component><section>
      <title>Résultats</title>
      <text><table><thead><tr><th>Examen</th><th>Valeur</th></tr></thead>
        <tbody><tr><td>Glycémie</td><td>5,1 mmol/L</td></tr><tr><td>Tension</td><td>12/8</td></tr></tbody></table>
        <list><item>Poursuivre le traitement</item><item>Revoir dans un an</item></list></text>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>`, 'utf8');
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A small PNG: a teal band on a sand background. */
export function png(width = 120, height = 60): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const band = y > height / 3 && y < (2 * height) / 3;
      row.set(band ? [15, 92, 99] : [239, 231, 214], 1 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}
