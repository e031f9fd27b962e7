// Shapes shared by the TestScript runner's modules. The TestScript and TestReport resources
// themselves are typed by @medplum/fhirtypes.
import type { Resource, TestReport } from '@medplum/fhirtypes';

export type Format = 'json' | 'xml';

/** One HTTP exchange as the runner saw it (request sent, response received). */
export interface HttpExchange {
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    resource?: Resource;
  };
  response?: {
    status: number;
    headers: Record<string, string>; // lower-cased names
    body: string;
    resource?: Resource;
    format?: Format;
  };
}

/** A fixture: static (file or contained) or dynamic (captured from an operation). */
export interface Fixture {
  id: string;
  resource?: Resource;
  /** For dynamic fixtures: the exchange that produced them. */
  exchange?: HttpExchange;
  /** `responseId` fixtures point at the response, `requestId` ones at the request. */
  side?: 'request' | 'response';
  /** The id the server gave to an autocreated fixture. */
  serverId?: string;
}

export interface RunOptions {
  base: string;
  bearerToken?: string;
  tokenCommand?: string;
  reportDir?: string;
  variables?: Record<string, string>;
  log?: (line: string) => void;
}

export interface RunSummary {
  passed: number;
  failed: number;
  /** tests (and stray files) the runner could not evaluate */
  skipped: number;
  reports: TestReport[];
}

/** What one assert or operation produced. */
export interface Outcome {
  result: 'pass' | 'fail' | 'warning' | 'skip' | 'error';
  message: string;
}
