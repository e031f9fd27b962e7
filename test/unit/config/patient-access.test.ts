import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config/config.js';

describe('patient access configuration', () => {
  it('defaults: no SMTP and no SMS gateway (outbox only), jobs every minute, sessions of 30 minutes', () => {
    const c = loadConfig({}).patientAccess;
    expect(c).toMatchObject({ smtp: undefined, sms: undefined, jobsIntervalSeconds: 60, scryptLog2N: 15, sessionTtlSeconds: 1800 });
  });

  it('reads SMTP settings, with the implicit-TLS port by default when secure', () => {
    const c = loadConfig({ CARNET_SMTP_HOST: 'smtp.example.org', CARNET_SMTP_FROM: 'DMP <no-reply@example.org>', CARNET_SMTP_SECURE: 'true', CARNET_SMTP_USER: 'u', CARNET_SMTP_PASSWORD: 'p' }).patientAccess;
    expect(c.smtp).toMatchObject({ host: 'smtp.example.org', port: 465, secure: true, requireTls: false, user: 'u', password: 'p' });
    expect(loadConfig({ CARNET_SMTP_HOST: 'h', CARNET_SMTP_FROM: 'a@b.org' }).patientAccess.smtp?.port).toBe(587);
  });

  it('refuses incomplete or wrong settings with the variable named', () => {
    expect(() => loadConfig({ CARNET_SMTP_HOST: 'h' })).toThrow(/CARNET_SMTP_FROM/);
    expect(() => loadConfig({ CARNET_SMTP_HOST: 'h', CARNET_SMTP_FROM: 'nobody' })).toThrow(/CARNET_SMTP_FROM/);
    expect(() => loadConfig({ CARNET_SMTP_PORT: '25' })).toThrow(/CARNET_SMTP_HOST/);
    expect(() => loadConfig({ CARNET_SMTP_HOST: 'h', CARNET_SMTP_FROM: 'a@b.org', CARNET_SMTP_PASSWORD: 'p' })).toThrow(/CARNET_SMTP_USER/);
    expect(() => loadConfig({ CARNET_SMS_GATEWAY_URL: 'ftp://x' })).toThrow(/CARNET_SMS_GATEWAY_URL/);
    expect(() => loadConfig({ CARNET_SMS_GATEWAY_TOKEN: 't' })).toThrow(/CARNET_SMS_GATEWAY_URL/);
    expect(() => loadConfig({ CARNET_JOBS_INTERVAL_SECONDS: '-1' })).toThrow(/CARNET_JOBS_INTERVAL_SECONDS/);
    expect(() => loadConfig({ CARNET_PASSWORD_SCRYPT_COST: '10' })).toThrow(/CARNET_PASSWORD_SCRYPT_COST/);
  });
});
