// A legal representative of two minors in the web space (MIN-01/02, MASK-03, MASK-04), in
// Chromium: an account on each child's record, both reached with one login and open in one tab,
// the page always saying whose record is open; a document hidden from the representatives is absent; a representative bound
// to a doctor's presence sees no medical document online.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import { call, resourcesOf } from '../support/patient-portal.js';
import { proActor } from '../support/world.js';
import { describeInBrowser, expectAccessible, expectNoSideScroll, firstLogin, logIn, openStage, screenshot, visitor, type Stage, type Visitor } from './support/browser.js';
import { account, authorise, deposit, joinLogin, mailbox, minorRecord, SUPPORT_AGENT, type Account } from './support/records.js';

describeInBrowser('a legal representative of two minors (Chromium)', () => {
  let stage: Stage;
  let v: Visitor;
  let lea: { patientKey: string; representativeId: string };
  let hugo: { patientKey: string; representativeId: string };
  let forLea: Account;
  let hidden: string;
  const parent = { given: 'Claire', family: 'Morel', email: mailbox('claire') };

  const banner = () => v.page.getByRole('region', { name: 'Dossier ouvert' });
  const opened = (name: string) => banner().getByTestId('open-record').filter({ hasText: new RegExp(`^${name}$`) }).waitFor();
  const nav = (name: string) => v.page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name });

  beforeAll(async () => {
    stage = await openStage();
    lea = await minorRecord(stage, 'Léa', 'Morel', '2012-04-03', parent);
    hugo = await minorRecord(stage, 'Hugo', 'Morel', '2015-09-21', parent);
    await authorise(stage, lea.patientKey, proActor('doctor').idNatPs, lea.representativeId);
    [, hidden] = await deposit(stage, 'doctor', lea.patientKey, [
      { typeCode: '11488-4', title: 'Consultation de Léa', content: 'Angine, amoxicilline 6 jours.' },
      { typeCode: '11488-4', title: 'Consultation confidentielle', content: 'Consultation demandée par Léa seule.', confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'] },
    ]);
    await authorise(stage, hugo.patientKey, proActor('doctor').idNatPs, hugo.representativeId);
    await deposit(stage, 'doctor', hugo.patientKey, [{ typeCode: '11488-4', title: 'Vaccinations de Hugo', content: 'Rappel DTP fait.' }]);
    // MASK-04: on Hugo's record, this representative reaches his data only with a doctor present
    await stage.portal.server.app.services.representatives.setDoctorPresenceRequired({ actor: { kind: 'patient', patientKey: hugo.patientKey }, channel: 'test' }, hugo.patientKey, hugo.representativeId, true);
    forLea = await account(stage, lea.patientKey, 'claire-lea', { role: 'legal_representative', representativeId: lea.representativeId });
    await joinLogin(stage, hugo.patientKey, hugo.representativeId, forLea.login);
    v = await visitor(stage);
  }, 240_000);
  afterAll(async () => {
    await v?.close();
    await stage?.close();
  });

  it('MIN-01 / MIN-02: with one login the parent reaches both children\'s records and switches between them; the page says whose record is open at all times', async () => {
    const { page } = v;
    await page.goto('/');
    await firstLogin(v, stage, forLea, 'le parc de la Tête d’Or');
    await opened('Léa Morel');
    await banner().getByText('vous êtes son représentant légal').waitFor();
    // the second record is there without a second login
    await banner().getByRole('button', { name: 'Ouvrir le dossier de Hugo Morel' }).click();
    await opened('Hugo Morel');
    await banner().getByText('vous êtes son représentant légal').waitFor();
    for (const path of ['/documents', '/historique', '/parametres', '/dossier']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await opened('Hugo Morel');
    }
    await expectAccessible(page, 'representative, two records');
    await screenshot(page, 'representative-desktop');
    await banner().getByRole('button', { name: 'Ouvrir le dossier de Léa Morel' }).click();
    await opened('Léa Morel');
    await page.getByRole('heading', { level: 1, name: 'Accueil' }).waitFor();
    await banner().getByRole('button', { name: 'Ouvrir le dossier de Hugo Morel' }).waitFor();
    // one login: the mailbox received the codes of that login only, no second account was made
    expect(stage.portal.sink.messages.filter((m) => m.subject.includes('code de connexion')).length).toBe(2);
    expect(v.problems).toEqual([]);
  });

  it('MIN-01 / MIN-02: on a phone, in English, the banner names the open record and offers the other one', async () => {
    const phone = await visitor(stage, { lang: 'en', width: 375, height: 800 });
    try {
      const { page } = phone;
      await page.goto('/');
      await logIn(phone, stage, forLea.login, 'le parc de la Tête d’Or', forLea.email);
      const region = page.getByRole('region', { name: 'Open record' });
      await region.getByTestId('open-record').filter({ hasText: /^Léa Morel$/ }).waitFor();
      await region.getByRole('button', { name: 'Open the record of Hugo Morel' }).click();
      await region.getByTestId('open-record').filter({ hasText: /^Hugo Morel$/ }).waitFor();
      await expectAccessible(page, 'representative en 375');
      await expectNoSideScroll(page, 'representative en 375');
      await screenshot(page, 'representative-phone-en');
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('MASK-03: a document the minor had hidden from the representatives is absent from the home, the list and the history; the doctor still sees it', async () => {
    const { page } = v;
    await page.getByTestId('current-count').filter({ hasText: /^1$/ }).waitFor();
    await nav('Documents').click();
    await page.getByRole('link', { name: 'Consultation de Léa' }).waitFor();
    await page.getByText('1 document', { exact: true }).waitFor();
    expect(await page.getByText('Consultation confidentielle').count()).toBe(0);
    await page.goto(`/documents/${hidden}`);
    await page.getByText('Ce document n’existe pas, ou il ne vous est pas accessible.').waitFor();
    const seen = await call<Bundle>(stage.portal, 'GET', `/fhir/DocumentReference?patient=Patient/${lea.patientKey}`, { actor: proActor('doctor') });
    expect(resourcesOf(seen.json).map((r) => r.id)).toContain(hidden);
  });

  it('TRACE-05: the history shown to the representative names no document hidden from the representatives', async () => {
    const { page } = v;
    await nav('Historique des accès').click();
    await page.locator('li.history-entry').first().waitFor();
    expect(await page.locator(`a[href="/documents/${hidden}"]`).count()).toBe(0);
  });

  it('MIN-01 / MASK-04: on the second child\'s record, bound to a doctor\'s presence, the parent sees no medical document, yet still decides who may see the record', async () => {
    const { page } = v;
    await page.getByRole('region', { name: 'Dossier ouvert' }).getByRole('button', { name: 'Ouvrir le dossier de Hugo Morel' }).click();
    await banner().getByTestId('open-record').filter({ hasText: /^Hugo Morel$/ }).waitFor();
    await page.getByTestId('current-count').filter({ hasText: /^0$/ }).waitFor();
    await nav('Documents').click();
    await page.getByText('Aucun document ne correspond.').waitFor();
    const doctorSees = await call<Bundle>(stage.portal, 'GET', `/fhir/DocumentReference?patient=Patient/${hugo.patientKey}`, { actor: proActor('doctor') });
    expect(doctorSees.status).toBe(200);
    // the representative authorises the family doctor for Hugo
    await nav('Qui voit mon dossier').click();
    await page.getByLabel(/^Nom/).fill('Petit');
    await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await page.getByRole('listitem').filter({ hasText: 'Bruno Petit' }).getByRole('button', { name: 'Autoriser' }).click();
    await page.getByText('Bruno Petit est autorisé à consulter votre dossier.').waitFor();
    expect((await call(stage.portal, 'GET', `/fhir/DocumentReference?patient=Patient/${hugo.patientKey}`, { actor: proActor('doctor2') })).status).toBe(200);
    expect(v.problems).toEqual([]);
  });

  it('PAT-05: in the settings, the representative sees the details the record holds for them and changes them; a wrong number is a sentence', async () => {
    const { page } = v;
    await nav('Paramètres').click();
    await page.getByRole('heading', { level: 3, name: 'Représentants légaux' }).waitFor();
    const item = page.getByRole('listitem').filter({ hasText: 'Claire Morel' });
    await item.getByText(parent.email).waitFor();
    await item.getByRole('button', { name: 'Modifier les coordonnées de Claire Morel' }).click();
    const form = page.getByRole('form', { name: 'Modifier les coordonnées de Claire Morel' });
    await form.getByLabel(/^Téléphone portable/).fill('12');
    await form.getByRole('button', { name: 'Enregistrer les coordonnées' }).click();
    await form.getByText('Cette adresse e-mail ou ce numéro de téléphone n’est pas valide').waitFor();
    await expectAccessible(page, 'settings, representative\'s details');
    await form.getByLabel(/^Téléphone portable/).fill('06 12 34 56 78');
    await form.getByRole('button', { name: 'Enregistrer les coordonnées' }).click();
    await page.getByText('Les coordonnées de Claire Morel sont enregistrées.').waitFor();
    await item.getByText(/\+33612345678|06 12 34 56 78/).waitFor();
    // kept on the record that is open, for this representative
    const child = (await banner().getByTestId('open-record').textContent()) === 'Hugo Morel' ? hugo : lea;
    const held = await stage.portal.server.app.services.representatives.list({ actor: SUPPORT_AGENT, channel: 'test' }, child.patientKey);
    expect(held.find((r) => r.representative_id === child.representativeId)).toMatchObject({ email: parent.email, phone: expect.stringMatching(/612345678$/) });
    expect(v.problems).toEqual([]);
  });

  it('MIN-01 / MIN-02: a document begun on one child\'s record is not offered on the other\'s after a switch', async () => {
    const { page } = v;
    const to = async (name: string) => {
      if ((await banner().getByTestId('open-record').textContent()) !== name) await banner().getByRole('button', { name: `Ouvrir le dossier de ${name}` }).click();
      await opened(name);
    };
    // moving inside the page (a reload would forget what was typed anyway)
    const form = async () => {
      await nav('Documents').click();
      await page.getByRole('link', { name: 'Ajouter un document' }).click();
      await page.getByRole('heading', { level: 1, name: 'Ajouter un document' }).waitFor();
      return { title: page.getByLabel(/^Titre du document/), text: page.getByLabel(/^Texte/) };
    };
    await to('Léa Morel');
    const onLea = await form();
    await onLea.title.fill('Allergie de Léa');
    await onLea.text.fill('Léa a fait une réaction à la pénicilline.');
    await to('Hugo Morel');
    await opened('Hugo Morel');
    const onHugo = await form();
    await opened('Hugo Morel');
    expect({ title: await onHugo.title.inputValue(), text: await onHugo.text.inputValue() }).toEqual({ title: '', text: '' });
    // back on Léa's record, what was typed there is still there
    await to('Léa Morel');
    const back = await form();
    expect({ title: await back.title.inputValue(), text: await back.text.inputValue() }).toEqual({ title: 'Allergie de Léa', text: 'Léa a fait une réaction à la pénicilline.' });
    expect(v.problems).toEqual([]);
  });
});
