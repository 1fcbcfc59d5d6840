import type { IntlShape } from 'react-intl';
import {
  mappedEntities,
  matchingRules,
  owners,
  type FieldOwner,
  type MappedEntity,
  type MappingConfigInput,
} from '../../../../core/src/domain/mapping-config';
import { transformMessages } from './messages';

/**
 * The document being edited, as a person types it: defaults not filled in yet
 * (the back end's `z.input` of `mappingConfigSchema`). The Advanced (JSON) view
 * can put anything JSON into it, so readers below check shapes instead of
 * trusting the type.
 */
export type MappingDraft = MappingConfigInput;
export type FieldMappingDraft = MappingDraft['entities']['person']['fields'] extends (infer F)[] | undefined ? F : never;
export type TransformDraft = NonNullable<FieldMappingDraft['transform']>[number];
export type MatchingRule = (typeof matchingRules)[number];
export type GuestPolicy = NonNullable<NonNullable<MappingDraft['matching']>['guests']>;

export { mappedEntities, matchingRules, owners, type FieldOwner, type MappedEntity };
export const guestPolicies: readonly GuestPolicy[] = ['attach-or-create', 'create'];

/** Problems in the merchandiser's words, by path key (draft-issues.ts `pathKey`). */
export type IssuesByPath = ReadonlyMap<string, string[]>;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function fieldsOf(draft: MappingDraft, entity: MappedEntity): FieldMappingDraft[] {
  const fields: unknown = isRecord(draft.entities) && isRecord(draft.entities[entity]) ? draft.entities[entity].fields : undefined;
  return Array.isArray(fields) ? fields.filter(isRecord).map((field) => field as FieldMappingDraft) : [];
}

export function withFields(draft: MappingDraft, entity: MappedEntity, fields: FieldMappingDraft[]): MappingDraft {
  const entities = isRecord(draft.entities) ? draft.entities : ({} as MappingDraft['entities']);
  return { ...draft, entities: { ...entities, [entity]: { ...entities[entity], fields } } };
}

/** What the back end assumes when `matching` or a part of it is left out (its schema defaults). */
const defaultRules: MatchingRule[] = ['link', 'externalId', 'email'];

export function matchingOf(draft: MappingDraft): { rules: MatchingRule[]; guests: GuestPolicy } {
  const matching = isRecord(draft.matching) ? draft.matching : {};
  const rules = Array.isArray(matching.rules) ? matching.rules.filter((r): r is MatchingRule => matchingRules.includes(r)) : defaultRules;
  const guests = guestPolicies.find((policy) => policy === matching.guests) ?? 'attach-or-create';
  return { rules, guests };
}

export function withMatching(draft: MappingDraft, change: { rules?: MatchingRule[]; guests?: GuestPolicy }): MappingDraft {
  const matching = isRecord(draft.matching) ? draft.matching : {};
  return { ...draft, matching: { ...matching, ...change } };
}

/** Returns a copy of `items` with the item at `index` moved by `offset` (kept inside the list). */
export function moved<T>(items: readonly T[], index: number, offset: -1 | 1): T[] {
  const target = index + offset;
  if (target < 0 || target >= items.length) return [...items];
  const copy = [...items];
  [copy[index], copy[target]] = [copy[target]!, copy[index]!];
  return copy;
}

/** One line a merchandiser can read: `lookup (2 values, else "Standard") → money (major)`. */
export function summariseTransforms(intl: IntlShape, transforms: unknown): string {
  if (!Array.isArray(transforms) || transforms.length === 0) return intl.formatMessage(transformMessages.asIs);
  return transforms.map((transform) => summariseTransform(intl, transform)).join(' → ');
}

function summariseTransform(intl: IntlShape, transform: unknown): string {
  if (!isRecord(transform)) return '?';
  switch (transform.type) {
    case 'normalise':
    case 'date':
      return `${transform.type} (${String(transform.as)})`;
    case 'format':
      return intl.formatMessage(transformMessages.format, { template: String(transform.template) });
    case 'lookup':
      return intl.formatMessage(transformMessages.lookup, {
        count: isRecord(transform.table) ? Object.keys(transform.table).length : 0,
        hasDefault: transform.default === undefined ? 'no' : 'yes',
        fallback: JSON.stringify(transform.default),
      });
    case 'locale':
      return transform.locale ? `locale (${String(transform.locale)})` : 'locale';
    case 'money':
      return `money (${String(transform.unit)})`;
    case 'join':
      return intl.formatMessage(transformMessages.join, { separator: transform.separator === undefined ? ';' : String(transform.separator) });
    default:
      return String(transform.type);
  }
}

/** What a person typed into a JSON box, if it reads as JSON of the one shape the box holds (an object, a list). */
export function parseJsonText<T>(text: string, hasShape: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return hasShape(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
