// DMP-06 from the operator's terminal while the server runs: `carnet maintenance --server` asks
// the running server (its admin route, with an operator's token), since the embedded store is the
// server's alone while it runs. The data directory starts with its store created and migrated.
import { expect, it } from '@jest/globals';
import { createServer, type AddressInfo } from 'node:net';
import { useCarnetProcesses } from '../support/cli.js';
import { fillMigratedDataDir } from '../support/data-dir-template.js';

const carnet = useCarnetProcesses();

it('DMP-06: an operator plans, lists and cancels a window on the running server from the command line', async () => {
  const dataDir = carnet.tempDir('carnet-maintenance-');
  await fillMigratedDataDir(dataDir);
  const env = { CARNET_DATA_DIR: dataDir, CARNET_DEV_MODE: 'true', CARNET_JOBS_INTERVAL_SECONDS: '0' };
  const server = await carnet.serve(env);
  const token = await carnet.run(['token', 'support', '--id', 'ops-1'], env);
  expect(token.status).toBe(0);
  const admin = { ...env, CARNET_ADMIN_TOKEN: token.stdout.trim() };

  const announced = await carnet.run(['maintenance', 'announce', '--server', server.baseUrl, '--function', 'record.create', '--from', '2030-01-01T22:00:00Z', '--to', '2030-01-01T23:00:00Z', '--message', 'Migration'], admin);
  expect(announced.stderr).toBe('');
  const id = /^announced ([0-9a-f-]{36}): record\.create unavailable from 2030-01-01T22:00:00\.000Z to 2030-01-01T23:00:00\.000Z\n$/.exec(announced.stdout)?.[1];
  expect(id).toBeDefined();
  const listed = await carnet.run(['maintenance', 'list', '--server', server.baseUrl], admin);
  expect(listed.stdout).toBe(`${id}\trecord.create\t2030-01-01T22:00:00.000Z\t2030-01-01T23:00:00.000Z\tMigration\n`);
  // The public announcement shows it at once.
  expect(((await (await fetch(`${server.baseUrl}/maintenance`)).json()) as { windows: unknown[] }).windows).toHaveLength(1);

  expect(await carnet.run(['maintenance', 'cancel', id!, '--server', server.baseUrl], admin)).toMatchObject({ status: 0, stdout: `cancelled ${id}\n` });
  expect((await carnet.run(['maintenance', 'list', '--server', server.baseUrl], admin)).stdout).toBe('');
  const again = await carnet.run(['maintenance', 'cancel', id!, '--server', server.baseUrl], admin);
  expect(again).toMatchObject({ status: 1, stderr: expect.stringMatching(/^carnet: the server answered 404: no maintenance window .* to cancel/) });
  // Without an operator's token the server is not asked.
  expect(await carnet.run(['maintenance', 'list', '--server', server.baseUrl], env)).toMatchObject({ status: 2, stderr: expect.stringContaining('CARNET_ADMIN_TOKEN') });
}, 300_000);

it('a server that does not answer is one line on stderr, never a stack trace', async () => {
  // a loopback port just given back by the system: nothing listens there, the connection is refused
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  const url = `http://127.0.0.1:${port}`;
  const r = await carnet.run(['maintenance', 'list', '--server', url], { CARNET_DATA_DIR: carnet.tempDir('carnet-maintenance-'), CARNET_ADMIN_TOKEN: 'any' });
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`carnet: --server ${url}: no answer (ECONNREFUSED)\n`);
}, 60_000);
