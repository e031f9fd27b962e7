// Bytes through the store as PostgreSQL itself sees them: what is written as a bytea parameter is
// what PostgreSQL's encode() prints, and what decode() makes is read back, byte for byte, for every
// byte value, nothing, and more than a slice of a document. The embedded store decodes and encodes
// bytea with its own codec (pglite-db.ts): its values are Uint8Arrays that own their memory, as
// PGlite's own, and what is not bytes is refused.
import { expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { describeEachStore } from '../../support/stores.js';

const SAMPLES: Array<[string, Buffer]> = [
  ['every byte value', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
  ['nothing', Buffer.alloc(0)],
  ['one byte', Buffer.from([0])],
  ['more than a slice of a document', randomBytes(600_000)],
];

describeEachStore('bytea parameters and values', (db, kind) => {
  it.each(SAMPLES)('%s: written as PostgreSQL reads it, read as PostgreSQL wrote it', async (_what, bytes) => {
    // a view into a larger buffer, as a slice of a request's body is: only its own bytes are sent
    const framed = Buffer.concat([Buffer.from('before'), bytes, Buffer.from('after')]);
    const view = new Uint8Array(framed.buffer, framed.byteOffset + 6, bytes.length);
    const r = await db().query<{ hex: string; back: Uint8Array }>("SELECT encode($1::bytea, 'hex') AS hex, decode($2, 'hex') AS back", [view, bytes.toString('hex')]);
    const { hex, back } = r.rows[0]!;
    expect(hex).toBe(bytes.toString('hex'));
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(bytes)).toBe(true);
    if (kind === 'pglite') expect({ offset: back.byteOffset, memory: back.buffer.byteLength }).toEqual({ offset: 0, memory: bytes.length });
  });

  // PostgreSQL's own client takes a string as bytea's text form
  (kind === 'pglite' ? it : it.skip)('a value that is not bytes, given for a bytea, is refused', async () => {
    await expect(db().query('SELECT length($1::bytea) AS n', ['not bytes'])).rejects.toThrow();
    const stillThere = await db().query<{ n: number }>('SELECT length($1::bytea)::int AS n', [Buffer.from('ok')]);
    expect(stillThere.rows[0]!.n).toBe(2);
  });
});
