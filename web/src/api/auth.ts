// The /auth door as the page uses it: the two-step login, the password change, the contact
// settings. Shapes as docs/PATIENT-ACCESS.md describes them.
import { requestJson } from './http';

export interface Challenge {
  challengeId: string;
  channel: 'email' | 'sms';
  sentTo: string;
  expiresIn: number;
}

export interface Verified {
  access_token: string;
  expires_in: number;
  password_change_required: boolean;
  /** the terms of use changed since this holder accepted them: only their acceptance is open */
  terms_acceptance_required?: boolean;
  terms_version?: string;
  patient: string;
  holder: Holder;
  /** MIN-01/02: every record this login opens, this one included */
  records?: Array<{ patient: string; holder: Holder }>;
}

export type Holder = { role: 'patient' } | { role: 'legal_representative'; representativeId: string };

export interface ContactSettings {
  login: string;
  email: string | null;
  phone: string | null;
  codeChannel: 'email' | 'sms';
  alertEmail: string | null;
  /** the address is set but told nothing any more (whoever chose it no longer holds the record) */
  alertSilent?: boolean;
  passwordTemporary: boolean;
}

export const startLogin = (login: string, password: string) => requestJson<Challenge>('/auth/login', { json: { login, password } });

export const verifyCode = (challengeId: string, code: string) => requestJson<Verified>('/auth/verify', { json: { challengeId, code } });

export const changePassword = (token: string, newPassword: string, currentPassword?: string) =>
  requestJson<void>('/auth/password', { token, json: currentPassword === undefined ? { newPassword } : { newPassword, currentPassword } });

/** The terms of use accepted: the server answers an ordinary session in place of the restricted one. */
export const acceptTerms = (token: string, version: string) =>
  requestJson<{ access_token: string; expires_in: number }>('/auth/terms', { token, json: { version } });

/** Ends the session on the server: its token, and any copy of it, is refused from then on. */
export const endSession = (token: string) => requestJson<void>('/auth/logout', { token, json: {} });

/** MIN-01/02: the session's login opens another record it reaches (a representative of several minors). */
export const switchRecord = (token: string, patient: string) => requestJson<Verified>('/auth/switch', { token, json: { patient } });

export const getContact = (token: string) => requestJson<ContactSettings>('/auth/contact', { token });

export const putContact = (token: string, changes: Partial<Pick<ContactSettings, 'email' | 'phone' | 'codeChannel' | 'alertEmail'>>) =>
  requestJson<ContactSettings>('/auth/contact', { method: 'PUT', token, json: changes });

/** AUTH-04: what a person without a session asks of the support service. */
export interface SupportRequest {
  kind: 'credentials' | 'account';
  role: 'patient' | 'legal_representative';
  family: string;
  given?: string;
  birthDate?: string;
  email?: string;
  phone?: string;
  loginHint?: string;
  message?: string;
}

export const sendSupportRequest = (r: SupportRequest) => requestJson<{ requestId: string; status: string }>('/auth/support/requests', { json: r });

export interface MaintenanceWindow {
  function: string;
  startsAt: string;
  endsAt: string;
  message: string;
}

export const getMaintenance = () => requestJson<{ windows: MaintenanceWindow[] }>('/maintenance');
