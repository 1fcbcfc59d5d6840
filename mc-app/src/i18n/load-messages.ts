import { parseChunkImport } from '@commercetools-frontend/i18n';

type Messages = ReturnType<typeof parseChunkImport>;

/** The languages the app's message files exist in (src/i18n/data); others see English. */
export const appLanguages = ['en', 'de'] as const;
export type AppLanguage = (typeof appLanguages)[number];

export function appLanguageOf(locale: string): AppLanguage {
  const language = locale.split(/[-_]/)[0]?.toLowerCase();
  return appLanguages.find((l) => l === language) ?? 'en';
}

/** The shell's `applicationMessages` loader: one file per language, each its own chunk. */
export async function loadMessages(locale: string): Promise<Messages> {
  switch (appLanguageOf(locale)) {
    case 'de':
      return parseChunkImport(await import(/* webpackChunkName: "i18n-de" */ './data/de.json'));
    default:
      return parseChunkImport(await import(/* webpackChunkName: "i18n-en" */ './data/en.json'));
  }
}
