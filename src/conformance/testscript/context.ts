// The state of one TestScript run: fixtures (static and dynamic), the last exchange, settings.
import type { Resource, TestScript } from '@medplum/fhirtypes';
import type { Fixture, HttpExchange } from './types.js';

export interface RunContext {
  script: TestScript;
  /** Directory of the script file: relative fixture and profile references start there. */
  dir: string;
  base: string;
  authorization?: string;
  overrides: Record<string, string>;
  fixtures: Map<string, Fixture>;
  last?: HttpExchange;
}

/** The resource a fixture stands for: its static content, or the captured request/response body. */
export function fixtureResource(fixture: Fixture | undefined): Resource | undefined {
  if (!fixture) return undefined;
  if (fixture.exchange) {
    return fixture.side === 'request' ? fixture.exchange.request.resource : fixture.exchange.response?.resource;
  }
  return fixture.resource;
}

/** The raw body behind a fixture when it was XML (so XPath can read it as the server wrote it). */
export function fixtureXml(fixture: Fixture | undefined): string | undefined {
  const ex = fixture?.exchange;
  if (!ex) return undefined;
  if (fixture?.side === 'request') return ex.request.body?.trimStart().startsWith('<') ? ex.request.body : undefined;
  return ex.response?.format === 'xml' ? ex.response.body : undefined;
}

/** The fixture an assert/variable reads: `sourceId` when given, else the last exchange. */
export function sourceFixture(ctx: RunContext, sourceId: string | undefined): Fixture | undefined {
  if (sourceId) return ctx.fixtures.get(sourceId);
  return ctx.last ? { id: '(last response)', exchange: ctx.last, side: 'response' } : undefined;
}
