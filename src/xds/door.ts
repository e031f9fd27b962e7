// The XDS.b door: POST /xds/repository (ITI-41, ITI-43) and POST /xds/registry (ITI-18, ITI-42,
// ITI-57). It reads SOAP (plain or MTOM), identifies the caller by the VIHF, hands the request
// to the services and writes the answer back. It decides nothing. Requests it cannot read or
// callers it cannot identify get a SOAP Fault; refusals and business errors a RegistryResponse.
import { Readable } from 'node:stream';
import { XML_BODY_TYPES } from '../http/bodies.js';
import { readXmlRequestBody } from '../http/xml-request-body.js';
import { isScannedXml } from '../xml/index.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { documentResponseHeaders } from '../http/content-headers.js';
import type { Clock } from '../services/deps.js';
import type { Services } from '../services/index.js';
import { identify, vihfVerifierConfig } from './door/identity.js';
import { handleQuery, queryFailure } from './door/query.js';
import { sendStreamedQuery } from './door/query-stream.js';
import { EntryXmlCache } from './door/entry-xml-cache.js';
import { handleRetrieve } from './door/retrieve.js';
import { handleSubmission } from './door/submit.js';
import { handleUpdate } from './door/update.js';
import { buildMtomMessage, readSoapPayload } from './mtom.js';
import { readMultipartRequestBody } from './mtom-read.js';
import { isReceivedMultipart } from './mtom-split.js';
import { streamMtomMessage, type StreamedAttachment } from './mtom-stream.js';
import { isCarnetError, isDatabaseOutage } from '../domain/errors.js';
import { isInputLimitError } from '../domain/input-limits.js';
import { effectiveAction, limitFault, readSoapHead, responseAction, scanEnvelope, transactionForAction, type XdsTransaction } from './soap.js';
import { buildSoapEnvelope, faultFor } from './soap-write.js';
import { XdsWireError } from './wire-error.js';
import { noteActor, noteError } from '../http/request-facts.js';
import { ContentEncodingError } from '../http/content-encoding.js';

export interface XdsDoorDeps {
  config: Config;
  services: Services;
  clock?: Clock;
  logger?: Logger;
}

const ENDPOINTS: Record<string, readonly XdsTransaction[]> = {
  '/xds/repository': ['ITI-41', 'ITI-43'],
  '/xds/registry': ['ITI-18', 'ITI-42', 'ITI-57'],
};

const SOAP_TYPE = 'application/soap+xml; charset=UTF-8';
const SOAP11_TYPE = 'text/xml; charset=UTF-8';

function sendFault(reply: FastifyReply, error: unknown, relatesTo?: string): FastifyReply {
  noteError(reply.request.facts, error, { code: error instanceof XdsWireError ? 'soap_fault' : 'internal', ...(error instanceof XdsWireError && error.subcode ? { reason: error.subcode } : {}) });
  const status = error instanceof XdsWireError ? error.httpStatus : 500;
  // a SOAP 1.1 sender reads its VersionMismatch in SOAP 1.1 (SOAP 1.2 Part 1 §5.4.7, Appendix A)
  const type = error instanceof XdsWireError && error.soap11 ? SOAP11_TYPE : SOAP_TYPE;
  return reply.code(status).type(type).send(faultFor(error, relatesTo));
}

/** Writes an answer without documents as MTOM (the envelope as its one part) or as a plain SOAP 1.2 message. */
function sendFramed(reply: FastifyReply, envelopeXml: string, mtom: boolean, action: string): FastifyReply {
  if (!mtom) return reply.type(SOAP_TYPE).send(envelopeXml);
  const message = buildMtomMessage(envelopeXml, [], action);
  return reply.header('content-type', message.contentType).header('content-length', message.length).send(Readable.from(message.chunks));
}

/**
 * Writes an ITI-43 answer as MTOM: the envelope as root part, then each document as it is read
 * from the store, slice after slice. Every document's access was decided and traced (committed)
 * before the envelope was written. A store that fails mid-way cuts the connection (Fastify
 * destroys it when a body stream fails after the headers): the client gets fewer bytes than the
 * Content-Length, never an answer that looks whole.
 */
