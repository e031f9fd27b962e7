// AUTH-04 in Chromium: from the login page, without a session, a person asks the support
// service for their lost credentials (or for an account); the request reaches the support
// desk's work list; a missing contact and a refused address are sentences. In both languages,
// accessible, usable at 375 px.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { call } from '../support/patient-portal.js';
import { SUPPORT_AGENT } from './support/records.js';
import { describeInBrowser, expectAccessible, expectNoSideScroll, openStage, screenshot, visitor, type Stage } from './support/browser.js';

describeInBrowser('asking the support service from the login page (Chromium)', () => {
  let stage: Stage;

  beforeAll(async () => {
    stage = await openStage();
  }, 240_000);
  afterAll(async () => {
    await stage?.close();
  });

  const requests = async () => (await call(stage.portal, 'GET', '/auth/support/requests?status=open', { actor: SUPPORT_AGENT })).json.requests as Array<Record<string, any>>;

  it('AUTH-04: lost credentials, asked from the login page; the request reaches the support desk with what was typed', async () => {
    const v = await visitor(stage);
    try {
      const { page } = v;
      await page.goto('/connexion');
      await page.getByText('Besoin d’aide pour vous connecter ?').click();
      await page.getByRole('link', { name: 'Demander un nouvel identifiant, un mot de passe ou un compte' }).click();
      await page.getByRole('heading', { level: 1, name: 'Demander l’aide de l’assistance' }).waitFor();
      await page.getByText('son représentant légal (parent, tuteur)', { exact: true }).click();
      expect(await page.getByRole('radio', { name: 'son représentant légal (parent, tuteur)' }).isChecked()).toBe(true);
      await page.getByLabel(/^Nom de famille/).fill('Morel');
      await page.getByLabel(/^Prénom/).fill('Léa');
      await page.getByLabel(/^Votre identifiant/).fill('abcd-efgh-ijkl');
      // no way to answer: said in place, nothing sent
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      await page.getByText('Indiquez une adresse e-mail ou un numéro de téléphone pour recevoir la réponse.').waitFor();
      expect(await requests()).toEqual([]);
      // an address the server refuses: a sentence, never its JSON
      await page.getByLabel(/^Adresse e-mail/).fill('claire@example');
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      await page.getByText('Cette adresse e-mail ou ce numéro de téléphone n’est pas valide').waitFor();
      expect(await page.locator('body').innerText()).not.toMatch(/invalid_|[{}]/);
      await expectAccessible(page, 'help request fr');
      await screenshot(page, 'help-request-desktop');
      await page.getByLabel(/^Adresse e-mail/).fill('claire.morel@example.org');
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      await page.getByText(/^Votre demande est enregistrée \(référence [0-9a-f]{8}\)\.$/).waitFor();
      await page.getByText('vous remet votre identifiant et un nouveau mot de passe temporaire').waitFor();
      const [filed] = await requests();
      expect(filed).toMatchObject({ kind: 'credentials', loginHint: 'abcd-efgh-ijkl', details: { family: 'Morel', given: 'Léa', email: 'claire.morel@example.org', role: 'legal_representative' } });
      expect(v.problems).toEqual([]);
    } finally {
      await v.close();
    }
  });

  it('AUTH-04: an account asked for, in English, on a phone', async () => {
    const v = await visitor(stage, { lang: 'en', width: 375, height: 800 });
    try {
      const { page } = v;
      await page.goto('/connexion/aide');
      await page.getByRole('heading', { level: 1, name: 'Ask the support service for help' }).waitFor();
      await page.getByText('I have no account for my record yet', { exact: true }).click();
      expect(await page.getByRole('radio', { name: 'I have no account for my record yet' }).isChecked()).toBe(true);
      await page.getByLabel(/^Family name/).fill('Durand');
      await page.getByLabel(/^Mobile phone/).fill('06 12 34 56 78');
      await expectAccessible(page, 'help request en');
      await expectNoSideScroll(page, 'help request en 375');
      await screenshot(page, 'help-request-phone-en');
      await page.getByRole('button', { name: 'Send the request' }).click();
      await page.getByText(/^Your request is recorded \(reference [0-9a-f]{8}\)\.$/).waitFor();
      expect((await requests()).map((r) => [r.kind, r.details.family])).toContainEqual(['account', 'Durand']);
      expect(v.problems).toEqual([]);
    } finally {
      await v.close();
    }
  });
});
