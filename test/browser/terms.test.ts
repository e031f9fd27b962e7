// The terms of use (CGU) in Chromium: with CARNET_TERMS_VERSION set, the login after a change
// of version shows the version and an accept button before anything else, then the page the
// person was going to; a session the server holds back for that reason (its 403) comes to the
// same screen. In both languages, accessible, usable at 375 px.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { activeSession, call } from '../support/patient-portal.js';
import { account, adultRecord, type Account } from './support/records.js';
import { describeInBrowser, expectAccessible, expectNoSideScroll, logIn, openStage, screenshot, visitor, type Stage } from './support/browser.js';

const VERSION = '2026-01';

describeInBrowser('the terms of use (Chromium)', () => {
  let stage: Stage;
  let patientKey: string;
  let acc: Account;
  const password = 'les platanes du cours Mirabeau';

  beforeAll(async () => {
    stage = await openStage({ CARNET_TERMS_VERSION: VERSION });
    patientKey = await adultRecord(stage, 'Jeanne', 'Durand');
    acc = await account(stage, patientKey, 'jeanne');
  }, 240_000);
  afterAll(async () => {
    await stage?.close();
  });

  it('CGU: after the first password, the next login shows the version in force and an accept button; accepting continues to the page asked for', async () => {
    const v = await visitor(stage);
    try {
      const { page } = v;
      await page.goto('/historique');
      await logIn(v, stage, acc.login, acc.temporaryPassword, acc.email);
      // AUTH-03 first: the terms are asked at the login that follows the new password
      await page.getByLabel(/^Nouveau mot de passe/).fill(password);
      await page.getByLabel('Confirmez le nouveau mot de passe').fill(password);
      await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
      await page.getByText('Votre mot de passe est enregistré').waitFor();
      const verified = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/verify');
      await logIn(v, stage, acc.login, password, acc.email);
      const restricted = ((await (await verified).json()) as { access_token: string }).access_token;
      await page.getByRole('heading', { level: 1, name: 'Conditions d’utilisation' }).waitFor();
      await page.getByText(`Version en vigueur : ${VERSION}`).waitFor();
      // nothing of the record is open meanwhile: no menu, no record's banner
      expect(await page.getByRole('navigation', { name: 'Menu principal' }).count()).toBe(0);
      await expectAccessible(page, 'terms fr');
      await screenshot(page, 'terms-desktop');
      await page.getByRole('button', { name: 'J’accepte les conditions d’utilisation' }).click();
      await page.getByRole('heading', { level: 1, name: 'Historique des accès' }).waitFor();
      await page.getByTestId('open-record').filter({ hasText: /^Jeanne Durand$/ }).waitFor();
      // the terms-pending session the page let go of gave way on the server (it ends it there)
      const asked = await fetch(`${stage.baseUrl}/fhir/Patient/${patientKey}/$home`, { headers: { authorization: `Bearer ${restricted}`, accept: 'application/fhir+json' } });
      expect(asked.status).toBe(401);
      // accepted once: the next login goes straight to the record
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.getByText('Vous êtes déconnecté').waitFor();
      await logIn(v, stage, acc.login, password, acc.email);
      await page.getByRole('heading', { level: 1, name: 'Accueil' }).waitFor();
      const traced = await stage.portal.db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE action = 'auth.terms.accept' AND outcome = 'success'");
      expect(traced.rows[0].n).toBe(1);
      expect(v.problems).toEqual([]);
    } finally {
      await v.close();
    }
  });

  it('CGU: a session the server holds back for the terms (a 403 on its first call) comes to the same screen, in English and at 375 px; a new login names the version, then the record opens', async () => {
    const record = await adultRecord(stage, 'Paul', 'Morel');
    const email = `paul.${process.pid}@example.org`;
    // a session opened through the API, with terms to accept, handed to the page without the
    // version (as a tab kept from before would hold it)
    const s = await activeSession(stage.portal, record, email);
    expect((await call(stage.portal, 'GET', `/fhir/Patient/${record}`, { token: s.token })).status).toBe(403);
    const v = await visitor(stage, { lang: 'en', width: 375, height: 800 });
    try {
      const { page } = v;
      await page.goto('/connexion');
      await page.evaluate(
        ({ token, patientId, login }) =>
          sessionStorage.setItem('carnet.sessions', JSON.stringify({ sessions: [{ token, patientId, login, role: 'patient', expiresAt: Date.now() + 600_000 }], current: patientId, expiredAt: null })),
        { token: s.token, patientId: record, login: s.login },
      );
      await page.goto('/documents');
      await page.getByRole('heading', { level: 1, name: 'Terms of use' }).waitFor();
      await page.getByText('The service asks you to accept its new terms of use').waitFor();
      await expectAccessible(page, 'terms en, version unknown');
      await expectNoSideScroll(page, 'terms en 375');
      await page.getByRole('button', { name: 'Log in again' }).click();
      await logIn(v, stage, s.login, s.password, email);
      await page.getByText(`Version in force: ${VERSION}`).waitFor();
      await expectAccessible(page, 'terms en');
      await expectNoSideScroll(page, 'terms en 375, version known');
      await screenshot(page, 'terms-phone-en');
      await page.getByRole('button', { name: 'I accept the terms of use' }).click();
      await page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
      await page.getByTestId('open-record').filter({ hasText: /^Paul Morel$/ }).waitFor();
      expect(await page.locator('body').innerText()).not.toMatch(/terms_acceptance_required|OperationOutcome|[{}]/);
      expect(v.problems).toEqual([]);
    } finally {
      await v.close();
    }
  });
});
