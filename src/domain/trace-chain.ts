// TRACE-02: trace rows are chained by hash (per lane of a record's trace, trace-repo.ts), so
// removing, inserting or altering a row breaks every later link. Hashing is pure computation; node:crypto is the one import from
// outside src/domain that the domain allows itself.
// Same construction as src/store/trace-repo.ts: SHA-256 over the previous hash, a newline, and
// the row's canonical JSON (keys sorted), hex encoded.
import { createHash } from 'node:crypto';

/** The "previous hash" of a chain's first row. */
export const GENESIS_HASH = '0'.repeat(64);

export function chainHash(prevHash: string | null, canonicalRowJson: string): string {
  return createHash('sha256')
    .update(prevHash ?? GENESIS_HASH)
    .update('\n')
    .update(canonicalRowJson)
    .digest('hex');
}

export interface ChainLink {
  /** canonical JSON of the row's content */
  canonical: string;
  prevHash: string;
  hash: string;
}

/** Index of the first row that does not follow or does not match its hash; -1 when intact. */
export function firstBrokenLink(rows: readonly ChainLink[]): number {
  let prev = GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row.prevHash !== prev || chainHash(row.prevHash, row.canonical) !== row.hash) return i;
    prev = row.hash;
  }
  return -1;
}
