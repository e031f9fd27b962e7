// `node bin/run-ts.js bench/fair/profile-top.ts <file.cpuprofile> [n] [seconds]`: the functions a
// CPU profile (node --cpu-prof, as BENCH_CPU_PROF=<dir> makes the bench's children write) spent
// most self time in, as shares of the time it was busy (idle left out): the top lines a performance
// note keeps. The profile covers the child's whole life, its start and seeding too: `seconds`
// keeps only the samples of its last so many seconds (the measured windows).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  /** the node of each sample, in order, and the µs before each */
  samples?: number[];
  timeDeltas?: number[];
}

const [file, n = '12', lastSeconds] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, 'utf8')) as Profile;
/** hits per node: the profile's own counts, or those of the samples of its last `lastSeconds` */
const hitsOf = new Map<number, number>();
if (lastSeconds && profile.samples && profile.timeDeltas) {
  let t = 0;
  const times = profile.timeDeltas.map((d) => (t += d));
  const from = t - Number(lastSeconds) * 1e6;
  profile.samples.forEach((id, i) => {
    if (times[i]! >= from) hitsOf.set(id, (hitsOf.get(id) ?? 0) + 1);
  });
} else for (const node of profile.nodes) hitsOf.set(node.id, node.hitCount ?? 0);
const self = new Map<string, number>();
let total = 0;
let idle = 0;
for (const node of profile.nodes) {
  const hits = hitsOf.get(node.id) ?? 0;
  if (node.callFrame.functionName === '(idle)') idle += hits;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  total += hits;
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + hits);
}
console.log(`${total} busy samples, ${idle} idle${lastSeconds ? ` (last ${lastSeconds} s)` : ''}`);
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`);
}
