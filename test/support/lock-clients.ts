// Real clients for the lock's matrix: FHIR over HTTP with a bearer token, XDS.b over SOAP with a
// signed VIHF, each credential made once per actor and record; and the answers an unknown id
// gets, which a hidden one must match.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll } from '@jest/globals';
import type { Bundle, DocumentReference, Resource } from '@medplum/fhirtypes';
import type { Actor, ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { NS } from '../../src/xml/index.js';
import type { Clock } from '../../src/services/deps.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from './app.js';
import { describeEachStore, openTestDb, type StoreKind } from './stores.js';
import { seedDirectory } from './world.js';
import { adhocQuery, postSoap, queryObjects, responseStatus, vihfFor, XDS_ACTIONS, type XdsAnswer } from './xds-client.js';

export interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  /** the body as JSON when it is FHIR JSON */
  json?: Resource;
}

export class LockClients {
  private readonly tokens = new Map<string, Promise<string>>();
  private readonly assertions = new Map<string, string>();
  /**
   * Node's own HTTP client, its connections kept alive: the matrix makes some two thousand FHIR
   * requests, and `fetch` (undici, its streams and Blobs) cost several times its CPU for the same
   * request and the same bytes back (2,000 requests of 2 KB to a local server, the server
   * included: 0.66 s with fetch, 0.20 s with this).
   */
  private readonly agent = new Agent({ keepAlive: true });

  constructor(
    private readonly server: RunningApp,
    readonly repositoryUniqueId: string,
  ) {}

  private token(actor: Actor): Promise<string> {
    const key = JSON.stringify(actor);
    if (!this.tokens.has(key)) this.tokens.set(key, this.server.tokenFor(actor));
    return this.tokens.get(key)!;
  }

