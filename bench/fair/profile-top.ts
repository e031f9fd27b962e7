// `node bin/run-ts.js bench/fair/profile-top.ts <file.cpuprofile> [n] [from-to] [by]`: the
// functions a CPU profile (node --cpu-prof, as BENCH_CPU_PROF=<dir> makes the bench's children
// write) spent most self time in, as shares of the time it was busy (idle left out): the top lines
// a performance note keeps. The profile covers the child's whole life, its start and seeding
// included: `from-to` (seconds after the profile's start, e.g. 14-32; `timeline` prints the busy
// samples of each second to find a window) keeps only the samples of the measured window, a lone
// number N keeps those of its last N seconds, and `by` = `file` sums the self time per source file
// (or package) instead of per function.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  endTime?: number;
  startTime?: number;
}

const [file, n = '12', last, by = 'function'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, 'utf8')) as Profile;
const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));

const isIdle = (id: number) => nodeById.get(id)!.callFrame.functionName === '(idle)';

/** Each sample with its second after the profile's start. */
function timedSamples(): Array<[id: number, second: number]> {
  if (!profile.samples || !profile.timeDeltas) throw new Error('the profile has no samples: no window can be cut from it');
  let t = 0;
  return profile.samples.map((id, i) => [id, (t += profile.timeDeltas![i]!) / 1e6]);
}

/** Hits per node: all of them, or those of the samples taken between `from` and `to` seconds. */
function hitsOf(from: number | undefined, to: number | undefined): Map<number, number> {
  const hits = new Map<number, number>();
  if (from === undefined) {
    for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
    return hits;
  }
  for (const [id, second] of timedSamples()) if (second >= from && second < (to ?? Infinity)) hits.set(id, (hits.get(id) ?? 0) + 1);
  return hits;
}

if (last === 'timeline') {
  const busy = new Map<number, number>();
  for (const [id, second] of timedSamples()) if (!isIdle(id)) busy.set(Math.floor(second), (busy.get(Math.floor(second)) ?? 0) + 1);
  console.log([...busy].map(([s, b]) => `${s}:${b}`).join(' '));
  process.exit(0);
}

const where = (url: string) => url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');
const self = new Map<string, number>();
let total = 0;
/** the window asked for: `from-to` seconds after the start, or a lone N for the last N seconds */
function windowOf(arg: string | undefined): [number?, number?] {
  if (!arg) return [];
  if (arg.includes('-')) return arg.split('-').map(Number) as [number, number];
  const samples = timedSamples();
  const end = samples.length ? samples[samples.length - 1]![1] : 0;
  return [end - Number(arg), undefined];
}
const [from, to] = windowOf(last);
for (const [id, hits] of hitsOf(from, to)) {
  const { functionName, url, lineNumber } = nodeById.get(id)!.callFrame;
  if (isIdle(id)) continue;
  total += hits;
  const key =
    by === 'file'
      ? url
        ? where(url).replace(/^((@[^/]+\/)?[^/]+)\/.*$/, (m, pkg: string) => (m.startsWith('src/') || m.startsWith('bench/') ? m.replace(/:\d+$/, '') : pkg))
        : functionName
      : `${functionName || '(anonymous)'} ${url ? `${where(url)}:${lineNumber + 1}` : ''}`.trim();
  self.set(key, (self.get(key) ?? 0) + hits);
}
console.log(`${total} samples`);
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`);
}
