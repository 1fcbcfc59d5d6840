import {
  mappedEntities,
  matchingRules,
  owners,
  validateMappingConfig,
  type ConfigIssue,
  type FieldOwner,
  type MappedEntity,
  type MappingConfigInput,
  type MappingTarget,
} from '../../../../core/src/domain/mapping-config';

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

/** Issue paths as the service's 400 answers and the README write them: `entities.person.fields.1.owner`. */
export const pathKey = (path: readonly (string | number)[]): string => path.join('.');

export type IssuesByPath = ReadonlyMap<string, string[]>;

/**
 * Runs the back end's own checks (core/src/domain/mapping-config.ts) for the
 * connection's CRM, as the service names it, and groups the messages by path.
 */
export function validateDraft(draft: unknown, target: MappingTarget): { issues: ConfigIssue[]; byPath: IssuesByPath } {
  const result = validateMappingConfig(draft, target);
  const byPath = new Map<string, string[]>();
  for (const issue of result.issues) {
    const key = pathKey(issue.path);
    byPath.set(key, [...(byPath.get(key) ?? []), issue.message]);
  }
  return { issues: result.issues, byPath };
}

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
export function summariseTransforms(transforms: unknown): string {
  if (!Array.isArray(transforms) || transforms.length === 0) return 'as is';
  return transforms.map(summariseTransform).join(' → ');
}

function summariseTransform(transform: unknown): string {
  if (!isRecord(transform)) return 'unknown';
  switch (transform.type) {
    case 'normalise':
    case 'date':
      return `${transform.type} (${String(transform.as)})`;
    case 'format':
      return `format "${String(transform.template)}"`;
    case 'lookup': {
      const size = isRecord(transform.table) ? Object.keys(transform.table).length : 0;
      const fallback = transform.default === undefined ? '' : `, else ${JSON.stringify(transform.default)}`;
      return `lookup (${size} ${size === 1 ? 'value' : 'values'}${fallback})`;
    }
    case 'locale':
      return transform.locale ? `locale (${String(transform.locale)})` : 'locale';
    case 'money':
      return `money (${String(transform.unit)})`;
    case 'join':
      return `join with "${transform.separator === undefined ? ';' : String(transform.separator)}"`;
    case 'not':
      return 'not';
    default:
      return String(transform.type);
  }
}

export type ParsedJson<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/** Parses what a person typed into a JSON field that must hold one shape (an object, an array). */
export function parseJsonText<T>(text: string, hasShape: (value: unknown) => value is T, shapeMessage: string): ParsedJson<T> {
  try {
    const value: unknown = JSON.parse(text);
    return hasShape(value) ? { value } : { error: shapeMessage };
  } catch (caught) {
    return { error: `Not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
}
