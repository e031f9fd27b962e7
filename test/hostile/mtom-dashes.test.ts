// An anonymous MTOM body of 60 MB of `-` (no delimiter in it) was collected whole, then searched
// for its boundary in one go: Buffer.indexOf for a short `--x` over a run of `-` held the event
// loop ~350-400 ms (and joining the chunks ~45 ms more), before the sender was known. The body is now
// split while it arrives, each chunk searched once: the event loop is never held much longer than
// a chunk's search, and GET /health is answered while the body is read.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { ANNOUNCED_OR_CHUNKED, sendInPieces, useServer } from './mtom-send.js';
import { longestTurn } from './one-record.js';

const BODY_BYTES = 60 * 1024 ** 2;
/**
 * The longest turn of the event loop while the body is read, in the CPU of the process (so also
 * its collections, on several threads): the old reading's was 480-500 ms (search, join); the
 * reading now, 20-140 ms, collections included, on a quiet machine; 300-310 ms chunked in CI runs
 * whose two workers share the cores. 400 keeps the old reading out.
 */
const MAX_TURN_CPU_MS = 400;

/** `total` bytes of `-` as an MTOM body (sendInPieces). */
const sendDashes = (url: string, total: number, announced: boolean) =>
  sendInPieces(url, { contentType: 'multipart/related; boundary=x; type="application/xop+xml"; start-info="application/soap+xml"', fill: total, filler: '-', announced });

describeEachStore('hostile MTOM: 60 MB of dashes from an anonymous sender', (db: () => Db) => {
  const started = useServer(db);

  it.each(ANNOUNCED_OR_CHUNKED)(`%s: is refused with a SOAP Fault, no turn of the event loop took ${MAX_TURN_CPU_MS} ms of CPU, /health answered meanwhile`, async (_how, announced) => {
    // The event loop's delay is wall-clock: on a loaded machine it holds the time the process
    // waited for a core and its collections. What is asserted is the CPU the process spent between
    // two ticks of a 2 ms timer: the longest turn of the loop, whatever the load.
    // The best of up to three sends (longestTurn): a stall of the reading comes back each time, a
    // collection of the test process's own heap that happens to fall in a turn does not.
    const { answer: sent, turnMs } = await longestTurn(async () => {
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      let reading = true;
      let healthAnswers = 0;
      const health = (async () => {
        while (reading) {
          const res = await fetch(`${started.server.baseUrl}/health`);
          await res.arrayBuffer();
          healthAnswers++;
        }
      })();
      const answer = await sendDashes(`${started.server.baseUrl}/xds/repository`, BODY_BYTES, announced);
      reading = false;
      await health;
      delay.disable();
      // the figure for docs/PERFORMANCE.md
      console.log(`event loop max delay ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; /health answered ${healthAnswers} times`);
      return { answer, healthAnswers };
    }, MAX_TURN_CPU_MS);
    const { answer, healthAnswers } = sent;
    expect(answer.text).toContain('multipart boundary not found in the body');
    expect(answer.text).toContain('Fault');
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(healthAnswers).toBeGreaterThan(0);
    expect(turnMs).toBeLessThan(MAX_TURN_CPU_MS);
  }, 300_000);
});
