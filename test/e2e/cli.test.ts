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

function startServer(dataDir: string, extra: Record<string, string> = {}): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: baseEnv({ CARNET_DATA_DIR: dataDir, CARNET_PORT: '0', CARNET_HOST: '127.0.0.1', ...extra }),
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

describe('carnet seed and carnet trace verify', () => {
  it('TRACE-02 and TRACE-05: refused identities reach the security log, not the patient\'s chain; trace verify finds both intact, then names the rows altered behind the server\'s back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-trace-'));
    try {
      const env = baseEnv({ CARNET_DATA_DIR: dir });
      const seed = spawnSync(process.execPath, [BIN, 'seed'], { env, encoding: 'utf8' });
      expect(seed.status).toBe(0);
      expect(seed.stdout).toMatch(/demo record created/);
      // the demo patient's login for the web page; a second run keeps the login and issues a new temporary password
      const credentials = (out: string) => /login (\S+), temporary password (\S+)/.exec(out)?.slice(1);
      const first = credentials(seed.stdout);
      expect(first).toHaveLength(2);
      const again = spawnSync(process.execPath, [BIN, 'seed'], { env, encoding: 'utf8' });
      expect(again.stdout).toMatch(/demo record already there/);
      const second = credentials(again.stdout);
      expect(second?.[0]).toBe(first![0]);
      expect(second?.[1]).not.toBe(first![1]);

      // TRACE-05: an unsigned assertion naming the demo patient and her médecin traitant, and a
      // FHIR request without a token, sent to the running server
      const server = await startServer(dir);
      const { buildVihfAssertion, securityHeader } = await import('../../src/auth/vihf-issuer.js');
      const { DEMO_INS } = await import('../../src/cli/demo-data.js');
      const { adhocQuery, cx, envelope } = await import('../support/xds-client.js');
      const unsigned = buildVihfAssertion(
        { idNatPs: '810000000002', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: '1690000002', subjectName: 'Bruno Leroy', mode: 'normal', patientId: DEMO_INS },
        { issuer: 'CN=nobody' },
      );
      const action = 'urn:ihe:iti:2007:RegistryStoredQuery';
      const soap = envelope(action, adhocQuery('urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: cx(DEMO_INS) }), securityHeader(unsigned));
      const xds = await fetch(`http://127.0.0.1:${server.port}/xds/registry`, { method: 'POST', headers: { 'content-type': `application/soap+xml; charset=UTF-8; action="${action}"` }, body: soap });
      expect(xds.status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${server.port}/fhir/DocumentReference`)).status).toBe(401);
      expect((await server.stop('SIGTERM')).code).toBe(0);

      const intact = spawnSync(process.execPath, [BIN, 'trace', 'verify'], { env, encoding: 'utf8' });
      expect(intact.status).toBe(0);
      expect(intact.stdout).toMatch(/chains, \d+ rows checked: intact/);
      expect(intact.stdout).toMatch(/security log, 2 rows checked: intact/);

      const { openPglite } = await import('../../src/store/pglite-db.js');
      const db = await openPglite({ dataDir: dir });
      const logged = await db.query<{ entry_id: string; claims: Record<string, string> }>('SELECT entry_id::text, claims FROM security_log ORDER BY seq');
      expect(logged.rows[0]!.claims).toEqual({ subject: '810000000002', patient: `${DEMO_INS.value}^^^&${DEMO_INS.system}&ISO` });
      const unauthenticated = await db.query("SELECT 1 FROM access_trace WHERE actor_id = 'unauthenticated' OR action = 'authentication'");
      expect(unauthenticated.rows).toEqual([]);
      const victim = await db.query<{ chain_key: string; trace_id: string }>('SELECT chain_key::text, trace_id::text FROM access_trace WHERE seq = 3');
      await db.transaction(async (tx) => {
        await tx.query('ALTER TABLE access_trace DISABLE TRIGGER access_trace_no_update');
        await tx.query("UPDATE access_trace SET outcome = 'denied' WHERE seq = 3");
        await tx.query('ALTER TABLE access_trace ENABLE TRIGGER access_trace_no_update');
        await tx.query('ALTER TABLE security_log DISABLE TRIGGER security_log_no_update');
        await tx.query("UPDATE security_log SET claims = '{}' WHERE seq = 1");
        await tx.query('ALTER TABLE security_log ENABLE TRIGGER security_log_no_update');
      });
      await db.close();

      const broken = spawnSync(process.execPath, [BIN, 'trace', 'verify'], { env, encoding: 'utf8' });
      expect(broken.status).toBe(1);
      expect(broken.stdout).toContain(`BROKEN chain ${victim.rows[0].chain_key} at row 3 (trace ${victim.rows[0].trace_id})`);
      expect(broken.stdout).toContain(`BROKEN security log at row 1 (entry ${logged.rows[0]!.entry_id}): content does not match its hash (altered)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe('the embedded store has one owner', () => {
  it('a second process is refused, with one clear line, while a server holds the data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-lock-'));
    try {
      const server = await startServer(dir);
      const second = spawnSync(process.execPath, [BIN, 'trace', 'verify'], { env: baseEnv({ CARNET_DATA_DIR: dir }), encoding: 'utf8' });
      expect(second.status).toBe(2);
      expect(second.stderr.trim()).toMatch(/^carnet: the embedded store in .* is in use by process \d+/);
      expect((await server.stop('SIGTERM')).code).toBe(0);
      const after = spawnSync(process.execPath, [BIN, 'trace', 'verify'], { env: baseEnv({ CARNET_DATA_DIR: dir }), encoding: 'utf8' });
      expect(after.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('shows the outbox over HTTP in development mode only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-devbox-'));
    try {
      const server = await startServer(dir);
      expect((await fetch(`http://127.0.0.1:${server.port}/dev/outbox`)).status).toBe(404);
      await server.stop('SIGTERM');
      const dev = await startServer(dir, { CARNET_DEV_MODE: 'true' });
      const res = await fetch(`http://127.0.0.1:${dev.port}/dev/outbox`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ messages: [] });
      await dev.stop('SIGTERM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
