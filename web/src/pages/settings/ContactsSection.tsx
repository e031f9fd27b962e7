// PAT-05: the people to tell in an emergency, and the details the record holds for the legal
// representatives. A change replaces the whole list (the $contacts operation).
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { params, partString } from '../../fhir/bundle';
import { useDraft } from '../../session/drafts';
import type { RecordApi } from '../../session/useRecord';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { Notice } from '../../ui/Notice';
import { RepresentativesSection } from './RepresentativesSection';

interface Contact {
  name: string;
  relationship: string;
  phone: string;
  email: string;
}
const blank: Contact = { name: '', relationship: '', phone: '', email: '' };
const MAX = 5;

const toContact = (p: ParametersParameter): Contact => ({ name: partString(p, 'name') ?? '', relationship: partString(p, 'relationship') ?? '', phone: partString(p, 'phone') ?? '', email: partString(p, 'email') ?? '' });

export function ContactsSection({ record }: { record: RecordApi }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const key = [record.patientId, 'contacts'];
  const contacts = useQuery({ queryKey: key, queryFn: () => record.get<Parameters>(`/Patient/${record.patientId}/$contacts`) });
  const stored = contacts.data ? params(contacts.data, 'emergencyContact').map(toContact) : [];
  const [draft, setDraft, clearDraft] = useDraft<Contact[] | null>(`contacts.${record.patientId}`, null);
  const list = draft ?? stored;
  const [saved, setSaved] = useState(false);
  const reps = contacts.data ? params(contacts.data, 'representative') : [];

  const save = useMutation({
    mutationFn: (next: Contact[]) => {
      const kept = next.filter((c) => c.name.trim() || c.phone.trim() || c.email.trim());
      const parameter: ParametersParameter[] = kept.length
        ? kept.map((c) => ({
            name: 'emergencyContact',
            part: (['name', 'relationship', 'phone', 'email'] as const).filter((k) => c[k].trim()).map((k) => ({ name: k, valueString: c[k].trim() })),
          }))
        : [{ name: 'clearEmergencyContacts', valueBoolean: true }];
      return record.send<Parameters>('POST', `/Patient/${record.patientId}/$contacts`, { resourceType: 'Parameters', parameter });
    },
    onSuccess: (answer) => {
      client.setQueryData(key, answer);
      clearDraft();
      setSaved(true);
    },
  });
  const update = (i: number, changes: Partial<Contact>) => {
    setSaved(false);
    setDraft(list.map((c, j) => (j === i ? { ...c, ...changes } : c)));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(list);
  };

  return (
    <section className="card section" aria-labelledby="contacts">
      <h2 id="contacts">{t('settings.contactsTitle')}</h2>
      <p className="hint">{t('settings.contactsIntro')}</p>
      {saved ? <Notice tone="success">{t('settings.contactsSaved')}</Notice> : null}
      <ErrorNotice error={contacts.error ?? save.error} context="contact" />
      <Form onSubmit={submit} aria-label={t('settings.contactsTitle')}>
        {list.map((c, i) => (
          <fieldset key={i} className="contact-row">
            <legend>{t('settings.contactN', { n: i + 1 })}</legend>
            <Field label={t('settings.contactName')} value={c.name} onChange={(name) => update(i, { name })} isRequired />
            <Field label={t('settings.contactRelationship')} value={c.relationship} onChange={(relationship) => update(i, { relationship })} />
            <Field label={t('settings.phone')} type="tel" value={c.phone} onChange={(phone) => update(i, { phone })} autoComplete="off" />
            <Field label={t('settings.email')} type="email" value={c.email} onChange={(email) => update(i, { email })} autoComplete="off" />
            <Button className="button button-small button-quiet" onPress={() => setDraft(list.filter((_, j) => j !== i))}>
              {t('settings.removeContact', { n: i + 1 })}
            </Button>
          </fieldset>
        ))}
        <p className="hint">{t('settings.contactNeeds')}</p>
        <div className="actions">
          <Button className="button button-secondary" isDisabled={list.length >= MAX} onPress={() => setDraft([...list, { ...blank }])}>
            {t('settings.addContact')}
          </Button>
          <Button type="submit" className="button" isDisabled={save.isPending}>
            {t('settings.saveContacts')}
          </Button>
        </div>
      </Form>
      <RepresentativesSection reps={reps} record={record} queryKey={key} />
    </section>
  );
}
