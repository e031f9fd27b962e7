// The HTTP server shared by every door: request ids, one log line per request, body parsers,
// body limits, and answers for unknown routes, wrong methods and unexpected errors that never
// show a stack trace.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config, InputLimits } from '../config/config.js';
import { CarnetError, isCarnetError, retryAfterSeconds } from '../domain/errors.js';
import { addRouteWords, loggableUrl, redactionReaches } from './logging.js';
import { errorOutcome, outcomeForError } from '../fhir/outcome.js';
import { noteError, type RequestFacts } from './request-facts.js';
import { RouteIndex } from './route-index.js';
import { percentDecodes, readJsonBody, XML_BODY_TYPES } from './bodies.js';
import { givenRequestId } from './request-id.js';
import { readXmlRequestBody } from './xml-request-body.js';
import { checkXmlSize } from '../xml/index.js';
import { httpServerOptions, limitConnections, refusedConnection } from './connection-limits.js';
import { lazyCompilers } from './lazy-compilers.js';
import { earlierAnswerSent } from './pipelining.js';
import { answerClientError } from './raw-answers.js';
import { ContentEncodingError, refusedContentEncoding } from './content-encoding.js';

declare module 'fastify' {
  interface FastifyInstance {
    routeIndex: RouteIndex;
    /** the configured input limits, for the doors that parse bodies themselves (FHIR XML) */
    inputLimits: InputLimits;
    /** compiles now the route schemas a start leaves to their first request (lazy-compilers.ts) */
    compileSchemas(): void;
  }
  interface FastifyRequest {
    /** who called and how it was refused, for the request's log line (request-facts.ts) */
    facts: RequestFacts;
  }
}

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json-patch+json'];
const BINARY_TYPES = ['multipart/related', 'application/octet-stream'];

/**
 * What Fastify refuses before any route or hook (FST_ERR_BAD_URL: a path whose percent-encoding
 * is no UTF-8, `%c0%ae`, `%ff`, `%zz`), answered as every other refusal of the server: an
 * OperationOutcome, never Fastify's own shape naming its error code.
 */
function answerFrameworkError(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const badUrl = error.code === 'FST_ERR_BAD_URL';
  // the request's log line (onResponse) says why: no hook ran before this
  req.facts = { error: { error: badUrl ? 'bad_url' : 'internal' } };
  if (!badUrl) req.log.error({ err: error }, 'unexpected error before routing');
  reply
    .code(badUrl ? 400 : 500)
    .header('x-request-id', req.id)
    .type('application/fhir+json')
    .send(
      badUrl
        ? errorOutcome('invalid', 'the request URL is not valid: its percent-encoding does not decode to UTF-8')
        : errorOutcome('exception', `internal error; quote request id ${req.id} to the operator`),
    );
}

/** Whether the URL's query, if any, decodes to UTF-8 (every `%` followed by the hex of a valid sequence). */
function queryDecodes(url: string): boolean {
  const q = url.indexOf('?');
  return q < 0 || percentDecodes(url.slice(q + 1));
}

/** The request id's name in every line of a request's log (req.log's binding, and the request line's first field). */
const REQUEST_ID_LABEL = 'requestId';

