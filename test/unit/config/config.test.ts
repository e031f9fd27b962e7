import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config/config.js';
import { ConfigError } from '../../../src/config/env.js';

describe('configuration from the environment', () => {
  it('has working defaults: port 8080, embedded store under ./data', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('./data');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:8080');
  });

  it('reads sizes with units', () => {
    expect(loadConfig({ CARNET_DOCUMENT_BODY_LIMIT: '20mb' }).documentBodyLimit).toBe(20 * 1024 * 1024);
    expect(loadConfig({ CARNET_BODY_LIMIT: '512kb' }).bodyLimit).toBe(512 * 1024);
  });

  it.each([
    [{ CARNET_PORT: 'eighty' }, /^CARNET_PORT: expected an integer/],
    [{ CARNET_PORT: '70000' }, /^CARNET_PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: expected a postgres: or postgresql: URL/],
    [{ CARNET_LOG_LEVEL: 'loud' }, /^CARNET_LOG_LEVEL: expected one of/],
    [{ CARNET_BODY_LIMIT: 'huge' }, /^CARNET_BODY_LIMIT: expected a size/],
    [{ CARNET_DEV_MODE: 'maybe' }, /^CARNET_DEV_MODE: expected true or false/],
    [{ CARNET_DEFAULT_PAGE_SIZE: '500', CARNET_MAX_PAGE_SIZE: '100' }, /^CARNET_DEFAULT_PAGE_SIZE: /],
  ])('reports a wrong value naming the variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a password of DATABASE_URL in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://carnet:s3cret@db/x' })).toThrow(/carnet:\*\*\*@/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://carnet:s3cret@db/x' });
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cret');
    }
  });
});
