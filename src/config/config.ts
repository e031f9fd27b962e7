// The server's configuration, read once from the environment and validated as a whole.
import { loadPatientAccessConfig, type PatientAccessConfig } from './patient-access.js';
import { DEFAULT_JSON_LIMITS, JSON_LIMIT_VARIABLES, type JsonLimits } from '../json/read.js';
import {
  DEFAULT_RETRIEVE_MAX_DOCUMENTS,
  DEFAULT_SEARCH_MAX_VALUES,
  DEFAULT_SUBMISSION_MAX_DOCUMENTS,
  RETRIEVE_MAX_DOCUMENTS_VARIABLE,
  SEARCH_MAX_VALUES_VARIABLE,
  SUBMISSION_MAX_DOCUMENTS_VARIABLE,
} from '../domain/input-limits.js';
import { DEFAULT_SOAP_MAX_HEADER_ELEMENTS, DEFAULT_XML_LIMITS, XML_LIMIT_VARIABLES, type XmlLimits } from '../xml/limits.js';
import { valueOrFile, withSecretFiles } from './secrets.js';
import { ConfigError, readBool, readEnum, readInt, readOid, readSize, readString, readUrl, type Env } from './env.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  host: string;
  port: number;
  /** the base URL clients see (links in Bundles, Location headers) */
  publicUrl: string;
  /** PostgreSQL URL; absent means the embedded store in dataDir */
  databaseUrl?: string;
  dataDir: string;
  dbPoolSize: number;
  /** bytes of the entries each door keeps as it answers them, by row version (FHIR JSON, XDS XML); 0: none */
  entryCacheBytes: number;
  /** body limit of ordinary requests */
  bodyLimit: number;
  /** body limit of document submissions (ITI-41, ITI-65) */
  documentBodyLimit: number;
  /** what one XML or JSON body may hold, checked while reading it, before anything else */
  limits: InputLimits;
  /** a database statement running longer is cancelled and the request answered 503 */
  dbStatementTimeoutMs: number;
  /** worker threads for the CPU-heavy reading of FHIR bodies, and the time budget of one task */
  workers: { threads: number; taskBudgetMs: number; niceness: number };
  logLevel: LogLevel;
  defaultPageSize: number;
  maxPageSize: number;
  shutdownTimeoutMs: number;
  /** requests slower than this are cut (no hang) */
  requestTimeoutMs: number;
  /** connections held open by slow or idle clients (slowloris): see src/http/connection-limits.ts */
  connections: { headersTimeoutMs: number; keepAliveTimeoutMs: number; max: number; perClient: number };
  /** development conveniences (local token key, demo data); never in production */
  devMode: boolean;
  /** the XDS repositoryUniqueId this server announces */
  repositoryUniqueId: string;
  /** a stored query matching more objects than this fails instead of running away */
  maxQueryResults: number;
  /** rows the security log takes per minute (refused identities); beyond, they are only counted */
  securityLogPerMinute: number;
  /** ACC-05: IdNat_Struct of medical regulation centres, besides those the directory marks */
  regulationCentres: string[];
  /** directory of the policy files (matrix, terminologies) */
  profilesDir: string;
  /** the built web page served at `/` (web/dist, written by `npm run build`) */
  webDir: string;
  auth: {
    /** the `aud` bearer tokens must carry */
    audience: string;
    /** the `iss` of the identity provider's tokens */
    issuer?: string;
    jwksFile?: string;
    jwksUrl?: string;
    /** the server's own signing key (patient sessions), a private JWK given as a value ... */
    signingKey?: string;
    /** ... or kept in this file (created if absent); shared by every instance */
    signingKeyFile?: string;
    /** PEM files of the certificates trusted to sign VIHF assertions */
    vihfTrustedCertFiles: string[];
    /** the SAML Audience VIHF assertions must name (none: not checked) */
    vihfAudience?: string;
    /** the longest validity a VIHF assertion may announce (NotBefore or IssueInstant to NotOnOrAfter) */
    vihfMaxLifetimeSeconds: number;
    /** IdNat_Struct of the health insurers: a VIHF naming one of them as its structure is the insurer's feed */
    insurerStructures: string[];
  };
  /** accounts, login codes, mail/SMS delivery and scheduled jobs (patient-access.ts) */
  patientAccess: PatientAccessConfig;
}

