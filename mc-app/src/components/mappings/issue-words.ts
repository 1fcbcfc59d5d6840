import type { IntlShape } from 'react-intl';
import { entityMessages } from '../shared/messages';
import type { DraftIssue } from './draft-issues';
import { issueMessages, placeMessages } from './messages';

const list = (items: readonly string[]) => items.join(', ');

/** What is wrong, in the merchandiser's words; `crm` is the connection's CRM label. */
export function issueText(intl: IntlShape, issue: DraftIssue, crm: string): string {
  switch (issue.kind) {
    case 'required': {
      const last = issue.path.at(-1);
      if (last === 'source') return intl.formatMessage(issueMessages.sourceRequired);
      if (last === 'target') return intl.formatMessage(issueMessages.targetRequired, { crm });
      return intl.formatMessage(issueMessages.required);
    }
    case 'sourcePath':
      return intl.formatMessage(issueMessages.sourcePath);
    case 'choose':
      return intl.formatMessage(issueMessages.choose, { options: list(issue.options) });
    case 'unknownTransform':
      return intl.formatMessage(issueMessages.unknownTransform, { value: issue.value, options: list(issue.options) });
    case 'wrongType':
      return intl.formatMessage(issueMessages.wrongType, { expected: issue.expected });
    case 'unknownSettings':
      return intl.formatMessage(issueMessages.unknownSettings, { keys: list(issue.keys) });
    case 'tooFew':
      return intl.formatMessage(issueMessages.tooFew, { minimum: issue.minimum });
    case 'mappedTwice':
      return intl.formatMessage(issueMessages.mappedTwice, { target: issue.target });
    case 'customKeyNeeded':
      return intl.formatMessage(issueMessages.customKeyNeeded);
    case 'wrongCrm':
      return intl.formatMessage(issueMessages.wrongCrm, { crm });
    case 'transformText':
      return intl.formatMessage(issueMessages.transformText);
    case 'documentText':
      return intl.formatMessage(issueMessages.documentText);
    case 'targetRule':
    case 'other':
      // The connector's and the schema's own words (the connector knows what its fields look like).
      return issue.message;
  }
}

const fieldParts = { source: placeMessages.source, target: placeMessages.target, transform: placeMessages.transforms, owner: placeMessages.owner } as const;

/**
 * Where a problem is, as the page labels it: rows and transforms counted
 * from 1 ("Person field 1, CRM field"), other sections by their name, the
 * rest as its place in the Advanced (JSON) document.
 */
export function placeText(intl: IntlShape, path: readonly (string | number)[]): string {
  const [section, entity, fields, index, part, transform] = path;
  if (section === 'entities' && typeof entity === 'string' && fields === 'fields') {
    const values = { entity: entity in entityMessages ? intl.formatMessage(entityMessages[entity as keyof typeof entityMessages]) : entity, number: Number(index) + 1 };
    if (index === undefined) return intl.formatMessage(placeMessages.fields, values);
    if (part === 'transform' && typeof transform === 'number') return intl.formatMessage(placeMessages.transform, { ...values, transform: transform + 1 });
    const message = typeof part === 'string' && part in fieldParts ? fieldParts[part as keyof typeof fieldParts] : placeMessages.field;
    return intl.formatMessage(message, values);
  }
  const key = path.join('.');
  if (key === 'matching.rules' || key.startsWith('matching.rules.')) return intl.formatMessage(placeMessages.matchingRules);
  if (key.startsWith('matching.customKeys')) return intl.formatMessage(placeMessages.customKeys);
  if (key === 'matching.guests') return intl.formatMessage(placeMessages.guests);
  if (key === 'crm') return intl.formatMessage(placeMessages.crm);
  if (path.length === 0) return intl.formatMessage(placeMessages.document);
  return intl.formatMessage(placeMessages.advanced, { path: path.map((p) => (typeof p === 'number' ? `#${p + 1}` : p)).join('.') });
}
