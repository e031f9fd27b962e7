// The page's entry: texts, then the application.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { setupI18n } from './i18n';
import { App } from './app/App';
import './styles/app.css';

const t0 = performance.now();
await setupI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// For the browser tests and the report: when the first screen was drawn.
requestAnimationFrame(() => performance.mark('carnet-first-render', { detail: { sinceStart: performance.now() - t0 } }));