export interface InputLimits {
  xml: XmlLimits;
  json: JsonLimits;
  /** MIME parts of one MTOM message (the SOAP envelope and its attachments) */
  mtomMaxParts: number;
  /** elements of a SOAP Header, the part read before the sender is identified */
  soapMaxHeaderElements: number;
  /** values of one search (FHIR search, ITI-18 stored query), all its parameters together */
  searchMaxValues: number;
  /** documents one ITI-43 asks for */
  retrieveMaxDocuments: number;
  /** documents one submission deposits (ITI-41, ITI-42, ITI-65) */
  submissionMaxDocuments: number;
}

function readInputLimits(env: Env): InputLimits {
  const x = DEFAULT_XML_LIMITS;
  const j = DEFAULT_JSON_LIMITS;
  const v = XML_LIMIT_VARIABLES;
  const jv = JSON_LIMIT_VARIABLES;
  return {
    xml: {
      maxBytes: readSize(env, v.maxBytes, x.maxBytes, 1024, 1024 ** 3),
      maxDepth: readInt(env, v.maxDepth, x.maxDepth, 8, 1000),
      maxElements: readInt(env, v.maxElements, x.maxElements, 100, 10_000_000),
      maxAttributes: readInt(env, v.maxAttributes, x.maxAttributes, 4, 10_000),
      maxTextLength: readSize(env, v.maxTextLength, x.maxTextLength, 1024, 1024 ** 3),
    },
    json: {
      maxDepth: readInt(env, jv.maxDepth, j.maxDepth, 8, 1000),
      maxArrayLength: readInt(env, jv.maxArrayLength, j.maxArrayLength, 10, 10_000_000),
      maxKeys: readInt(env, jv.maxKeys, j.maxKeys, 10, 10_000_000),
      maxBundleEntries: readInt(env, jv.maxBundleEntries, j.maxBundleEntries, 1, 1_000_000),
      maxValues: readInt(env, jv.maxValues, j.maxValues, 100, 100_000_000),
    },
    mtomMaxParts: readInt(env, 'CARNET_MTOM_MAX_PARTS', 1000, 2, 1_000_000),
    soapMaxHeaderElements: readInt(env, 'CARNET_SOAP_MAX_HEADER_ELEMENTS', DEFAULT_SOAP_MAX_HEADER_ELEMENTS, 10, 1_000_000),
    searchMaxValues: readInt(env, SEARCH_MAX_VALUES_VARIABLE, DEFAULT_SEARCH_MAX_VALUES, 10, 1_000_000),
    retrieveMaxDocuments: readInt(env, RETRIEVE_MAX_DOCUMENTS_VARIABLE, DEFAULT_RETRIEVE_MAX_DOCUMENTS, 1, 100_000),
    submissionMaxDocuments: readInt(env, SUBMISSION_MAX_DOCUMENTS_VARIABLE, DEFAULT_SUBMISSION_MAX_DOCUMENTS, 1, 100_000),
  };
}

