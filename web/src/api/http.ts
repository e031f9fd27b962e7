// Every call of the page to the server: the FHIR door and /auth, with the session's bearer
// token. Answers that are not 2xx become an ApiError that says what the server said (its error
// code and reason), never the raw body: the page turns it into a sentence (errors.ts).

export type ErrorKind = 'network' | 'http';

export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly status: number,
    /** the server's error code: /auth `error`, or the FHIR door's https://carnet.example/fhir/CodeSystem/carnet-error-code */
    readonly code?: string,
    /** the rule's reason (https://carnet.example/fhir/CodeSystem/carnet-reason), when the server gives one */
    readonly reason?: string,
    /** seconds, from Retry-After */
    readonly retryAfter?: number,
  ) {
    super(`${kind} ${status} ${code ?? ''} ${reason ?? ''}`.trim());
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: string;
  token?: string;
  /** a JSON body (sent as FHIR JSON under /fhir, as JSON under /auth) */
  json?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

/** Called when the server says the session's token is not (or no longer) valid. */
let onUnauthorised: ((token: string) => void) | null = null;
export function setUnauthorisedHandler(handler: ((token: string) => void) | null): void {
  onUnauthorised = handler;
}

/** Called when the server says the session may do nothing before the terms of use are accepted. */
let onTermsRequired: ((token: string) => void) | null = null;
export function setTermsRequiredHandler(handler: ((token: string) => void) | null): void {
  onTermsRequired = handler;
}

export const TERMS_REQUIRED = 'terms_acceptance_required';
const INVALID_CREDENTIALS = 'invalid_credentials';

const ERROR_SYSTEM = 'https://carnet.example/fhir/CodeSystem/carnet-error-code';
const REASON_SYSTEM = 'https://carnet.example/fhir/CodeSystem/carnet-reason';

interface OutcomeLike {
  resourceType?: string;
  issue?: Array<{ code?: string; details?: { coding?: Array<{ system?: string; code?: string }> } }>;
  error?: string;
}

async function errorOf(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  let body: OutcomeLike | undefined;
  try {
    if (/json/.test(res.headers.get('content-type') ?? '')) body = (await res.json()) as OutcomeLike;
  } catch {
    body = undefined;
  }
  if (body?.resourceType === 'OperationOutcome') {
    const codings = body.issue?.flatMap((i) => i.details?.coding ?? []) ?? [];
    const code = codings.find((c) => c.system === ERROR_SYSTEM)?.code ?? body.issue?.[0]?.code;
    const reason = codings.find((c) => c.system === REASON_SYSTEM)?.code;
    return new ApiError('http', res.status, code, reason, retryAfter);
  }
  return new ApiError('http', res.status, typeof body?.error === 'string' ? body.error : undefined, undefined, retryAfter);
}

export async function request(path: string, o: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  headers.accept = o.accept ?? (path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json');
  let body: BodyInit | undefined;
  if (o.json !== undefined) {
    headers['content-type'] = o.contentType ?? (path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json');
    body = JSON.stringify(o.json);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: o.method ?? (body ? 'POST' : 'GET'), headers, body, signal: o.signal, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('network', 0);
  }
  if (res.ok) return res;
  const err = await errorOf(res);
  // An expired or refused session token: the session is over (the page returns to the login).
  // A wrong current password (a password change) is a 401 too, but of a session the server
  // accepted: the session goes on, and the page keeps its token.
  if (res.status === 401 && o.token && onUnauthorised && err.code !== INVALID_CREDENTIALS) onUnauthorised(o.token);
  // The terms of use changed (the FHIR door says it as a reason, /auth as its error code).
  if (res.status === 403 && o.token && onTermsRequired && (err.reason === TERMS_REQUIRED || err.code === TERMS_REQUIRED)) onTermsRequired(o.token);
  throw err;
}

export async function requestJson<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const res = await request(path, o);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
