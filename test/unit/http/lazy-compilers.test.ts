// The schema compilers built on first use (src/http/lazy-compilers.ts) validate and serialize as
// Fastify's own do: the same requests get the same answers from a server with the default
// compilers and from one with the lazy ones. And a schema is compiled at its route's first
// request (or when compileAll is called), not when the server starts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { lazyCompilers, type LazyCompilers } from '../../../src/http/lazy-compilers.js';

const bodySchema = {
  type: 'object',
  required: ['name', 'count'],
  properties: { name: { type: 'string', minLength: 2 }, count: { type: 'integer', minimum: 1 }, tag: { type: 'string', default: 'none' } },
};
const querySchema = { type: 'object', properties: { page: { type: 'integer' }, ids: { type: 'array', items: { type: 'string' } } } };
// Header names as a person writes them: Fastify lowercases them for its own compiler.
const headersSchema = { type: 'object', required: ['X-Carnet-Test'], properties: { 'X-Carnet-Test': { type: 'string', enum: ['yes'] } } };
const responseSchema = { 200: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' }, tag: { type: 'string' }, page: { type: 'integer' } } } };

function build(compilersFactory?: LazyCompilers['compilersFactory']): FastifyInstance {
  const app = Fastify({ schemaController: compilersFactory ? { compilersFactory } : undefined });
  app.post('/things', { schema: { body: bodySchema, querystring: querySchema, headers: headersSchema, response: responseSchema } }, async (req) => {
    const body = req.body as Record<string, unknown>;
    const query = req.query as Record<string, unknown>;
    // `secret` is not in the response schema: the serializer leaves it out.
    return { ...body, page: query.page, secret: 'never sent' };
  });
  return app;
}

const requests = [
  { url: '/things?page=3', headers: { 'x-carnet-test': 'yes' }, payload: { name: 'ab', count: 2 } },
  { url: '/things?page=3&ids=a&ids=b', headers: { 'X-Carnet-Test': 'yes' }, payload: { name: 'ab', count: '2', tag: 't' } },
  { url: '/things?page=three', headers: { 'x-carnet-test': 'yes' }, payload: { name: 'ab', count: 2 } },
  { url: '/things', headers: { 'x-carnet-test': 'no' }, payload: { name: 'ab', count: 2 } },
  { url: '/things', headers: {}, payload: { name: 'ab', count: 2 } },
  { url: '/things', headers: { 'x-carnet-test': 'yes' }, payload: { name: 'a', count: 0 } },
  { url: '/things', headers: { 'x-carnet-test': 'yes' }, payload: { count: 1.5 } },
  { url: '/things', headers: { 'x-carnet-test': 'yes' }, payload: [] },
];

describe('route schemas compiled on first use', () => {
  let usual: FastifyInstance;
  let lazy: FastifyInstance;
  beforeAll(async () => {
    usual = build();
    lazy = build(lazyCompilers().compilersFactory);
    await Promise.all([usual.ready(), lazy.ready()]);
  });
  afterAll(async () => {
    await Promise.all([usual.close(), lazy.close()]);
  });

  it.each(requests.map((r, i) => [i, r] as const))('request %i is answered as by the default compilers', async (_i, request) => {
    const [a, b] = await Promise.all([usual.inject({ method: 'POST', ...request }), lazy.inject({ method: 'POST', ...request })]);
    expect(b.statusCode).toBe(a.statusCode);
    expect(b.json()).toEqual(a.json());
  });

  it('the requests above include acceptances and refusals of body, query and headers', async () => {
    const statuses = await Promise.all(requests.map(async (r) => (await usual.inject({ method: 'POST', ...r })).statusCode));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(5);
    const accepted = (await usual.inject({ method: 'POST', ...requests[0]! })).json();
    expect(accepted).toEqual({ name: 'ab', count: 2, tag: 'none', page: 3 });
  });

  it('a schema the compiler refuses does not stop the start; compileAll reports it, as ready() does with the default compilers', async () => {
    const broken = { body: { type: 'object', properties: { n: { type: 'not-a-type' } } } };
    const usualBroken = Fastify();
    usualBroken.post('/x', { schema: broken }, async () => ({}));
    await expect(usualBroken.ready()).rejects.toThrow(/not-a-type|schema/i);
    await usualBroken.close();

    const compilers = lazyCompilers();
    const lazyBroken = Fastify({ schemaController: { compilersFactory: compilers.compilersFactory } });
    lazyBroken.post('/x', { schema: broken }, async () => ({}));
    await lazyBroken.ready();
    expect(() => compilers.compileAll()).toThrow(/not-a-type|schema/i);
    await lazyBroken.close();
  });

  it('compileAll leaves nothing to compile at the first request', async () => {
    const compilers = lazyCompilers();
    const app = Fastify({ schemaController: { compilersFactory: compilers.compilersFactory } });
    app.post('/things', { schema: { body: bodySchema } }, async (req) => req.body as object);
    await app.ready();
    compilers.compileAll();
    const r = await app.inject({ method: 'POST', url: '/things', payload: { name: 'ab', count: 1 } });
    expect(r.json()).toEqual({ name: 'ab', count: 1, tag: 'none' });
    // nothing pending: a second call compiles nothing and throws nothing
    expect(() => compilers.compileAll()).not.toThrow();
    await app.close();
  });
});
