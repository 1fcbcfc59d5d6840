import type { z } from 'zod';
import { mappingConfigSchema, validateMappingConfig, type MappingTarget } from '../../../../core/src/domain/mapping-config';

type Path = (string | number)[];

/**
 * A problem with the edited mapping, by kind, so the page can say it in the
 * merchandiser's words and language at the field its path names. The back
 * end's own schema decides (core/src/domain/mapping-config.ts); this only
 * keeps what its issues mean.
 */
export type DraftIssue = { path: Path } & (
  | { kind: 'required' }
  | { kind: 'sourcePath' }
  | { kind: 'choose'; options: string[] }
  | { kind: 'unknownTransform'; value: string; options: string[] }
  | { kind: 'wrongType'; expected: string }
  | { kind: 'unknownSettings'; keys: string[] }
  | { kind: 'tooFew'; minimum: number }
  | { kind: 'mappedTwice'; target: string }
  | { kind: 'customKeyNeeded' }
  | { kind: 'wrongCrm'; crm: string }
  | { kind: 'targetRule'; message: string }
  | { kind: 'transformText' }
  | { kind: 'documentText' }
  | { kind: 'other'; message: string }
);

const valueAt = (document: unknown, path: Path): unknown =>
  path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined), document);

const isEmpty = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function fromSchema(issue: z.core.$ZodIssue, draft: unknown): DraftIssue {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const value = valueAt(draft, path);
  if (isEmpty(value) && issue.code !== 'custom') return { path, kind: 'required' };
  switch (issue.code) {
    case 'invalid_format':
      return path.at(-1) === 'source' ? { path, kind: 'sourcePath' } : { path, kind: 'other', message: issue.message };
    case 'invalid_value':
      return { path, kind: 'choose', options: issue.values.map(String) };
    case 'invalid_union': {
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      return discriminator && options ? { path, kind: 'unknownTransform', value: String(value), options: options.map(String) } : { path, kind: 'other', message: issue.message };
    }
    case 'invalid_type':
      return { path, kind: 'wrongType', expected: issue.expected };
    case 'unrecognized_keys':
      return { path, kind: 'unknownSettings', keys: issue.keys };
    case 'too_small':
      return { path, kind: 'tooFew', minimum: Number(issue.minimum) };
    case 'custom': {
      const target = path.at(-1) === 'target' ? valueAt(draft, path) : undefined;
      if (typeof target === 'string' && issue.message.endsWith('is mapped twice')) return { path, kind: 'mappedTwice', target };
      if (path.join('.') === 'matching.customKeys') return { path, kind: 'customKeyNeeded' };
      return { path, kind: 'other', message: issue.message };
    }
    default:
      return { path, kind: 'other', message: issue.message };
  }
}

/**
 * Keys the draft holds that the parsed document has dropped (settings a
 * transform or field does not have): saving would store something other than
 * what the screen shows, so they are problems too.
 */
function droppedKeys(draft: unknown, parsed: unknown, path: Path = []): DraftIssue[] {
  if (Array.isArray(draft) && Array.isArray(parsed)) return draft.flatMap((item, i) => droppedKeys(item, parsed[i], [...path, i]));
  if (draft === null || parsed === null || typeof draft !== 'object' || typeof parsed !== 'object' || Array.isArray(draft)) return [];
  const kept = parsed as Record<string, unknown>;
  const unknown = Object.keys(draft).filter((key) => !(key in kept));
  const here: DraftIssue[] = unknown.length > 0 ? [{ path, kind: 'unknownSettings', keys: unknown }] : [];
  return [...here, ...Object.entries(draft).flatMap(([key, value]) => (key in kept ? droppedKeys(value, kept[key], [...path, key]) : []))];
}

/** Every problem of the edited document for the connection's CRM, at its path. */
export function draftIssues(draft: unknown, target: MappingTarget): DraftIssue[] {
  const parsed = mappingConfigSchema.safeParse(draft);
  if (!parsed.success) return parsed.error.issues.map((issue) => fromSchema(issue, draft));
  const dropped = droppedKeys(draft, parsed.data);
  if (dropped.length > 0) return dropped;
  const checked = validateMappingConfig(parsed.data, target);
  return checked.issues.map((issue): DraftIssue =>
    issue.path.join('.') === 'crm'
      ? { path: issue.path, kind: 'wrongCrm', crm: target.crm }
      : { path: issue.path, kind: 'targetRule', message: issue.message }
  );
}

/** Issue paths as one key, `entities.person.fields.0.target` (the page's lookups; people see labels). */
export const pathKey = (path: readonly (string | number)[]): string => path.join('.');
