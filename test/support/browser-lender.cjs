// One Chromium for the browser test files that one Jest process runs one after another, as the
// test environment lends warm worker threads: each file used to launch its own and close it, ~1 s
// of start and shutdown per file. Loaded through Node's own require (test/support/shared.ts), so
// that it outlives each file's module registry; each file still opens its own browser contexts
// (cookies, storage) and must close them before giving the browser back.
//
// A kept browser must not hold the process alive (a run in band ends when its last file does):
// while it waits for the next file, its process and pipes are unreferenced. Playwright kills the
// browser when the process exits, and Chromium ends when its pipe to the process closes.
// CommonJS: Node's require loads it outside Jest's transform.
'use strict';
const fs = require('node:fs');
const { chromium } = require('playwright-core');

/** The next browser file starts within seconds; a browser none asked for in this time is closed. */
const KEPT_MS = 30_000;

/** browser -> its process (found among the process's handles at launch), when it could be found */
const processes = new WeakMap();
/** { browser, key, timer } while a browser waits for the next file */
let kept = null;
/** launches one at a time, so that the new process among the handles is this launch's */
let launching = Promise.resolve();

function hold(child, on) {
  for (const h of [child, ...child.stdio]) {
    if (!h) continue;
    if (on) h.ref?.();
    else h.unref?.();
  }
}

async function launch(options) {
  const handles = () => (typeof process._getActiveHandles === 'function' ? process._getActiveHandles() : []);
  const before = new Set(handles());
  const browser = await chromium.launch(options);
  const child = handles().find((h) => !before.has(h) && h?.constructor?.name === 'ChildProcess' && h.spawnfile === options.executablePath);
  if (child) processes.set(browser, child);
  const lost = child ? featuresLost(child.pid) : [];
  if (lost.length) {
    await browser.close().catch(() => {});
    throw new Error(`Chromium keeps only the last --disable-features: the browser tests' own (test/browser/support/browser.ts) must name Playwright's too, and lack ${lost.join(', ')}`);
  }
  return browser;
}

/**
 * The features an earlier --disable-features of this browser's command line (Playwright's) turns
 * off and the last one (the tests') does not: Chromium keeps only the last, so these would be on.
 * Read from Linux's /proc (where Debian's Chromium runs); elsewhere, nothing to say.
 */
function featuresLost(pid) {
  let args;
  try {
    args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
  const lists = args.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));
  if (lists.length < 2) return [];
  const kept = new Set(lists.at(-1));
  return lists.slice(0, -1).flat().filter((f) => f && !kept.has(f));
}

/** A connected Chromium with no context open, launched with these options or kept from the last file. */
function borrow(options) {
  const key = JSON.stringify(options);
  const next = launching.then(async () => {
    const old = kept;
    kept = null;
    if (old) {
      clearTimeout(old.timer);
      if (old.key === key && old.browser.isConnected() && old.browser.contexts().length === 0) {
        hold(processes.get(old.browser), true);
        return old.browser;
      }
      await old.browser.close().catch(() => {});
    }
    return launch(options);
  });
  launching = next.catch(() => {});
  return next;
}

/**
 * The file is done with it: kept for the next file if the file left nothing open in it (and its
 * process can be let go of), else closed now.
 */
async function giveBack(browser, options) {
  const child = processes.get(browser);
  if (!child || !browser.isConnected() || browser.contexts().length > 0 || kept) {
    await browser.close();
    return;
  }
  hold(child, false);
  const entry = { browser, key: JSON.stringify(options), timer: undefined };
  entry.timer = setTimeout(() => {
    if (kept === entry) kept = null;
    browser.close().catch(() => {});
  }, KEPT_MS);
  entry.timer.unref();
  kept = entry;
}

module.exports = { borrow, giveBack };
