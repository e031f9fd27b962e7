// Fastify's schema compilers, built when a schema is first used rather than at start. Fastify
// loads Ajv and fast-json-stringify (hundreds of files, 150-300 ms of CPU) when a server is
// built, and compiles every route's schemas at ready(): a start paid for validators that no
// request may ever need. Here the default compilers are loaded by the first schema used, and
// each route's validator or serializer is compiled at its first request; what they accept,
// refuse and answer is the default compilers' own.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

const require = createRequire(import.meta.url);

/** A compiled validator as Fastify calls it: a boolean with `errors`, or `{ error }` / `{ value }`. */
type Validate = ((data: unknown) => unknown) & { errors?: unknown };
interface RouteSchema {
  schema: unknown;
  httpPart?: string;
}
type ValidatorCompiler = (route: RouteSchema) => Validate;
type SerializerCompiler = (route: RouteSchema) => (data: unknown) => string;
type CompilerBuilder<C> = (externalSchemas: unknown, options: unknown) => C;

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export interface LazyCompilers {
  /** Fastify's `schemaController.compilersFactory` option */
  compilersFactory: CompilersFactory;
  /**
   * Compiles now every route schema not compiled yet, so that a schema the compilers refuse
   * shows at once (as it did at ready() before): the tests call it on the servers they build.
   */
  compileAll(): void;
}

/**
 * Header names are case-insensitive: Fastify lowercases a headers schema's names before its own
 * compiler sees it, and leaves them as written for any other compiler; these compilers stand in
 * for its own, so they do the same.
 */
function lowerCaseHeaders(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Object.getPrototypeOf(schema) !== Object.prototype) return schema;
  const s = schema as { properties?: Record<string, unknown>; required?: unknown };
  const out: Record<string, unknown> = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k.toLowerCase(), v]));
  if (Array.isArray(s.required)) out.required = s.required.map((k) => (typeof k === 'string' ? k.toLowerCase() : k));
  return out;
}

export function lazyCompilers(): LazyCompilers {
  const pending = new Set<() => unknown>();
  /** `compile` run once, at the first call of what it compiles (or at compileAll). */
  const deferred = <F>(compile: () => F): (() => F) => {
    let compiled: F | undefined;
    const get = (): F => {
      if (compiled === undefined) {
        compiled = compile();
        pending.delete(get);
      }
      return compiled;
    };
    pending.add(get);
    return get;
  };
  let validatorBuilder: CompilerBuilder<ValidatorCompiler> | undefined;
  let serializerBuilder: CompilerBuilder<SerializerCompiler> | undefined;
  const buildValidator: CompilerBuilder<ValidatorCompiler> = (externalSchemas, options) => {
    let compiler: ValidatorCompiler | undefined;
    return (route) => {
      const target = deferred(() => {
        validatorBuilder ??= (require('@fastify/ajv-compiler') as () => CompilerBuilder<ValidatorCompiler>)();
        compiler ??= validatorBuilder(externalSchemas, options);
        return compiler(route.httpPart === 'headers' ? { ...route, schema: lowerCaseHeaders(route.schema) } : route);
      });
      const validate: Validate = (data) => {
        const fn = target();
        const result = fn(data);
        // Fastify reads a refusal's errors from the function it was given, after the call.
        validate.errors = fn.errors;
        return result;
      };
      return validate;
    };
  };
  const buildSerializer: CompilerBuilder<SerializerCompiler> = (externalSchemas, options) => {
    let compiler: SerializerCompiler | undefined;
    return (route) => {
      const target = deferred(() => {
        serializerBuilder ??= (require('@fastify/fast-json-stringify-compiler') as () => CompilerBuilder<SerializerCompiler>)();
        compiler ??= serializerBuilder(externalSchemas, options);
        return compiler(route);
      });
      return (data) => target()(data);
    };
  };
  return {
    // Fastify types a validator as Ajv's own function; it only calls it and reads its `errors`.
    compilersFactory: { buildValidator, buildSerializer } as unknown as CompilersFactory,
    compileAll() {
      for (const compile of [...pending]) compile();
    },
  };
}
