// `node bin/run-ts.js bench/fair/provide-task.ts [n]`: the FHIR worker thread's share of one ITI-65
// deposit, in this process: its task on a one-document Bundle (10 KB, as `deposit` sends), then
// the event loop's reading of its copy with the worker's answers replayed. CPU time per Bundle
// (process.cpuUsage, the median of five rounds), so that a change to either side is measured
// without the HTTP load and its noise. `--cpu-prof` on the node command line profiles it.
import { randomBytes } from 'node:crypto';
import { provideBundle } from '../../test/support/mhd-bundle.js';
import { warm, readProvideJson, type ProvideJson, type TaskResult } from '../../src/fhir/work/tasks.js';
import { PROFILE } from '../../src/fhir/validation/profiles.js';
import { readProvideBundle } from '../../src/fhir/mhd/provide-bundle.js';
import { replayingChecks } from '../../src/fhir/mhd/provide-bundle-checks.js';
import { CarnetError } from '../../src/domain/errors.js';
import { DEFAULT_JSON_LIMITS as limits } from '../../src/json/read.js';
import { fmt, median } from '../stats.js';

const n = Number(process.argv[2] ?? 400);
const author = { idNatPs: '10000000001', family: 'Martin', given: 'Anne' };
const bodies = Array.from({ length: 32 }, () =>
  Buffer.from(JSON.stringify(provideBundle({ patient: 'Patient/abc', docs: [{ content: randomBytes(10 * 1024), mimeType: 'application/octet-stream', author }] }))),
);
const PID = { value: '1234567890123', system: '1.2.250.1.213.1.4.8' };

warm({ profiles: Object.values(PROFILE) });

async function once(i: number): Promise<{ worker: number; loop: number }> {
  const body = bodies[i % bodies.length]!;
  const t0 = process.cpuUsage();
  const answer = (await readProvideJson({ blocks: [body.buffer.slice(body.byteOffset, body.byteOffset + body.length)], limits, terminology: true, answersOnly: true })) as TaskResult<ProvideJson>;
  if (!answer.ok) throw new Error(answer.error.message);
  const t1 = process.cpuUsage(t0);
  const t2 = process.cpuUsage();
  const recorded = new Map(answer.value.checks.map(([key, problems]) => [key, problems.map((p) => new CarnetError(p.code, p.message, { location: p.location }))]));
  const read = await readProvideBundle(JSON.parse(body.toString('utf8')), { resolvePatient: () => PID, terminology: true, ...replayingChecks(recorded) });
  if (read.problems.length) throw new Error(read.problems.map((p) => `${p.location}: ${p.message}`).join('; '));
  const t3 = process.cpuUsage(t2);
  return { worker: (t1.user + t1.system) / 1000, loop: (t3.user + t3.system) / 1000 };
}

for (let i = 0; i < 50; i++) await once(i); // warm-up
const rounds: Array<{ worker: number; loop: number }> = [];
for (let r = 0; r < 5; r++) {
  let worker = 0;
  let loop = 0;
  for (let i = 0; i < n; i++) {
    const t = await once(i);
    worker += t.worker;
    loop += t.loop;
  }
  rounds.push({ worker: worker / n, loop: loop / n });
}
const w = rounds.map((r) => r.worker);
const l = rounds.map((r) => r.loop);
console.log(`worker task ${fmt(median(w), 3)} ms CPU per Bundle (${fmt(Math.min(...w), 3)}–${fmt(Math.max(...w), 3)}); event loop's reading with the answers ${fmt(median(l), 3)} ms (${fmt(Math.min(...l), 3)}–${fmt(Math.max(...l), 3)}); ${n} Bundles a round, 5 rounds`);
