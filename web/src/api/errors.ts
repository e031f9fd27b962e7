// Every error the server returns, as a sentence a patient understands (never JSON): the
// server's code and reason pick the sentence of the catalogue; the context (what was being
// done) picks a better one where the same code means different things.
import type { TFunction } from 'i18next';
import { ApiError } from './http';

export type ErrorContext = 'login' | 'code' | 'password' | 'terms' | 'contact' | 'document' | 'deposit' | 'consent' | 'download' | 'record' | 'general';

export function errorKey(e: unknown, context: ErrorContext = 'general'): { key: string; values?: Record<string, unknown> } {
  if (!(e instanceof ApiError)) return { key: 'errors.unexpected' };
  if (e.kind === 'network') return { key: 'errors.network' };
  const { status, code, reason } = e;
  if (status === 429) return { key: 'errors.tooManyAttempts', values: { minutes: Math.max(1, Math.ceil((e.retryAfter ?? 60) / 60)) } };
  if (status === 503 || code === 'unavailable' || code === 'maintenance') return { key: 'errors.maintenance' };
  if (context === 'login' && status === 401) return { key: 'errors.invalidCredentials' };
  if (context === 'login' && reason === 'representative_access_ended') return { key: 'errors.representativeEnded' };
  if (context === 'login' && code === 'no_contact') return { key: 'errors.noContact' };
  if (context === 'code' && status === 401) return { key: 'errors.invalidCode' };
  if (context === 'password' && code === 'password_policy') return { key: 'errors.passwordPolicy' };
  if (context === 'password' && status === 401) return { key: 'errors.currentPasswordWrong' };
  if (code === 'terms_version_mismatch' || code === 'no_terms') return { key: 'errors.termsChanged' };
  if (code === 'terms_acceptance_required' || reason === 'terms_acceptance_required') return { key: 'errors.termsRequired' };
  if (code === 'temporary_password_replaced') return { key: 'errors.temporaryReplaced' };
  if (code === 'password_change_required' || reason === 'password_change_required') return { key: 'errors.passwordChangeRequired' };
  if (status === 401) return { key: 'errors.sessionExpired' };
  if (code === 'invalid_contact' || (context === 'contact' && status === 400)) return { key: 'errors.invalidContact' };
  if (code === 'contact_required') return { key: 'errors.contactRequired' };
  if (code === 'record_closed' || reason === 'record_closed') return { key: 'errors.recordClosed' };
  if (reason === 'doctor_presence_required') return { key: 'errors.doctorPresence' };
  if (reason === 'representative_access_ended') return { key: 'errors.representativeEnded' };
  if (status === 404) return { key: context === 'document' ? 'errors.documentNotFound' : 'errors.notFound' };
  if (status === 403) return { key: 'errors.forbidden' };
  if (status === 413) return { key: 'errors.tooLarge' };
  if (context === 'deposit' && (status === 400 || status === 422)) return { key: 'errors.depositRefused' };
  if (context === 'consent' && status === 422) return { key: 'errors.consentRefused' };
  if (status === 409) return { key: 'errors.conflict' };
  if (status === 400 || status === 422) return { key: 'errors.invalid' };
  return { key: 'errors.server' };
}

export function errorText(t: TFunction, e: unknown, context?: ErrorContext): string {
  const { key, values } = errorKey(e, context);
  return t(key, values);
}
