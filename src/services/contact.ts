// Checking and normalising the contact details used for codes and alerts (AUTH-05, PAT-03).
import { CarnetError } from '../domain/errors.js';

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]{2,}$/;

/** An e-mail address as stored: trimmed, domain lower-cased. */
export function normaliseEmail(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value.trim())) {
    throw new CarnetError('invalid_metadata', `${field}: not an e-mail address`, { location: field, reason: 'invalid_contact' });
  }
  const v = value.trim();
  const at = v.lastIndexOf('@');
  return `${v.slice(0, at)}@${v.slice(at + 1).toLowerCase()}`;
}

/** A phone number in international form (+33612345678); a French national number gets +33. */
export function normalisePhone(value: unknown, field: string): string {
  const bad = () => new CarnetError('invalid_metadata', `${field}: not a phone number`, { location: field, reason: 'invalid_contact' });
  if (typeof value !== 'string') throw bad();
  const v = value.replace(/[\s.()-]/g, '');
  if (/^0[1-9]\d{8}$/.test(v)) return `+33${v.slice(1)}`;
  if (/^\+[1-9]\d{7,14}$/.test(v)) return v;
  if (/^00[1-9]\d{7,14}$/.test(v)) return `+${v.slice(2)}`;
  throw bad();
}

/** A masked form for answers ("j***@example.org", "+33******78"): tells where, not what. */
export function maskContact(channel: 'email' | 'sms', value: string): string {
  if (channel === 'sms') return `${value.slice(0, 3)}${'*'.repeat(Math.max(0, value.length - 5))}${value.slice(-2)}`;
  const at = value.lastIndexOf('@');
  return `${value.slice(0, 1)}***${value.slice(at)}`;
}
