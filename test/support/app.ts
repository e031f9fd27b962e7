// A real server on an ephemeral port for end-to-end tests, on a test database.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createApp, type App } from '../../src/app.js';
import type { CarnetClaims } from '../../src/auth/claims.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import type { Actor } from '../../src/domain/actor.js';
import type { Clock } from '../../src/services/deps.js';
import type { Db } from '../../src/store/db.js';
import { tapAnswers, type Answer } from './answer-tap.js';
import { PublishedCheck } from './published-check.js';
import { schemaErrors } from './schema-check.js';
import { xsdErrors } from './xsd-check.js';

export interface RunningApp {
  app: App;
  baseUrl: string;
  /** a bearer token for this actor, signed by the server's own (development) key */
  tokenFor(actor: Actor, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export function claimsOf(actor: Actor): CarnetClaims {
  switch (actor.kind) {
    case 'professional':
      return {
        sub: actor.idNatPs,
        subject_type: 'professional',
        profession: actor.profession,
        specialty: actor.specialty,
        structure_id: actor.structureId,
        activity_sector: actor.activitySector,
        purpose_of_use: actor.mode,
        on_patient_request: actor.onPatientRequest,
        given_name: actor.given,
        family_name: actor.family,
        ...(actor.boundPatient ? { person_id: `${actor.boundPatient.value}^^^&${actor.boundPatient.system}&ISO` } : {}),
      };
    case 'patient':
      return { sub: actor.accountId ?? actor.patientKey, subject_type: 'patient', patient_key: actor.patientKey, account_id: actor.accountId };
    case 'legal_representative':
      return { sub: actor.representativeId, subject_type: 'legal_representative', patient_key: actor.patientKey, representative_id: actor.representativeId, account_id: actor.accountId };
    case 'support':
      return { sub: actor.agentId, subject_type: 'support' };
    case 'insurer':
      return { sub: actor.insurerId, subject_type: 'insurer', ...(actor.boundPatient ? { person_id: `${actor.boundPatient.value}^^^&${actor.boundPatient.system}&ISO` } : {}) };
    case 'system':
      throw new Error('the system has no token');
  }
}

/** The answer checks of this suite's servers, judged once its tests are over. */
const checks: PublishedCheck[] = [];
// Under Jest only (bench/ starts servers too): a hook of the test file's top level, so it fails
// the suite, and one that runs while every server is still open or closing (a throw here does
// not skip the file's own cleanup).
const afterAllTests = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
afterAllTests?.(() => {
  const wrong = checks.flatMap((c) => c.found());
  checks.length = 0;
  if (wrong.length) throw new Error(`issue 12: answers the server should not have sent:\n${wrong.join('\n')}`);
});

/**
 * Every JSON or XML answer of the server is checked against what it publishes (issue 12 item 7):
 * own extensions and code systems published, codes with their system; every FHIR JSON answer
 * against the official R4 JSON Schema and every FHIR XML answer against the official R4 XML
 * Schema.
 */
function checkAnswers(app: App, config: Config): void {
  if (!afterAllTests) return;
  const published = new PublishedCheck(config.profilesDir);
  checks.push(published);
  tapAnswers(app.http.server, (a) => {
    const where = `${a.method} ${a.url.split('?')[0]} ${a.status}`;
    for (const fault of faultsOf(a, config.profilesDir)) published.note(`${where}: ${fault}`);
  });
}

/**
 * What the checks find in one answer, by its content: the same bytes, with the same status and
 * type, are judged once per test file. Many answers repeat (a conformance resource, a document
 * read by one actor after another), and some are large: the R4 JSON Schema on the ~750 KB list
 * of StructureDefinitions took a fifth of a second each time.
 */
const judged = new Map<string, string[]>();
/** the place a fault is found, written before it once the answer's place is known */
const HERE = '\u0000';

function faultsOf(a: Answer, profilesDir: string): string[] {
  const key = createHash('sha256').update(`${profilesDir}\n${a.status}\n${a.contentType}\n`).update(a.body).digest('base64');
  let faults = judged.get(key);
  if (faults) return faults;
  let json: unknown;
  if (/json/i.test(a.contentType)) {
    try {
      json = JSON.parse(a.body);
    } catch {
      json = undefined;
    }
  }
  const one = new PublishedCheck(profilesDir);
  one.inspect(HERE, a.body, json, a.status);
  faults = one.found().map((f) => f.slice(`${HERE}: `.length));
  if (isResource(json)) for (const e of schemaErrors(json)) faults.push(`R4 JSON Schema: ${e}`);
  if (FHIR_XML.test(a.contentType)) for (const e of xsdErrors(a.body)) faults.push(`R4 XML Schema: ${e}`);
  judged.set(key, faults);
  return faults;
}

const FHIR_XML = /^application\/fhir\+xml\b/i;
const isResource = (v: unknown): boolean => !!v && typeof v === 'object' && typeof (v as { resourceType?: unknown }).resourceType === 'string';

/**
 * A test server shares its process, and its event loop, with the test's own client and (PGlite)
 * database: on a loaded machine the loop can stall for seconds. A kept-alive socket the client
 * reuses just as the server's 10 s idle limit ends is then reset under it (`fetch failed`,
 * ECONNRESET), and a head parsed late is cut as slow. The suites that test those limits set their
 * own (test/hostile/connections.test.ts); the others are not about them.
 */
const PATIENT_CONNECTIONS = { CARNET_HEADERS_TIMEOUT_MS: '600000', CARNET_KEEP_ALIVE_TIMEOUT_MS: '600000' };

export async function startTestApp(db: Db, env: Record<string, string> = {}, options: { clock?: Clock; logger?: Logger } = {}): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-e2e-'));
  const config: Config = {
    ...loadConfig({ CARNET_LOG_LEVEL: 'silent', CARNET_DATA_DIR: dataDir, CARNET_DEV_MODE: 'true', ...PATIENT_CONNECTIONS, ...env }),
    host: '127.0.0.1',
    port: 0,
  };
  let created: App | undefined;
  try {
    created = await createApp(config, { db, logger: options.logger ?? pino({ level: env.CARNET_LOG_LEVEL ?? 'silent' }), clock: options.clock });
    // A start leaves route schemas to their first request: a schema the compilers refuse fails
    // the suite here, as it failed the start before.
    created.http.compileSchemas();
  } catch (e) {
    await created?.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const app = created;
  checkAnswers(app, config);
  let address: string;
  try {
    address = await app.http.listen({ host: '127.0.0.1', port: 0 });
  } catch (e) {
    await app.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  app.config.publicUrl = address;
  return {
    app,
    baseUrl: address,
    tokenFor: (actor, ttl = 3600) => app.verifier.sign(claimsOf(actor), ttl),
    async close() {
      try {
        const closing = app.close();
        // A response a test left unread (a large body, say) keeps its connection busy, and a
        // graceful close would wait for it: the test is over, so every connection is cut.
        app.http.server.closeAllConnections();
        await closing;
      } finally {
        // The server's keys were made there for this test only.
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
