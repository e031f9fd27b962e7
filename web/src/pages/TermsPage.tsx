// The terms of use (CGU) changed since this holder accepted them: the server opens nothing else
// until they are accepted (POST /auth/terms). The page shows the version in force, accepts it,
// then shows the page the person was going to, since this screen stands in its place.
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { acceptTerms } from '../api/auth';
import { forgetDrafts } from '../session/drafts';
import { sessions, type RecordSession } from '../session/store';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Notice } from '../ui/Notice';
import { PageTitle } from '../ui/PageTitle';

export default function TermsPage({ session }: { session: RecordSession }) {
  const { t } = useTranslation();
  const location = useLocation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const version = session.termsPending;

  const accept = async () => {
    if (!version) return;
    setBusy(true);
    setError(null);
    try {
      const s = await acceptTerms(session.token, version);
      sessions.termsAccepted(session.token, s.access_token, Date.now() + s.expires_in * 1000);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const logout = () => {
    const last = sessions.get().sessions.length === 1;
    sessions.logout(session.patientId);
    forgetDrafts(last ? undefined : session.patientId);
  };

  return (
    <div className="narrow">
      <PageTitle title={t('terms.title')} intro={t('terms.intro')}>
        {t('terms.title')}
      </PageTitle>
      <ErrorNotice error={error} context="terms" />
      {version ? (
        <section className="card" aria-labelledby="terms-version">
          <p id="terms-version" className="terms-version">
            <strong>{t('terms.version', { version })}</strong>
          </p>
          <p>{t('terms.why')}</p>
          <p>{t('terms.refuse')}</p>
          <div className="actions">
            <Button className="button" isDisabled={busy} onPress={() => void accept()}>
              {t('terms.accept')}
            </Button>
            <Button className="button button-quiet" onPress={logout}>
              {t('terms.logout')}
            </Button>
          </div>
        </section>
      ) : (
        <>
          <Notice tone="warning">{t('terms.unknownVersion')}</Notice>
          <div className="actions">
            <Button className="button" onPress={() => sessions.expire(session.token, `${location.pathname}${location.search}`)}>
              {t('terms.loginAgain')}
            </Button>
          </div>
        </>
      )}
    </div>
  );
}