export function loadConfig(given: Env = process.env): Config {
  const env = withSecretFiles(given);
  const signingKey = valueOrFile(env, 'CARNET_SIGNING_KEY');
  const port = readInt(env, 'CARNET_PORT', readInt(env, 'PORT', 8080, 0, 65535), 0, 65535);
  const host = readString(env, 'CARNET_HOST', 'localhost')!;
  const defaultPageSize = readInt(env, 'CARNET_DEFAULT_PAGE_SIZE', 20, 1, 1000);
  const maxPageSize = readInt(env, 'CARNET_MAX_PAGE_SIZE', 100, 1, 1000);
  if (defaultPageSize > maxPageSize) {
    throw new ConfigError(`CARNET_DEFAULT_PAGE_SIZE: ${defaultPageSize} is larger than CARNET_MAX_PAGE_SIZE (${maxPageSize})`);
  }
  return {
    host,
    port,
    publicUrl: readUrl(env, 'CARNET_PUBLIC_URL', ['http:', 'https:'], `http://localhost:${port}`)!.replace(/\/$/, ''),
    databaseUrl: readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: readString(env, 'CARNET_DATA_DIR', './data')!,
    dbPoolSize: readInt(env, 'CARNET_DB_POOL_SIZE', 10, 1, 200),
    entryCacheBytes: readSize(env, 'CARNET_ENTRY_CACHE_BYTES', 32 * 1024 ** 2, 0, 4 * 1024 ** 3),
    bodyLimit: readSize(env, 'CARNET_BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 ** 2),
    documentBodyLimit: readSize(env, 'CARNET_DOCUMENT_BODY_LIMIT', 64 * 1024 ** 2, 1024, 1024 ** 3),
    limits: readInputLimits(env),
    dbStatementTimeoutMs: readInt(env, 'CARNET_DB_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    workers: {
      threads: readInt(env, 'CARNET_WORKER_THREADS', 1, 1, 64),
      taskBudgetMs: readInt(env, 'CARNET_WORKER_TASK_BUDGET_MS', 10_000, 100, 600_000),
      niceness: readInt(env, 'CARNET_WORKER_NICENESS', 10, 0, 19),
    },
    logLevel: readEnum(env, 'CARNET_LOG_LEVEL', 'info', LOG_LEVELS),
    defaultPageSize,
    maxPageSize,
    shutdownTimeoutMs: readInt(env, 'CARNET_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    requestTimeoutMs: readInt(env, 'CARNET_REQUEST_TIMEOUT_MS', 120_000, 1_000, 3_600_000),
    connections: {
      headersTimeoutMs: readInt(env, 'CARNET_HEADERS_TIMEOUT_MS', 10_000, 500, 600_000),
      keepAliveTimeoutMs: readInt(env, 'CARNET_KEEP_ALIVE_TIMEOUT_MS', 10_000, 500, 600_000),
      max: readInt(env, 'CARNET_MAX_CONNECTIONS', 4096, 1, 1_000_000),
      perClient: readInt(env, 'CARNET_MAX_CONNECTIONS_PER_CLIENT', 256, 0, 1_000_000),
    },
    devMode: readBool(env, 'CARNET_DEV_MODE', false),
    repositoryUniqueId: readOid(env, 'CARNET_REPOSITORY_UNIQUE_ID', '1.2.250.1.999.1.1.1'),
    maxQueryResults: readInt(env, 'CARNET_MAX_QUERY_RESULTS', 5000, 1, 1_000_000),
    securityLogPerMinute: readInt(env, 'CARNET_SECURITY_LOG_PER_MINUTE', 120, 1, 100_000),
    regulationCentres: regulationCentresOf(env),
    profilesDir: readString(env, 'CARNET_PROFILES_DIR', 'profiles')!,
    webDir: readString(env, 'CARNET_WEB_DIR', 'web/dist')!,
    auth: {
      audience: readString(env, 'CARNET_TOKEN_AUDIENCE', 'carnet')!,
      issuer: readString(env, 'CARNET_TOKEN_ISSUER'),
      jwksFile: readString(env, 'CARNET_JWKS_FILE'),
      jwksUrl: readUrl(env, 'CARNET_JWKS_URL', ['https:', 'http:']),
      signingKey: signingKey.value,
      signingKeyFile: signingKey.file,
      vihfTrustedCertFiles: (readString(env, 'CARNET_VIHF_TRUSTED_CERTS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      vihfAudience: readString(env, 'CARNET_VIHF_AUDIENCE'),
      vihfMaxLifetimeSeconds: readInt(env, 'CARNET_VIHF_MAX_LIFETIME_SECONDS', 8 * 3600, 60, 7 * 24 * 3600),
      insurerStructures: (readString(env, 'CARNET_INSURER_STRUCTURES') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    },
    patientAccess: loadPatientAccessConfig(env),
  };
}

/** `CARNET_REGULATION_CENTRES`: structure ids (IdNat_Struct), separated by commas or spaces. */
function regulationCentresOf(env: Env): string[] {
  const ids = (readString(env, 'CARNET_REGULATION_CENTRES') ?? '').split(/[\s,]+/).filter(Boolean);
  const bad = ids.find((id) => !/^[0-9A-Za-z]{2,32}$/.test(id));
  if (bad) throw new ConfigError(`CARNET_REGULATION_CENTRES: "${bad}" is not a structure identifier (IdNat_Struct)`);
  return ids;
}
