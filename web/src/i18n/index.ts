// Texts through i18next: French first (the record's users), English too. The chosen language
// is kept in this browser and set on <html lang> so that screen readers speak it right.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { fr } from './fr';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const KEY = 'carnet.lang';

function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored === 'fr' || stored === 'en') return stored;
  } catch {
    // no storage: French
  }
  return 'fr';
}

export async function setupI18n(lng: Language = initialLanguage()): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources: { fr: { translation: fr }, en: { translation: en } },
    lng,
    fallbackLng: 'fr',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lng;
  return i18next;
}

export async function changeLanguage(lng: Language): Promise<void> {
  await i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
  try {
    localStorage.setItem(KEY, lng);
  } catch {
    // not kept
  }
}
