// BENCH_PG_LOG=<PostgreSQL's log file>: PostgreSQL's own time per statement in a window, read from
// its log. Bench only, and only with statements logged: the bench database must log their
// durations (as a superuser, `ALTER DATABASE <bench db> SET log_min_duration_statement = 0`, then
// RESET after the run: logging every statement costs PostgreSQL a write per phase, on every side
// of the run alike). Each phase of the extended protocol is its own line: parse, bind (where a
// custom plan is made) and execute; a COMMIT's time holds its WAL flush.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

interface Kind {
  count: number;
  ms: number[];
}

export interface PgLogWindow {
  /** reads the log's lines since the window started, of this database only, and summarises them */
  end(): string;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

/** The statement's kind: its phase and the first words of its text (a named statement's name dropped). */
function kindOf(phase: string, text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().slice(0, 48);
  return `${phase} ${words}`;
}

const LINE = /^\S+ \S+ \S+ \[\d+\] \S*@(\S+) LOG: {2}duration: ([\d.]+) ms {2}(parse|bind|execute|statement)[^:]*: (.*)$/;

export function pgLogWindow(file: string, database: string): PgLogWindow {
  const from = statSync(file).size;
  return {
    end() {
      const to = statSync(file).size;
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(to - from);
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      const kinds = new Map<string, Kind>();
      const all: number[] = [];
      for (const line of buf.toString('utf8').split('\n')) {
        const m = LINE.exec(line);
        if (!m || m[1] !== database) continue;
        const ms = Number(m[2]);
        const k = kindOf(m[3]!, m[4]!);
        const kind = kinds.get(k) ?? { count: 0, ms: [] };
        kind.count++;
        kind.ms.push(ms);
        kinds.set(k, kind);
        all.push(ms);
      }
      all.sort((a, b) => a - b);
      if (!all.length) return 'PostgreSQL log: no statement durations (is log_min_duration_statement set on the bench database?)';
      const f = (n: number) => n.toFixed(2);
      const lines = [...kinds.entries()]
        .filter(([, k]) => k.count >= 20)
        .sort((a, b) => b[1].ms.reduce((s, x) => s + x, 0) - a[1].ms.reduce((s, x) => s + x, 0))
        .slice(0, 12)
        .map(([name, k]) => {
          const s = k.ms.sort((a, b) => a - b);
          return `      ${k.count} × ${name}: p50 ${f(quantile(s, 0.5))} / p99 ${f(quantile(s, 0.99))} / max ${f(s.at(-1)!)} ms`;
        });
      const over = (ms: number) => all.filter((x) => x >= ms).length;
      return `PostgreSQL log: ${all.length} phases, p50 ${f(quantile(all, 0.5))} / p99 ${f(quantile(all, 0.99))} / max ${f(all.at(-1)!)} ms; ${over(5)} ≥ 5 ms, ${over(10)} ≥ 10 ms\n${lines.join('\n')}`;
    },
  };
}