export function buildHttpServer(config: Config, logger: Logger): FastifyInstance {
  const compilers = lazyCompilers();
  const app = Fastify({
    schemaController: { compilersFactory: compilers.compilersFactory },
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // Fastify's own two lines per request are replaced by the single line of onResponse below.
    // The same name as the x-request-id header of every answer and the trace's request id.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: REQUEST_ID_LABEL }),
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    http: httpServerOptions(config.connections, config.requestTimeoutMs),
    // A connection on which nothing moved for the request's time is closed (connection-limits.ts:
    // a client that stops reading its answers); Node sets none by default.
    connectionTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.connections.keepAliveTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: (req) => {
      return givenRequestId(req.headers['x-request-id']) ?? randomUUID();
    },
    // Fastify's refusals before routing, which it answers in its own shape with its own code
    frameworkErrors: answerFrameworkError,
    // and Node's, before there is a request at all (raw-answers.ts)
    clientErrorHandler: answerClientError,
  });
  limitConnections(app.server, config.connections);
  app.decorate('routeIndex', new RouteIndex());
  app.decorate('inputLimits', config.limits);
  app.decorate('compileSchemas', compilers.compileAll);
  app.addHook('onRoute', (route) => {
    // HEAD routes are added by Fastify for GET ones; they follow their GET.
    app.routeIndex.add(route.method, route.url);
    // the words of its path that a request's log line may write (http/logging.ts)
    addRouteWords(route.url);
  });

  app.decorateRequest('facts', null as unknown as RequestFacts);
  app.addHook('onRequest', (req, reply, done) => {
    // A connection past the per-client bound was answered 503 already: its request is not served.
    if (refusedConnection(req.raw.socket)) {
      reply.hijack();
      req.raw.socket.destroy();
      return;
    }
    // A pipelined request is handled once the answer before it has left (pipelining.ts).
    const waiting = earlierAnswerSent(req.raw.socket, reply.raw);
    if (!waiting) {
      beginRequest(req, reply, done);
      return;
    }
    void waiting.then(() => {
      // The connection closed meanwhile: nobody is left to answer.
      if (req.raw.socket.destroyed) reply.hijack();
      else beginRequest(req, reply, done);
    });
  });
  function beginRequest(req: FastifyRequest, reply: FastifyReply, done: (e?: Error) => void): void {
    reply.header('x-request-id', req.id);
    req.facts = {};
    // A query string whose percent-encoding is no UTF-8 (`%ff`, `%c0%ae`, `%zz`) is refused as its
    // path would be (answerFrameworkError): the query parser read it as U+FFFD, so that a search
    // ran for a value nobody sent.
    if (!queryDecodes(req.url)) {
      done(new CarnetError('invalid_metadata', 'the request URL is not valid: the percent-encoding of its query does not decode to UTF-8', { reason: 'bad_url' }));
      return;
    }
    // A compressed body is refused before it is read (content-encoding.ts).
    const encoded = refusedContentEncoding(req.headers);
    if (encoded) {
      done(encoded);
      return;
    }
    // An XML body announcing more bytes than the XML part may hold is refused before it is read
    // (MTOM is multipart: its documents do not count, its envelope is checked once split).
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const length = Number(req.headers['content-length']);
    try {
      if (XML_BODY_TYPES.has(type) && length > config.limits.xml.maxBytes) checkXmlSize(length, config.limits.xml);
    } catch (e) {
      done(e as Error);
      return;
    }
    done();
  }
  // DMP-06: a refusal that passes by itself says when to come back, on every door: the XDS door
  // answers it inside a RegistryResponse (XDSRegistryNotAvailable), not as an HTTP error.
  // Every answer says what it is (FHIR JSON or XML, SOAP, a document's own type): a browser must
  // not read one as something else, an OperationOutcome that echoes a value as HTML say. Added
  // last, where an answer did not set it itself (a document's bytes, the web page).
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.facts?.retryAfter && !reply.hasHeader('retry-after')) reply.header('retry-after', String(req.facts.retryAfter));
    if (!reply.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  // One line per request: who, what, how it ended and why (never a value of the request).
  // Written without the redaction pass when nothing in it is a name the pass blanks
  // (redactionReaches: then the pass has nothing to take), by the redacting req.log otherwise.
  // `requestId` first: the same bytes as req.log's line.
  const requestLines = logger.child({}, { redact: [] });
  app.addHook('onResponse', async (req, reply) => {
    const line = {
      [REQUEST_ID_LABEL]: req.id,
      method: req.method,
      url: loggableUrl(req.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      remote: req.ip,
      ...(req.facts?.actor ? { actor: req.facts.actor } : {}),
      // `error` and `reason` at the top: a field named `code` is blanked as a one-time code would be.
      ...(req.facts?.error ?? {}),
    };
    if (redactionReaches(line)) {
      const { [REQUEST_ID_LABEL]: _bound, ...fields } = line;
      req.log.info(fields, 'request');
    } else requestLines.info(line, 'request');
    // These three fields only, not the error (`err`) with its stack and whatever else it holds;
    // no field named `code`, which the log blanks as on the line above.
    if (req.facts?.unexpected !== undefined) req.log.error({ err: req.facts.unexpected }, 'unexpected error (answered: internal error)');
    if (req.facts?.databaseCause) {
      req.log.warn({ cause: req.facts.databaseCause }, 'answered 503 database_changed: a statement kept prepared no longer fits its tables (another process changed them)');
    }
  });

  // JSON (plain, FHIR, JSON Patch) is read under the JSON limits; XML is checked for size and
  // encoding and left as text for its door, which parses it under the XML limits; binary bodies
  // (MTOM, SOAP, documents) stay raw. Every limit is met while reading, before any tree is built.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, readJsonBody(body as Buffer, config.limits.json));
    } catch (e) {
      done(e as FastifyError, undefined);
    }
  });
  // XML (FHIR XML, plain SOAP) is decoded as it arrives, within the smaller of the route's body
  // limit and the XML part's (bodies.ts): a large envelope never costs one long decoding task.
  app.addContentTypeParser([...XML_BODY_TYPES], async (req: FastifyRequest, payload: Readable) => (await readXmlRequestBody(req, payload, config)).text);
  app.addContentTypeParser(BINARY_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setNotFoundHandler((req, reply) => {
    // A browser navigation to one of the web page's own paths (web-page.ts).
    if (app.pageFallback?.(req, reply)) return;
    const path = req.url.split('?')[0];
    // ACC-08: like every answer of the doors, kept by no cache (a 404 is stored by default)
    reply.header('cache-control', 'no-store');
    const allowed = app.routeIndex.allowed(path);
    if (allowed.length) {
      reply
        .code(405)
        .header('allow', allowed.join(', '))
        .type('application/fhir+json')
        .send(errorOutcome('not-supported', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`));
      return;
    }
    reply.code(404).type('application/fhir+json').send(errorOutcome('not-found', `no route for ${req.method} ${path}`));
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    noteError(req.facts, error, { code: status === 500 ? 'internal' : `http_${status}` });
    if (isCarnetError(error)) {
      const { status, outcome } = outcomeForError(error);
      const retry = retryAfterSeconds(error);
      if (retry) reply.header('retry-after', String(retry));
      reply.code(status).type('application/fhir+json').send(outcome);
      return;
    }
    if (status === 500) {
      req.log.error({ err: error }, 'unexpected error');
      reply
        .code(500)
        .type('application/fhir+json')
        .send(errorOutcome('exception', `internal error; quote request id ${req.id} to the operator`));
      return;
    }
    const code = status === 413 ? 'too-costly' : status === 415 ? 'not-supported' : 'invalid';
    const message =
      status === 413
        ? 'the request body is larger than this server accepts'
        : status === 415
          ? error instanceof ContentEncodingError
            ? error.message
            : `unsupported content type ${req.headers['content-type'] ?? ''}`.trim()
          : error.message;
    reply.code(status).type('application/fhir+json').send(errorOutcome(code, message));
  });

  return app;
}
