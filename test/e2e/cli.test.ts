// The command as a user runs it: a real process, a real port, a data directory on disk.
import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'bin', 'carnet.js');

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  return env;
}

interface Started {
  port: number;
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; output: string }>;
}

function startServer(dataDir: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: baseEnv({ CARNET_DATA_DIR: dataDir, CARNET_PORT: '0', CARNET_HOST: '127.0.0.1' }),
    });
    let output = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /"address":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          async stop(signal) {
            child.kill(signal);
            const code = await exited;
            return { code, output };
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => reject(new Error(`server exited early (${code}):\n${output}`)));
  });
}

describe('carnet command', () => {
  it('stops with one clear line naming a wrongly set variable', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve'], { env: baseEnv({ CARNET_PORT: 'eighty' }), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^carnet: CARNET_PORT: expected an integer/)]);
  });

  it('serves, shuts down cleanly on SIGTERM, and keeps its data directory across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-cli-'));
    try {
      const first = await startServer(dir);
      const health = await fetch(`http://127.0.0.1:${first.port}/health`);
      expect(health.status).toBe(200);
      const stopped = await first.stop('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.output).toContain('"msg":"stopped"');

      // The store kept its schema: migrating again has nothing to do.
      const migrate = spawnSync(process.execPath, [BIN, 'migrate'], { env: baseEnv({ CARNET_DATA_DIR: dir }), encoding: 'utf8' });
      expect(migrate.status).toBe(0);
      expect(migrate.stdout).toMatch(/nothing to apply/);

      const second = await startServer(dir);
      expect((await fetch(`http://127.0.0.1:${second.port}/health`)).status).toBe(200);
      expect((await second.stop('SIGINT')).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
