import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';

export const defaultNamespace = 'translation';

export const resources = {
  en: { [defaultNamespace]: en },
} as const;

// Resources are bundled, so initialising synchronously means the first render is already translated.
void i18next.use(initReactI18next).init({
  initAsync: false,
  resources,
  lng: 'en',
  fallbackLng: 'en',
  defaultNS: defaultNamespace,
  // React escapes rendered text already.
  interpolation: { escapeValue: false },
});

export { i18next as i18n };
