// What the test environment (test/support/environment.js) keeps for the whole Jest process, outside
// the module registry Jest makes anew for every test file: costly judges built once per process
// rather than once per file.
export interface Shared {
  /** the R4 XML Schema's judge (test/support/xsd-judge.js), its schema compiled once per process */
  xsdErrors(xml: string): string[];
  /** Node's own require: a module loaded through it is evaluated once per process, not once per file */
  require(path: string): unknown;
  /** PGlite's file bundle (test/support/pglite-shelf.js), read once per process */
  pgliteFsBundle(): Blob;
  /** a store snapshot's bytes, read from the disk once per process (test/support/pglite-shelf.js) */
  snapshotBlob(path: string): Blob;
}

export function shared(): Shared {
  const s = (globalThis as { __carnetShared?: Shared }).__carnetShared;
  if (!s) throw new Error('the test environment of jest.config.js (test/support/environment.js) is not the one running this file');
  return s;
}
