/// <reference types="vite/client" />
import { parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import de from './data/de.json';
import en from './data/en.json';
import { appLanguageOf } from './load-messages';

type Descriptor = { id: string; defaultMessage: string };

/** Every message the components define (each folder's messages.ts). */
const modules = import.meta.glob<Record<string, Record<string, Descriptor>>>('../components/**/messages.ts', { eager: true });
const defined = Object.values(modules).flatMap((module) => Object.values(module).flatMap((group) => Object.values(group)));

/** The arguments a message uses, nested ones (inside plural and select) included. */
function argumentsOf(elements: MessageFormatElement[]): string[] {
  return elements.flatMap((element) => {
    const own = 'value' in element && typeof element.value === 'string' && element.type >= 1 && element.type <= 6 ? [element.value] : [];
    const nested = 'options' in element ? Object.values(element.options).flatMap((option) => argumentsOf(option.value)) : [];
    return [...own, ...nested];
  });
}
const argumentSet = (message: string) => [...new Set(argumentsOf(parse(message)))].sort();

describe('message files', () => {
  it('hold every message the components define, in English as the components write it', () => {
    const ids = defined.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(en).toEqual(Object.fromEntries(defined.map((d) => [d.id, d.defaultMessage])));
  });

  it('translate every message into German, with the same arguments', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const [id, message] of Object.entries(en)) {
      expect(argumentSet((de as Record<string, string>)[id]!), id).toEqual(argumentSet(message));
    }
  });

  it('picks the file by the user’s language, English for the others', () => {
    expect(appLanguageOf('de-AT')).toBe('de');
    expect(appLanguageOf('de')).toBe('de');
    expect(appLanguageOf('en-GB')).toBe('en');
    expect(appLanguageOf('fr-FR')).toBe('en');
  });
});
