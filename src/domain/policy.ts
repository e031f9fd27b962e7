// The policy the rules run against: terminologies plus the matrix, both data (DESIGN: "data,
// not code, for policy"). Built once at start from profiles/ and passed to every decision.
import { parseMatrix, readableTypeList, type Matrix } from './matrix.js';
import { parseTerminology, type Terminology, type TerminologySources } from './terminology.js';

export interface Policy {
  terminology: Terminology;
  matrix: Matrix;
}

export interface PolicySources {
  terminology: TerminologySources;
  matrix: unknown;
}

export function buildPolicy(sources: PolicySources): Policy {
  const terminology = parseTerminology(sources.terminology);
  return { terminology, matrix: parseMatrix(sources.matrix, terminology) };
}

/** ACC-02: the type codes this profession (and specialty) may read, classes already expanded. */
export function readableTypeCodes(policy: Policy, profession: string, specialty?: string): Set<string> {
  return new Set(readableTypeList(policy.matrix, profession, specialty));
}
