// Building the HTTP request for a TestScript operation: method, URL, headers, body.
import type { Resource, TestScriptSetupActionOperation } from '@medplum/fhirtypes';
import { fixtureResource } from './context.js';
import type { RunContext } from './context.js';
import { mimeType, serializeResource } from './format.js';
import type { Fixture, Format, HttpExchange } from './types.js';
import { header } from './values.js';
import { substitute, substituteDeep } from './variables.js';

export const OPERATION_SYSTEMS = [
  'http://terminology.hl7.org/CodeSystem/testscript-operation-codes',
  'http://hl7.org/fhir/testscript-operation-codes',
];
/** Asbestos' MHD "provide document bundle" is a transaction POSTed to the base. */
const ASBESTOS_SYSTEM = 'https://github.com/usnistgov/asbestos/wiki/Testscript-Operation-Codes';

export type HttpRequest = HttpExchange['request'];

/** The operation code, normalised to the standard list (throws for foreign code systems). */
export function operationCode(op: TestScriptSetupActionOperation): string {
  const type = op.type;
  if (!type?.code) {
    if (op.url || op.method) return 'custom';
    throw new Error('operation has neither type nor url');
  }
  if (type.system === ASBESTOS_SYSTEM && type.code === 'mhd-pdb-transaction') return 'transaction';
  if (type.system && !OPERATION_SYSTEMS.includes(type.system)) {
    throw new Error(`unsupported operation type ${type.system}|${type.code}`);
  }
  return type.code;
}

const DEFAULT_METHOD: Record<string, string> = {
  read: 'GET', vread: 'GET', search: 'GET', history: 'GET', capabilities: 'GET', custom: 'GET',
  create: 'POST', transaction: 'POST', batch: 'POST', validate: 'POST',
  update: 'PUT', updateCreate: 'PUT', patch: 'PATCH',
  delete: 'DELETE', deleteCondSingle: 'DELETE', deleteCondMultiple: 'DELETE',
};

/** Encodes what a URL may not contain, keeping existing `%XX` escapes and URL syntax. */
export function encodeUrl(url: string): string {
  return url.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/g, (c) => encodeURIComponent(c));
}

/** Server id and version of a fixture: its resource, else the Location of its response. */
export function fixtureIdentity(fixture: Fixture | undefined): { type?: string; id?: string; version?: string } {
  if (!fixture) return {};
  const resource = fixtureResource(fixture);
  const location = header(fixture.exchange?.response?.headers, 'location') ?? header(fixture.exchange?.response?.headers, 'content-location');
  const fromLocation = location ? /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?\/?$/.exec(location) : null;
  return {
    type: resource?.resourceType ?? fromLocation?.[1],
    id: fixture.serverId ?? resource?.id ?? fromLocation?.[2],
    version: resource?.meta?.versionId ?? fromLocation?.[3],
  };
}

function withParams(prefix: string, params: string | undefined): string {
  if (!params) return prefix;
  if (params.startsWith('/') || params.startsWith('?')) return prefix + params;
  return prefix + (params.includes('=') ? '?' : '/') + params;
}

function buildUrl(ctx: RunContext, op: TestScriptSetupActionOperation, code: string, body: Resource | undefined): string {
  const base = ctx.base.replace(/\/+$/, '');
  if (op.url) {
    const url = substitute(ctx, op.url);
    return /^https?:\/\//i.test(url) ? url : `${base}/${url.replace(/^\/+/, '')}`;
  }
  const target = fixtureIdentity(op.targetId ? ctx.fixtures.get(op.targetId) : undefined);
  if (op.targetId && !ctx.fixtures.has(op.targetId)) throw new Error(`unknown targetId fixture ${op.targetId}`);
  const params = op.params === undefined ? undefined : substitute(ctx, op.params);
  const type = op.resource ?? target.type ?? (['create', 'update', 'updateCreate', 'validate'].includes(code) ? body?.resourceType : undefined);
  const prefix = type ? `${base}/${type}` : base;
  const id = target.id ?? (['update', 'updateCreate'].includes(code) ? body?.id : undefined);
  const instance = (what: string): string => {
    if (params !== undefined) return withParams(prefix, params);
    if (!id) throw new Error(`${what} needs params or a targetId with an id`);
    return `${prefix}/${id}`;
  };
  switch (code) {
    case 'capabilities':
      return withParams(`${base}/metadata`, params);
    case 'transaction':
    case 'batch':
      return withParams(base, params);
    case 'search':
      return op.method === 'post' ? `${prefix}/_search` : withParams(prefix, params);
    case 'history':
      return withParams(id && !params ? `${prefix}/${id}/_history` : params ? prefix : `${prefix}/_history`, params);
    case 'vread':
      if (params !== undefined) return withParams(prefix, params);
      if (!id || !target.version) throw new Error('vread needs params or a targetId with id and version');
      return `${prefix}/${id}/_history/${target.version}`;
    case 'read':
    case 'update':
    case 'updateCreate':
    case 'patch':
    case 'delete':
      return instance(code);
    case 'create':
    case 'deleteCondSingle':
    case 'deleteCondMultiple':
    case 'custom':
      return withParams(prefix, params);
    case 'validate':
      return withParams(`${prefix}/$validate`, params);
    default: {
      // any other code is a FHIR $operation, at instance level when a target is named
      // (params that already spell `$name` are taken as the whole path after the type)
      const name = code.replace(/^\$/, '');
      if (params?.includes(`$${name}`)) return withParams(prefix, params);
      return withParams(`${prefix}${target.id ? '/' + target.id : ''}/$${name}`, params);
    }
  }
}

/** Builds the request for `op` (without sending it). */
export function buildRequest(ctx: RunContext, op: TestScriptSetupActionOperation): HttpRequest {
  const code = operationCode(op);
  let body: Resource | undefined;
  if (op.sourceId) {
    const source = ctx.fixtures.get(op.sourceId);
    if (!source) throw new Error(`unknown sourceId fixture ${op.sourceId}`);
    body = substituteDeep(ctx, fixtureResource(source));
    if (body === undefined) throw new Error(`sourceId fixture ${op.sourceId} has no content`);
  } else if (['create', 'update', 'updateCreate', 'transaction', 'batch', 'patch'].includes(code)) {
    throw new Error(`${code} needs a sourceId fixture as body`);
  }
  const method = (op.method ?? DEFAULT_METHOD[code] ?? (body ? 'POST' : 'GET')).toUpperCase();
  let url = buildUrl(ctx, op, code, body);
  if (op.encodeRequestUrl !== false) url = encodeUrl(url);

  const headers: Record<string, string> = { accept: mimeType(op.accept ?? 'json') };
  if (ctx.authorization) headers.authorization = ctx.authorization;
  let text: string | undefined;
  if (code === 'search' && op.method === 'post') {
    text = (op.params ? substitute(ctx, op.params) : '').replace(/^\?/, '');
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    const isJsonPatch = Array.isArray(body);
    const format: Format = op.contentType === 'xml' || /xml/.test(op.contentType ?? '') ? 'xml' : 'json';
    text = isJsonPatch ? JSON.stringify(body) : serializeResource(body, format);
    headers['content-type'] = op.contentType ? mimeType(op.contentType) : isJsonPatch ? 'application/json-patch+json' : mimeType(format);
  }
  for (const h of op.requestHeader ?? []) {
    if (h.field) headers[h.field.toLowerCase()] = substitute(ctx, h.value ?? '');
  }
  return { method, url, headers, body: text, resource: Array.isArray(body) ? undefined : body };
}
