// ITI-68 (`GET /fhir/Binary/<id>`) asked for one byte range (RFC 9110): 206 with only those bytes,
// read from the store and nothing more (a text's charset included: decided at deposit); 416 for a
// range outside the document; a malformed Range, several ranges or an If-Range that does not name
// the bytes' entity tag (their SHA-256) give the whole document; If-None-Match naming it is a 304.
// The access is decided and traced as for a whole retrieval, and a document the reader may not see
// is a 404 whatever the headers.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { Db } from '../../src/store/db.js';
import { CONTENT_SLICE_BYTES } from '../../src/store/content-slices.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';

const S = CONTENT_SLICE_BYTES;

/** The parts of contents read from the store after the access's transaction: `length` bytes from `offset`. */
function recordingSlices(db: Db, reads: { offset: number; length: number }[]): Db {
  return {
    kind: db.kind,
    query: async (sql, params) => {
      if (sql.includes('substring(bytes FROM $3 FOR $4)')) reads.push({ offset: Number(params![2]) - 1, length: Number(params![3]) });
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    close: async () => {},
    transaction: (fn) => db.transaction(fn),
  };
}

describeEachStore('FHIR door: ITI-68 byte ranges', (db) => {
  let server: RunningApp;
  let w: World;
  let patientKey: string;
  let ins: PatientIdentifier;
  const tokens = new Map<string, string>();
  const reads: { offset: number; length: number }[] = [];
  const doctor = proActor('doctor');
  const doctor2 = proActor('doctor2');
  // two slices and a bit, every byte telling its position apart from its neighbours'
  const pdf = Buffer.from(Array.from({ length: 2 * S + 123 }, (_, i) => (i * 7 + 3) % 256));
  // three slices of ASCII, then one byte that is not UTF-8: the whole document is ISO-8859-1
  const latin1Text = Buffer.concat([Buffer.alloc(3 * S, 'c'), Buffer.from('caf\xe9', 'latin1')]);
  // Within one slice. Each slice of the PDF is half a megabyte read from the store, so the cases
  // about the headers alone (which answer, which status) are asked of this one; the PDF keeps
  // those about the slices (what is read, and when) and one case of each kind.
  const note = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 11 + 5) % 256));
  const ids = new Map<string, string>();

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(recordingSlices(db(), reads));
    w = { db: db(), clock: undefined as never, services: server.app.services };
    ({ patientKey, ins } = await adultRecord(w));
    for (const pro of [doctor, doctor2]) {
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: pro.idNatPs, effect: 'permit' });
      tokens.set(pro.idNatPs, await server.tokenFor(pro));
    }
    const docs: [string, Buffer, string, string[]][] = [
      ['pdf', pdf, 'application/pdf', ['N']],
      ['latin1Text', latin1Text, 'text/plain', ['N']],
      ['note', note, 'application/pdf', ['N']],
      // masked from professionals other than its author (MASK-01): doctor2 may not see it
      ['masked', pdf, 'application/pdf', ['N', 'MASQUE_PS']],
    ];
    const sub = submission(
      ins,
      docs.map(([, , , confidentiality]) => ({ confidentiality, authorId: doctor.idNatPs })),
    );
    docs.forEach(([, bytes, mimeType], i) => {
      sub.documents[i]!.content = bytes;
      sub.documents[i]!.metadata.mimeType = mimeType;
    });
    const { assignedIds } = await w.services.submissions.submit(as(doctor), sub);
    docs.forEach(([name], i) => ids.set(name, assignedIds[`Document${i + 1}`]!.slice(9)));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(() => {
    reads.length = 0;
  });

  const get = (name: string, headers: Record<string, string> = {}, reader = doctor, query = '') =>
    fetch(`${server.baseUrl}/fhir/Binary/${ids.get(name)}${query}`, { headers: { authorization: `Bearer ${tokens.get(reader.idNatPs)}`, ...headers } });

  const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());
  // the strong entity tag of the pdf's bytes: their SHA-256
  const pdfTag = `"${createHash('sha256').update(pdf).digest('hex')}"`;
  const noteTag = `"${createHash('sha256').update(note).digest('hex')}"`;

  it('the bytes as deposited carry their SHA-256 as a strong ETag, whole or in part; the same bytes under another document, the same tag', async () => {
    const answers = [await get('pdf'), await get('pdf', { range: 'bytes=0-9' }), await get('masked')];
    for (const res of answers) await res.arrayBuffer();
    expect(answers.map((res) => ({ status: res.status, etag: res.headers.get('etag') }))).toEqual([
      { status: 200, etag: pdfTag },
      { status: 206, etag: pdfTag },
      { status: 200, etag: pdfTag },
    ]);
  });

  it('If-Range naming the ETag lets the range apply: 206 with those bytes', async () => {
    const res = await get('pdf', { range: `bytes=${S - 5}-${S + 4}`, 'if-range': pdfTag });
    expect({ status: res.status, contentRange: res.headers.get('content-range'), etag: res.headers.get('etag'), sameBytes: (await bytesOf(res)).equals(pdf.subarray(S - 5, S + 5)) }).toEqual({
      status: 206,
      contentRange: `bytes ${S - 5}-${S + 4}/${pdf.length}`,
      etag: pdfTag,
      sameBytes: true,
    });
  });

  it('If-None-Match naming the ETag (alone, among others, weak, or *) is 304 with no body, before any Range; naming other bytes, 200', async () => {
    // the PDF's: nothing past the access's own slice is read
    const held: [string, Record<string, string>][] = [
      ['pdf', { 'if-none-match': pdfTag, range: 'bytes=0-9' }],
      ['note', { 'if-none-match': noteTag }],
      ['note', { 'if-none-match': `"0000", ${noteTag}` }],
      ['note', { 'if-none-match': `W/${noteTag}` }],
      ['note', { 'if-none-match': '*' }],
      ['note', { 'if-none-match': noteTag, range: `bytes=${note.length}-` }],
    ];
    for (const [name, headers] of held) {
      reads.length = 0;
      const res = await get(name, headers);
      const body = await bytesOf(res);
      expect({ name, headers, status: res.status, etag: res.headers.get('etag'), contentRange: res.headers.get('content-range'), body: body.length, read: reads }).toEqual({
        name,
        headers,
        status: 304,
        etag: name === 'pdf' ? pdfTag : noteTag,
        contentRange: null,
        body: 0,
        read: [],
      });
    }
    for (const headers of [{ 'if-none-match': '"0000"' }, { 'if-none-match': 'not a tag' }]) {
      const res = await get('note', headers);
      expect({ headers, status: res.status, whole: (await bytesOf(res)).equals(note) }).toEqual({ headers, status: 200, whole: true });
    }
  });

  it('the whole answer says that byte ranges are served', async () => {
    const res = await get('pdf');
    expect({ status: res.status, acceptRanges: res.headers.get('accept-ranges') }).toEqual({ status: 200, acceptRanges: 'bytes' });
    expect((await bytesOf(res)).equals(pdf)).toBe(true);
  });

  it('one range — inside a slice, across slices, a suffix, open-ended — is 206 with those bytes only, and only they are read from the store', async () => {
    const size = pdf.length;
    const cases: { range: string; start: number; end: number; read: { offset: number; length: number }[] }[] = [
      // inside the first slice, which the access's own transaction read: nothing more is read
      { range: 'bytes=10-19', start: 10, end: 19, read: [] },
      // inside the third slice: only those bytes
      { range: `bytes=${2 * S + 5}-${2 * S + 9}`, start: 2 * S + 5, end: 2 * S + 9, read: [{ offset: 2 * S + 5, length: 5 }] },
      // from the end of the first slice into the second: the rest from the store
      { range: `bytes=${S - 5}-${S + 4}`, start: S - 5, end: S + 4, read: [{ offset: S, length: 5 }] },
      // across the second and third: in slices, from the range's start
      { range: `bytes=${S + 10}-${2 * S + 20}`, start: S + 10, end: 2 * S + 20, read: [{ offset: S + 10, length: S }, { offset: 2 * S + 10, length: 11 }] },
      { range: 'bytes=-7', start: size - 7, end: size - 1, read: [{ offset: size - 7, length: 7 }] },
      { range: `bytes=${2 * S + 100}-`, start: 2 * S + 100, end: size - 1, read: [{ offset: 2 * S + 100, length: 23 }] },
      // a last position past the end is the end
      { range: `bytes=${size - 3}-${size + 1000}`, start: size - 3, end: size - 1, read: [{ offset: size - 3, length: 3 }] },
    ];
    for (const c of cases) {
      reads.length = 0;
      const res = await get('pdf', { range: c.range });
      const body = await bytesOf(res);
      expect({
        range: c.range,
        status: res.status,
        contentRange: res.headers.get('content-range'),
        length: res.headers.get('content-length'),
        type: res.headers.get('content-type'),
        acceptRanges: res.headers.get('accept-ranges'),
        nosniff: res.headers.get('x-content-type-options'),
        disposition: res.headers.get('content-disposition'),
        sameBytes: body.equals(pdf.subarray(c.start, c.end + 1)),
        read: reads,
      }).toEqual({
        range: c.range,
        status: 206,
        contentRange: `bytes ${c.start}-${c.end}/${size}`,
        length: String(c.end - c.start + 1),
        type: 'application/pdf',
        acceptRanges: 'bytes',
        nosniff: 'nosniff',
        disposition: `inline; filename="document-${ids.get('pdf')}.pdf"`,
        sameBytes: true,
        read: c.read,
      });
    }
  });

  it('a range of a text document has the whole answer\'s charset, decided when it was deposited: only the range is read', async () => {
    const whole = await get('latin1Text');
    await whole.arrayBuffer();
    reads.length = 0;
    const res = await get('latin1Text', { range: 'bytes=0-9' });
    expect({ status: res.status, type: res.headers.get('content-type'), body: (await bytesOf(res)).toString('latin1'), read: reads }).toEqual({
      status: 206,
      type: whole.headers.get('content-type'),
      body: 'cccccccccc',
      // the first slice came with the access; the non-UTF-8 byte, three slices on, was not read
      read: [],
    });
    expect(whole.headers.get('content-type')).toBe('text/plain; charset=iso-8859-1');
  });

  it('a range with no byte in the document is 416 with Content-Range bytes */size and an OperationOutcome', async () => {
    const asked: [string, Buffer, string][] = [
      ['pdf', pdf, `bytes=${pdf.length}-`],
      ['note', note, `bytes=${note.length + 10}-${note.length + 20}`],
      ['note', note, 'bytes=-0'],
    ];
    for (const [name, bytes, range] of asked) {
      const res = await get(name, { range });
      const outcome = (await res.json()) as OperationOutcome;
      expect({ range, status: res.status, contentRange: res.headers.get('content-range'), type: res.headers.get('content-type'), resourceType: outcome.resourceType, code: outcome.issue[0]?.code }).toEqual({
        range,
        status: 416,
        contentRange: `bytes */${bytes.length}`,
        type: 'application/fhir+json; charset=utf-8',
        resourceType: 'OperationOutcome',
        code: 'invalid',
      });
    }
  });

  it('a malformed Range, several ranges, another unit, or an If-Range naming other bytes, a weak tag or a date give the whole document, 200', async () => {
    // the PDF's whole, in slices, for several ranges; the note's for the others
    const asked: [string, Buffer, string, Record<string, string>][] = [
      ['pdf', pdf, pdfTag, { range: 'bytes=0-9,20-29' }],
      ['note', note, noteTag, { range: 'bytes=abc' }],
      ['note', note, noteTag, { range: 'bytes=20-10' }],
      ['note', note, noteTag, { range: 'bytes 0-9' }],
      ['note', note, noteTag, { range: 'bytes=0-9, -5' }],
      ['note', note, noteTag, { range: 'items=0-9' }],
      ['note', note, noteTag, { range: 'bytes=0-9', 'if-range': '"anything"' }],
      // the same bytes' tag, weak: If-Range compares strongly, a weak tag never matches
      ['note', note, noteTag, { range: 'bytes=0-9', 'if-range': `W/${noteTag}` }],
      // the answer has no Last-Modified for a date to match
      ['note', note, noteTag, { range: 'bytes=0-9', 'if-range': 'Thu, 03 Dec 2026 08:00:00 GMT' }],
    ];
    for (const [name, bytes, tag, headers] of asked) {
      const res = await get(name, headers);
      const body = await bytesOf(res);
      expect({ name, headers, status: res.status, contentRange: res.headers.get('content-range'), length: res.headers.get('content-length'), etag: res.headers.get('etag'), whole: body.equals(bytes) }).toEqual({
        name,
        headers,
        status: 200,
        contentRange: null,
        length: String(bytes.length),
        etag: tag,
        whole: true,
      });
    }
  });

  it('the document as a FHIR Binary resource ignores Range', async () => {
    const res = await get('pdf', { range: 'bytes=0-9' }, doctor, '?_format=json');
    const binary = (await res.json()) as { resourceType: string; data: string };
    expect({ status: res.status, resourceType: binary.resourceType, whole: Buffer.from(binary.data, 'base64').equals(pdf) }).toEqual({ status: 200, resourceType: 'Binary', whole: true });
  });

  it('ACC-08: a document the reader may not see is 404 with or without a range, never a 416 that would tell its size', async () => {
    // the same reader reads a document it may see, in part (the 404 below is the masking's)
    const visible = await get('pdf', { range: 'bytes=0-9' }, doctor2);
    expect({ status: visible.status, sameBytes: (await bytesOf(visible)).equals(pdf.subarray(0, 10)) }).toEqual({ status: 206, sameBytes: true });
    const asked: Record<string, string>[] = [{}, { range: 'bytes=0-9' }, { range: `bytes=${pdf.length}-` }, { range: 'bytes=-5' }];
    for (const headers of asked) {
      const res = await get('masked', headers, doctor2);
      const outcome = (await res.json()) as OperationOutcome;
      expect({ headers, status: res.status, contentRange: res.headers.get('content-range'), code: outcome.issue[0]?.code }).toEqual({ headers, status: 404, contentRange: null, code: 'not-found' });
    }
    // its author reads it, in part
    const byAuthor = await get('masked', { range: 'bytes=0-9' });
    expect({ status: byAuthor.status, sameBytes: (await bytesOf(byAuthor)).equals(pdf.subarray(0, 10)) }).toEqual({ status: 206, sameBytes: true });
  });

  it('ACC-08, MASK-01: a document the reader may not see is 404 whatever its conditional headers, even naming the ETag of bytes the reader holds from another document', async () => {
    // doctor2 reads the same bytes under a document it may see: it holds their tag
    const visible = await get('pdf', {}, doctor2);
    await visible.arrayBuffer();
    expect({ status: visible.status, etag: visible.headers.get('etag') }).toEqual({ status: 200, etag: pdfTag });
    const asked: Record<string, string>[] = [
      { 'if-none-match': pdfTag },
      { 'if-none-match': '*' },
      { 'if-range': pdfTag, range: 'bytes=0-9' },
      { 'if-range': pdfTag, range: `bytes=${pdf.length}-` },
      { 'if-none-match': '"0000"', 'if-range': '"0000"', range: 'bytes=0-9' },
    ];
    for (const headers of asked) {
      const res = await get('masked', headers, doctor2);
      const outcome = (await res.json()) as OperationOutcome;
      expect({ headers, status: res.status, etag: res.headers.get('etag'), contentRange: res.headers.get('content-range'), code: outcome.issue[0]?.code }).toEqual({
        headers,
        status: 404,
        etag: null,
        contentRange: null,
        code: 'not-found',
      });
    }
  });

  /** the doctor's successful retrievals of the PDF, as traced */
  const tracedPdfRetrievals = async () =>
    Number(
      (
        await w.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM access_trace WHERE chain_key = $1 AND action = 'document.retrieve' AND outcome = 'success' AND actor_id = $2 AND document_entry_uuid = $3`,
          [patientKey, doctor.idNatPs, ids.get('pdf')],
        )
      ).rows[0]!.n,
    );

  it('TRACE-01: a conditional read answered 304, and one whose If-Range let its range apply, are each traced as a retrieval', async () => {
    const before = await tracedPdfRetrievals();
    const notModified = await get('pdf', { 'if-none-match': pdfTag });
    await notModified.arrayBuffer();
    expect(notModified.status).toBe(304);
    expect(await tracedPdfRetrievals()).toBe(before + 1);
    const partial = await get('pdf', { 'if-range': pdfTag, range: 'bytes=0-9' });
    await partial.arrayBuffer();
    expect(partial.status).toBe(206);
    expect(await tracedPdfRetrievals()).toBe(before + 2);
  });

  it('TRACE-01: a ranged read, and one refused as unsatisfiable, are each traced as a retrieval of the document', async () => {
    const before = await tracedPdfRetrievals();
    const partial = await get('pdf', { range: `bytes=${S - 5}-${S + 4}` });
    expect(partial.status).toBe(206);
    await partial.arrayBuffer();
    expect(await tracedPdfRetrievals()).toBe(before + 1);
    const unsatisfiable = await get('pdf', { range: `bytes=${pdf.length}-` });
    expect(unsatisfiable.status).toBe(416);
    await unsatisfiable.arrayBuffer();
    expect(await tracedPdfRetrievals()).toBe(before + 2);
  });
});
