import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

/** Lower-cased, trimmed email, or undefined when it is not an email at all. */
export function normaliseEmail(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const email = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : undefined;
}

/** E.164 using the address country for national numbers; undefined when it cannot be a phone number. */
export function normalisePhone(value: string | undefined | null, country?: string): string | undefined {
  if (!value) return undefined;
  const parsed = parsePhoneNumberFromString(value, country ? (country.toUpperCase() as CountryCode) : undefined);
  return parsed?.isValid() ? parsed.number : undefined;
}

export function isIsoCountry(value: string): boolean {
  return /^[A-Z]{2}$/.test(value);
}

export function isIsoCurrency(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

/** Picks a localised value: the wanted locale, then its language, then the first value. */
export function pickLocale(values: Record<string, string> | undefined, locale: string | undefined): string | undefined {
  if (!values) return undefined;
  if (locale && values[locale]) return values[locale];
  const language = locale?.split("-")[0];
  if (language) {
    const match = Object.keys(values).find((key) => key === language || key.startsWith(`${language}-`));
    if (match) return values[match];
  }
  return Object.values(values)[0];
}
