import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { useIntl } from 'react-intl';
import { Link, useParams } from 'react-router-dom';
import { useIsAuthorized } from '@commercetools-frontend/permissions';
import Card from '@commercetools-uikit/card';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import { ContentNotification } from '@commercetools-uikit/notifications';
import PrimaryButton from '@commercetools-uikit/primary-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { useServiceCall, useServiceQuery } from '../../api/hooks';
import { serviceApi, type Failure } from '../../../../core/src/api/contract';
import { PERMISSIONS } from '../../constants';
import { useConnectionCrm } from '../shared/connection-crm';
import { formatDateTime } from '../shared/format';
import { directionMessages, errorClassMessages } from '../shared/messages';
import { PageError } from '../shared/page-error';
import { AmbiguousMatchReview } from './ambiguous-match-review';
import { detailMessages } from './messages';
import { StateStamp } from './state-stamp';
import { describeSubject, entityLabel, SubjectDetail } from './subject';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text.Detail isBold>{label}</Text.Detail>
      <div>{children}</div>
    </div>
  );
}

/** A record that failed because another did keeps only that as its payload: it was never sent. */
function dependencyOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || !('dependsOn' in payload)) return undefined;
  const dependsOn = (payload as { dependsOn: unknown }).dependsOn;
  return typeof dependsOn === 'string' ? dependsOn : undefined;
}

