// The /auth door: patient and legal-representative accounts, the two-step login, the forced
// change of a temporary password, contact settings, and the support flow for lost credentials.
// JSON in, JSON out; errors are {error, message} with their HTTP status. No answer and no log
// line carries a password, a code or a token (AUTH-06); every answer is `no-store`.
//
//   POST /auth/login                          {login, password} -> {challengeId, channel, sentTo, expiresIn}
//   POST /auth/verify                         {challengeId, code} -> {access_token, token_type, expires_in, password_change_required,
//                                                                        patient, holder: {role, representativeId?}, records: [{patient, holder}]}
//   POST /auth/switch            (session)    {patient} -> the same as /verify, for another record the login reaches
//   POST /auth/logout            (session)    -> 204: the session ends (its token is refused from then on)
//   POST /auth/password          (session)    {newPassword[, currentPassword]} -> 204
//   POST /auth/terms             (session)    {version} -> {access_token, token_type, expires_in}: the terms of use accepted
//   GET  /auth/contact           (session)    -> {login, email, phone, codeChannel, alertEmail, passwordTemporary}
//   PUT  /auth/contact           (session)    {email?, phone?, codeChannel?, alertEmail?} -> same as GET
//   POST /auth/accounts          (support)    {patientKey, role, representativeId?, email?, phone?, codeChannel?} -> 201 credentials
//                                             {patientKey, representativeId, login} -> 201 {accountId, login}: joined to that login
//   POST /auth/support/requests              {family, given?, birthDate?, identifier?, email?|phone?, loginHint?, role?, message?} -> 202
//   GET  /auth/support/requests  (support)    ?status=open|handled|rejected&kind=credentials|account|intervention -> {requests}
//   GET  /auth/copy-requests     (session)    -> {requests: the record's copy requests and their state}
//   GET  /auth/support/copy-requests (support) ?status=open|in_progress|handled|rejected -> {requests}
//   POST /auth/support/copy-requests/:patientKey/:requestId (support) {status: in_progress|handled|rejected, note?}
//   POST /auth/support/requests/:id/handle (support) {decision: issue|reject, patientKey?, role?, representativeId?, ...} -> credentials
//   POST /auth/support/creation-codes (support) {identifier, family, given, birthDate, gender?, emancipated?, delivery: email|post,
//                                               email?, requestId?} -> 201 {codeId, delivery, expiresAt, sentTo? | letter?}
//   POST /auth/records                         {identifier, family, given, birthDate, code, email?, phone?}
//                                               -> 201 {patient, login, temporaryPassword, passwordChangeRequired} (DMP-02)
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import { CarnetError, isCarnetError, retryAfterSeconds, type ErrorCode } from '../domain/errors.js';
import type { Caller } from '../services/deps.js';
import type { Services } from '../services/index.js';
import type { RequestOrigin } from '../services/login.js';
import type { OpenedSession } from '../services/login-records.js';
import type { BearerVerifier } from './bearer.js';
import { verifyRequestBearer } from './request-bearer.js';
import { generationOf } from '../services/sessions.js';
import type { CarnetClaims } from './claims.js';
import { noteActor, noteError } from '../http/request-facts.js';
import { ContentEncodingError } from '../http/content-encoding.js';

export interface AuthRouteDeps {
  services: Services;
  verifier: BearerVerifier;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_metadata: 400,
  unauthenticated: 401,
  forbidden: 403,
  record_closed: 403,
  not_found: 404,
  unknown_patient: 404,
  conflict: 409,
  business_rule: 422,
  rate_limited: 429,
  unavailable: 503,
  too_long: 413,
  too_costly: 413,
};

type Body = Record<string, unknown>;

function bodyOf(req: FastifyRequest): Body {
  const b = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new CarnetError('invalid_metadata', 'the body must be a JSON object', { reason: 'invalid_request' });
  return b as Body;
}

