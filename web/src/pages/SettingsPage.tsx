// Settings: display (PAT-02), alerts (PAT-03), login code channel and contact (AUTH-05), the
// password, emergency contacts and representatives' details (PAT-05).
import type { Parameters } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { changePassword, getContact, putContact, type ContactSettings } from '../api/auth';
import { params } from '../fhir/bundle';
import { useRecord } from '../session/useRecord';
import { Choice } from '../ui/Choice';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';
import { Loading, Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { ContactsSection } from './settings/ContactsSection';

const SIZES = [5, 10, 20, 50, 100];

export default function SettingsPage() {
  const { t } = useTranslation();
  const record = useRecord();
  const client = useQueryClient();
  const prefs = useQuery({ queryKey: [record.patientId, 'preferences'], queryFn: () => record.get<Parameters>(`/Patient/${record.patientId}/$preferences`) });
  const contact = useQuery({ queryKey: [record.patientId, 'account'], queryFn: () => getContact(record.token) });
  const [pageSize, setPageSize] = useState(20);
  const [sortOrder, setSortOrder] = useState('date');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [channel, setChannel] = useState<'email' | 'sms'>('email');
  const [alertEmail, setAlertEmail] = useState('');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    if (!prefs.data) return;
    setPageSize(params(prefs.data, 'pageSize')[0]?.valueInteger ?? 20);
    setSortOrder(params(prefs.data, 'sortOrder')[0]?.valueCode ?? 'date');
  }, [prefs.data]);
  useEffect(() => {
    if (!contact.data) return;
    setEmail(contact.data.email ?? '');
    setPhone(contact.data.phone ?? '');
    setChannel(contact.data.codeChannel);
    setAlertEmail(contact.data.alertEmail ?? '');
  }, [contact.data]);

  const savePrefs = useMutation({
    mutationFn: () =>
      record.send<Parameters>('POST', `/Patient/${record.patientId}/$preferences`, {
        resourceType: 'Parameters',
        parameter: [
          { name: 'pageSize', valueInteger: pageSize },
          { name: 'sortOrder', valueCode: sortOrder },
        ],
      }),
    onSuccess: async () => {
      setDone(t('settings.displaySaved'));
      await client.invalidateQueries({ queryKey: [record.patientId] });
    },
  });
  const saveContact = useMutation({
    mutationFn: (changes: Partial<ContactSettings>) => putContact(record.token, changes),
    onSuccess: (c, changes) => {
      client.setQueryData([record.patientId, 'account'], c);
      setDone('alertEmail' in changes ? t('settings.alertSaved') : t('settings.codeSaved'));
    },
  });
  const savePassword = useMutation({
    mutationFn: () => changePassword(record.token, next, current),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setDone(t('settings.passwordSaved'));
    },
  });
  const submit = (work: () => void) => (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    work();
  };

  return (
    <div>
      <PageTitle title={t('settings.title')}>{t('settings.title')}</PageTitle>
      {done ? <Notice tone="success">{done}</Notice> : null}
      {prefs.isPending || contact.isPending ? <Loading label={t('common.loading')} /> : null}
      <div className="grid">
        <section className="card" aria-labelledby="display">
          <h2 id="display">{t('settings.displayTitle')}</h2>
          <ErrorNotice error={prefs.error ?? savePrefs.error} />
          <Form onSubmit={submit(() => savePrefs.mutate())} aria-label={t('settings.displayTitle')}>
            <div className="field">
              <label className="field-label" htmlFor="page-size">
                {t('settings.pageSize')}
              </label>
              <select id="page-size" className="input" value={pageSize} onChange={(e) => setPageSize(Number(e.target.value))}>
                {SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
            <Choice label={t('settings.sort')} value={sortOrder} onChange={setSortOrder} options={[['date', t('settings.sortDate')], ['author', t('settings.sortAuthor')]]} />
            <div className="actions">
              <Button type="submit" className="button" isDisabled={savePrefs.isPending}>
                {t('settings.saveDisplay')}
              </Button>
            </div>
          </Form>
        </section>

        <section className="card" aria-labelledby="alerts">
          <h2 id="alerts">{t('settings.alertsTitle')}</h2>
          <p className="hint">{t('settings.alertsIntro')}</p>
          {contact.data?.alertSilent ? (
            <p className="hint" role="status" data-testid="alert-silent">
              {t('settings.alertSilent')}
            </p>
          ) : null}
          <Form onSubmit={submit(() => saveContact.mutate({ alertEmail: alertEmail.trim() || null }))} aria-label={t('settings.alertsTitle')}>
            <Field label={t('settings.alertEmail')} type="email" value={alertEmail} onChange={setAlertEmail} autoComplete="email" description={t('settings.alertHint')} />
            <div className="actions">
              <Button type="submit" className="button" isDisabled={saveContact.isPending}>
                {t('settings.saveAlert')}
              </Button>
            </div>
          </Form>
        </section>
      </div>
      <ErrorNotice error={saveContact.error} context="contact" />

      <div className="grid section">
        <section className="card" aria-labelledby="codes">
          <h2 id="codes">{t('settings.codesTitle')}</h2>
          <p className="hint">{t('settings.codesIntro', { login: contact.data?.login ?? '' })}</p>
          <Form onSubmit={submit(() => saveContact.mutate({ email: email.trim() || null, phone: phone.trim() || null, codeChannel: channel }))} aria-label={t('settings.codesTitle')}>
            <Field label={t('settings.email')} type="email" value={email} onChange={setEmail} autoComplete="email" />
            <Field label={t('settings.phone')} type="tel" value={phone} onChange={setPhone} autoComplete="tel" description={t('settings.phoneHint')} />
            <Choice<'email' | 'sms'> label={t('settings.channel')} value={channel} onChange={setChannel} options={[['email', t('settings.byEmail')], ['sms', t('settings.bySms')]]} />
            <div className="actions">
              <Button type="submit" className="button" isDisabled={saveContact.isPending}>
                {t('settings.saveCodes')}
              </Button>
            </div>
          </Form>
        </section>

        <section className="card" aria-labelledby="password">
          <h2 id="password">{t('settings.passwordTitle')}</h2>
          <ErrorNotice error={savePassword.error} context="password" />
          <Form onSubmit={submit(() => savePassword.mutate())} aria-label={t('settings.passwordTitle')}>
            <Field label={t('settings.currentPassword')} type="password" value={current} onChange={setCurrent} autoComplete="current-password" isRequired />
            <Field label={t('login.newPassword')} type="password" value={next} onChange={setNext} autoComplete="new-password" isRequired description={t('login.passwordPolicy')} />
            <div className="actions">
              <Button type="submit" className="button" isDisabled={savePassword.isPending}>
                {t('settings.savePassword')}
              </Button>
            </div>
          </Form>
        </section>
      </div>

      <ContactsSection record={record} />
    </div>
  );
}
