// BENCH_LOAD=wrk: the GET windows driven by wrk (a C load generator, one thread, in a process of
// its own) instead of autocannon, to see what the generator's own CPU does to both sides' latency.
// A measurement option only: wrk is not a dependency of the project (install it by hand; off by
// default). wrk's connections take the targets' paths and headers in turn, request by request
// (autocannon gives each connection its own): the same mix of records for every target.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutocannonResult } from '../load.js';

export interface WrkRequest {
  path: string;
  headers: Record<string, string>;
}

const lua = (s: string) => JSON.stringify(s); // a JSON string is a valid Lua string for these characters

function script(requests: WrkRequest[]): string {
  const reqs = requests.map((r) => `wrk.format("GET", ${lua(r.path)}, {${Object.entries(r.headers).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`).join(', ')}})`);
  // formatted at the first request: at the script's load wrk.host is not known yet (the requests then go without their headers)
  return `local reqs = nil\nlocal i = 0\nrequest = function()\n  if reqs == nil then reqs = { ${reqs.join(',\n')} } end\n  i = i % #reqs + 1\n  return reqs[i]\nend\n`;
}

const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 1e-3 : unit === 's' ? 1e3 : 1);

/** One window of wrk against `base`; the figures measure.ts reads, and wrk's own CPU time (ms). */
export async function wrkWindow(base: string, requests: WrkRequest[], connections: number, seconds: number): Promise<{ result: AutocannonResult; cpuMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-wrk-'));
  try {
    const file = join(dir, 'requests.lua');
    writeFileSync(file, script(requests));
    // `times` prints the children's user and system time: wrk's own CPU
    const out = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', `wrk -t1 -c${connections} -d${seconds}s --latency -s "$1" "$2" && times`, 'wrk', file, base], (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    const q = (p: string) => {
      const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out);
      return m ? ms(m[1]!, m[2]!) : NaN;
    };
    const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(out);
    const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const times = out.trim().split('\n').at(-1)!.match(/(\d+)m([\d.]+)s/g) ?? [];
    const cpuMs = times.reduce((s, t) => {
      const [, m, sec] = /(\d+)m([\d.]+)s/.exec(t)!;
      return s + (Number(m) * 60 + Number(sec)) * 1000;
    }, 0);
    return {
      result: {
        requests: { average: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), total },
        latency: { p50: q('50'), p90: q('90'), p99: q('99'), max: max ? ms(max[1]!, max[2]!) : NaN },
        non2xx,
        errors: errors ? errors.slice(1, 4).reduce((s, x) => s + Number(x), 0) : 0,
        timeouts: errors ? Number(errors[4]) : 0,
      },
      cpuMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
