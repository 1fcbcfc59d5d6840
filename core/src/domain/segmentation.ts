import type { MappedEntity, SegmentRule } from "./mapping-config";

/**
 * Segmentation: the first rule whose every condition holds routes the record
 * (CRM fields such as owner, pipeline, list or record type; optionally another
 * CRM connection). Conditions on a list match when any of the record's values
 * is listed. Pure.
 */
export type SegmentFacts = {
  stores?: string[];
  channels?: string[];
  currency?: string;
  locale?: string;
  country?: string;
  customerGroup?: string;
};

export type Route = { rule?: string; set: Record<string, string | number | boolean | null>; connection?: string };

const anyIn = (allowed: string[] | undefined, values: (string | undefined)[]) =>
  !allowed || values.some((v) => v !== undefined && allowed.includes(v));

function localeMatches(allowed: string[] | undefined, locale: string | undefined) {
  if (!allowed) return true;
  if (!locale) return false;
  const language = locale.split("-")[0];
  return allowed.includes(locale) || allowed.includes(language!);
}

export function routeRecord(entity: MappedEntity, facts: SegmentFacts, rules: SegmentRule[]): Route {
  for (const rule of rules) {
    if (!rule.entities.includes(entity)) continue;
    const w = rule.when;
    if (
      anyIn(w.store, facts.stores ?? []) &&
      anyIn(w.channel, facts.channels ?? []) &&
      anyIn(w.currency, [facts.currency]) &&
      localeMatches(w.locale, facts.locale) &&
      anyIn(w.country, [facts.country]) &&
      anyIn(w.customerGroup, [facts.customerGroup])
    ) {
      return { rule: rule.name, set: rule.set, ...(rule.connection ? { connection: rule.connection } : {}) };
    }
  }
  return { set: {} };
}
