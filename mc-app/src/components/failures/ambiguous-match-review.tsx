import { useState } from 'react';
import { useIntl, type IntlShape } from 'react-intl';
import { ConfirmationDialog } from '@commercetools-frontend/application-components';
import Card from '@commercetools-uikit/card';
import DataTable, { type TColumn } from '@commercetools-uikit/data-table';
import { ContentNotification } from '@commercetools-uikit/notifications';
import PrimaryButton from '@commercetools-uikit/primary-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { useServiceCall } from '../../api/hooks';
import {
  serviceApi,
  type Failure,
  type FailureReview,
  type GuestDecision,
  type MatchCandidate,
  type ResolveMatchAnswer,
  type ResolveMatchRequest,
} from '../../../../core/src/api/contract';
import { formatDateTime } from '../shared/format';
import { matchMessages } from './messages';

type Match = NonNullable<FailureReview['match']>;

const candidateName = (intl: IntlShape, c: MatchCandidate) => c.name ?? c.email ?? intl.formatMessage(matchMessages.unnamed, { id: c.sourceId });

function lastOrderText(intl: IntlShape, order: MatchCandidate['lastOrder']): string {
  if (!order) return intl.formatMessage(matchMessages.noOrders);
  const total = intl.formatNumber(order.total.centAmount / 10 ** order.total.fractionDigits, { style: 'currency', currency: order.total.currencyCode });
  return intl.formatMessage(matchMessages.lastOrderValue, { orderNumber: order.orderNumber ?? '—', at: formatDateTime(order.at), total });
}

function Decision({ decision }: { decision: GuestDecision }) {
  const intl = useIntl();
  const values = { by: decision.decidedBy.name ?? decision.decidedBy.userId, at: formatDateTime(decision.decidedAt) };
  return (
    <Text.Body>
      {decision.person
        ? intl.formatMessage(matchMessages.decidedPerson, { ...values, name: decision.person.name ?? decision.person.email ?? decision.person.sourceId })
        : intl.formatMessage(matchMessages.decidedSeparate, values)}
    </Text.Body>
  );
}

/**
 * An ambiguous guest order in review: the customers its email matches, told
 * apart by name, email, stores and last order; the reviewer links the order to
 * one of them or gives the guest a record of its own, after confirming what
 * that writes. The decision, with who took it, stands for the email's later
 * guest orders.
 */
export function AmbiguousMatchReview(props: {
  failure: Failure;
  match: Match;
  orderEmail: string;
  crmLabel: string;
  canManage: boolean;
  onResolved: (answer: ResolveMatchAnswer) => void;
}) {
  const intl = useIntl();
  const call = useServiceCall();
  const [choice, setChoice] = useState<{ request: ResolveMatchRequest; candidate?: MatchCandidate } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);
  const { failure, match, crmLabel } = props;
  const open = failure.state === 'open' || failure.state === 'retrying';

  const resolve = async () => {
    if (!choice) return;
    const request = choice.request;
    setChoice(undefined);
    setBusy(true);
    setResult(undefined);
    try {
      const answer = await call(serviceApi.failures.resolveMatch, { params: { id: failure.id }, body: request });
      setResult(
        answer.outcome === 'resolved'
          ? { tone: 'success', text: intl.formatMessage(matchMessages.resolved, { crm: crmLabel }) }
          : { tone: 'error', text: intl.formatMessage(matchMessages.stillFailing, { message: answer.failure.message }) }
      );
      props.onResolved(answer);
    } catch (caught) {
      setResult({ tone: 'error', text: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setBusy(false);
    }
  };

  const columns: TColumn<MatchCandidate & { id: string }>[] = [
    { key: 'name', label: intl.formatMessage(matchMessages.name) },
    { key: 'email', label: intl.formatMessage(matchMessages.email) },
    { key: 'stores', label: intl.formatMessage(matchMessages.stores) },
    { key: 'lastOrder', label: intl.formatMessage(matchMessages.lastOrder) },
    { key: 'crmId', label: intl.formatMessage(matchMessages.crmRecord, { crm: crmLabel }) },
    ...(props.canManage && open ? [{ key: 'choose', label: '' }] : []),
  ];
  const renderItem = (candidate: MatchCandidate, column: TColumn<MatchCandidate & { id: string }>) => {
    switch (column.key) {
      case 'name':
        return candidateName(intl, candidate);
      case 'email':
        return candidate.email ?? '—';
      case 'stores':
        return candidate.stores.length > 0 ? candidate.stores.join(', ') : intl.formatMessage(matchMessages.allStores);
      case 'lastOrder':
        return lastOrderText(intl, candidate.lastOrder);
      case 'crmId':
        return <code>{candidate.crmId}</code>;
      case 'choose':
        return (
          <PrimaryButton
            size="small"
            label={intl.formatMessage(matchMessages.choose, { name: candidateName(intl, candidate) })}
            isDisabled={busy}
            onClick={() => setChoice({ request: { person: candidate.sourceId }, candidate })}
          />
        );
      default:
        return null;
    }
  };

  const confirming = choice?.candidate;
  return (
    <Card insetScale="l">
      <section aria-label={intl.formatMessage(matchMessages.title)}>
        <Spacings.Stack scale="m">
          <Text.Subheadline as="h4">{intl.formatMessage(matchMessages.title)}</Text.Subheadline>
          {result ? (
            <div role="status">
              <ContentNotification type={result.tone}>{result.text}</ContentNotification>
            </div>
          ) : null}
          {match.decision ? <Decision decision={match.decision} /> : null}
          {!match.decision && match.candidates.length === 0 ? <Text.Body>{intl.formatMessage(matchMessages.noLonger)}</Text.Body> : null}
          {match.candidates.length > 0 ? (
            <Spacings.Stack scale="s">
              <Text.Body>
                {intl.formatMessage(matchMessages.explanation, { email: props.orderEmail, count: match.candidates.length, crm: crmLabel })}
              </Text.Body>
              <div aria-label={intl.formatMessage(matchMessages.candidates)} role="group">
                <DataTable rows={match.candidates.map((c) => ({ ...c, id: c.sourceId }))} columns={columns} itemRenderer={renderItem} />
              </div>
              {props.canManage && open ? (
                <div>
                  <SecondaryButton
                    label={intl.formatMessage(matchMessages.separate)}
                    isDisabled={busy}
                    onClick={() => setChoice({ request: { separate: true } })}
                  />
                </div>
              ) : null}
            </Spacings.Stack>
          ) : null}
        </Spacings.Stack>
      </section>
      <ConfirmationDialog
        isOpen={choice !== undefined}
        title={
          confirming
            ? intl.formatMessage(matchMessages.confirmPersonTitle, { name: candidateName(intl, confirming) })
            : intl.formatMessage(matchMessages.confirmSeparateTitle)
        }
        labelPrimary={intl.formatMessage(matchMessages.confirm)}
        onCancel={() => setChoice(undefined)}
        onClose={() => setChoice(undefined)}
        onConfirm={() => void resolve()}
      >
        <Text.Body>
          {confirming
            ? intl.formatMessage(matchMessages.confirmPersonBody, { crm: crmLabel, name: candidateName(intl, confirming), email: props.orderEmail })
            : intl.formatMessage(matchMessages.confirmSeparateBody, { crm: crmLabel, email: props.orderEmail })}
        </Text.Body>
      </ConfirmationDialog>
    </Card>
  );
}
