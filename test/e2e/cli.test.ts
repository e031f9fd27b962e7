// The command as a user runs it: a real process, a real port, a data directory on disk. One data
// directory is created and seeded for the file (PostgreSQL's initdb in WASM is the slow part);
// the tests that alter it work on a copy.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import { randomBytes } from 'node:crypto';
import { openPostgres } from '../../src/store/pg-db.js';
import { join } from 'node:path';
import { useCarnetProcesses } from '../support/cli.js';

const carnet = useCarnetProcesses();

/** A server on the shared directory must be stopped before the next command opens it. */
let shared: string;
let sharedSeedOutput: string;

/**
 * The shared directory's first server life, run once for the file (each server start is seconds
 * of CPU): what the server answered, the refused second process, how it stopped, and the
 * TRACE-05 requests it was sent (which the trace tests then find in the store).
 */
interface FirstLife {
  health: number;
  outbox: number;
  refused: { status: number | null; stderr: string };
  unsignedVihf: number;
  noToken: number;
  stopped: { code: number | null; output: string };
}
let firstLife: FirstLife;

beforeAll(async () => {
  shared = carnet.tempDir('carnet-cli-');
  const seed = await carnet.run(['seed'], { CARNET_DATA_DIR: shared });
  expect(seed).toMatchObject({ status: 0, stdout: expect.stringMatching(/demo record created/) });
  sharedSeedOutput = seed.stdout;

  // TRACE-05: an unsigned assertion naming the demo patient and her médecin traitant, and a
  // FHIR request without a token, sent to the server below (made first: the requests follow one
  // another closely, as a kept-alive connection left idle may be closed under the next one)
  const { buildVihfAssertion, securityHeader } = await import('../../src/auth/vihf-issuer.js');
  const { DEMO_INS } = await import('../../src/cli/demo-data.js');
  const { adhocQuery, cx, envelope } = await import('../support/xds-client.js');
  const unsigned = buildVihfAssertion(
    { idNatPs: '810000000002', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: '1690000002', subjectName: 'Bruno Leroy', mode: 'normal', patientId: DEMO_INS },
    { issuer: 'CN=nobody' },
  );
  const action = 'urn:ihe:iti:2007:RegistryStoredQuery';
  const soap = envelope(action, adhocQuery('urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: cx(DEMO_INS) }), securityHeader(unsigned));

  // Stopped here; if a step throws, the file's cleanup stops it.
  const server = await carnet.serve({ CARNET_DATA_DIR: shared });
  const health = (await fetch(`${server.baseUrl}/health`)).status;
  const outbox = (await fetch(`${server.baseUrl}/dev/outbox`)).status;
  const unsignedVihf = (await fetch(`${server.baseUrl}/xds/registry`, { method: 'POST', headers: { 'content-type': `application/soap+xml; charset=UTF-8; action="${action}"` }, body: soap })).status;
  const noToken = (await fetch(`${server.baseUrl}/fhir/DocumentReference`)).status;
  // the embedded store has one owner: a second process is refused
  const refused = await carnet.run(['trace', 'verify'], { CARNET_DATA_DIR: shared });
  firstLife = { health, outbox, refused: { status: refused.status, stderr: refused.stderr }, unsignedVihf, noToken, stopped: await server.stop('SIGTERM') };
}, 300_000);

/** A copy of the shared directory, to alter without disturbing the other tests. */
function copyOfShared(): string {
  const dir = carnet.tempDir('carnet-cli-copy-');
  cpSync(shared, dir, { recursive: true });
  return dir;
}

describe('carnet command', () => {
  it('stops with one clear line naming a wrongly set variable', async () => {
    const r = await carnet.run(['serve'], { CARNET_PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^carnet: CARNET_PORT: expected an integer/)]);
  });

  // The shared directory's lives: the first (in beforeAll, once for the file: it also took the
  // trace tests' requests) proves the owner's lock and the outbox's absence, the next the
  // development mode's outbox.
  it('serves, refuses a second process on its data directory, shuts down cleanly on SIGTERM and SIGINT, keeps its data across restarts, and shows the outbox in development mode only', async () => {
    expect(firstLife.health).toBe(200);
    expect(firstLife.outbox).toBe(404);
    // one clear line for the refused second process
    expect(firstLife.refused.status).toBe(2);
    expect(firstLife.refused.stderr.trim()).toMatch(/^carnet: the embedded store in .* is in use by process \d+/);
    expect(firstLife.stopped.code).toBe(0);
    expect(firstLife.stopped.output).toContain('"msg":"stopped"');

    // Once stopped, the next process opens it; the store kept its schema: migrating again has nothing to do.
    const migrate = await carnet.run(['migrate'], { CARNET_DATA_DIR: shared });
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toMatch(/nothing to apply/);

    const dev = await carnet.serve({ CARNET_DATA_DIR: shared, CARNET_DEV_MODE: 'true' });
    expect((await fetch(`${dev.baseUrl}/health`)).status).toBe(200);
    const outbox = await fetch(`${dev.baseUrl}/dev/outbox`);
    expect(outbox.status).toBe(200);
    expect(await outbox.json()).toEqual({ messages: [] });
    expect((await dev.stop('SIGINT')).code).toBe(0);
  }, 120_000);

  it('prints its usage for --help, on stdout, and exits 0', async () => {
    const r = await carnet.run(['--help'], {});
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: carnet <command>/);
    for (const name of ['serve', 'seed', 'token', 'vihf', 'trace']) expect(r.stdout).toContain(`  ${name} `);
  });
});

