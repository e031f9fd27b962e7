// The frame of every page: skip link, maintenance banner (DMP-06), header with the language
// choice, whose record is open, the main navigation, then the page.
import type { ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { changeLanguage } from '../i18n';
import { currentSession, useSessions } from '../session/store';
import { MaintenanceBanner } from './MaintenanceBanner';
import { RecordBanner } from './RecordBanner';

const NAV = [
  ['/', 'nav.home'],
  ['/documents', 'nav.documents'],
  ['/acces', 'nav.access'],
  ['/historique', 'nav.history'],
  ['/parametres', 'nav.settings'],
  ['/dossier', 'nav.record'],
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const state = useSessions();
  // while the terms of use wait for acceptance, no page of the record is open yet
  const session = currentSession(state);
  const open = !!session && session.termsPending === undefined;
  const other = i18n.language === 'fr' ? 'en' : 'fr';
  return (
    <>
      <a className="skip-link" href="#contenu">
        {t('nav.skip')}
      </a>
      <MaintenanceBanner />
      <header className="site-header">
        <div className="site-header-inner">
          <NavLink to={open ? '/' : '/connexion'} className="brand" aria-label={t('app.homeLink')}>
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">{t('app.name')}</span>
            <span className="brand-tagline">{t('app.tagline')}</span>
          </NavLink>
          <Button className="button button-small button-quiet lang-switch" onPress={() => void changeLanguage(other)}>
            <span lang={other}>{t('app.otherLanguage')}</span>
          </Button>
        </div>
      </header>
      {open ? <RecordBanner /> : null}
      {open ? (
        <nav className="main-nav" aria-label={t('nav.label')}>
          <ul>
            {NAV.map(([to, key]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/'}>
                  {t(key)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="contenu" className="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}
