// The web page in a real browser: Debian's Chromium driven by playwright-core, against a real
// Carnet server on a port (with a real SMTP sink for the login codes). One server per test file;
// one browser per Jest process, lent to its browser files in turn (test/support/browser-lender.cjs);
// each journey opens its own browser context (cookies, storage).
//
// A machine without Chromium skips these suites with one line; under CI (CI=true) a missing
// Chromium or a missing build of the page is a failure, never a skip.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, jest } from '@jest/globals';
import type { AxeBuilder as Axe } from '@axe-core/playwright';
import type { Browser, BrowserContext, LaunchOptions, Page } from 'playwright-core';
import { startPortal, type Portal } from '../../support/patient-portal.js';
import { shared } from '../../support/shared.js';
import { loginCodes } from '../../support/smtp-sink.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHROMIUM = process.env.CARNET_CHROMIUM ?? '/usr/bin/chromium';
const PAGE_BUILT = join(ROOT, 'web', 'dist', 'index.html');
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

/**
 * Chromium features turned off. Each browser context is a window of its own, and every window
 * preloads two omnibox pop-ups (chrome://omnibox-popup.top-chrome/, with its AI-mode twin), each
 * in a renderer of its own that a headless window never shows: measured, about a third of the
 * Chromium time of a file that opens two contexts (WebUIOmniboxPopup, WebUIOmniboxAimPopup).
 * Chromium keeps only the last --disable-features it is given and Playwright passes its own
 * before ours, so ours names Playwright's too (playwright-core 1.65); the lender
 * (test/support/browser-lender.cjs) refuses a launch where one of Playwright's would be lost.
 */
const DISABLED_FEATURES = [
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
  // Playwright's own
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--disable-features=${DISABLED_FEATURES.join(',')}`];
const LAUNCH: LaunchOptions = { executablePath: CHROMIUM, headless: true, args: FLAGS };

interface BrowserLender {
  borrow(options: LaunchOptions): Promise<Browser>;
  giveBack(browser: Browser, options: LaunchOptions): Promise<void>;
}
/** Through Node's own require: one lender, and one Playwright, for the whole Jest process. */
const lender = () => shared().require('./browser-lender.cjs') as BrowserLender;
/** axe-core's driver, loaded (with axe-core's 580 KB) once per process rather than once per file */
const axeBuilder = () => (shared().require('@axe-core/playwright') as { AxeBuilder: typeof Axe }).AxeBuilder;
/** axe-core's source, to inject into a page: read once per process */
const axeSource = () => (shared().require('axe-core') as { source: string }).source;

function missing(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(PAGE_BUILT)) return 'the web page is not built (npm run build)';
  return null;
}

/** `describe`, or a skip with one clear line on a machine without Chromium (never under CI). */
export function describeInBrowser(name: string, body: () => void): void {
  const why = missing();
  if (why && process.env.CI === 'true') {
    describe(name, () => {
      it_fails(why);
    });
    return;
  }
  if (why) {
    console.log(`browser tests skipped: ${why}`);
    describe.skip(name, body);
    return;
  }
  // A journey drives a browser and a server on a shared machine: generous limits, no sleeps.
  jest.setTimeout(120_000);
  describe(name, body);
}

/** Under CI the browser suites must run: say why they cannot, as a failing test. */
function it_fails(why: string) {
  it('runs in Chromium', () => {
    throw new Error(`browser tests cannot run under CI: ${why}`);
  });
}

export interface Stage {
  portal: Portal;
  browser: Browser;
  baseUrl: string;
  close(): Promise<void>;
}

export async function openStage(env: Record<string, string> = {}): Promise<Stage> {
  const portal = await startPortal(env);
  // the server's clock starts at the browser's time (maintenance windows, dates shown), then
  // moves only when a test moves it
  portal.clock.set(new Date().toISOString());
  let browser: Browser;
  try {
    browser = await lender().borrow(LAUNCH);
  } catch (e) {
    await portal.close();
    throw e;
  }
  return {
    portal,
    browser,
    baseUrl: portal.server.baseUrl,
    close: async () => {
      try {
        await lender().giveBack(browser, LAUNCH);
      } finally {
        await portal.close();
      }
    },
  };
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations and page errors seen so far */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh browser profile in the given language and viewport. */
export async function visitor(stage: Stage, o: { lang?: 'fr' | 'en'; width?: number; height?: number } = {}): Promise<Visitor> {
  const context = await stage.browser.newContext({
    baseURL: stage.baseUrl,
    viewport: { width: o.width ?? 1280, height: o.height ?? 860 },
    locale: o.lang === 'en' ? 'en-GB' : 'fr-FR',
    acceptDownloads: true,
  });
  if (o.lang === 'en') await context.addInitScript(() => localStorage.setItem('carnet.lang', 'en'));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const { page, problems } = await watchedPage(context);
  return { context, page, problems, close: () => context.close() };
}

/**
 * A new tab of the visitor's browser profile, at its own viewport size: the profile's cookies,
 * none of the other tab's session (the page keeps its sessions in the tab's session storage), so
 * it starts logged out. Its language is set at each of its page loads (default French), whatever
 * an earlier journey of the profile chose. A tab costs a fraction of a new profile, whose first
 * page starts a renderer process and compiles the page's scripts anew (about 3 CPU-seconds of
 * Chromium). Closing it leaves the visitor open.
 */
export async function newTab(v: Visitor, o: { lang?: 'fr' | 'en'; width?: number; height?: number } = {}): Promise<Visitor> {
  const { page, problems } = await watchedPage(v.context);
  await page.addInitScript((lang) => localStorage.setItem('carnet.lang', lang), o.lang ?? 'fr');
  if (o.width || o.height) await page.setViewportSize({ width: o.width ?? 1280, height: o.height ?? 860 });
  return { context: v.context, page, problems, close: () => page.close() };
}

async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /CSP violation|Refused to/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { page, problems };
}

/** The rule set every scan runs: WCAG 2.0 and 2.1, levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** Only the violations are detailed: the passes and the rest, each node described, were most of a scan's cost and nothing here reads them. */
const AXE_OPTIONS = { resultTypes: ['violations'], runOnly: { type: 'tag', values: WCAG_TAGS } };

interface Violation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core on the current page: no serious or critical violation (WCAG 2.1 A/AA rules).
 *
 * A page without frames is scanned in place by `axe.run`, axe-core injected once per document:
 * the builder of @axe-core/playwright evaluates axe's 580 KB source twice per scan (about two
 * thirds of a scan's cost), and a journey scans the same document again after each in-page
 * navigation. A page with frames goes through the builder's default mode, the only one that
 * reaches frames of another origin (each frame scanned apart, the results merged in a blank page).
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  let violations: Violation[];
  if (page.frames().length === 1) {
    if (!(await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === 'function'))) {
      await page.evaluate(axeSource());
      // as the builder configures it for a page without frames
      await page.evaluate(() => (window as unknown as { axe: { configure(c: object): void } }).axe.configure({ allowedOrigins: ['<same_origin>'], branding: { application: 'playwright' } }));
    }
    violations = await page.evaluate(
      (options) => (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: Violation[] }> } }).axe.run(document, options).then((r) => r.violations),
      AXE_OPTIONS,
    );
  } else {
    const AxeBuilder = axeBuilder();
    violations = (await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).withTags(WCAG_TAGS).analyze()).violations;
  }
  const bad = violations.filter((x) => x.impact === 'serious' || x.impact === 'critical');
  expect({ where, violations: bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`) }).toEqual({ where, violations: [] });
}

