#!/usr/bin/env node
// Writes test/durations.json (the seconds each test file took, which test/sequencer.js uses to
// start the slowest files first) from the report of a whole run:
//   NODE_OPTIONS=--experimental-vm-modules npx jest --json --outputFile=<report.json>
//   node test/tools/durations.js <report.json>
// Measure under CI's conditions (CI=true and DATABASE_URL set): the PostgreSQL suites count too.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const report = process.argv[2];
if (!report) {
  console.error('usage: node test/tools/durations.js <jest --json report>');
  process.exit(2);
}
const { testResults } = JSON.parse(readFileSync(report, 'utf8'));
const seconds = Object.fromEntries(
  testResults
    .map((r) => [relative(ROOT, r.name).split('\\').join('/'), Math.round((r.endTime - r.startTime) / 100) / 10])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
);
writeFileSync(join(ROOT, 'test', 'durations.json'), `${JSON.stringify(seconds, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(seconds).length} files`);
