import { Fragment, useEffect, useState, type ReactNode } from 'react';
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
import { errorClassLabels, formatDateTime } from '../shared/format';
import { PageError } from '../shared/page-error';
import { StateStamp } from './state-stamp';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text.Detail isBold>{label}</Text.Detail>
      <div>{children}</div>
    </div>
  );
}

export function FailureDetailPage({ baseUrl }: { baseUrl: string }) {
  const { id } = useParams<{ id: string }>();
  const canManage = useIsAuthorized({ demandedPermissions: [PERMISSIONS.Manage] });
  const query = useServiceQuery(serviceApi.failures.get, { params: { id } });
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
            ? { tone: 'success', text: 'Replayed: the record is in sync now.' }
            : { tone: 'error', text: `Replay failed again: ${answer.failure.message}` }
        );
      } else {
        const answer = await call(serviceApi.failures.dismiss, { params: { id } });
        setFailure(answer);
        setResult({ tone: 'success', text: 'Dismissed.' });
      }
    } catch (caught) {
      setResult({ tone: 'error', text: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setBusy(false);
    }
  };

  const actionable = failure && (failure.state === 'open' || failure.state === 'retrying');
  return (
    <Spacings.Stack scale="l">
      <Link to={`${baseUrl}/failures`}>← All failures</Link>
      {query.error ? <PageError error={query.error} /> : null}
      {query.loading && !failure ? <LoadingSpinner>Loading failure</LoadingSpinner> : null}
      {failure ? (
        <Fragment>
          <Spacings.Inline justifyContent="space-between" alignItems="center">
            <Spacings.Inline scale="m" alignItems="center">
              <Text.Headline as="h1">{`${failure.entity} ${failure.sourceId}`}</Text.Headline>
              <StateStamp state={failure.state} />
            </Spacings.Inline>
            {canManage && actionable ? (
              <Spacings.Inline scale="m">
                <PrimaryButton label="Replay" onClick={() => void act('replay')} isDisabled={busy} />
                <SecondaryButton label="Dismiss" onClick={() => void act('dismiss')} isDisabled={busy} />
              </Spacings.Inline>
            ) : null}
          </Spacings.Inline>
          {result ? (
            <div role="status">
              <ContentNotification type={result.tone}>{result.text}</ContentNotification>
            </div>
          ) : null}
          <Card insetScale="l">
            <Spacings.Stack scale="m">
              <Field label="CRM's message">
                <Text.Body>{failure.message}</Text.Body>
              </Field>
              <Spacings.Inline scale="xl">
                <Field label="Error class">{errorClassLabels[failure.errorClass] ?? failure.errorClass}</Field>
                <Field label="Status">{failure.status ?? '—'}</Field>
                <Field label="Code">{failure.code ?? '—'}</Field>
                <Field label="Attempts">{failure.attempts}</Field>
              </Spacings.Inline>
              <Spacings.Inline scale="xl">
                <Field label="Connection">{`${failure.connection} (${failure.crm})`}</Field>
                <Field label="Direction">{failure.direction}</Field>
                <Field label="Correlation ID">
                  <code data-testid="correlation-id">{failure.correlationId}</code>
                </Field>
              </Spacings.Inline>
              <Spacings.Inline scale="xl">
                <Field label="First failed">{formatDateTime(failure.firstFailedAt)}</Field>
                <Field label="Last failed">{formatDateTime(failure.lastFailedAt)}</Field>
                <Field label="Next attempt">{formatDateTime(failure.nextAttemptAt)}</Field>
                <Field label="Resolved">{formatDateTime(failure.resolvedAt)}</Field>
              </Spacings.Inline>
              {failure.fields && Object.keys(failure.fields).length > 0 ? (
                <Field label="Fields">
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
              <Text.Subheadline as="h4">Payload sent</Text.Subheadline>
              <pre aria-label="Payload" style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>
                {failure.payload === undefined ? '(none kept)' : JSON.stringify(failure.payload, null, 2)}
              </pre>
            </Spacings.Stack>
          </Card>
          <Card insetScale="l">
            <Spacings.Stack scale="s">
              <Text.Subheadline as="h4">Attempts</Text.Subheadline>
              <ol aria-label="Attempts" style={{ margin: 0, paddingLeft: 20 }}>
                {failure.history.map((attempt, index) => (
                  <li key={`${attempt.at}-${index}`}>
                    <Text.Detail>
                      {`${formatDateTime(attempt.at)} — ${errorClassLabels[attempt.errorClass] ?? attempt.errorClass}${
                        attempt.status ? ` (${attempt.status})` : ''
                      }: ${attempt.message} · ${attempt.correlationId}`}
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
