// The FHIR door's CPU-heavy steps, run off the event loop on a worker thread (src/workers/pool.ts)
// with a time budget: reading an XML body, checking a resource against its profile. A request
// can then cost the server CPU time, but never the time of every other request.
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { CarnetError, CarnetErrors } from '../../domain/errors.js';
import { InputLimitError } from '../../domain/input-limits.js';
import { createTaskPool, type TaskPool } from '../../workers/pool.js';
import type { XmlLimits } from '../../xml/limits.js';
import { PROFILE } from '../validation/profiles.js';
import { withoutPayloads } from '../validation/payloads.js';
import type { ProfileCheck } from '../validation/validate.js';
import { replayingChecks } from '../mhd/provide-bundle-checks.js';
import type { ShapeCheck } from '../mhd/provide-bundle.js';
import type { ErrorData, ProvideJson, TaskResult } from './tasks.js';
import { payloadResolver } from '../mhd/provide-payloads.js';
import type { JsonLimits } from '../../json/read.js';
import { readJsonBody, type BlockBody } from '../../http/bodies.js';

/** The worker's answers to an ITI-65 Bundle's checks, as readProvideBundle replays them. */
export interface ProvideChecks {
  check: ProfileCheck;
  shapes: ShapeCheck;
}

export interface FhirWork {
  xmlToJson(xml: string, limits: XmlLimits): Promise<Resource>;
  checkProfile(resource: Resource, profile: string): Promise<void>;
  /** `$validate`'s answer for `resource` against `profile` */
  validate(resource: Resource, profile: string): Promise<OperationOutcome>;
  /** the checks an ITI-65 Bundle needs, made on the worker, for readProvideBundle's `check` and `shapes` */
  provideBundleChecks(bundle: Bundle, terminology: boolean): Promise<ProvideChecks>;
  /**
   * An ITI-65 JSON body read on the worker: the resource with its payloads marked, and what
   * readProvideBundle needs to read it (`check`, `shapes`, `payload`). The body's blocks move to the worker.
   */
  readProvideJson(body: BlockBody, limits: JsonLimits, terminology: boolean): Promise<ProvideChecks & { resource: unknown; payload?: (data: string) => Uint8Array | undefined | null }>;
  /** loads the threads now (a serving process), instead of on the first XML body */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A JSON body up to this size is parsed again on the event loop rather than sent back as a cloned
 * Bundle: for one 10 KB document, cloning the Bundle back cost the worker more than the parse
 * costs here (docs/PERFORMANCE.md). Larger bodies (megabytes of base64) stay the worker's.
 */
const KEPT_BODY_BYTES = 64 * 1024;

function errorOf(d: ErrorData): CarnetError {
  if (d.code === 'too_long' || d.code === 'too_costly') return new InputLimitError(d.code, d.message, d.reason ?? '');
  if (d.problems?.length) return new CarnetErrors(d.problems.map(errorOf));
  return new CarnetError(d.code, d.message, { location: d.location, reason: d.reason });
}

function valueOf<T>(r: TaskResult<T>): T {
  if (!r.ok) throw errorOf(r.error);
  return r.value;
}

export function createFhirWork(options: { threads: number; budgetMs: number; niceness?: number; profilesDir?: string }): FhirWork {
  const pool: TaskPool = createTaskPool({
    // compiled (dist/, a .js module): the compiled entry; from the sources: the tsx bootstrap
    filename: new URL(import.meta.url.endsWith('.js') ? './worker.js' : './worker.mjs', import.meta.url).href,
    warmInput: { profiles: Object.values(PROFILE), niceness: options.niceness ?? 0, profilesDir: options.profilesDir },
    threads: options.threads,
    budgetMs: options.budgetMs,
  });
  return {
    xmlToJson: async (xml, limits) => valueOf(await pool.run<TaskResult<Resource>>('xmlToJson', { xml, limits })),
    checkProfile: async (resource, profile) => {
      valueOf(await pool.run<TaskResult<true>>('checkProfile', { resource, profile }));
    },
    validate: async (resource, profile) => valueOf(await pool.run<TaskResult<OperationOutcome>>('validate', { resource, profile })),
    provideBundleChecks: async (bundle, terminology) => {
      // the documents' bytes are not checked (validation/payloads.ts): they do not cross threads
      const answers = valueOf(await pool.run<TaskResult<Array<[string, ErrorData[]]>>>('provideBundleChecks', { bundle: withoutPayloads(bundle), terminology }));
      return replayingChecks(new Map(answers.map(([key, problems]) => [key, problems.map(errorOf)])));
    },
    readProvideJson: async (body, limits, terminology) => {
      if (body.length <= KEPT_BODY_BYTES) {
        // the blocks are copied to the worker, not moved: this thread reads its own copy once the
        // worker has found it well-formed JSON under the limits and answered its checks
        const read = valueOf(await pool.run<TaskResult<ProvideJson>>('readProvideJson', { blocks: body.blocks, limits, terminology, answersOnly: true }));
        const resource = 'resource' in read ? read.resource : readJsonBody(Buffer.concat(body.blocks.map((b) => new Uint8Array(b))), limits);
        return { resource, ...replayingChecks(new Map(read.checks.map(([key, problems]) => [key, problems.map(errorOf)]))) };
      }
      const read = valueOf(await pool.run<TaskResult<ProvideJson>>('readProvideJson', { blocks: body.blocks, limits, terminology }, body.blocks));
      return {
        resource: read.resource,
        ...replayingChecks(new Map(read.checks.map(([key, problems]) => [key, problems.map(errorOf)]))),
        payload: payloadResolver(read.payloads),
      };
    },
    warm: () => pool.warm(),
    close: () => pool.close(),
  };
}
