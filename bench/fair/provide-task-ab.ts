// `node bin/run-ts.js bench/fair/provide-task-ab.ts <other checkout> [n]`: the worker's ITI-65 task
// (provide-task.ts) of this checkout and of another, loaded side by side in this process (each
// its own modules, its own medplum) and run in alternating rounds, so that the machine's load falls
// on both alike: CPU per Bundle, median of the rounds (BENCH_REPEATS, 12), and the ratio this / other.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { provideBundle } from '../../test/support/mhd-bundle.js';
import { fmt, median } from '../stats.js';

const [other, count] = process.argv.slice(2);
if (!other) throw new Error('usage: provide-task-ab.ts <other checkout> [n]');
const n = Number(count ?? 100);
const rounds = Number(process.env.BENCH_REPEATS ?? 12);
const author = { idNatPs: '10000000001', family: 'Martin', given: 'Anne' };
const bodies = Array.from({ length: 32 }, () =>
  Buffer.from(JSON.stringify(provideBundle({ patient: 'Patient/abc', docs: [{ content: randomBytes(10 * 1024), mimeType: 'application/octet-stream', author }] }))),
);

interface Tasks {
  warm: (input: { profiles: string[] }) => boolean;
  readProvideJson: (input: { blocks: ArrayBuffer[]; limits: unknown; terminology: boolean; answersOnly?: boolean }) => Promise<{ ok: boolean; error?: { message: string } }>;
}

async function load(root: string): Promise<(i: number) => Promise<void>> {
  const at = (p: string) => pathToFileURL(resolve(root, p)).href;
  const tasks = (await import(at('src/fhir/work/tasks.ts'))) as Tasks;
  const { PROFILE } = (await import(at('src/fhir/validation/profiles.ts'))) as { PROFILE: Record<string, string> };
  const { DEFAULT_JSON_LIMITS } = (await import(at('src/json/read.ts'))) as { DEFAULT_JSON_LIMITS: unknown };
  tasks.warm({ profiles: Object.values(PROFILE) });
  return async (i) => {
    const body = bodies[i % bodies.length]!;
    const answer = await tasks.readProvideJson({ blocks: [body.buffer.slice(body.byteOffset, body.byteOffset + body.length)], limits: DEFAULT_JSON_LIMITS, terminology: true, answersOnly: true });
    if (!answer.ok) throw new Error(answer.error?.message);
  };
}

const runs = { this: await load('.'), other: await load(other) };
const cpu: Record<keyof typeof runs, number[]> = { this: [], other: [] };
for (const run of Object.values(runs)) for (let i = 0; i < 50; i++) await run(i);
for (let r = 0; r < rounds; r++) {
  for (const name of (r % 2 ? ['this', 'other'] : ['other', 'this']) as Array<keyof typeof runs>) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await runs[name](i);
    const t = process.cpuUsage(t0);
    cpu[name].push((t.user + t.system) / 1000 / n);
  }
}
const [a, b] = [median(cpu.this), median(cpu.other)];
const spread = (v: number[]) => `${fmt(Math.min(...v), 3)}–${fmt(Math.max(...v), 3)}`;
console.log(`worker task, ms CPU per Bundle: this ${fmt(a, 3)} (${spread(cpu.this)}), other ${fmt(b, 3)} (${spread(cpu.other)}); this / other ${fmt(a / b, 2)}x, of the least rounds ${fmt(Math.min(...cpu.this) / Math.min(...cpu.other), 2)}x (${rounds} alternating rounds of ${n})`);
