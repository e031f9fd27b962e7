// Secrets from the environment or from files (as container platforms mount them), and the
// server's own keys given as values, kept in files, or refused with one line.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { loadConfig } from '../../../src/config/config.js';
import { ConfigError } from '../../../src/config/env.js';
import { serverCodeSecret, serverSigningKeys } from '../../../src/auth/server-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'carnet-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('<NAME>_FILE variables', () => {
  it('read DATABASE_URL, CARNET_SMTP_PASSWORD and CARNET_SMS_GATEWAY_TOKEN from files, without the final newline', () => {
    const c = loadConfig({
      DATABASE_URL_FILE: file('db', 'postgres://carnet:s3cret@db:5432/carnet\n'),
      CARNET_SMTP_HOST: 'mail.example.org',
      CARNET_SMTP_FROM: 'carnet@example.org',
      CARNET_SMTP_USER: 'carnet',
      CARNET_SMTP_PASSWORD_FILE: file('smtp', 'mail-pass\n'),
      CARNET_SMS_GATEWAY_URL: 'https://sms.example.org/send',
      CARNET_SMS_GATEWAY_TOKEN_FILE: file('sms', 'sms-token'),
    });
    expect(c.databaseUrl).toBe('postgres://carnet:s3cret@db:5432/carnet');
    expect(c.patientAccess.smtp?.password).toBe('mail-pass');
    expect(c.patientAccess.sms?.token).toBe('sms-token');
  });

  it.each([
    [{ DATABASE_URL: 'postgres://a@b/c', DATABASE_URL_FILE: '/x' }, /^DATABASE_URL_FILE: DATABASE_URL is set too/],
    [{ DATABASE_URL_FILE: '/nonexistent/db-url' }, /^DATABASE_URL_FILE: cannot read \/nonexistent\/db-url \(ENOENT\)/],
    [{ CARNET_SIGNING_KEY: '{}', CARNET_SIGNING_KEY_FILE: '/x' }, /^CARNET_SIGNING_KEY: CARNET_SIGNING_KEY_FILE is set too/],
    [{ CARNET_CODE_SECRET: 'x'.repeat(40), CARNET_CODE_SECRET_FILE: '/x' }, /^CARNET_CODE_SECRET: CARNET_CODE_SECRET_FILE is set too/],
  ])('refuse an ambiguous or unreadable setting with one line: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echo the secret of a file in an error', () => {
    expect(() => loadConfig({ DATABASE_URL_FILE: file('bad-url', 'mysql://carnet:hunter2@db/x') })).toThrow(/^DATABASE_URL: expected a postgres/);
    expect(() => loadConfig({ DATABASE_URL_FILE: file('bad-url2', 'mysql://carnet:hunter2@db/x') })).not.toThrow(/hunter2/);
  });
});

describe('the server\'s own keys', () => {
  it('take the signing key and the code secret as values, writing nothing', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const config = loadConfig({ CARNET_DATA_DIR: join(dir, 'never-made'), CARNET_SIGNING_KEY: JSON.stringify(jwk), CARNET_CODE_SECRET: Buffer.alloc(32, 7).toString('base64') });
    expect((await serverSigningKeys(config)).publicJwk).toMatchObject({ kty: 'EC', x: jwk.x, y: jwk.y });
    expect(serverCodeSecret(config)).toEqual(Buffer.alloc(32, 7));
    expect(() => rmSync(join(dir, 'never-made'))).toThrow(/ENOENT/);
  });

  it('keep them in files of their own, created once', async () => {
    const config = loadConfig({ CARNET_SIGNING_KEY_FILE: join(dir, 'k', 'signing.jwk'), CARNET_CODE_SECRET_FILE: join(dir, 'k', 'codes') });
    const first = await serverSigningKeys(config);
    expect((await serverSigningKeys(config)).publicJwk).toEqual(first.publicJwk);
    expect(serverCodeSecret(config)).toEqual(serverCodeSecret(config));
  });

  it.each([
    [{ CARNET_SIGNING_KEY: 'not json' }, 'signing', /^CARNET_SIGNING_KEY: expected a private ES256 key as a JWK/],
    [{ CARNET_CODE_SECRET: 'short' }, 'codes', /^CARNET_CODE_SECRET: the code secret must hold at least 32 bytes/],
  ])('refuse a malformed value with one line: %j', async (env, which, message) => {
    const config = loadConfig(env);
    const attempt = async () => (which === 'signing' ? serverSigningKeys(config) : serverCodeSecret(config));
    await expect(attempt()).rejects.toThrow(ConfigError);
    await expect(attempt()).rejects.toThrow(message);
  });
});
