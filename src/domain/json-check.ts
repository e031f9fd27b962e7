// Small guards for policy files: they arrive as `unknown` from JSON.parse, and a bad entry must
// stop the server at start with a message that names the file and the entry, never later.

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyError(`${where}: expected an object`);
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new PolicyError(`${where}: expected an array`);
  return value;
}

export function asString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PolicyError(`${where}: expected a non-empty string`);
  }
  return value;
}

export function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : asString(value, where);
}

export function optionalBoolean(value: unknown, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new PolicyError(`${where}: expected true or false`);
  return value;
}

export function asStringArray(value: unknown, where: string): string[] {
  return asArray(value, where).map((v, i) => asString(v, `${where}[${i}]`));
}
