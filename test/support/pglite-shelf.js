// What every test store's PGlite reads at start, read once per Jest process rather than once per
// store: the migrated snapshot it starts from (~15 MB, test/support/stores.ts) and PGlite's own
// file bundle (PostgreSQL's share files, ~6 MB), each kept as a Blob. A store read the snapshot
// from the disk and copied it into a new Blob (~0.1 s of CPU of the ~0.6 s an open cost), and
// read the bundle again, in each test file's module registry.
// Not its compiled WebAssembly module: PGlite asks `instanceof WebAssembly.Module` of it, which a
// module compiled outside the test file's realm is not; and V8 already compiles the same bytes
// once per process (a test file's first store opens no slower than its next ones).
// Each store still gets its own PGlite, its own memory and its own copy of the files: a Blob
// cannot be changed, and PGlite copies what it reads of it (`arrayBuffer()` gives a new buffer).
// Plain JavaScript, loaded by the test environment (test/support/environment.js) outside the test
// files' module registry; PGlite reads a Blob made here through its methods only, as any realm's.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** PGlite's files, next to its entry point (the version the tests run, in node_modules) */
function pgliteFile(name) {
  return fileURLToPath(new URL(name, import.meta.resolve('@electric-sql/pglite')));
}

let bundle;

/** PGlite's file bundle, read on the first store this process opens */
export function pgliteFsBundle() {
  bundle ??= new Blob([readFileSync(pgliteFile('./pglite.data'))]);
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
  const blob = new Blob([readFileSync(path)]);
  snapshots.set(path, { stamp, blob });
  return blob;
}
