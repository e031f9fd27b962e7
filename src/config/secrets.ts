// Secrets can be given in the environment or, as container platforms mount them, in files:
// `<NAME>_FILE` names a file whose content is the value of `<NAME>` (Docker and Kubernetes
// secrets). Setting both is a mistake worth one clear line.
import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from './env.js';

/**
 * The variables read this way. The signing key and the code secret are not in this list: their
 * `_FILE` variables existed first and mean "kept in this file, created if absent"
 * (`server-keys.ts`); their plain variables carry the value itself.
 */
export const SECRET_VARIABLES = ['DATABASE_URL', 'CARNET_SMTP_PASSWORD', 'CARNET_SMS_GATEWAY_TOKEN'] as const;

/** The environment with each `<NAME>_FILE` of SECRET_VARIABLES read into `<NAME>`. */
export function withSecretFiles(env: Env): Env {
  const out: Env = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) throw new ConfigError(`${name}_FILE: ${name} is set too; give one of them`);
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new ConfigError(`${name}_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return out;
}

/** A value given either in `<name>` itself or kept in the file `<name>_FILE` (not both). */
export function valueOrFile(env: Env, name: string): { value?: string; file?: string } {
  const value = env[name]?.trim() || undefined;
  const file = env[`${name}_FILE`]?.trim() || undefined;
  if (value && file) throw new ConfigError(`${name}: ${name}_FILE is set too; give one of them`);
  return { value, file };
}