export function FailureDetailPage({ baseUrl }: { baseUrl: string }) {
  const intl = useIntl();
  const { id } = useParams<{ id: string }>();
  const canManage = useIsAuthorized({ demandedPermissions: [PERMISSIONS.Manage] });
  const query = useServiceQuery(serviceApi.failures.get, { params: { id } });
  const review = useServiceQuery(serviceApi.failures.review, { params: { id } });
  const { labelOf } = useConnectionCrm();
  const [failure, setFailure] = useState<Failure | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);
  const call = useServiceCall();
  useEffect(() => setFailure(query.data), [query.data]);

  const act = async (kind: 'replay' | 'dismiss') => {
    setBusy(true);
    setResult(undefined);
    try {
      if (kind === 'replay') {
        const answer = await call(serviceApi.failures.replay, { params: { id } });
        setFailure(answer.failure);
        setResult(
          answer.outcome === 'resolved'
            ? { tone: 'success', text: intl.formatMessage(detailMessages.replayed) }
            : { tone: 'error', text: intl.formatMessage(detailMessages.replayFailed, { message: answer.failure.message }) }
        );
      } else {
        setFailure(await call(serviceApi.failures.dismiss, { params: { id } }));
        setResult({ tone: 'success', text: intl.formatMessage(detailMessages.dismissed) });
      }
    } catch (caught) {
      setResult({ tone: 'error', text: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setBusy(false);
    }
  };

  const actionable = failure && (failure.state === 'open' || failure.state === 'retrying');
  const match = review.data?.match;
  // An ambiguous match waits for a decision: replaying it alone would only find the same people again.
  const awaitsDecision = Boolean(match && !match.decision && match.candidates.length > 0);
  const subject = failure ? describeSubject(intl, { ...failure, subject: review.data?.subject }) : undefined;
  const dependsOn = failure ? dependencyOf(failure.payload) : undefined;
  const crmLabel = failure ? labelOf(failure.crm) : '';
  return (
    <Spacings.Stack scale="l">
      <Link to={`${baseUrl}/failures`}>{intl.formatMessage(detailMessages.back)}</Link>
      {query.error ? <PageError error={query.error} /> : null}
      {review.error ? <PageError error={review.error} /> : null}
      {query.loading && !failure ? <LoadingSpinner>{intl.formatMessage(detailMessages.loading)}</LoadingSpinner> : null}
      {failure && subject ? (
        <Fragment>
          <Spacings.Inline justifyContent="space-between" alignItems="center">
            <Spacings.Stack scale="xs">
              <Spacings.Inline scale="m" alignItems="center">
                <Text.Headline as="h1">{subject.name}</Text.Headline>
                <StateStamp state={failure.state} />
              </Spacings.Inline>
              <SubjectDetail text={[entityLabel(intl, failure.entity), subject.detail].filter(Boolean).join(' · ')} />
            </Spacings.Stack>
            {canManage && actionable ? (
              <Spacings.Inline scale="m">
                {awaitsDecision ? null : (
                  <PrimaryButton label={intl.formatMessage(detailMessages.replay)} onClick={() => void act('replay')} isDisabled={busy} />
                )}
                <SecondaryButton label={intl.formatMessage(detailMessages.dismiss)} onClick={() => void act('dismiss')} isDisabled={busy} />
              </Spacings.Inline>
            ) : null}
          </Spacings.Inline>
          {result ? (
            <div role="status">
              <ContentNotification type={result.tone}>{result.text}</ContentNotification>
            </div>
          ) : null}
          {match ? (
            <AmbiguousMatchReview
              failure={failure}
              match={match}
              orderEmail={review.data?.subject?.email ?? ''}
              crmLabel={crmLabel}
              canManage={canManage}
              onResolved={(answer) => {
                setFailure(answer.failure);
                void review.refetch();
              }}
            />
          ) : null}
          <Card insetScale="l">
            <Spacings.Stack scale="m">
              <Field label={intl.formatMessage(detailMessages.whatWentWrong)}>
                <Text.Body>{failure.message}</Text.Body>
              </Field>
              <Spacings.Inline scale="xl">
                <Field label={intl.formatMessage(detailMessages.errorClass)}>{intl.formatMessage(errorClassMessages[failure.errorClass])}</Field>
                <Field label={intl.formatMessage(detailMessages.status)}>{failure.status ?? '—'}</Field>
                <Field label={intl.formatMessage(detailMessages.code)}>{failure.code ?? '—'}</Field>
                <Field label={intl.formatMessage(detailMessages.attempts)}>{failure.attempts}</Field>
              </Spacings.Inline>
              <Spacings.Inline scale="xl">
                <Field label={intl.formatMessage(detailMessages.connection)}>
                  {intl.formatMessage(detailMessages.connectionValue, { connection: failure.connection, crm: crmLabel })}
                </Field>
                <Field label={intl.formatMessage(detailMessages.direction)}>{intl.formatMessage(directionMessages[failure.direction])}</Field>
                <Field label={intl.formatMessage(detailMessages.record)}>
                  <code data-testid="record-id">{failure.sourceId}</code>
                </Field>
                <Field label={intl.formatMessage(detailMessages.correlationId)}>
                  <code data-testid="correlation-id">{failure.correlationId}</code>
                </Field>
              </Spacings.Inline>
              <Spacings.Inline scale="xl">
                <Field label={intl.formatMessage(detailMessages.firstFailed)}>{formatDateTime(failure.firstFailedAt)}</Field>
                <Field label={intl.formatMessage(detailMessages.lastFailed)}>{formatDateTime(failure.lastFailedAt)}</Field>
                <Field label={intl.formatMessage(detailMessages.nextAttempt)}>{formatDateTime(failure.nextAttemptAt)}</Field>
                <Field label={intl.formatMessage(detailMessages.resolved)}>{formatDateTime(failure.resolvedAt)}</Field>
              </Spacings.Inline>
              {!match && failure.fields && Object.keys(failure.fields).length > 0 ? (
                <Field label={intl.formatMessage(detailMessages.fields)}>
                  <ul style={{ margin: 0, paddingLeft: 16 }}>
                    {Object.entries(failure.fields).map(([field, reason]) => (
                      <li key={field}>{`${field}: ${reason}`}</li>
                    ))}
                  </ul>
                </Field>
              ) : null}
            </Spacings.Stack>
          </Card>
          <Card insetScale="l">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">{intl.formatMessage(detailMessages.payload)}</Text.Subheadline>
              {dependsOn ? (
                <Text.Detail>{intl.formatMessage(detailMessages.waitingFor, { dependsOn: entityLabel(intl, dependsOn) })}</Text.Detail>
              ) : (
                <pre aria-label={intl.formatMessage(detailMessages.payload)} style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>
                  {failure.payload === undefined ? intl.formatMessage(detailMessages.payloadNone) : JSON.stringify(failure.payload, null, 2)}
                </pre>
              )}
            </Spacings.Stack>
          </Card>
          <Card insetScale="l">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">{intl.formatMessage(detailMessages.history)}</Text.Subheadline>
              <ol aria-label={intl.formatMessage(detailMessages.history)} style={{ margin: 0, paddingLeft: 20 }}>
                {failure.history.map((attempt, index) => (
                  <li key={`${attempt.at}-${index}`}>
                    <Text.Detail>
                      {intl.formatMessage(detailMessages.attempt, {
                        at: formatDateTime(attempt.at),
                        errorClass: intl.formatMessage(errorClassMessages[attempt.errorClass]),
                        status: attempt.status ? ` (${attempt.status})` : '',
                        message: attempt.message,
                        correlationId: attempt.correlationId,
                      })}
                    </Text.Detail>
                  </li>
                ))}
              </ol>
            </Spacings.Stack>
          </Card>
        </Fragment>
      ) : null}
    </Spacings.Stack>
  );
}