describe('a data directory the server cannot write', () => {
  // As root, the command runs as `nobody` (root writes everywhere); otherwise the folder is read-only.
  const asRoot = process.getuid?.() === 0;

  function readOnlyDir(): string {
    const dir = carnet.tempDir('carnet-cli-ro-');
    chmodSync(dir, 0o555);
    return dir;
  }

  it.each([
    ['the embedded store', {}],
    ['PostgreSQL (keys only)', { DATABASE_URL: 'postgres://carnet@127.0.0.1:1/unused' }],
  ])('stops the start with one line naming CARNET_DATA_DIR, with %s', async (_what, env) => {
    const dir = readOnlyDir();
    const r = await carnet.run(['serve'], { CARNET_DATA_DIR: join(dir, 'data'), ...env }, { unprivileged: asRoot });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^carnet: CARNET_DATA_DIR \(.*\): cannot keep .*: not writable by this user/)]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops with one line when a file inside it is not readable by the server\'s user', async () => {
    const dir = carnet.tempDir('carnet-cli-file-');
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, '.carnet-lock'), '1');
    chmodSync(join(dir, '.carnet-lock'), 0o000);
    const r = await carnet.run(['migrate'], { CARNET_DATA_DIR: dir }, { unprivileged: asRoot });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^carnet: cannot open .*\.carnet-lock: EACCES .*check CARNET_DATA_DIR/)]);
  });

  const withPostgres = process.env.DATABASE_URL ? it : it.skip;
  withPostgres('needs no data directory when PostgreSQL holds the data and the secrets are given as values', async () => {
    // A schema of its own in the test database, named in the connection string.
    const url = new URL(process.env.DATABASE_URL!);
    const schema = `carnet_cli_${randomBytes(5).toString('hex')}`;
    const admin = openPostgres({ connectionString: url.href, maxConnections: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      url.searchParams.set('options', `-c search_path=${schema}`);
      const dir = readOnlyDir();
      const server = await carnet.serve({
        CARNET_DATA_DIR: join(dir, 'data'),
        DATABASE_URL: url.href,
        CARNET_SIGNING_KEY: JSON.stringify(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)),
        CARNET_CODE_SECRET: 'a'.repeat(44),
      }, { unprivileged: asRoot });
      expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
      expect(existsSync(join(dir, 'data'))).toBe(false);
      expect((await server.stop()).code).toBe(0);
      const migrated = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(migrated.rows[0].n).toBeGreaterThan(0);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    }
  }, 60_000);
});

