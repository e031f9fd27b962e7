// Reads the policy files of profiles/ (terminologies and matrix) and hands them to the pure
// validators of src/domain. Synchronous: it runs once at start, before the server listens, and
// any error must stop the start.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPolicy, type Policy } from '../domain/policy.js';
import type { TerminologySources } from '../domain/terminology.js';

/** src/profiles/load.ts -> the project root, whatever the working directory is. */
const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

const TERMINOLOGY_FILES: Record<keyof TerminologySources, string> = {
  professions: 'professions.json',
  rolesNonPs: 'roles-non-ps.json',
  documentTypes: 'document-types.json',
  documentClasses: 'document-classes.json',
  confidentiality: 'confidentiality.json',
  accessModes: 'access-modes.json',
  facilityTypes: 'facility-types.json',
  formatCodes: 'format-codes.json',
};

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`policy file ${path} cannot be read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`policy file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** `dir` relative to the project root unless absolute. */
export function loadPolicy(dir = 'profiles'): Policy {
  const base = isAbsolute(dir) ? dir : join(PROJECT_ROOT, dir);
  const terminology = Object.fromEntries(
    Object.entries(TERMINOLOGY_FILES).map(([key, file]) => [key, readJson(join(base, 'terminology', file))]),
  ) as unknown as TerminologySources;
  return buildPolicy({ terminology, matrix: readJson(join(base, 'matrix.json')) });
}
