import type { IntlShape } from 'react-intl';
import { mappedEntities, type FieldMapping, type MappingConfig } from '../../../../core/src/domain/mapping-config';
import { entityMessages } from '../shared/messages';
import { summariseTransforms } from './mapping-draft';
import { changeMessages } from './messages';

/** The sections without a form, compared as a whole. */
const advancedSections = ['locale', 'consent', 'segmentation', 'validation', 'inbound'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function fieldChanges(intl: IntlShape, entity: string, from: FieldMapping[], to: FieldMapping[]): string[] {
  const before = new Map(from.map((f) => [f.target, f]));
  const after = new Map(to.map((f) => [f.target, f]));
  const lines: string[] = [];
  for (const [target, field] of after) {
    const old = before.get(target);
    if (!old) {
      lines.push(intl.formatMessage(changeMessages.fieldAdded, { entity, target, source: field.source }));
      continue;
    }
    const parts = [
      old.source !== field.source ? intl.formatMessage(changeMessages.partSource, { from: old.source, to: field.source }) : undefined,
      !same(old.transform, field.transform)
        ? intl.formatMessage(changeMessages.partTransforms, { from: summariseTransforms(intl, old.transform), to: summariseTransforms(intl, field.transform) })
        : undefined,
      old.owner !== field.owner ? intl.formatMessage(changeMessages.partOwner, { from: old.owner, to: field.owner }) : undefined,
    ].filter((part): part is string => part !== undefined);
    if (parts.length > 0) lines.push(intl.formatMessage(changeMessages.fieldChanged, { entity, target, parts: parts.join('; ') }));
  }
  for (const target of before.keys()) if (!after.has(target)) lines.push(intl.formatMessage(changeMessages.fieldRemoved, { entity, target }));
  return lines;
}

/**
 * What putting `to` live in place of `from` changes, one line a merchandiser
 * can read per difference: fields written, dropped or changed (by CRM field),
 * the matching rules and guest policy, and which Advanced (JSON) sections
 * differ.
 */
export function describeChanges(intl: IntlShape, from: MappingConfig, to: MappingConfig): string[] {
  const lines = mappedEntities.flatMap((entity) =>
    fieldChanges(intl, intl.formatMessage(entityMessages[entity]), from.entities[entity].fields, to.entities[entity].fields)
  );
  if (!same(from.matching.rules, to.matching.rules)) {
    lines.push(intl.formatMessage(changeMessages.rules, { from: from.matching.rules.join(' → '), to: to.matching.rules.join(' → ') }));
  }
  if (from.matching.guests !== to.matching.guests) lines.push(intl.formatMessage(changeMessages.guests, { from: from.matching.guests, to: to.matching.guests }));
  for (const section of advancedSections) if (!same(from[section], to[section])) lines.push(intl.formatMessage(changeMessages.section, { section }));
  if (!same(from.matching.customKeys, to.matching.customKeys)) lines.push(intl.formatMessage(changeMessages.section, { section: 'matching.customKeys' }));
  return lines.length > 0 ? lines : [intl.formatMessage(changeMessages.nothing)];
}
