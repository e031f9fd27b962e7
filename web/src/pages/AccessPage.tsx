// PAT-04, ACC-01..07: who may see the record. Authorised and blocked professionals and care
// teams, the directory to find more, the médecin traitant, and the two emergency modes, each
// with what it means beside it.
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Switch } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { pageOf } from '../fhir/bundle';
import { accessConsent, emergencyConsent, medecinTraitantConsent, summarise, type AccessGrant, type EmergencyMode, type Subject } from '../fhir/consents';
import { useSuspended } from '../session/maintenance';
import { useRecord } from '../session/useRecord';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Loading, Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';
import { useFormat } from '../ui/format';
import { DirectorySearch } from './access/DirectorySearch';
import { practitionerName, useDirectoryNames } from './access/useDirectory';

const MODES: EmergencyMode[] = ['bris_de_glace', 'centre_15'];

export default function AccessPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const record = useRecord();
  const client = useQueryClient();
  const suspended = useSuspended('consent');
  const [done, setDone] = useState<string | null>(null);
  const consents = useQuery({ queryKey: [record.patientId, 'consents'], queryFn: () => record.get<Bundle>(`/Consent?patient=Patient/${record.patientId}&status=active`) });
  const list = consents.data ? pageOf<Consent>(consents.data, 'Consent').items : [];
  const summary = summarise(list);
  const names = useDirectoryNames(
    record,
    [...summary.grants.filter((g) => g.subject.type === 'Practitioner').map((g) => g.subject.id), ...(summary.medecinTraitant ? [summary.medecinTraitant.practitionerId] : [])],
    summary.grants.filter((g) => g.subject.type === 'Organization').map((g) => g.subject.id),
  );

  const act = useMutation({
    mutationFn: async (w: { run: () => Promise<unknown>; message: string }) => {
      await w.run();
      return w.message;
    },
    onSuccess: async (message) => {
      setDone(message);
      await client.invalidateQueries({ queryKey: [record.patientId, 'consents'] });
    },
  });
  const busy = act.isPending || !!suspended;

  const label = (s: Subject) => {
    if (s.type === 'Organization') return names.organizations.get(s.id)?.name ?? s.id;
    return practitionerName(names.practitioners.get(s.id)) || s.id;
  };
  const detail = (s: Subject) => {
    if (s.type === 'Organization') return [t('access.careTeam'), names.organizations.get(s.id)?.address?.[0]?.text].filter(Boolean).join(' — ');
    const role = names.roles.get(s.id);
    const org = names.organizations.get(role?.organization?.reference?.split('/')[1] ?? '');
    const profession = role?.code?.[0]?.coding?.[0]?.code;
    return [profession ? t(`professions.${profession}`, { defaultValue: profession }) : '', org?.name].filter(Boolean).join(' — ');
  };
  const revoke = (g: AccessGrant) => {
    const c = list.find((x) => x.id === g.consentId)!;
    act.mutate({ run: () => record.send('PUT', `/Consent/${g.consentId}`, { ...c, status: 'inactive' }), message: g.effect === 'permit' ? t('access.revoked', { name: label(g.subject) }) : t('access.unblocked', { name: label(g.subject) }) });
  };
  const decide = (s: Subject, effect: 'permit' | 'deny', name: string) =>
    act.mutate({ run: () => record.send('POST', '/Consent', accessConsent(record.patientId, s, effect)), message: effect === 'permit' ? t('access.authorised', { name }) : t('access.blocked', { name }) });

  const permits = summary.grants.filter((g) => g.effect === 'permit');
  const blocks = summary.grants.filter((g) => g.effect === 'deny');
  const known = new Map(summary.grants.map((g) => [g.subject.id, g.effect] as const));
  const doctors = permits.filter((g) => g.subject.type === 'Practitioner' && names.roles.get(g.subject.id)?.code?.[0]?.coding?.[0]?.code === '10');
  const mt = summary.medecinTraitant;

  return (
    <div>
      <PageTitle title={t('access.title')} intro={t('access.intro')}>
        {t('access.title')}
      </PageTitle>
      {suspended ? <Notice tone="warning">{t('maintenance.inPlace', { end: f.time(suspended.endsAt) })}</Notice> : null}
      {done ? <Notice tone="success">{done}</Notice> : null}
      <ErrorNotice error={consents.error ?? act.error} context="consent" />
      {consents.isPending ? <Loading label={t('common.loading')} /> : null}

      <div className="grid">
        <section className="card" aria-labelledby="authorised">
          <h2 id="authorised">{t('access.authorisedTitle')}</h2>
          <p className="hint">{t('access.authorisedExplain')}</p>
          {permits.length ? (
            <ul className="people">
              {permits.map((g) => (
                <li key={g.consentId} className="person">
                  <div>
                    <p className="person-name">{label(g.subject)}</p>
                    <p className="hint">
                      {detail(g.subject)}
                      {g.since ? ` — ${t('access.since', { date: f.date(g.since) })}` : ''}
                    </p>
                  </div>
                  <ConfirmDialog trigger={t('access.revoke')} triggerClass="button button-small button-secondary" title={t('access.revokeConfirmTitle', { name: label(g.subject) })} confirmLabel={t('access.revoke')} isDisabled={busy} onConfirm={() => revoke(g)}>
                    <p>{t('access.revokeExplain')}</p>
                  </ConfirmDialog>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('access.noneAuthorised')}</p>
          )}
        </section>
        <section className="card" aria-labelledby="blocked">
          <h2 id="blocked">{t('access.blockedTitle')}</h2>
          <p className="hint">{t('access.blockedExplain')}</p>
          {blocks.length ? (
            <ul className="people">
              {blocks.map((g) => (
                <li key={g.consentId} className="person">
                  <div>
                    <p className="person-name">{label(g.subject)}</p>
                    <p className="hint">{detail(g.subject)}</p>
                  </div>
                  <Button className="button button-small button-secondary" isDisabled={busy} onPress={() => revoke(g)}>
                    {t('access.unblock')}
                  </Button>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('access.noneBlocked')}</p>
          )}
        </section>
      </div>

      <section className="card section" aria-labelledby="mt">
        <h2 id="mt">{t('access.mtTitle')}</h2>
        <p>{t('access.mtExplain')}</p>
        <ul className="bullets">
          <li>{t('access.mtRight1')}</li>
          <li>{t('access.mtRight2')}</li>
          <li>{t('access.mtRight3')}</li>
          <li>{t('access.mtRight4')}</li>
        </ul>
        {mt ? (
          <div className="person">
            <p className="person-name" data-testid="medecin-traitant">
              {t('access.mtCurrent', { name: practitionerName(names.practitioners.get(mt.practitionerId)) || mt.practitionerId })}
            </p>
            <ConfirmDialog trigger={t('access.mtWithdraw')} triggerClass="button button-small button-secondary" title={t('access.mtWithdrawTitle')} confirmLabel={t('access.mtWithdraw')} isDisabled={busy} onConfirm={() => act.mutate({ run: () => record.send('PUT', `/Consent/${mt.consentId}`, { ...list.find((c) => c.id === mt.consentId)!, status: 'inactive' }), message: t('access.mtWithdrawn') })}>
              <p>{t('access.mtWithdrawExplain')}</p>
            </ConfirmDialog>
          </div>
        ) : (
          <p>{t('access.mtNone')}</p>
        )}
        {doctors.filter((d) => d.subject.id !== mt?.practitionerId).length ? (
          <>
            <h3>{t('access.mtChoose')}</h3>
            <ul className="link-list">
              {doctors
                .filter((d) => d.subject.id !== mt?.practitionerId)
                .map((d) => (
                  <li key={d.subject.id}>
                    <Button
                      className="button button-small button-quiet"
                      isDisabled={busy}
                      onPress={() =>
                        act.mutate({
                          run: () =>
                            mt
                              ? record.send('PUT', `/Consent/${mt.consentId}`, { ...medecinTraitantConsent(record.patientId, d.subject.id), id: mt.consentId })
                              : record.send('POST', '/Consent', medecinTraitantConsent(record.patientId, d.subject.id)),
                          message: t('access.mtDesignated', { name: label(d.subject) }),
                        })
                      }
                    >
                      {t('access.mtDesignate', { name: label(d.subject) })}
                    </Button>
                  </li>
                ))}
            </ul>
          </>
        ) : null}
      </section>

      <section className="card section" aria-labelledby="emergency">
        <h2 id="emergency">{t('access.emergencyTitle')}</h2>
        <p>{t('access.emergencyIntro')}</p>
        {MODES.map((mode) => (
          <div key={mode} className="emergency-mode">
            <Switch
              className="switch"
              isSelected={!summary.opposed[mode]}
              isDisabled={busy || consents.isPending}
              onChange={(allowed) =>
                act.mutate({ run: () => record.send('POST', '/Consent', emergencyConsent(record.patientId, mode, !allowed)), message: allowed ? t(`access.${mode}.allowedDone`) : t(`access.${mode}.opposedDone`) })
              }
            >
              <span className="switch-track" aria-hidden="true">
                <span className="switch-thumb" />
              </span>
              <span className="switch-label">{t(`access.${mode}.label`)}</span>
            </Switch>
            <p className="hint">{t(`access.${mode}.explain`)}</p>
            <p className="state" data-testid={`emergency-${mode}`}>
              {summary.opposed[mode] ? t('access.opposed') : t('access.allowed')}
            </p>
          </div>
        ))}
        <p className="hint">{t('access.emergencyNote')}</p>
      </section>

      <DirectorySearch record={record} known={known} onDecide={decide} busy={busy} />
    </div>
  );
}
