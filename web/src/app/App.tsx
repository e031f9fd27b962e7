// Routes of the web space. The login is in the first bundle; every other page loads when first
// opened. Paths are French, like the product's users.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, type ReactElement } from 'react';
import { RouterProvider } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useHref, useLocation, useNavigate } from 'react-router';
import { ApiError, setTermsRequiredHandler, setUnauthorisedHandler } from '../api/http';
import { useLinkedRecords } from '../session/linked';
import { currentSession, sessions, useSessions } from '../session/store';
import { Loading } from '../ui/Notice';
import { Layout } from './Layout';
import { LoginPage } from '../pages/LoginPage';

const HomePage = lazy(() => import('../pages/HomePage'));
const DocumentsPage = lazy(() => import('../pages/DocumentsPage'));
const DocumentPage = lazy(() => import('../pages/DocumentPage'));
const AddDocumentPage = lazy(() => import('../pages/AddDocumentPage'));
const AccessPage = lazy(() => import('../pages/AccessPage'));
const HistoryPage = lazy(() => import('../pages/HistoryPage'));
const SettingsPage = lazy(() => import('../pages/SettingsPage'));
const RecordPage = lazy(() => import('../pages/RecordPage'));
const NotFoundPage = lazy(() => import('../pages/NotFoundPage'));
const TermsPage = lazy(() => import('../pages/TermsPage'));
const HelpRequestPage = lazy(() => import('../pages/HelpRequestPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // An answer of the server is final; only a lost connection is worth a second try.
      retry: (n, e) => n < 1 && e instanceof ApiError && e.kind === 'network',
    },
  },
});

/**
 * Pages of a record: without an open session, the login (and back here after it); while the
 * terms of use wait for acceptance, their screen in the page's place (the page follows it).
 */
function RequireSession({ children }: { children: ReactElement }) {
  const state = useSessions();
  const location = useLocation();
  const open = currentSession(state);
  if (open?.termsPending !== undefined) return <TermsPage session={open} />;
  if (!open) {
    if (state.loggedOut) return <Navigate to="/connexion?sortie=1" replace />;
    const back = state.expiredAt ?? `${location.pathname}${location.search}`;
    return <Navigate to={`/connexion?retour=${encodeURIComponent(back)}${state.expiredAt ? '&expire=1' : ''}`} replace />;
  }
  return children;
}

/** A session ends when its time is up or when the server refuses its token. */
function SessionWatch() {
  const state = useSessions();
  useLinkedRecords();
  const location = useLocation();
  const where = `${location.pathname}${location.search}`;
  useEffect(() => {
    setUnauthorisedHandler((token) => sessions.expire(token, `${window.location.pathname}${window.location.search}`));
    setTermsRequiredHandler((token) => sessions.termsRequired(token));
    return () => {
      setUnauthorisedHandler(null);
      setTermsRequiredHandler(null);
    };
  }, []);
  const open = currentSession(state);
  useEffect(() => {
    if (!open) return;
    const id = setTimeout(() => sessions.expire(open.token, where), Math.max(0, open.expiresAt - Date.now()));
    return () => clearTimeout(id);
  }, [open, where]);
  return null;
}

function Routed() {
  const navigate = useNavigate();
  const { t } = useTranslation();
  return (
    <RouterProvider navigate={navigate} useHref={useHref}>
      <SessionWatch />
      <Layout>
        <Suspense fallback={<Loading label={t('common.loading')} />}>
          <Routes>
            <Route path="/connexion" element={<LoginPage />} />
            <Route path="/connexion/aide" element={<HelpRequestPage />} />
            <Route path="/" element={<RequireSession><HomePage /></RequireSession>} />
            <Route path="/documents" element={<RequireSession><DocumentsPage /></RequireSession>} />
            <Route path="/documents/ajouter" element={<RequireSession><AddDocumentPage /></RequireSession>} />
            <Route path="/documents/:id" element={<RequireSession><DocumentPage /></RequireSession>} />
            <Route path="/acces" element={<RequireSession><AccessPage /></RequireSession>} />
            <Route path="/historique" element={<RequireSession><HistoryPage /></RequireSession>} />
            <Route path="/parametres" element={<RequireSession><SettingsPage /></RequireSession>} />
            <Route path="/dossier" element={<RequireSession><RecordPage /></RequireSession>} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </Layout>
    </RouterProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routed />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
