// A session the page lets go of ends on the server (AUTH-01, AUTH-03, MIN-01/02), in Chromium:
// the temporary session once the password is chosen, a session of a record replaced by a new
// login in the same tab, a record a representative's second login opens anew beside one the tab
// holds. Each time the token the page no longer holds is refused by the FHIR door afterwards. A
// wrong current password in the settings, though a 401, leaves the session as it was.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeInBrowser, firstLogin, logIn, openStage, visitor, type Stage, type Visitor } from './support/browser.js';
import { account, adultRecord, joinLogin, mailbox, minorRecord, type Account } from './support/records.js';

type Held = { token: string; patientId: string };
const held = (page: Page) =>
  page.evaluate(() => (JSON.parse(sessionStorage.getItem('carnet.sessions') ?? '{}') as { sessions?: Held[] }).sessions ?? []);

describeInBrowser('a session the page lets go of ends on the server (Chromium)', () => {
  let stage: Stage;
  let v: Visitor;
  let adult: string;
  let acc: Account;
  let forLea: Account;
  const password = 'les quais de Saône au printemps';

  /** The FHIR door's answer to a token, for the record it opens. */
  const asked = (s: Held) =>
    fetch(`${stage.baseUrl}/fhir/Patient/${s.patientId}/$home`, { headers: { authorization: `Bearer ${s.token}`, accept: 'application/fhir+json' } }).then((r) => r.status);
  /** The answers to the page's POST /auth/logout, as they come (the page does not wait for them). */
  function endsOf(page: Page) {
    const ends: number[] = [];
    const isEnd = (r: { url(): string }) => new URL(r.url()).pathname === '/auth/logout';
    page.on('response', (r) => {
      if (isEnd(r)) ends.push(r.status());
    });
    return {
      async atLeast(n: number): Promise<number[]> {
        while (ends.length < n) await page.waitForResponse(isEnd);
        return ends;
      },
    };
  }

  beforeAll(async () => {
    stage = await openStage();
    adult = await adultRecord(stage, 'Odile', 'Perrin');
    acc = await account(stage, adult, 'odile');
    const parent = { given: 'Claire', family: 'Morel', email: mailbox('claire') };
    const lea = await minorRecord(stage, 'Léa', 'Morel', '2012-04-03', parent);
    const hugo = await minorRecord(stage, 'Hugo', 'Morel', '2015-09-21', parent);
    forLea = await account(stage, lea.patientKey, 'claire-lea', { role: 'legal_representative', representativeId: lea.representativeId });
    await joinLogin(stage, hugo.patientKey, hugo.representativeId, forLea.login);
    v = await visitor(stage);
  }, 240_000);
  afterAll(async () => {
    await v?.close();
    await stage?.close();
  });

  it('AUTH-03: once the temporary password is replaced, the temporary session the page drops is ended on the server', async () => {
    const { page } = v;
    const ends = endsOf(page);
    await page.goto('/connexion');
    const verified = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/verify');
    await logIn(v, stage, acc.login, acc.temporaryPassword, acc.email);
    const temporary = { token: ((await (await verified).json()) as { access_token: string }).access_token, patientId: adult };
    await page.getByLabel(/^Nouveau mot de passe/).fill(password);
    await page.getByLabel('Confirmez le nouveau mot de passe').fill(password);
    await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
    await page.getByText('Votre mot de passe est enregistré').waitFor();
    expect(await ends.atLeast(1)).toEqual([204]);
    // a temporary session opens no record (403); once ended it is refused as a session (401)
    expect(await asked(temporary)).toBe(401);
    expect(v.problems).toEqual([]);
  });

  it('AUTH-01: a new login over a held session of the same record ends the old one on the server; the new one works', async () => {
    const { page } = v;
    await logIn(v, stage, acc.login, password, acc.email);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    const [old] = await held(page);
    expect(await asked(old)).toBe(200);
    const ends = endsOf(page);
    // "Ouvrir un autre dossier", then the same login again in the same tab
    await page.goto('/connexion?ajouter=1');
    await logIn(v, stage, acc.login, password, acc.email);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    const now = await held(page);
    expect(now).toHaveLength(1);
    expect(now[0].token).not.toBe(old.token);
    expect(await ends.atLeast(1)).toEqual([204]);
    expect(await asked(old)).toBe(401);
    expect(await asked(now[0])).toBe(200);
    // the page shows no error of it
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    expect(v.problems).toEqual([]);
  });

  it('AUTH-01: a wrong current password in the settings is a sentence; the session goes on, on the page and on the server', async () => {
    const { page } = v;
    await page.goto('/parametres');
    await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();
    const [open] = await held(page);
    await page.getByLabel(/^Mot de passe actuel/).fill('pas le bon mot de passe');
    await page.getByLabel(/^Nouveau mot de passe/).fill('un autre jardin au bord du Rhône');
    await page.getByRole('button', { name: 'Changer mon mot de passe' }).click();
    await page.getByText('Le mot de passe actuel saisi est incorrect.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/parametres');
    expect(await held(page)).toEqual([open]);
    expect(await asked(open)).toBe(200);
    expect(v.problems).toEqual([]);
  });

  it('MIN-01 / MIN-02: a representative logging in again ends the replaced session and the duplicate the switch opened; the records stay open', async () => {
    const tab = await visitor(stage);
    try {
      const { page } = tab;
      await firstLogin(tab, stage, forLea, password);
      await page.getByRole('button', { name: 'Ouvrir le dossier de Hugo Morel' }).waitFor();
      const first = await held(page);
      expect(first).toHaveLength(2);
      // the same login again: the first record's session is replaced, the second is opened anew
      // by the switch, and the tab keeps the one it holds
      await page.goto('/connexion?ajouter=1');
      const ends = endsOf(page);
      const switched = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/switch');
      await logIn(tab, stage, forLea.login, password, forLea.email);
      const duplicate = { token: ((await (await switched).json()) as { access_token: string; patient: string }).access_token, patientId: first[1].patientId };
      await page.getByRole('button', { name: 'Ouvrir le dossier de Hugo Morel' }).waitFor();
      const now = await held(page);
      expect(now.map((s) => s.patientId).sort()).toEqual(first.map((s) => s.patientId).sort());
      expect(now.find((s) => s.patientId === first[1].patientId)?.token).toBe(first[1].token);
      expect(await ends.atLeast(2)).toEqual([204, 204]);
      expect(await asked(first[0])).toBe(401);
      expect(await asked(duplicate)).toBe(401);
      for (const s of now) expect(await asked(s)).toBe(200);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});
