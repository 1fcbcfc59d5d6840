import type { IntlShape } from 'react-intl';
import Text from '@commercetools-uikit/text';
import type { FailureSubject, FailureSummary } from '../../../../core/src/api/contract';
import { entityMessages } from '../shared/messages';
import { subjectMessages } from './messages';

type Named = Pick<FailureSummary, 'entity' | 'sourceId' | 'direction'> & { subject?: FailureSubject };

export const entityLabel = (intl: IntlShape, entity: string) =>
  entity in entityMessages ? intl.formatMessage(entityMessages[entity as keyof typeof entityMessages]) : entity;

/**
 * A failure's subject in people's terms: the person's name and email, the
 * company's name, or the order's number with who placed it. Without one
 * (gone from commercetools, a guest, an unreadable message) it says which.
 */
export function describeSubject(intl: IntlShape, failure: Named): { name: string; detail?: string } {
  const s = failure.subject;
  if (s?.orderNumber) {
    const who = [s.name, s.email].filter(Boolean).join(' · ');
    return { name: intl.formatMessage(subjectMessages.order, { orderNumber: s.orderNumber }), ...(who ? { detail: who } : {}) };
  }
  if (s?.company) return { name: s.company };
  if (s?.name) return { name: s.name, ...(s.email ? { detail: s.email } : {}) };
  if (s?.email) return { name: s.email };
  if (failure.entity === 'message') return { name: intl.formatMessage(subjectMessages.message) };
  if (failure.sourceId.startsWith('guest-')) return { name: intl.formatMessage(subjectMessages.guest) };
  const values = { entity: entityLabel(intl, failure.entity), id: failure.sourceId };
  return { name: intl.formatMessage(failure.direction === 'ct-to-crm' ? subjectMessages.gone : subjectMessages.unnamed, values) };
}

/** The detail line under a subject's name. */
export function SubjectDetail({ text }: { text?: string }) {
  return text ? <Text.Detail tone="secondary">{text}</Text.Detail> : null;
}
