// PAT-07: a formal request for a copy of the record, sent to the support service and traced.
import type { Parameters } from '@medplum/fhirtypes';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { params } from '../../fhir/bundle';
import { recordDraft, useDraft } from '../../session/drafts';
import type { RecordApi } from '../../session/useRecord';
import { Choice } from '../../ui/Choice';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { Notice } from '../../ui/Notice';

export function CopyRequestSection({ record }: { record: RecordApi }) {
  const { t } = useTranslation();
  const [form, setForm, clear] = useDraft(recordDraft(record.patientId, 'copy'), { reason: '', delivery: 'email', address: '' });
  const send = useMutation({
    mutationFn: () =>
      record.send<Parameters>('POST', `/Patient/${record.patientId}/$copy-request`, {
        resourceType: 'Parameters',
        parameter: [
          { name: 'reason', valueString: form.reason.trim() },
          { name: 'delivery', valueCode: form.delivery },
          ...(form.delivery === 'postal' ? [{ name: 'address', valueString: form.address.trim() }] : []),
        ],
      }),
    onSuccess: () => clear(),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  const requestId = send.data ? params(send.data, 'requestId')[0]?.valueString : undefined;
  return (
    <section className="card section" aria-labelledby="copy">
      <h2 id="copy">{t('record.copyTitle')}</h2>
      <p className="hint">{t('record.copyIntro')}</p>
      {requestId ? <Notice tone="success">{t('record.copySent', { id: requestId })}</Notice> : null}
      <ErrorNotice error={send.error} />
      <Form onSubmit={submit} aria-label={t('record.copyTitle')}>
        <Field label={t('record.copyReason')} value={form.reason} onChange={(reason) => setForm({ ...form, reason })} multiline isRequired maxLength={2000} />
        <Choice label={t('record.copyDelivery')} value={form.delivery} onChange={(delivery) => setForm({ ...form, delivery })} options={[['email', t('record.copyByEmail')], ['postal', t('record.copyByPost')]]} />
        {form.delivery === 'postal' ? <Field label={t('record.copyAddress')} value={form.address} onChange={(address) => setForm({ ...form, address })} multiline isRequired maxLength={500} /> : null}
        <div className="actions">
          <Button type="submit" className="button" isDisabled={send.isPending || !form.reason.trim()}>
            {t('record.copySend')}
          </Button>
        </div>
      </Form>
    </section>
  );
}