  /** One FHIR request (a path under /fhir or a full URL of this server). */
  async fhir(actor: Actor, path: string, init: { method?: string; body?: unknown; accept?: string; contentType?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token(actor)}`, accept: init.accept ?? 'application/fhir+json' };
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/fhir+json';
    const url = path.startsWith('http') ? path : `${this.server.baseUrl}/fhir/${path}`;
    const sent = init.body === undefined ? undefined : Buffer.from(JSON.stringify(init.body), 'utf8');
    if (sent) headers['content-length'] = String(sent.length);
    const { status, contentType, body } = await new Promise<Omit<Answer, 'json'>>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(sent);
    });
    const json = contentType.includes('json') && body.length ? (JSON.parse(body.toString('utf8')) as Resource) : undefined;
    return { status, contentType, body, json };
  }

  /** Closes the connections kept for the FHIR requests. */
  close(): void {
    this.agent.destroy();
  }

  /** Every DocumentReference of a search, following its `next` links; the totals each page gave. */
  async searchAll(actor: Actor, first: string): Promise<{ status: number; ids: string[]; totals: number[]; resources: DocumentReference[] }> {
    const resources: DocumentReference[] = [];
    const totals: number[] = [];
    let next: string | undefined = first;
    let status = 200;
    for (let pages = 0; next && pages < 50; pages++) {
      const a = await this.fhir(actor, next);
      status = a.status;
      if (a.status !== 200) break;
      const bundle = a.json as Bundle;
      totals.push(bundle.total ?? -1);
      resources.push(...(bundle.entry ?? []).map((e) => e.resource).filter((r): r is DocumentReference => r?.resourceType === 'DocumentReference'));
      next = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    return { status, ids: resources.map((r) => r.id!), totals, resources };
  }

  private assertion(actor: ProfessionalActor, patient: PatientIdentifier): string {
    const key = `${JSON.stringify(actor)}|${patient.value}`;
    if (!this.assertions.has(key)) this.assertions.set(key, vihfFor(actor, { patientId: patient }));
    return this.assertions.get(key)!;
  }

  /** ITI-18 with an assertion naming the record's patient. */
  query(actor: ProfessionalActor, patient: PatientIdentifier, queryId: string, slots: Record<string, string | string[]>): Promise<XdsAnswer> {
    return postSoap(`${this.server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], adhocQuery(queryId, slots), { assertion: this.assertion(actor, patient) });
  }

  /** ITI-43 of these uniqueIds. */
  retrieve(actor: ProfessionalActor, patient: PatientIdentifier, uniqueIds: string[]): Promise<XdsAnswer> {
    const body =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}">` +
      uniqueIds
        .map((u) => `<xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${this.repositoryUniqueId}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${u}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`)
        .join('') +
      `</xdsb:RetrieveDocumentSetRequest>`;
    return postSoap(`${this.server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-43'], body, { assertion: this.assertion(actor, patient) });
  }
}

/** An id that names nothing. */
export const unknownId = (): string => randomUUID();

/** The RegistryError entries of an answer, with the id each one names left out. */
export function registryErrors(a: XdsAnswer): Array<{ errorCode: string; codeContext: string; severity: string; location: string }> {
  return Array.from(a.doc.getElementsByTagName('*'))
    .filter((e) => e.localName === 'RegistryError')
    .map((e) => ({
      errorCode: e.getAttribute('errorCode') ?? '',
      codeContext: e.getAttribute('codeContext') ?? '',
      severity: e.getAttribute('severity') ?? '',
      location: e.getAttribute('location') ?? '',
    }));
}

/** What a stored query answered: Success with its objects, or the refusal. */
export function answered(a: XdsAnswer): ReturnType<typeof queryObjects> | 'refused' {
  return responseStatus(a) === 'Success' ? queryObjects(a) : 'refused';
}

/** An association's source and target, by its id. */
export function associationEnds(a: XdsAnswer): Array<{ id: string; type: string; source: string; target: string }> {
  return Array.from(a.doc.getElementsByTagNameNS(NS.rim, 'Association')).map((e) => ({
    id: e.getAttribute('id') ?? '',
    type: (e.getAttribute('associationType') ?? '').split(':').pop() ?? '',
    source: e.getAttribute('sourceObject') ?? '',
    target: e.getAttribute('targetObject') ?? '',
  }));
}

/** A lock test's server: a real port on a fresh store of `kind`, its directory seeded, and its clients. */
export interface LockServer {
  db: Db;
  server: RunningApp;
  c: LockClients;
  close(): Promise<void>;
}

export async function startLockServer(kind: StoreKind, env: Record<string, string> = {}, clock?: Clock): Promise<LockServer> {
  const db = await openTestDb(kind);
  const { server, c, stop } = await lockServerOn(db, env, clock);
  return {
    db,
    server,
    c,
    async close() {
      await stop();
      await db.close();
    },
  };
}

/** A lock server on a store the caller opened and closes. */
async function lockServerOn(db: Db, env: Record<string, string> = {}, clock?: Clock) {
  const server = await startTestApp(db, env, clock ? { clock } : {});
  await seedDirectory(server.app.services.directory);
  const c = new LockClients(server, server.app.services.deps.repositoryUniqueId);
  return {
    server,
    c,
    async stop() {
      c.close();
      await server.close();
    },
  };
}

/**
 * describeEachStore around a lock server on each store, started before the block's own setup and
 * stopped after it.
 */
export function describeEachLockServer(title: string, block: (lock: () => Omit<LockServer, 'close'>, kind: StoreKind) => void): void {
  describeEachStore(title, (db, kind) => {
    let lock: Awaited<ReturnType<typeof lockServerOn>> | undefined;
    beforeAll(async () => {
      lock = await lockServerOn(db());
    }, 60_000);
    afterAll(async () => {
      await lock?.stop();
    });
    block(() => {
      if (!lock) throw new Error('lock server not started yet');
      return { db: db(), server: lock.server, c: lock.c };
    }, kind);
  });
}
