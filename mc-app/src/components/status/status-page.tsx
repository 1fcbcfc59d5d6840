import { Link, useRouteMatch } from 'react-router-dom';
import Card from '@commercetools-uikit/card';
import Grid from '@commercetools-uikit/grid';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Stamp from '@commercetools-uikit/stamp';
import Text from '@commercetools-uikit/text';
import { useServiceQuery } from '../../api/hooks';
import { serviceApi, type ConnectionStatus, type ErrorClass } from '../../../../core/src/api/contract';
import { errorClassLabels, formatDateTime, formatDuration } from '../shared/format';
import { PageError } from '../shared/page-error';
import { ProcessedChart } from './processed-chart';

type Health = { tone: 'positive' | 'critical' | 'secondary'; label: string };

export function healthOf(connection: ConnectionStatus): Health {
  const success = connection.lastSuccessAt ? Date.parse(connection.lastSuccessAt) : undefined;
  const error = connection.lastErrorAt ? Date.parse(connection.lastErrorAt) : undefined;
  if (success === undefined && error === undefined) return { tone: 'secondary', label: 'No activity yet' };
  if (error !== undefined && (success === undefined || error > success)) return { tone: 'critical', label: 'Failing' };
  return { tone: 'positive', label: 'Healthy' };
}

function ConnectionCard({ connection, failuresUrl }: { connection: ConnectionStatus; failuresUrl: string }) {
  const health = healthOf(connection);
  const openByClass = Object.entries(connection.openFailuresByClass).filter(([, count]) => (count ?? 0) > 0) as [
    ErrorClass,
    number,
  ][];
  const openTotal = openByClass.reduce((sum, [, count]) => sum + count, 0);
  return (
    <Card insetScale="l">
      <section aria-label={`Connection ${connection.connection}`}>
        <Spacings.Stack scale="m">
          <Spacings.Inline scale="m" alignItems="center" justifyContent="space-between">
            <Text.Headline as="h2">{connection.connection}</Text.Headline>
            <Stamp tone={health.tone} label={health.label} />
          </Spacings.Inline>
          <Text.Detail tone="secondary">{`CRM: ${connection.crm}`}</Text.Detail>
          <Grid gridGap="16px" gridTemplateColumns="repeat(2, 1fr)">
            <Grid.Item>
              <Text.Detail isBold>Last success</Text.Detail>
              <Text.Body>{formatDateTime(connection.lastSuccessAt)}</Text.Body>
            </Grid.Item>
            <Grid.Item>
              <Text.Detail isBold>Last error</Text.Detail>
              <Text.Body>{formatDateTime(connection.lastErrorAt)}</Text.Body>
              {connection.lastError ? <Text.Detail tone="critical">{connection.lastError}</Text.Detail> : null}
            </Grid.Item>
            <Grid.Item>
              <Text.Detail isBold>Last job run</Text.Detail>
              <Text.Body>
                {connection.lastJobRun
                  ? `${formatDateTime(connection.lastJobRun.startedAt)} — ${connection.lastJobRun.outcome}`
                  : '—'}
              </Text.Body>
            </Grid.Item>
            <Grid.Item>
              <Text.Detail isBold>Checkpoint lag</Text.Detail>
              <Text.Body>{formatDuration(connection.checkpointLagSeconds)}</Text.Body>
            </Grid.Item>
          </Grid>
          <Text.Subheadline as="h4">Events processed, last 24 hours</Text.Subheadline>
          <ProcessedChart processed={connection.processed} title={connection.connection} />
          <Text.Subheadline as="h4">{`Open failures: ${openTotal}`}</Text.Subheadline>
          {openByClass.length === 0 ? (
            <Text.Detail tone="secondary">None</Text.Detail>
          ) : (
            <ul aria-label={`Open failures of ${connection.connection} by class`} style={{ margin: 0, paddingLeft: 16 }}>
              {openByClass.map(([errorClass, count]) => (
                <li key={errorClass}>
                  <Link
                    to={`${failuresUrl}?${new URLSearchParams({ crm: connection.crm, errorClass, state: 'open' }).toString()}`}
                  >
                    {`${errorClassLabels[errorClass] ?? errorClass}: ${count}`}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Spacings.Stack>
      </section>
    </Card>
  );
}

export function StatusPage({ baseUrl }: { baseUrl: string }) {
  const { data, error, loading, refetch } = useServiceQuery(serviceApi.status.get, {});
  useRouteMatch();
  return (
    <Spacings.Stack scale="l">
      <Spacings.Inline justifyContent="space-between" alignItems="center">
        <Text.Headline as="h1">CRM sync status</Text.Headline>
        <SecondaryButton label="Refresh" onClick={() => void refetch()} isDisabled={loading} />
      </Spacings.Inline>
      {error ? <PageError error={error} /> : null}
      {loading && !data ? <LoadingSpinner>Loading status</LoadingSpinner> : null}
      {data && data.connections.length === 0 ? <Text.Body>No CRM connections are configured.</Text.Body> : null}
      {data?.connections.map((connection) => (
        <ConnectionCard key={connection.connection} connection={connection} failuresUrl={`${baseUrl}/failures`} />
      ))}
    </Spacings.Stack>
  );
}
