// What every test store's PGlite reads at start, read once per Jest process rather than once per
// store: the migrated snapshot it starts from (~15 MB, test/support/stores.ts) and PGlite's own
// file bundle (PostgreSQL's share files, ~6 MB). A store read the snapshot from the disk, copied
// it into a new Blob and read that Blob back (Node's `Blob.arrayBuffer()` of 15 MB: ~0.1 s of
// CPU alone), ~0.2 s of the ~0.8 s an open cost, and read the bundle again, in each test file's
// module registry.
// Not its compiled WebAssembly module: PGlite asks `instanceof WebAssembly.Module` of it, which a
// module compiled outside the test file's realm is not; and V8 already compiles the same bytes
// once per process (a test file's first store opens no slower than its next ones).
// Each store still gets its own PGlite and its own memory. The bundle's bytes are copied for each
// store (PGlite's file system keeps parts of the bundle's buffer as its files' contents, so a store
// must not share it); the snapshot's are lent as they are (PGlite's untar copies each file out of
// them and writes nothing into them).
// Plain JavaScript, loaded by the test environment (test/support/environment.js) outside the test
// files' module registry; PGlite reads a Blob made here through its methods only, as any realm's.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** PGlite's files, next to its entry point (the version the tests run, in node_modules) */
function pgliteFile(name) {
  return fileURLToPath(new URL(name, import.meta.resolve('@electric-sql/pglite')));
}

/**
 * A Blob of bytes held in memory, which it hands over by copying them in one go (or, `lent`, not
 * at all): what PGlite reads of a snapshot or a bundle is `arrayBuffer()`, and Node's reads a Blob
 * piece by piece. Node's Blob itself is given no bytes: it would copy them once more (~0.1 s of
 * CPU for the snapshot's 15 MB on the 2-core test machine, where fresh memory is dear) for nothing,
 * since PGlite asks only `arrayBuffer()` and `type` (empty: not compressed).
 * `lent`: for a reader that only reads them (PGlite's untar of the snapshot).
 */
class HeldBlob extends Blob {
  #bytes;
  #lent;
  constructor(bytes, { lent = false } = {}) {
    super([]);
    this.#bytes = bytes;
    this.#lent = lent;
  }
  get size() {
    return this.#bytes.byteLength;
  }
  arrayBuffer() {
    const b = this.#bytes;
    if (this.#lent && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return Promise.resolve(b.buffer);
    return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
}

let bundle;

/** PGlite's file bundle, read on the first store this process opens */
export function pgliteFsBundle() {
  bundle ??= new HeldBlob(readFileSync(pgliteFile('./pglite.data')));
  return bundle;
}

/** path -> { stamp, blob }: one snapshot per kind of store (migrated, empty) */
const snapshots = new Map();

/**
 * The snapshot at this path as a Blob, read from the disk only when it changed since this
 * process last read it (a damaged snapshot is rebuilt in place under the same name).
 */
export function snapshotBlob(path) {
  const s = statSync(path);
  const stamp = `${s.size}:${s.mtimeMs}:${s.ino}`;
  const kept = snapshots.get(path);
  if (kept?.stamp === stamp) return kept.blob;
  const blob = new HeldBlob(readFileSync(path), { lent: true });
  snapshots.set(path, { stamp, blob });
  return blob;
}