function originOf(req: FastifyRequest): RequestOrigin {
  return { address: req.ip, requestId: req.id, channel: 'auth' };
}

/** A support request as /auth answers it: camelCase, as everything else it answers. */
function supportRequestView(r: Awaited<ReturnType<Services['support']['list']>>[number]) {
  return {
    requestId: r.request_id,
    status: r.status,
    kind: r.kind,
    createdAt: r.created_at.toISOString(),
    channel: r.channel,
    loginHint: r.login_hint,
    details: r.details,
    patientKey: r.patient_key,
    handledBy: r.handled_by,
    handledAt: r.handled_at ? r.handled_at.toISOString() : null,
  };
}

/** A copy request as /auth answers it (PAT-07). */
function copyRequestView(r: Awaited<ReturnType<Services['copyRequests']['list']>>[number]) {
  return {
    requestId: r.request_id,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    delivery: r.delivery,
    address: r.address,
    parts: r.parts,
    reason: r.reason,
    handledBy: r.handled_by,
    handledAt: r.handled_at ? r.handled_at.toISOString() : null,
    note: r.handling_note,
  };
}

export async function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const { services, verifier } = deps;

  /** A session as /auth/verify and /auth/switch answer it. */
  async function sessionAnswer(s: OpenedSession) {
    return {
      access_token: await verifier.sign(s.claims, s.ttlSeconds),
      token_type: 'Bearer',
      expires_in: s.ttlSeconds,
      // the terms of use changed since this holder accepted them (POST /auth/terms)
      terms_acceptance_required: s.termsVersion !== undefined,
      ...(s.termsVersion !== undefined ? { terms_version: s.termsVersion } : {}),
      // The session's context, as SMART's token response gives it: the record it opens
      // (Patient id) and who holds the session, so that a client needs no other call.
      patient: s.claims.patient_key,
      holder: s.claims.subject_type === 'legal_representative' ? { role: 'legal_representative', representativeId: s.claims.representative_id } : { role: 'patient' },
      // every record this login opens, this one included (POST /auth/switch opens another)
      records: s.records.map((r) => ({ patient: r.patient, holder: r.holder })),
    };
  }

  /** The bearer session; a temporary-password session only where `allowTemporary` says so. */
  async function session(req: FastifyRequest, allowTemporary = false): Promise<{ caller: Caller; claims: CarnetClaims & JWTPayload }> {
    const { actor, claims } = await verifyRequestBearer(req, verifier, services, 'auth');
    noteActor(req.facts, actor);
    if (claims.pwd_temporary === true && !allowTemporary) {
      throw new CarnetError('forbidden', 'the temporary password must be replaced first (POST /auth/password)', { reason: 'password_change_required' });
    }
    if (claims.terms_pending !== undefined && !allowTemporary) {
      throw new CarnetError('forbidden', 'the terms of use changed: accept them first (POST /auth/terms)', { reason: 'terms_acceptance_required' });
    }
    return { caller: { actor, channel: 'auth', requestId: req.id }, claims };
  }

  /** Ends the session these claims describe, until its own expiry (logout; a session that gave way to another). */
  async function endOwnSession(claims: JWTPayload): Promise<void> {
    if (typeof claims.jti === 'string' && typeof claims.exp === 'number') await services.sessions.end(claims.jti, claims.exp);
  }

  await app.register(
    async (auth) => {
      auth.addHook('onSend', async (_req, reply) => {
        reply.header('cache-control', 'no-store');
      });
      auth.addHook('onClose', async () => {
        await services.outbox.close();
      });

      auth.setErrorHandler((error: FastifyError, req, reply: FastifyReply) => {
        noteError(req.facts, error, { code: error.statusCode && error.statusCode < 500 ? `http_${error.statusCode}` : 'internal' });
        if (isCarnetError(error)) {
          const status = STATUS[error.code] ?? 400;
          if (status === 401) reply.header('www-authenticate', 'Bearer realm="carnet"');
          const retry = retryAfterSeconds(error);
          if (retry) reply.header('retry-after', String(retry));
          let code = error.reason ?? error.code;
          const seconds = error.code === 'rate_limited' ? /^retry_after:(\d+)$/.exec(error.reason ?? '')?.[1] : undefined;
          if (seconds) {
            reply.header('retry-after', seconds);
            code = 'rate_limited';
          }
          return reply.code(status).send({ error: code, message: error.message });
        }
        const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
        if (status === 500) {
          req.log.error({ err: error }, 'unexpected error');
          return reply.code(500).send({ error: 'internal_error', message: `internal error; quote request id ${req.id} to the operator` });
        }
        // Parser messages may quote the body (a password): they are not echoed.
        const message =
          status === 413
            ? 'the request body is too large'
            : error instanceof ContentEncodingError
              ? error.message
              : status === 415
                ? 'the body must be application/json'
                : 'the request is not valid JSON';
        return reply.code(status).send({ error: 'invalid_request', message });
      });

      auth.post('/login', async (req) => services.login.start(bodyOf(req) as { login: unknown; password: unknown }, originOf(req)));

      auth.post('/verify', async (req) => {
        const s = await services.login.verify(bodyOf(req) as { challengeId: unknown; code: unknown }, originOf(req));
        return { ...(await sessionAnswer(s)), password_change_required: s.passwordChangeRequired };
      });

      // MIN-01/02: the session's login opens another record it reaches (a representative of
      // several minors): an ordinary session of the account held there.
      auth.post('/switch', async (req) => {
        const { caller } = await session(req);
        return { ...(await sessionAnswer(await services.loginRecords.open(caller, bodyOf(req).patient))), password_change_required: false };
      });

      auth.post('/password', async (req, reply) => {
        const { caller, claims } = await session(req, true);
        const b = bodyOf(req);
        await services.accounts.changePassword(caller, {
          newPassword: b.newPassword,
          currentPassword: b.currentPassword,
          temporarySession: claims.pwd_temporary === true,
          // this session stays open; the login's others end (AUTH-03/04)
          sessionId: claims.jti,
        });
        return reply.code(204).send();
      });

      // The terms of use changed: the session accepts the current version and gets an ordinary one.
      auth.post('/terms', async (req) => {
        const { caller, claims } = await session(req, true);
        if (claims.pwd_temporary === true) {
          throw new CarnetError('forbidden', 'the temporary password must be replaced first (POST /auth/password)', { reason: 'password_change_required' });
        }
        const { ttlSeconds: ttl, sessionGeneration } = await services.accounts.acceptTerms(caller, bodyOf(req).version, {
          generation: generationOf(claims),
          sessionId: claims.jti,
        });
        const { terms_pending: _accepted, exp: _exp, iat: _iat, nbf: _nbf, jti: _jti, ...rest } = claims;
        const accessToken = await verifier.sign({ ...(rest as CarnetClaims), session_gen: sessionGeneration }, ttl);
        // The terms-pending session gives way to the new one: a copy of it could otherwise accept
        // the terms again after the holder logged out of the new one, and open a session anew.
        await endOwnSession(claims);
        return { access_token: accessToken, token_type: 'Bearer', expires_in: ttl };
      });

      // The holder logs out: the session ends here, not only in the browser that forgets it (a
      // copy of the token, kept by anyone, is refused from now on). Any session may end itself,
      // a temporary or terms-pending one included.
      auth.post('/logout', async (req, reply) => {
        const { claims } = await session(req, true);
        await endOwnSession(claims);
        return reply.code(204).send();
      });

      auth.get('/contact', async (req) => services.accounts.getContact((await session(req)).caller));

      auth.put('/contact', async (req) => {
        const { caller } = await session(req);
        const b = bodyOf(req);
        const pick = (k: string) => (k in b ? (b[k] as string | null) : undefined);
        const channel = pick('codeChannel');
        return services.accounts.updateContact(caller, {
          email: pick('email'),
          phone: pick('phone'),
          codeChannel: channel === null ? undefined : (channel as 'email' | 'sms' | undefined),
          alertEmail: pick('alertEmail'),
        });
      });

      auth.post('/accounts', async (req, reply) => {
        const { caller } = await session(req);
        const b = bodyOf(req);
        // MIN-02: a representative's account on another child's record, reached with the login they hold
        if (b.login !== undefined) {
          return reply.code(201).send(await services.loginRecords.join(caller, { patientKey: b.patientKey, representativeId: b.representativeId, login: b.login }));
        }
        const issued = await services.accounts.create(caller, {
          patientKey: b.patientKey as string,
          role: b.role as 'patient' | 'legal_representative',
          representativeId: b.representativeId as string | undefined,
          email: b.email as string | undefined,
          phone: b.phone as string | undefined,
          codeChannel: b.codeChannel as 'email' | 'sms' | undefined,
        });
        return reply.code(201).send(issued);
      });

      auth.post('/support/requests', async (req, reply) => reply.code(202).send(await services.support.request(bodyOf(req), originOf(req))));

      auth.get('/support/requests', async (req) => {
        const { caller } = await session(req);
        const q = req.query as { status?: string; count?: string; kind?: string };
        const status = q.status === 'handled' || q.status === 'rejected' ? q.status : 'open';
        return { requests: (await services.support.list(caller, status, Number(q.count ?? 100) || 100, q.kind)).map(supportRequestView) };
      });

      // PAT-07: the patient side follows its copy requests; the support desk lists and handles them.
      auth.get('/copy-requests', async (req) => {
        const { caller } = await session(req);
        const a = caller.actor;
        if (a.kind !== 'patient' && a.kind !== 'legal_representative') throw new CarnetError('forbidden', 'a patient or representative session follows its record\'s requests', { reason: 'unsupported_actor' });
        return { requests: (await services.copyRequests.list(caller, a.patientKey)).map(copyRequestView) };
      });

      auth.get('/support/copy-requests', async (req) => {
        const { caller } = await session(req);
        const q = req.query as { status?: string; count?: string };
        const rows = await services.copyRequests.listForSupport(caller, q.status ?? 'open', Number(q.count ?? 100) || 100);
        return { requests: rows.map((r) => ({ patientKey: r.patient_key, ...copyRequestView(r) })) };
      });

      auth.post('/support/copy-requests/:patientKey/:requestId', async (req) => {
        const { caller } = await session(req);
        const p = req.params as { patientKey: string; requestId: string };
        const b = bodyOf(req);
        return copyRequestView(await services.copyRequests.handle(caller, p.patientKey, p.requestId, { status: b.status, note: b.note }));
      });

      // DMP-02: the support service issues a creation code; the patient creates the DMP with it.
      auth.post('/support/creation-codes', async (req, reply) => {
        const { caller } = await session(req);
        return reply.code(201).send(await services.selfCreation.issue(caller, bodyOf(req)));
      });

      auth.post('/records', async (req, reply) => reply.code(201).send(await services.selfCreation.create(bodyOf(req), originOf(req))));

      auth.post('/support/requests/:id/handle', async (req) => {
        const { caller } = await session(req);
        const b = bodyOf(req);
        return services.support.handle(caller, (req.params as { id: string }).id, {
          decision: b.decision as 'issue' | 'reject',
          patientKey: b.patientKey as string | undefined,
          role: b.role as 'patient' | 'legal_representative' | undefined,
          representativeId: b.representativeId as string | undefined,
          email: b.email as string | undefined,
          phone: b.phone as string | undefined,
          codeChannel: b.codeChannel as 'email' | 'sms' | undefined,
        });
      });
    },
    { prefix: '/auth' },
  );
}
