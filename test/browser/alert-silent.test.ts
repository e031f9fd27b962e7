// PAT-03 with MIN-01 in Chromium: the alert address a legal representative chose falls silent when
// that representative's access ends. The other holder, in the settings, is told so next to the
// address (`alertSilent` from /auth/contact), and saving an address again ends the notice. In both
// languages, accessible, usable at 375 px.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { minorRecord } from '../support/lock-records.js';
import { activeSession, call } from '../support/patient-portal.js';
import { as } from '../support/world.js';
import { describeInBrowser, expectAccessible, expectNoSideScroll, firstLogin, logIn, openStage, pageToken, screenshot, visitor, type Stage } from './support/browser.js';
import { account, mailbox, type Account } from './support/records.js';

describeInBrowser('the alert address that fell silent, in the settings (Chromium)', () => {
  let stage: Stage;
  let patientKey: string;
  let secondParent: Account;
  const firstParent = mailbox('anne');
  const alerts = mailbox('alertes');
  const password = 'la place des Lices un samedi';

  let reps: string[];

  beforeAll(async () => {
    stage = await openStage();
    const created = await minorRecord(stage.portal.server.app.services, [
      { given: 'Anne', family: 'Roux', email: firstParent },
      { given: 'Marc', family: 'Roux' },
    ]);
    patientKey = created.patientKey;
    reps = created.representativeIds;
    // the first parent chooses the record's alert address (PAT-03, MIN-01)…
    const { token } = await activeSession(stage.portal, patientKey, firstParent, { role: 'legal_representative', representativeId: reps[0]! });
    expect((await call(stage.portal, 'PUT', '/auth/contact', { token, body: { alertEmail: alerts } })).status).toBe(200);
    // …then the second parent ends the first one's access: the address is told of nothing more
    await stage.portal.server.app.services.representatives.end(as({ kind: 'legal_representative', patientKey, representativeId: reps[1]! }), patientKey, reps[0]!);
    secondParent = await account(stage, patientKey, 'marc', { role: 'legal_representative', representativeId: reps[1]! });
  }, 240_000);
  afterAll(async () => {
    await stage?.close();
  });

  it('PAT-03 / MIN-01: the settings show the address and say it receives no alerts any more, since whoever chose it no longer has access', async () => {
    const v = await visitor(stage);
    try {
      const { page } = v;
      await page.goto('/');
      await firstLogin(v, stage, secondParent, password);
      await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Paramètres' }).click();
      await page.getByRole('heading', { level: 1, name: 'Paramètres' }).waitFor();
      const card = page.getByRole('region', { name: 'Alertes' });
      await card.getByRole('status').filter({ hasText: 'Cette adresse ne reçoit plus d’alertes : elle avait été choisie par une personne qui n’a plus accès au dossier.' }).waitFor();
      expect(await card.getByLabel(/^Adresse de réception des alertes/).inputValue()).toBe(alerts);
      await expectAccessible(page, 'settings, silent alert address fr');
      await screenshot(page, 'alert-silent-desktop');
      expect(v.problems).toEqual([]);
    } finally {
      await v.close();
    }
  });

  it('PAT-03 / MIN-01: on a phone, in English, the same notice; saving the address again makes it heard again and the notice goes', async () => {
    const v = await visitor(stage, { lang: 'en', width: 375, height: 800 });
    try {
      const { page } = v;
      await page.goto('/parametres');
      await logIn(v, stage, secondParent.login, password, secondParent.email);
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      const card = page.getByRole('region', { name: 'Alerts' });
      const notice = card.getByTestId('alert-silent');
      await notice.filter({ hasText: 'This address no longer receives alerts: it was chosen by someone who no longer has access to the record.' }).waitFor();
      await expectAccessible(page, 'settings, silent alert address en');
      await expectNoSideScroll(page, 'settings, silent alert address en 375');
      await screenshot(page, 'alert-silent-phone-en');
      // the holder saves the same address: chosen now by someone who holds the record
      await card.getByRole('button', { name: 'Save the address for alerts' }).click();
      await page.getByText('The address for alerts is saved.').waitFor();
      await notice.waitFor({ state: 'detached' });
      expect((await call(stage.portal, 'GET', '/auth/contact', { token: await pageToken(page) })).json).toMatchObject({ alertEmail: alerts, alertSilent: false });
      expect(v.problems).toEqual([]);
    } finally {
      await v.close();
    }
  });
});
