// The tests judged not applicable to Carnet (conformance/xds/not-applicable.json, explained in
// NOT-APPLICABLE.md). They are listed as SKIP with their reason, never counted as passed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NotApplicableEntry {
  test: string;
  reason: string;
}

/** conformance/xds/not-applicable.json of this checkout. */
export function defaultNotApplicableFile(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'conformance', 'xds', 'not-applicable.json');
}

export function loadNotApplicable(file = defaultNotApplicableFile()): Map<string, string> {
  if (!existsSync(file)) return new Map();
  const data = JSON.parse(readFileSync(file, 'utf8')) as { tests?: NotApplicableEntry[] };
  const out = new Map<string, string>();
  for (const e of data.tests ?? []) {
    if (typeof e.test !== 'string' || typeof e.reason !== 'string') throw new Error(`${file}: each entry needs "test" and "reason"`);
    out.set(e.test, e.reason);
  }
  return out;
}
