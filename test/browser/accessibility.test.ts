// The web space for everyone (RGAA / WCAG 2.1 AA): axe-core finds no serious or critical
// violation on any page, in French and in English; the journeys work with the keyboard alone;
// every page fits a 375-pixel phone. The same run writes the screenshots of docs/screenshots/
// (desktop and phone) and measures what the first page costs: the JavaScript sent and the time
// to its first render.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeInBrowser, expectAccessible, expectNoSideScroll, firstLogin, logIn, newTab, openStage, screenshot, visitor, type Stage, type Visitor } from './support/browser.js';
import { cda, pdf } from './support/documents.js';
import { activeSession } from '../support/patient-portal.js';
import { account, adultRecord, authorise, deposit, type Account } from './support/records.js';

/** The pages of the record, each with a name for its screenshot. */
const PAGES = [
  ['accueil', '/'],
  ['documents', '/documents'],
  ['ajouter', '/documents/ajouter'],
  ['acces', '/acces'],
  ['historique', '/historique'],
  ['parametres', '/parametres'],
  ['dossier', '/dossier'],
] as const;

describeInBrowser('the web space is accessible, usable with a keyboard and on a phone (Chromium)', () => {
  let stage: Stage;
  let acc: Account;
  let pdfId: string;
  let cdaId: string;
  const password = 'une promenade sur les quais';
  let logged: Visitor;

  /**
   * Every page of the record in turn, reached as a person reaches it: by the page's own link (the
   * main menu, or the documents' "add" link), the page's scripts and axe-core loaded once rather
   * than once per page (a full load of the page cost about as much Chromium time as its scan);
   * by its address when no link on the current page leads there.
   */
  async function eachPage(page: Page, visit: (name: string, path: string) => Promise<void>) {
    for (const [name, path] of PAGES) {
      await reach(page, path);
      await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
      await visit(name, path);
    }
  }

  /** Ready once the address is this path and the h1 is the new page's (a route loading its script keeps the old page shown meanwhile). */
  async function reach(page: Page, path: string) {
    if (new URL(page.url()).pathname === path) {
      await page.getByRole('heading', { level: 1 }).waitFor();
      return;
    }
    const link = page.locator(`nav.main-nav a[href="${path}"], main a[href="${path}"]`).first();
    if ((await link.count()) === 0) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      return;
    }
    const old = await page.locator('h1').elementHandle();
    await link.click();
    await page.waitForURL((url) => url.pathname === path);
    await page.waitForFunction((before) => {
      const h1 = document.querySelector('h1');
      return !!h1 && h1 !== before;
    }, old);
    await old?.dispose();
  }

  beforeAll(async () => {
    stage = await openStage();
    const patientKey = await adultRecord(stage, 'Jeanne', 'Démo');
    await authorise(stage, patientKey, '810000000002');
    [, pdfId, cdaId] = await deposit(stage, 'doctor', patientKey, [
      { typeCode: '11488-4', classCode: '10', title: 'Consultation de suivi', content: 'Tension 12/8, poursuite du traitement.' },
      { typeCode: '11502-2', classCode: '10', title: 'Bilan sanguin', content: pdf('Bilan sanguin : NFS normale'), mimeType: 'application/pdf' },
      { typeCode: '34133-9', classCode: '11', title: 'Synthèse annuelle', content: cda('Synthèse annuelle'), mimeType: 'text/xml' },
    ]);
    await deposit(stage, 'doctor2', patientKey, [{ typeCode: '11488-4', classCode: '10', title: 'Consultation cardiologie', content: 'Souffle bénin.', confidentiality: ['N', 'MASQUE_PS'] }]);
    acc = await account(stage, patientKey, 'jeanne');
    logged = await visitor(stage);
  }, 240_000);
  afterAll(async () => {
    await logged?.close();
    await stage?.close();
  });

  it('the first page sends less than 200 KB of compressed JavaScript, and its first render is measured', async () => {
    const { page } = logged;
    await page.goto('/connexion');
    await page.getByRole('heading', { level: 1 }).waitFor();
    const figures = await page.evaluate(() => {
      const scripts = performance.getEntriesByType('resource').filter((e) => /\.m?js(\?|$)/.test(e.name)) as PerformanceResourceTiming[];
      const render = performance.getEntriesByName('carnet-first-render')[0];
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { files: scripts.length, bytes: scripts.reduce((n, e) => n + e.encodedBodySize, 0), firstRenderMs: render ? Math.round(render.startTime) : -1, domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd) };
    });
    console.log(`first page (login): ${figures.files} scripts, ${(figures.bytes / 1024).toFixed(1)} KB of compressed JavaScript, first render at ${figures.firstRenderMs} ms, DOMContentLoaded at ${figures.domContentLoadedMs} ms (local server, cold cache)`);
    expect(figures.files).toBeGreaterThan(0);
    expect(figures.bytes).toBeLessThan(200 * 1024);
    expect(figures.firstRenderMs).toBeGreaterThan(0);
  });

  it('axe-core: no serious or critical violation on the login page and on every page of the record, in French then in English; desktop screenshots', async () => {
    const { page } = logged;
    await page.goto('/connexion');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await expectAccessible(page, 'connexion (fr)');
    await screenshot(page, 'connexion-desktop');
    await firstLogin(logged, stage, acc, password);
    await eachPage(page, async (name) => {
      await expectAccessible(page, `${name} (fr)`);
      await screenshot(page, `${name}-desktop`);
    });
    for (const [name, id] of [['document-pdf', pdfId], ['document-cda', cdaId]]) {
      await page.goto(`/documents/${id}`);
      await page.getByRole('heading', { level: 2, name: 'Contenu du document' }).waitFor();
      await page.locator('.viewer-pdf canvas, .viewer-cda').first().waitFor();
      await expectAccessible(page, `${name} (fr)`);
      await screenshot(page, `${name}-desktop`);
    }
    await page.goto('/une-page-qui-n-existe-pas');
    await page.getByRole('heading', { level: 1, name: 'Page introuvable' }).waitFor();
    await expectAccessible(page, 'introuvable (fr)');
    // the same pages in English
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expectAccessible(page, 'not found (en)');
    await eachPage(page, async (name) => expectAccessible(page, `${name} (en)`));
    await page.goto(`/documents/${pdfId}`);
    await page.locator('.viewer-pdf canvas').first().waitFor();
    await expectAccessible(page, 'document (en)');
    await page.getByRole('button', { name: 'Français' }).click();
    expect(logged.problems).toEqual([]);
  }, 240_000);

  it('keyboard only: logs in, reaches the documents, opens one in the viewer, and changes a setting', async () => {
    // an account of its own, its password already chosen (through the API)
    const patientKey = await adultRecord(stage, 'Paul', 'Clavier');
    await deposit(stage, 'doctor', patientKey, [{ typeCode: '34133-9', classCode: '11', title: 'Synthèse annuelle', content: cda('Synthèse annuelle'), mimeType: 'text/xml' }]);
    const email = `paul.${process.pid}@example.org`;
    const kb = await activeSession(stage.portal, patientKey, email);
    // a new tab: logged out, as the login is what this journey does
    const v = await newTab(logged);
    const { page } = v;
    const tabTo = async (pattern: RegExp, max = 80) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const label = await page.evaluate(() => {
          const a = document.activeElement as HTMLElement | null;
          if (!a || a === document.body) return '';
        const labelled = a.getAttribute('aria-labelledby')?.split(' ').map((id) => document.getElementById(id)?.innerText ?? '').join(' ');
        const label = (a as HTMLInputElement).labels?.[0]?.innerText ?? '';
        return `${a.getAttribute('aria-label') ?? ''} ${a.innerText ?? ''} ${labelled ?? ''} ${label}`.trim();
        });
        if (pattern.test(label)) return;
      }
      throw new Error(`no element matching ${pattern} within ${max} Tab presses`);
    };
    try {
      await page.goto('/connexion');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await tabTo(/Identifiant/);
      await page.keyboard.type(kb.login);
      await tabTo(/Mot de passe/);
      await page.keyboard.type(kb.password);
      const before = stage.portal.sink.messages.filter((m) => m.to.includes(email)).length;
      await page.keyboard.press('Enter');
      await page.getByLabel(/^Code reçu/).waitFor();
      const { codeFor } = await import('./support/browser.js');
      await page.keyboard.type(await codeFor(stage, email, before));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Accueil' }).waitFor();
      await tabTo(/^Documents$/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Mes documents' }).waitFor();
      await tabTo(/^Synthèse annuelle$/);
      await page.keyboard.press('Enter');
      await page.getByRole('cell', { name: 'Glycémie' }).waitFor();
      await tabTo(/^Paramètres$/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Paramètres' }).waitFor();
      await tabTo(/Nombre de documents par page/);
      await page.keyboard.press('ArrowDown');
      // a radio group is one Tab stop; the arrows choose within it
      await tabTo(/Par date/);
      await page.keyboard.press('ArrowDown');
      expect(await page.getByRole('radio', { name: 'Par ordre alphabétique des auteurs' }).isChecked()).toBe(true);
      await tabTo(/Enregistrer l’affichage/);
      await page.keyboard.press('Enter');
      await page.getByText('Vos préférences d’affichage sont enregistrées.').waitFor();
      // a confirmation dialog holds the focus and Escape closes it
      await page.goto('/dossier');
      await tabTo(/Fermer mon dossier…/);
      await page.keyboard.press('Enter');
      await page.getByRole('alertdialog').waitFor();
      expect(await page.evaluate(() => !!document.activeElement?.closest('[role=alertdialog]'))).toBe(true);
      await page.keyboard.press('Escape');
      await page.getByRole('alertdialog').waitFor({ state: 'detached' });
      expect(v.problems).toEqual([]);
    } finally {
      await v.close();
    }
  }, 120_000);

  it('at 375 pixels wide every page fits the screen with nothing to scroll sideways; phone screenshots', async () => {
    // a new tab at a phone's size: logged out, so that the login page is seen at that size too
    const v = await newTab(logged, { width: 375, height: 812 });
    const { page } = v;
    try {
      await page.goto('/connexion');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await expectNoSideScroll(page, 'connexion');
      await screenshot(page, 'connexion-phone');
      await logIn(v, stage, acc.login, password, acc.email);
      await page.getByRole('heading', { level: 1, name: 'Accueil' }).waitFor();
      await eachPage(page, async (name) => {
        await expectNoSideScroll(page, name);
        await screenshot(page, `${name}-phone`);
      });
      await page.goto(`/documents/${pdfId}`);
      await page.locator('.viewer-pdf canvas').first().waitFor();
      await expectNoSideScroll(page, 'document');
      await screenshot(page, 'document-pdf-phone');
      await expectAccessible(page, 'document at 375 px');
    } finally {
      await v.close();
    }
  }, 120_000);
});