function sendDocuments(reply: FastifyReply, envelopeXml: string, attachments: StreamedAttachment[], action: string): FastifyReply {
  const message = streamMtomMessage(envelopeXml, attachments, action);
  return reply.header('content-type', message.contentType).header('content-length', message.length).send(message.body);
}

export async function registerXdsDoor(app: FastifyInstance, deps: XdsDoorDeps): Promise<void> {
  const verifier = vihfVerifierConfig(deps.config, deps.logger);
  const now = () => (deps.clock ?? { now: () => new Date() }).now();
  const { services, config } = deps;
  const framing = { maxEnvelopeBytes: config.limits.xml.maxBytes, maxParts: config.limits.mtomMaxParts };
  // one per server: the rows it caches are those of its own database
  const entryXml = new EntryXmlCache(config.entryCacheBytes);

  await app.register(async (xds) => {
    // Plain SOAP keeps what the scan found while the body arrived (the root's children), so that
    // the envelope is not scanned a second time before its Header is cut out of it.
    xds.removeContentTypeParser([...XML_BODY_TYPES]);
    xds.addContentTypeParser([...XML_BODY_TYPES], (req: FastifyRequest, payload: Readable) => readXmlRequestBody(req, payload, config));
    // MTOM is split while it arrives (mtom-read.ts), not collected whole then searched
    xds.removeContentTypeParser('multipart/related');
    xds.addContentTypeParser('multipart/related', (req: FastifyRequest, payload: Readable) =>
      readMultipartRequestBody(req, payload, { bodyBytes: req.routeOptions.bodyLimit ?? config.documentBodyLimit, maxParts: framing.maxParts, envelopeBytes: framing.maxEnvelopeBytes }),
    );
    xds.setErrorHandler((error: FastifyError, req, reply) => {
      if (error.statusCode === 413) {
        return sendFault(reply, new XdsWireError(`the request body is larger than ${config.documentBodyLimit} bytes (CARNET_DOCUMENT_BODY_LIMIT)`, { status: 413 }));
      }
      // what the MTOM reader refuses while the body arrives (an envelope past its limit)
      if (error instanceof XdsWireError) return sendFault(reply, error);
      // The shared body readers (text/xml, application/xml) refuse with the record's errors.
      if (isInputLimitError(error)) return sendFault(reply, limitFault(error));
      if (isCarnetError(error) && error.code === 'invalid_metadata') return sendFault(reply, new XdsWireError(error.message));
      if (error instanceof ContentEncodingError) return sendFault(reply, new XdsWireError(error.message, { status: 415 }));
      if (error.statusCode === 415 || error.statusCode === 400) {
        return sendFault(reply, new XdsWireError(error.statusCode === 415 ? 'unsupported content type' : 'the request cannot be read'));
      }
      req.log.error({ err: error }, 'unexpected error in the XDS door');
      return sendFault(reply, error);
    });

    for (const [path, served] of Object.entries(ENDPOINTS)) {
      xds.post(path, { bodyLimit: config.documentBodyLimit }, async (req: FastifyRequest, reply: FastifyReply) => {
        let relatesTo: string | undefined;
        try {
          // MTOM arrives as bytes split while they came (mtom-read.ts); plain SOAP as text, decoded and scanned while it was read (bodies.ts)
          const raw = Buffer.isBuffer(req.body) || isReceivedMultipart(req.body) || isScannedXml(req.body) ? req.body : '';
          if (isReceivedMultipart(raw) && raw.refused) throw raw.refused;
          const payload = readSoapPayload(raw, req.headers['content-type'], framing);
          // Only the Header is read before the caller is known; the Body once identify() passed.
          // An MTOM root part arrived whole: scanned in slices, the event loop served between them.
          const scanned = payload.scanned ?? (await scanEnvelope(payload.envelope, config.limits.xml));
          const soap = readSoapHead(scanned, config.limits.xml, config.limits.soapMaxHeaderElements);
          relatesTo = soap.header.messageId;
          const action = effectiveAction(soap.header, payload.action);
          const tx = transactionForAction(action);
          if (!tx || !served.includes(tx)) {
            throw new XdsWireError(`action ${action} is not served at ${path} (served: ${served.join(', ')})`, { subcode: 'wsa:ActionNotSupported' });
          }
          const caller = await identify(soap.security, {
            services,
            verifier,
            requestId: req.id,
            facts: req.facts,
            transaction: tx,
            clientAddress: req.ip,
            clockNow: now,
            onLogError: (err) => req.log.error({ err }, 'the security log could not be written'),
          });
          noteActor(req.facts, caller.actor);
          // Parsed in slices: a Body of thousands of elements never holds the event loop whole. An
          // ITI-43 asks for at most CARNET_RETRIEVE_MAX_DOCUMENTS documents, a few hundred
          // elements: parsed whole, as slicing costs a large Body a third more CPU in all.
          // ITI-18's reader walks the Body with dom.ts's helpers alone: the plain reader's tree will do.
          const body = tx === 'ITI-43' ? soap.readBody() : await soap.readBodyInSlices(tx === 'ITI-18');
          const answer = (bodyXml: string) => buildSoapEnvelope({ action: responseAction(action), relatesTo, bodyXml });
          // ITI TF-2x V.3.6: the answer is framed as the request was, MTOM or plain SOAP.
          const send = (bodyXml: string) => sendFramed(reply, answer(bodyXml), payload.mtom, responseAction(action));
          switch (tx) {
            case 'ITI-41':
            case 'ITI-42':
              return send(await handleSubmission(tx, body, payload, caller, services, req.facts));
            case 'ITI-18': {
              const answer = await handleQuery(body, caller, services, req.facts, config.limits.searchMaxValues);
              if (typeof answer === 'string') return send(answer);
              // awaited: a failure before the answer's head (an outage: queryFailure passes it on)
              // is this handler's to answer
              return await sendStreamedQuery(reply, answer, {
                action: responseAction(action),
                relatesTo,
                mtom: payload.mtom,
                cache: entryXml,
                failed: (e) => send(queryFailure(e, req.facts)),
                onCut: (err) => req.log.error({ err }, 'an ITI-18 answer failed after its head was sent: the connection is cut'),
              });
            }
            case 'ITI-57':
              return send(await handleUpdate(body, caller, services, req.facts));
            case 'ITI-43': {
              const result = await handleRetrieve(body, caller, services, config.repositoryUniqueId, payload.mtom, req.facts, {
                maxDocuments: config.limits.retrieveMaxDocuments,
                maxInlineBytes: config.documentBodyLimit,
              });
              // The documents are in a package a browser would only download (content-headers.ts).
              const headers = documentResponseHeaders({ mimeType: payload.mtom ? 'multipart/related' : SOAP_TYPE, baseName: 'retrieve-document-set' });
              if (!payload.mtom) return sendFramed(reply.headers(headers), answer(result.bodyXml), false, responseAction(action));
              return sendDocuments(reply.headers(headers), answer(result.bodyXml), result.attachments, responseAction(action));
            }
            default:
              throw new XdsWireError(`action ${action} is not served here`, { subcode: 'wsa:ActionNotSupported' });
          }
        } catch (e) {
          // A database outage passes by itself (door/errors.ts passDatabaseOutage): 503, with the
          // Retry-After of its noted facts, never an unexpected error.
          if (isDatabaseOutage(e)) {
            noteError(req.facts, e);
            return sendFault(reply, new XdsWireError(e.message, { faultCode: 'Receiver', status: 503 }), relatesTo);
          }
          if (!(e instanceof XdsWireError)) req.log.error({ err: e }, 'unexpected error in the XDS door');
          return sendFault(reply, e, relatesTo);
        }
      });
    }
  });
}
