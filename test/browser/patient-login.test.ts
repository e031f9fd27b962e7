// The patient's login journeys in Chromium (AUTH-01/02/03): the first login with the temporary
// password and the forced change, codes read from a real SMTP sink, clear sentences for a wrong
// password, a locked account and a wrong code, logout, and a session that expires in the middle
// of a form and comes back to it with what was typed.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { account, adultRecord, type Account } from './support/records.js';
import { codeFor, describeInBrowser, logIn, mailCount, newTab, openStage, visitor, type Stage, type Visitor } from './support/browser.js';

describeInBrowser('the patient logs in (Chromium)', () => {
  let stage: Stage;
  let v: Visitor;
  let patientKey: string;
  let acc: Account;
  const password = 'un jardin au bord de la Loire';

  beforeAll(async () => {
    stage = await openStage();
    patientKey = await adultRecord(stage, 'Jeanne', 'Durand');
    acc = await account(stage, patientKey, 'jeanne');
    v = await visitor(stage);
  }, 240_000);
  afterAll(async () => {
    await v?.close();
    await stage?.close();
  });

  it('AUTH-03 / AUTH-01: the first login with the temporary password, a code by e-mail, the forced change, then a login with the new password', async () => {
    const { page } = v;
    await page.goto('/');
    // a page of the record without a session is the login page
    await page.getByRole('heading', { name: 'Connexion à mon dossier', level: 1 }).waitFor();
    expect(page.url()).toContain('/connexion');
    await logIn(v, stage, acc.login, acc.temporaryPassword, acc.email);
    await page.getByRole('heading', { name: 'Choisissez votre mot de passe' }).waitFor();
    // a too-simple password is refused with a sentence naming the policy
    await page.getByLabel(/^Nouveau mot de passe/).fill('court');
    await page.getByLabel('Confirmez le nouveau mot de passe').fill('court');
    await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
    await page.getByText('Ce mot de passe ne convient pas').waitFor();
    await page.getByLabel(/^Nouveau mot de passe/).fill(password);
    await page.getByLabel('Confirmez le nouveau mot de passe').fill(password);
    await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
    await page.getByText('Votre mot de passe est enregistré').waitFor();
    // the temporary password is spent: the new one, with a new code
    await logIn(v, stage, acc.login, password, acc.email);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    await expect(page.getByTestId('open-record').textContent()).resolves.toBe('Jeanne Durand');
    const codes = stage.portal.sink.messages.filter((m) => m.to.includes(acc.email) && m.subject.includes('code de connexion'));
    expect(codes.length).toBe(2);
    expect(v.problems).toEqual([]);
  });

  it('AUTH-01: logging out ends the session on the server: the token the page held is refused afterwards', async () => {
    const { page } = v;
    const held = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('carnet.sessions') ?? '{}') as { sessions?: Array<{ token: string }> }).sessions?.[0]?.token);
    expect(held).toEqual(expect.any(String));
    const asked = (token: string) =>
      fetch(`${stage.baseUrl}/fhir/Patient/${patientKey}/$home`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } }).then((r) => r.status);
    expect(await asked(held!)).toBe(200);
    const ended = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/logout');
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByText('Vous êtes déconnecté').waitFor();
    expect((await ended).status()).toBe(204);
    expect(await asked(held!)).toBe(401);
    // the page holds nothing of it any more; logging in again opens a new session
    expect(await page.evaluate(() => sessionStorage.getItem('carnet.sessions') ?? '')).not.toContain(held!);
    await logIn(v, stage, acc.login, password, acc.email);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    expect(v.problems).toEqual([]);
  });

  it('AUTH-01: a return address after login that the browser would read as another host (`/\\host`) leads to the home page', async () => {
    const { page } = v;
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByText('Vous êtes déconnecté').waitFor();
    const origin = new URL(stage.baseUrl).origin;
    // `/\host` is a path to the page's router, but a browser resolves it as `//host`
    await page.goto('/connexion?retour=' + encodeURIComponent('/\\autre.invalid/piege'));
    await logIn(v, stage, acc.login, password, acc.email);
    // the browser refuses to move the page's history to another origin: the login stayed
    // stuck on its own page, a session open behind it; now the return is the home page
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    expect(new URL(page.url()).origin).toBe(origin);
    expect(v.problems).toEqual([]);
  });

  it('AUTH-01: a wrong code is a sentence, not JSON; a new code can be asked for', async () => {
    const { page } = v;
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByText('Vous êtes déconnecté').waitFor();
    const before = mailCount(stage, acc.email);
    await page.getByRole('textbox', { name: 'Identifiant' }).fill(acc.login);
    await page.getByLabel(/^Mot de passe/).fill(password);
    await page.getByRole('button', { name: 'Continuer' }).click();
    const code = await codeFor(stage, acc.email, before);
    await page.getByLabel('Code reçu').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await page.getByText('Ce code est incorrect ou a expiré').waitFor();
    expect(await page.locator('body').innerText()).not.toMatch(/[{}]|invalid_code|OperationOutcome/);
    const again = mailCount(stage, acc.email);
    await page.getByRole('button', { name: 'Recevoir un nouveau code' }).click();
    const fresh = await codeFor(stage, acc.email, again);
    await page.getByLabel('Code reçu').fill(fresh);
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
  });

  it('AUTH-02: wrong passwords say that three failures lock the account for 15 minutes; the locked account says the same, then opens after the lock', async () => {
    // another tab of the same browser: a second person's login, beside the open session of the first
    const other = await newTab(v);
    const locked = await account(stage, await adultRecord(stage, 'Paul', 'Morel'), 'paul');
    try {
      const { page } = other;
      await page.goto('/connexion');
      for (let i = 0; i < 3; i++) {
        await page.getByRole('textbox', { name: 'Identifiant' }).fill(locked.login);
        await page.getByLabel(/^Mot de passe/).fill(`faux mot de passe ${i}`);
        await page.getByRole('button', { name: 'Continuer' }).click();
        await page.getByText('Identifiant ou mot de passe incorrect').waitFor();
      }
      await expect(page.getByRole('alert').filter({ hasText: 'bloqué pendant 15 minutes' }).count()).resolves.toBe(1);
      // even the right password is refused during the lock, with the same sentence
      await page.getByLabel(/^Mot de passe/).fill(locked.temporaryPassword);
      const before = mailCount(stage, locked.email);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByText('Identifiant ou mot de passe incorrect').waitFor();
      expect(mailCount(stage, locked.email)).toBe(before);
      stage.portal.clock.advance(16 * 60_000);
      await logIn(other, stage, locked.login, locked.temporaryPassword, locked.email);
      await page.getByRole('heading', { name: 'Choisissez votre mot de passe' }).waitFor();
    } finally {
      await other.close();
    }
  });

  it('a session that expires in the middle of a form returns to the login, then to the same form with what was typed', async () => {
    const { page } = v;
    await page.getByRole('link', { name: 'Gestion du dossier' }).click();
    await page.getByLabel('Motif de la demande').fill('Je déménage à Lyon et change de médecin.');
    // the server's clock moves past the session's lifetime (30 minutes)
    stage.portal.clock.advance(31 * 60_000);
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.getByText('Votre session a expiré').waitFor();
    expect(page.url()).toContain('/connexion');
    await logIn(v, stage, acc.login, password, acc.email);
    await page.getByRole('heading', { name: 'Gestion du dossier', level: 1 }).waitFor();
    await expect(page.getByLabel('Motif de la demande').inputValue()).resolves.toBe('Je déménage à Lyon et change de médecin.');
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.getByText('Votre demande est enregistrée (référence').waitFor();
    expect(v.problems).toEqual([]);
  });
});
