// An XML request body as the doors' content parsers read it. Apart from bodies.ts, which the FHIR
// worker threads load too: this needs Fastify, which a worker thread has no use for (loading it
// there cost every thread ~100 ms and its memory).
import type { Readable } from 'node:stream';
import { errorCodes, type FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { ScannedXml } from '../xml/index.js';
import { readXmlStream } from './bodies.js';

/**
 * An XML request body read as it arrives (readXmlStream), within the smaller of the route's body
 * limit and the XML part's; a refused body is still read (and dropped) up to the route's limit,
 * so that its client reads the answer. The shared parser keeps the text; a door that parses the
 * text itself may register this in its own context to keep what the scan found too.
 */
export function readXmlRequestBody(req: FastifyRequest, payload: Readable, config: Config): Promise<ScannedXml> {
  const routeLimit = req.routeOptions.bodyLimit ?? config.bodyLimit;
  const maxBytes = Math.min(routeLimit, config.limits.xml.maxBytes);
  return readXmlStream(payload, config.limits.xml, maxBytes, () => new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), routeLimit);
}