describe('carnet seed and carnet trace verify', () => {
  it('seed prints the demo patient\'s web login; a second run keeps the login and issues a new temporary password', async () => {
    const dir = copyOfShared();
    const credentials = (out: string) => /login (\S+), temporary password (\S+)/.exec(out)?.slice(1);
    const first = credentials(sharedSeedOutput);
    expect(first).toHaveLength(2);
    const again = await carnet.run(['seed'], { CARNET_DATA_DIR: dir });
    expect(again.stdout).toMatch(/demo record already there/);
    const second = credentials(again.stdout);
    expect(second?.[0]).toBe(first![0]);
    expect(second?.[1]).not.toBe(first![1]);
  }, 120_000);

  it('TRACE-02 and TRACE-05: refused identities reach the security log, not the patient\'s chain; trace verify finds both intact, then names the rows altered behind the server\'s back', async () => {
    const dir = copyOfShared();
    const env = { CARNET_DATA_DIR: dir };

    // TRACE-05: the unsigned assertion and the request without a token that the shared
    // directory's first server (beforeAll) was sent, refused
    expect({ xds: firstLife.unsignedVihf, fhir: firstLife.noToken }).toEqual({ xds: 400, fhir: 401 });
    const { DEMO_INS } = await import('../../src/cli/demo-data.js');

    const intact = await carnet.run(['trace', 'verify'], env);
    expect(intact.status).toBe(0);
    expect(intact.stdout).toMatch(/chains \(\d+ lanes\), \d+ rows checked: intact/);
    expect(intact.stdout).toMatch(/security log, 2 rows checked: intact/);

    const { openPglite } = await import('../../src/store/pglite-db.js');
    const db = await openPglite({ dataDir: dir });
    let victim: { chain_key: string; lane: number; trace_id: string };
    let logged: { entry_id: string; claims: Record<string, string> };
    try {
      logged = (await db.query<{ entry_id: string; claims: Record<string, string> }>('SELECT entry_id::text, claims FROM security_log ORDER BY seq')).rows[0]!;
      expect(logged.claims).toEqual({ subject: '810000000002', patient: `${DEMO_INS.value}^^^&${DEMO_INS.system}&ISO` });
      const unauthenticated = await db.query("SELECT 1 FROM access_trace WHERE actor_id = 'unauthenticated' OR action = 'authentication'");
      expect(unauthenticated.rows).toEqual([]);
      victim = (await db.query<{ chain_key: string; lane: number; trace_id: string }>('SELECT chain_key::text, lane::int AS lane, trace_id::text FROM access_trace WHERE seq = 3')).rows[0];
      await db.transaction(async (tx) => {
        await tx.query('ALTER TABLE access_trace DISABLE TRIGGER access_trace_no_update');
        await tx.query("UPDATE access_trace SET outcome = 'denied' WHERE seq = 3");
        await tx.query('ALTER TABLE access_trace ENABLE TRIGGER access_trace_no_update');
        await tx.query('ALTER TABLE security_log DISABLE TRIGGER security_log_no_update');
        await tx.query("UPDATE security_log SET claims = '{}' WHERE seq = 1");
        await tx.query('ALTER TABLE security_log ENABLE TRIGGER security_log_no_update');
      });
    } finally {
      await db.close();
    }

    const broken = await carnet.run(['trace', 'verify'], env);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(`BROKEN chain ${victim.chain_key} lane ${victim.lane} at row 3 (trace ${victim.trace_id})`);
    expect(broken.stdout).toContain(`BROKEN security log at row 1 (entry ${logged.entry_id}): content does not match its hash (altered)`);
  }, 150_000);
});

describe('the keys a server keeps', () => {
  it('are created in the data directory, readable by the server\'s user only', () => {
    const signing = join(shared, 'keys', 'local-signing.jwk.json');
    const codes = join(shared, 'keys', 'code-secret');
    expect(JSON.parse(readFileSync(signing, 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(Buffer.from(readFileSync(codes, 'utf8'), 'base64').length).toBeGreaterThanOrEqual(32);
    expect([statSync(signing).mode & 0o777, statSync(codes).mode & 0o777]).toEqual([0o600, 0o600]);
  });
});
