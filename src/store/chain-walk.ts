// Walking a hash chain stored in a table (the access trace's per-record chains, the security
// log): rows are read in `seq` order by batches, each must follow the previous one and match its
// own hash, and the last must be the one the chain's head names. The first row that does not is
// named; the walk goes on counting rows so the report says how many were read.
import { GENESIS_HASH } from '../domain/trace-chain.js';

export interface ChainLinkRow {
  seq: number;
  /** the row's own id, to name it in a report */
  id: string;
  prevHash: string;
  hash: string;
  /** the hash recomputed from the row's content */
  recomputed: string;
}

export interface ChainBreak {
  seq: number;
  id: string | null;
  problem: string;
}

/** Reads rows with seq >= fromSeq in seq order (numeric, not text order), at most `limit`. */
export type ChainReader = (fromSeq: number, limit: number) => Promise<ChainLinkRow[]>;

export async function walkChain(read: ChainReader, head: { seq: number; hash: string }, batchSize = 2000): Promise<{ rows: number; broken?: ChainBreak }> {
  let rows = 0;
  let broken: ChainBreak | undefined;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const batch = await read(expectedSeq, batchSize);
    for (const row of batch) {
      rows++;
      if (!broken) {
        const at = (problem: string): ChainBreak => ({ seq: row.seq, id: row.id, problem });
        if (row.seq !== expectedSeq) broken = at(`row ${expectedSeq} is missing`);
        else if (row.prevHash !== prevHash) broken = at('does not follow the previous row (prev_hash differs)');
        else if (row.recomputed !== row.hash) broken = at('content does not match its hash (altered)');
      }
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
    }
    if (batch.length < batchSize) break;
  }
  if (!broken && expectedSeq - 1 !== head.seq) {
    broken = { seq: expectedSeq, id: null, problem: `chain ends at ${expectedSeq - 1} but its head says ${head.seq} (rows removed)` };
  } else if (!broken && prevHash !== head.hash) {
    broken = { seq: expectedSeq - 1, id: null, problem: 'last row does not match the chain head' };
  }
  return broken ? { rows, broken } : { rows };
}
