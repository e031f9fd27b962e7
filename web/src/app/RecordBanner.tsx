// Whose record is open, at all times, and the other records open in this tab (a legal
// representative of several minors has one session per child's record and switches here).
import type { Patient } from '@medplum/fhirtypes';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { Button, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { recordApi } from '../session/useRecord';
import { sessions, useSessions, type RecordSession } from '../session/store';
import { forgetDrafts } from '../session/drafts';

export function patientName(p: Patient | undefined): string {
  const n = p?.name?.find((x) => x.use === 'official') ?? p?.name?.[0];
  if (!n) return '';
  return [n.given?.join(' '), n.family].filter(Boolean).join(' ');
}

function usePatients(list: RecordSession[]) {
  return useQueries({
    queries: list.map((s) => ({
      queryKey: [s.patientId, 'patient'],
      queryFn: () => recordApi(s).get<Patient>(`/Patient/${s.patientId}`),
      staleTime: 300_000,
    })),
  });
}

export function RecordBanner() {
  const { t } = useTranslation();
  const state = useSessions();
  const navigate = useNavigate();
  const client = useQueryClient();
  const patients = usePatients(state.sessions);
  const open = state.sessions.find((s) => s.patientId === state.current);
  if (!open) return null;
  const nameOf = (s: RecordSession) => patientName(patients[state.sessions.indexOf(s)]?.data) || t('banner.unnamed');
  const others = state.sessions.filter((s) => s !== open);
  const closed = patients[state.sessions.indexOf(open)]?.data?.active === false;
  return (
    <section className="record-banner" aria-label={t('banner.label')}>
      <div className="record-banner-inner">
        <p className="record-owner">
          <span className="record-kicker">{t('banner.open')}</span>{' '}
          <strong data-testid="open-record">{nameOf(open)}</strong>
          <span className="record-role">
            {open.role === 'legal_representative' ? t('banner.asRepresentative') : t('banner.asPatient')}
            {closed ? ` — ${t('banner.closed')}` : ''}
          </span>
        </p>
        <div className="record-actions">
          {others.map((s) => (
            <Button
              key={s.patientId}
              className="button button-small button-secondary"
              onPress={() => {
                sessions.open(s.patientId);
                navigate('/');
              }}
            >
              {t('banner.switchTo', { name: nameOf(s) })}
            </Button>
          ))}
          <Link className="button button-small button-quiet" href="/connexion?ajouter=1">
            {t('banner.addRecord')}
          </Link>
          <Button
            className="button button-small button-quiet"
            onPress={() => {
              const last = state.sessions.length === 1;
              // forget the session and what was read with it; without any session left, the
              // record's pages send to the login, which says the person is logged out
              sessions.logout(open.patientId);
              if (!last) navigate('/');
              client.removeQueries({ queryKey: [open.patientId] });
              // what was typed in that record's forms goes with it; the last one takes all
              forgetDrafts(last ? undefined : open.patientId);
            }}
          >
            {others.length ? t('banner.logoutOne', { name: nameOf(open) }) : t('banner.logout')}
          </Button>
        </div>
      </div>
    </section>
  );
}
