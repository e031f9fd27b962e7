// PAT-05: the legal representatives the record names, and the e-mail and phone it holds for
// each (the $contacts operation changes them; the server decides who may). An ended
// representative is listed, without a change to make.
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { part, partString } from '../../fhir/bundle';
import type { RecordApi } from '../../session/useRecord';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { Notice } from '../../ui/Notice';

/** The $contacts change of one representative's details: only what was given changes. */
export function representativeChange(id: string, email: string, phone: string): Parameters {
  const parts: ParametersParameter[] = [{ name: 'id', valueId: id }];
  if (email.trim()) parts.push({ name: 'email', valueString: email.trim() });
  if (phone.trim()) parts.push({ name: 'phone', valueString: phone.trim() });
  return { resourceType: 'Parameters', parameter: [{ name: 'representative', part: parts }] };
}

function RepresentativeItem({ rep, record, queryKey }: { rep: ParametersParameter; record: RecordApi; queryKey: unknown[] }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const id = partString(rep, 'id') ?? part(rep, 'id')?.valueId ?? '';
  const name = [partString(rep, 'given'), partString(rep, 'family')].filter(Boolean).join(' ');
  const active = part(rep, 'active')?.valueBoolean !== false;
  const [editing, setEditing] = useState(false);
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () => record.send<Parameters>('POST', `/Patient/${record.patientId}/$contacts`, representativeChange(id, email, phone)),
    onSuccess: (answer) => {
      client.setQueryData(queryKey, answer);
      setEditing(false);
      setSaved(true);
    },
  });
  const open = () => {
    setEmail(partString(rep, 'email') ?? '');
    setPhone(partString(rep, 'phone') ?? '');
    setSaved(false);
    save.reset();
    setEditing(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <li className="person">
      <div>
        <p className="person-name">{name}</p>
        <p className="hint">
          {t(`settings.relationship.${partString(rep, 'relationship') ?? 'parent'}`, { defaultValue: partString(rep, 'relationship') })}
          {' — '}
          {[partString(rep, 'email'), partString(rep, 'phone')].filter(Boolean).join(', ') || t('settings.noDetails')}
          {part(rep, 'doctorPresenceRequired')?.valueBoolean ? ` — ${t('settings.doctorPresence')}` : ''}
          {active ? '' : ` — ${t('settings.repEnded')}`}
        </p>
      </div>
      {saved ? <Notice tone="success">{t('settings.repSaved', { name })}</Notice> : null}
      {active && !editing ? (
        <Button className="button button-small button-secondary" onPress={open}>
          {t('settings.repEdit', { name })}
        </Button>
      ) : null}
      {editing ? (
        <Form className="form" onSubmit={submit} aria-label={t('settings.repEdit', { name })}>
          <ErrorNotice error={save.error} context="contact" />
          <Field label={t('settings.email')} type="email" value={email} onChange={setEmail} autoComplete="off" />
          <Field label={t('settings.phone')} type="tel" value={phone} onChange={setPhone} autoComplete="off" description={t('settings.phoneHint')} />
          <p className="hint">{t('settings.repKeep')}</p>
          <div className="actions">
            <Button type="submit" className="button" isDisabled={save.isPending}>
              {t('settings.repSave')}
            </Button>
            <Button className="button button-quiet" onPress={() => setEditing(false)}>
              {t('common.cancel')}
            </Button>
          </div>
        </Form>
      ) : null}
    </li>
  );
}

export function RepresentativesSection({ reps, record, queryKey }: { reps: ParametersParameter[]; record: RecordApi; queryKey: unknown[] }) {
  const { t } = useTranslation();
  if (!reps.length) return null;
  return (
    <>
      <h3>{t('settings.representativesTitle')}</h3>
      <p className="hint">{t('settings.representativesIntro')}</p>
      <ul className="people">
        {reps.map((r) => (
          <RepresentativeItem key={partString(r, 'id') ?? part(r, 'id')?.valueId} rep={r} record={record} queryKey={queryKey} />
        ))}
      </ul>
    </>
  );
}
