// Small typed readers for environment variables. Each names the variable in its error, so a
// wrong setting stops the server with one line saying what to fix.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(`${name}: expected an integer from ${min} to ${max}, got "${v}"`);
  }
  return Number(v);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** A byte size: `1048576`, `512kb`, `20mb`. */
export function readSize(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  const m = /^(\d+)\s*([a-z]*)$/i.exec(v);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(bytes) || bytes < min || bytes > max) {
    throw new ConfigError(`${name}: expected a size from ${min} to ${max} bytes (e.g. 20mb), got "${v}"`);
  }
  return bytes;
}

export function readEnum<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(`${name}: expected one of ${allowed.join(', ')}, got "${v}"`);
  }
  return v as T;
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(`${name}: expected true or false, got "${v}"`);
}

export function readString(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function readUrl(env: Env, name: string, protocols: readonly string[], fallback?: string): string | undefined {
  const v = raw(env, name) ?? fallback;
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`${name}: expected a URL, got "${redactUrl(v)}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name}: expected a ${protocols.join(' or ')} URL, got "${redactUrl(v)}"`);
  }
  return v;
}

/** Never echo a password from a connection string into a log or an error. */
export function redactUrl(v: string): string {
  return v.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export function readOid(env: Env, name: string, fallback: string): string {
  const v = raw(env, name) ?? fallback;
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(v)) throw new ConfigError(`${name}: expected an OID such as 1.2.250.1.999.1, got "${v}"`);
  return v;
}