/** The page fits the viewport's width: nothing to scroll sideways. */
export async function expectNoSideScroll(page: Page, where: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect({ where, scroll: scroll <= width }).toEqual({ where, scroll: true });
}

/**
 * The README's screenshots, written into docs/screenshots when CARNET_SCREENSHOTS=1 (so that an
 * ordinary test run leaves the working tree as it was).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CARNET_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The last one-time code the SMTP sink received for this address, after `since` mails. */
export async function codeFor(stage: Stage, email: string, since: number): Promise<string> {
  // as the mail arrives: the journey's own timeout bounds the wait, however slow the machine
  return (await loginCodes(stage.portal.sink, email, since)).at(-1)!;
}

export const mailCount = (stage: Stage, email: string) => stage.portal.sink.messages.filter((m) => m.to.includes(email)).length;

/** Login and password, then the code from the sink; leaves the page on whatever follows. */
export async function logIn(v: Visitor, stage: Stage, login: string, password: string, email: string): Promise<void> {
  const { page } = v;
  const before = mailCount(stage, email);
  await page.getByRole('textbox', { name: /^(Identifiant|Login)/ }).fill(login);
  await page.getByLabel(/^(Mot de passe|Password)/).fill(password);
  await page.getByRole('button', { name: /^(Continuer|Continue)$/ }).click();
  const code = await codeFor(stage, email, before);
  await page.getByLabel(/^(Code reçu|Code received)/).fill(code);
  await page.getByRole('button', { name: /^(Valider le code|Confirm the code)$/ }).click();
}

/** The session token the page holds for the open record (to check the server's state as that holder). */
export async function pageToken(page: Page): Promise<string> {
  return page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('carnet.sessions') ?? '{}') as { sessions?: Array<{ token: string; patientId: string }>; current?: string };
    return s.sessions?.find((x) => x.patientId === s.current)?.token ?? '';
  });
}

/** A first login through the page: temporary password, code, forced change, then the real login. */
export async function firstLogin(v: Visitor, stage: Stage, acc: { login: string; temporaryPassword: string; email: string }, password: string): Promise<void> {
  const { page } = v;
  if (!page.url().includes('/connexion')) await page.goto('/connexion');
  await logIn(v, stage, acc.login, acc.temporaryPassword, acc.email);
  await page.getByLabel(/^(Nouveau mot de passe|New password)/).fill(password);
  await page.getByLabel(/^(Confirmez|Confirm)/).fill(password);
  await page.getByRole('button', { name: /^(Enregistrer mon mot de passe|Save my password)$/ }).click();
  await page.getByText(/Votre mot de passe est enregistré|Your password is saved/).waitFor();
  await logIn(v, stage, acc.login, password, acc.email);
  await page.getByRole('navigation', { name: /Menu principal|Main menu/ }).waitFor();
}
