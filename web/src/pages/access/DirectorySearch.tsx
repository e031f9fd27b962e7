// PAT-04: find a professional or a care team in the directory, by name, profession and place,
// then authorise or block them.
import type { Bundle, Organization, PractitionerRole } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { pageOf, query } from '../../fhir/bundle';
import type { Subject } from '../../fhir/consents';
import { CS, PROFESSIONS } from '../../fhir/systems';
import { useDraft } from '../../session/drafts';
import type { RecordApi } from '../../session/useRecord';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { Loading } from '../../ui/Notice';

interface Criteria {
  name: string;
  profession: string;
  place: string;
}

export function DirectorySearch({ record, known, onDecide, busy }: { record: RecordApi; known: Map<string, 'permit' | 'deny'>; onDecide(s: Subject, effect: 'permit' | 'deny', label: string): void; busy: boolean }) {
  const { t } = useTranslation();
  const [form, setForm] = useDraft<Criteria>('access.search', { name: '', profession: '', place: '' });
  const [criteria, setCriteria] = useState<Criteria | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCriteria({ ...form });
  };
  const results = useQuery({
    queryKey: ['directory', 'search', criteria],
    enabled: !!criteria,
    queryFn: async () => {
      const c = criteria!;
      // A place is any part of an address (a town, a street), a structure any part of its name
      // (`:contains`); a professional's name is its start, as a name is searched.
      const roles = await record.get<Bundle>(
        `/PractitionerRole${query([['family', c.name.trim() || undefined], ['role', c.profession ? `${CS.profession}|${c.profession}` : undefined], ['address:contains', c.place.trim() || undefined], ['_count', 20]])}`,
      );
      const orgs = c.profession
        ? undefined
        : await record.get<Bundle>(`/Organization${query([['name:contains', c.name.trim() || undefined], ['address:contains', c.place.trim() || undefined], ['_count', 20]])}`);
      const roleItems = pageOf<PractitionerRole>(roles, 'PractitionerRole').items;
      const orgIds = [...new Set(roleItems.map((r) => r.organization?.reference?.split('/')[1]).filter(Boolean))] as string[];
      const places = orgIds.length ? pageOf<Organization>(await record.get<Bundle>(`/Organization?_id=${orgIds.join(',')}&_count=100`), 'Organization').items : [];
      return { roles: roleItems, organizations: orgs ? pageOf<Organization>(orgs, 'Organization').items : [], places: new Map(places.map((o) => [o.id, o])) };
    },
  });

  const state = (id: string) => known.get(id);
  return (
    <section className="card" aria-labelledby="directory">
      <h2 id="directory">{t('access.searchTitle')}</h2>
      <p className="hint">{t('access.searchIntro')}</p>
      <Form className="filters" onSubmit={submit} aria-label={t('access.searchTitle')}>
        <Field label={t('access.name')} value={form.name} onChange={(name) => setForm({ ...form, name })} description={t('access.nameHint')} />
        <div className="field">
          <label className="field-label" htmlFor="profession">
            {t('access.profession')}
          </label>
          <select id="profession" className="input" value={form.profession} onChange={(e) => setForm({ ...form, profession: e.target.value })}>
            <option value="">{t('access.anyProfession')}</option>
            {PROFESSIONS.map((p) => (
              <option key={p} value={p}>
                {t(`professions.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <Field label={t('access.place')} value={form.place} onChange={(place) => setForm({ ...form, place })} description={t('access.placeHint')} />
        <div className="actions">
          <Button type="submit" className="button">
            {t('access.search')}
          </Button>
        </div>
      </Form>
      <ErrorNotice error={results.error} />
      {results.isFetching ? <Loading label={t('common.loading')} /> : null}
      {results.data ? (
        <div aria-live="polite">
          <h3>{t('access.results', { count: results.data.roles.length + results.data.organizations.length })}</h3>
          <ul className="people">
            {results.data.roles.map((r) => {
              const id = r.id ?? '';
              const name = r.practitioner?.display ?? id;
              const orgId = r.organization?.reference?.split('/')[1];
              const place = orgId ? results.data.places.get(orgId) : undefined;
              const profession = r.code?.[0]?.coding?.[0]?.code ?? '';
              return (
                <li key={id} className="person">
                  <div>
                    <p className="person-name">{name}</p>
                    <p className="hint">
                      {t(`professions.${profession}`, { defaultValue: profession })}
                      {place ? ` — ${place.name}${place.address?.[0]?.text ? `, ${place.address[0].text}` : ''}` : ''}
                    </p>
                  </div>
                  <div className="actions">
                    {state(id) === 'permit' ? (
                      <span className="badge">{t('access.alreadyAuthorised')}</span>
                    ) : (
                      <Button className="button button-small" isDisabled={busy} onPress={() => onDecide({ type: 'Practitioner', id }, 'permit', name)}>
                        {t('access.authorise')}
                      </Button>
                    )}
                    {state(id) === 'deny' ? (
                      <span className="badge badge-blocked">{t('access.alreadyBlocked')}</span>
                    ) : (
                      <ConfirmDialog
                        trigger={t('access.block')}
                        triggerClass="button button-small button-danger-quiet"
                        title={t('access.blockConfirmTitle', { name })}
                        confirmLabel={t('access.block')}
                        tone="danger"
                        isDisabled={busy}
                        onConfirm={() => onDecide({ type: 'Practitioner', id }, 'deny', name)}
                      >
                        <p>{t('access.blockExplain')}</p>
                      </ConfirmDialog>
                    )}
                  </div>
                </li>
              );
            })}
            {results.data.organizations.map((o) => {
              const id = o.id ?? '';
              return (
                <li key={`o-${id}`} className="person">
                  <div>
                    <p className="person-name">{o.name}</p>
                    <p className="hint">
                      {t('access.careTeam')}
                      {o.address?.[0]?.text ? ` — ${o.address[0].text}` : ''}
                    </p>
                  </div>
                  <div className="actions">
                    {state(id) === 'permit' ? (
                      <span className="badge">{t('access.alreadyAuthorised')}</span>
                    ) : (
                      <Button className="button button-small" isDisabled={busy} onPress={() => onDecide({ type: 'Organization', id }, 'permit', o.name ?? id)}>
                        {t('access.authoriseTeam')}
                      </Button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
