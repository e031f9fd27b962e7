// The fields of the JSON bodies that /auth takes without a session (support requests, online
// self-creation): checked here once, with the same sentences everywhere.
import { CarnetError } from '../domain/errors.js';
import type { PatientIdentifier } from '../domain/model.js';

/** A trimmed text of at most `max` characters; absent (or empty) is undefined unless required. */
export function text(v: unknown, field: string, max: number, required = false): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw new CarnetError('invalid_metadata', `${field} is required`, { location: field, reason: 'invalid_request' });
    return undefined;
  }
  if (typeof v !== 'string' || v.length > max) throw new CarnetError('invalid_metadata', `${field}: expected a text of at most ${max} characters`, { location: field, reason: 'invalid_request' });
  return v.trim();
}

/** A patient identifier {system, value}, as the store keeps it (system: the assigning authority's OID). */
export function identifierOf(v: unknown, field = 'identifier', required = false): PatientIdentifier | undefined {
  if (v === undefined || v === null) {
    if (required) throw new CarnetError('invalid_metadata', `${field} is required: {system, value}`, { location: field, reason: 'invalid_request' });
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new CarnetError('invalid_metadata', `${field}: expected {system, value}`, { location: field, reason: 'invalid_request' });
  const o = v as { system?: unknown; value?: unknown };
  const system = text(o.system, `${field}.system`, 100, true)!;
  const value = text(o.value, `${field}.value`, 100, true)!;
  return { system, value };
}

/** A YYYY-MM-DD date that exists. */
export function civilDate(v: unknown, field: string, required = false): string | undefined {
  const d = text(v, field, 10, required);
  if (d === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}$/.test(d) ? Date.parse(`${d}T00:00:00Z`) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== d) {
    throw new CarnetError('invalid_metadata', `${field}: expected a date YYYY-MM-DD`, { location: field, reason: 'invalid_request' });
  }
  return d;
}
