// Executing TestScript actions (operations and asserts) in order, recording report actions.
import type { TestReportSetupAction, TestScriptSetupAction, TestScriptSetupActionOperation } from '@medplum/fhirtypes';
import { runAssert } from './asserts.js';
import type { RunContext } from './context.js';
import { send } from './http.js';
import { isFailure, reportAction } from './report.js';
import { buildRequest } from './request.js';
import type { Outcome } from './types.js';

/** Sends one operation; the response becomes the last exchange and any responseId/requestId fixture. */
export async function runOperation(ctx: RunContext, op: TestScriptSetupActionOperation): Promise<Outcome> {
  const name = op.label ?? op.description ?? op.type?.code ?? 'operation';
  try {
    const exchange = await send(buildRequest(ctx, op));
    ctx.last = exchange;
    if (op.responseId) ctx.fixtures.set(op.responseId, { id: op.responseId, exchange, side: 'response' });
    if (op.requestId) ctx.fixtures.set(op.requestId, { id: op.requestId, exchange, side: 'request' });
    const { method, url } = exchange.request;
    return { result: 'pass', message: `${name}: ${method} ${url} -> ${exchange.response?.status}` };
  } catch (err) {
    return { result: 'error', message: `${name}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface SequenceOptions {
  /** Stop at the first failing action (setup does). Otherwise only stopTestOnFail asserts stop. */
  stopOnFailure: boolean;
}

/**
 * Runs actions in order. After a stop, remaining actions are reported as skipped.
 * Returns the report actions and whether anything failed.
 */
export async function runActions(ctx: RunContext, actions: TestScriptSetupAction[], opts: SequenceOptions): Promise<{ actions: TestReportSetupAction[]; failed: boolean }> {
  const out: TestReportSetupAction[] = [];
  let failed = false;
  let stopped = false;
  for (const action of actions) {
    const kind = action.operation ? 'operation' : 'assert';
    if (stopped) {
      out.push(reportAction(kind, { result: 'skip', message: 'skipped after an earlier failure' }));
      continue;
    }
    let outcome: Outcome;
    if (action.operation) {
      outcome = await runOperation(ctx, action.operation);
    } else if (action.assert) {
      outcome = await runAssert(ctx, action.assert);
    } else {
      outcome = { result: 'error', message: 'action has neither operation nor assert' };
    }
    out.push(reportAction(kind, outcome));
    if (isFailure(outcome)) {
      failed = true;
      // an operation that could not be sent leaves nothing for the next asserts to check
      const stopTestOnFail = (action.assert as { stopTestOnFail?: boolean } | undefined)?.stopTestOnFail === true;
      if (opts.stopOnFailure || action.operation || stopTestOnFail) stopped = true;
    }
  }
  return { actions: out, failed };
}
