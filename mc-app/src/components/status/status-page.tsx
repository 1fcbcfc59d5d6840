import { useIntl } from 'react-intl';
import { Link } from 'react-router-dom';
import Card from '@commercetools-uikit/card';
import Grid from '@commercetools-uikit/grid';
import LoadingSpinner from '@commercetools-uikit/loading-spinner';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import Spacings from '@commercetools-uikit/spacings';
import Stamp from '@commercetools-uikit/stamp';
import Text from '@commercetools-uikit/text';
import { useServiceQuery } from '../../api/hooks';
import { serviceApi, type ConnectionStatus, type ErrorClass, type HealthState } from '../../../../core/src/api/contract';
import { useConnectionCrm } from '../shared/connection-crm';
import { failuresLink } from '../shared/failures-link';
import { formatDateTime, formatDuration } from '../shared/format';
import { errorClassMessages } from '../shared/messages';
import { PageError } from '../shared/page-error';
import { HealthReasons } from './health-reasons';
import { healthMessages, jobOutcomeMessages, statusMessages } from './messages';
import { FromCrm } from './from-crm';
import { ProcessedChart } from './processed-chart';

const healthTones: Record<HealthState, 'positive' | 'warning' | 'critical' | 'secondary'> = {
  healthy: 'positive',
  attention: 'warning',
  failing: 'critical',
  idle: 'secondary',
};

function ConnectionCard({ connection, failuresUrl, crmLabel }: { connection: ConnectionStatus; failuresUrl: string; crmLabel: string }) {
  const intl = useIntl();
  const { health } = connection;
  const openByClass = Object.entries(connection.openFailuresByClass).filter(([, count]) => (count ?? 0) > 0) as [ErrorClass, number][];
  const openTotal = openByClass.reduce((sum, [, count]) => sum + count, 0);
  const run = connection.lastJobRun;
  return (
    <Card insetScale="l">
      <section aria-label={intl.formatMessage(statusMessages.connection, { name: connection.connection })}>
        <Spacings.Stack scale="m">
          <Spacings.Inline scale="m" alignItems="center" justifyContent="space-between">
            <Text.Headline as="h2">{connection.connection}</Text.Headline>
            <Stamp tone={healthTones[health.state]} label={intl.formatMessage(healthMessages[health.state])} />
          </Spacings.Inline>
          <Text.Detail tone="secondary">{intl.formatMessage(statusMessages.crm, { label: crmLabel })}</Text.Detail>
          <Spacings.Stack scale="xs">
            <Text.Subheadline as="h4">{intl.formatMessage(statusMessages.needsAttention)}</Text.Subheadline>
            {health.reasons.length > 0 ? (
              <HealthReasons connection={connection} failuresUrl={failuresUrl} />
            ) : (
              <Text.Detail tone="secondary">
                {intl.formatMessage(health.state === 'idle' ? statusMessages.idle : statusMessages.allGood)}
              </Text.Detail>
            )}
          </Spacings.Stack>
          <Grid gridGap="16px" gridTemplateColumns="repeat(2, 1fr)">
            <Grid.Item>
              <Text.Detail isBold>{intl.formatMessage(statusMessages.lastSuccess)}</Text.Detail>
              <Text.Body>{formatDateTime(connection.lastSuccessAt)}</Text.Body>
            </Grid.Item>
            <Grid.Item>
              <Text.Detail isBold>{intl.formatMessage(statusMessages.lastError)}</Text.Detail>
              <Text.Body>{formatDateTime(connection.lastErrorAt)}</Text.Body>
              {connection.lastErrorAt ? (
                <Text.Detail tone="critical">{connection.lastError ?? intl.formatMessage(statusMessages.lastErrorUnknown)}</Text.Detail>
              ) : null}
            </Grid.Item>
            <Grid.Item>
              <Text.Detail isBold>{intl.formatMessage(statusMessages.lastJobRun)}</Text.Detail>
              <Text.Body>
                {run
                  ? intl.formatMessage(statusMessages.jobRun, { at: formatDateTime(run.startedAt), outcome: intl.formatMessage(jobOutcomeMessages[run.outcome]) })
                  : '—'}
              </Text.Body>
            </Grid.Item>
            <Grid.Item>
              <Text.Detail isBold>{intl.formatMessage(statusMessages.checkpointLag)}</Text.Detail>
              <Text.Body>
                {connection.checkpointLagSeconds === undefined
                  ? '—'
                  : intl.formatMessage(statusMessages.checkpointLagValue, { duration: formatDuration(connection.checkpointLagSeconds) })}
              </Text.Body>
            </Grid.Item>
          </Grid>
          <Text.Subheadline as="h4">{intl.formatMessage(statusMessages.processed)}</Text.Subheadline>
          <ProcessedChart processed={connection.processed} title={connection.connection} />
          <FromCrm connection={connection} crmLabel={crmLabel} />
          <Text.Subheadline as="h4">{intl.formatMessage(statusMessages.openFailures, { count: openTotal })}</Text.Subheadline>
          {openByClass.length === 0 ? (
            <Text.Detail tone="secondary">{intl.formatMessage(statusMessages.none)}</Text.Detail>
          ) : (
            <ul aria-label={intl.formatMessage(statusMessages.openFailuresByClass, { name: connection.connection })} style={{ margin: 0, paddingLeft: 16 }}>
              {openByClass.map(([errorClass, count]) => (
                <li key={errorClass}>
                  <Link to={failuresLink(failuresUrl, { crm: connection.crm, errorClass, state: 'open' })}>
                    {intl.formatMessage(statusMessages.classCount, { label: intl.formatMessage(errorClassMessages[errorClass]), count })}
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
  const intl = useIntl();
  const { data, error, loading, refetch } = useServiceQuery(serviceApi.status.get, {});
  const { labelOf } = useConnectionCrm();
  return (
    <Spacings.Stack scale="l">
      <Spacings.Inline justifyContent="space-between" alignItems="center">
        <Text.Headline as="h1">{intl.formatMessage(statusMessages.title)}</Text.Headline>
        <Spacings.Inline scale="m" alignItems="center">
          <Link to={`${baseUrl}/operations`}>{intl.formatMessage(statusMessages.operations)}</Link>
          <SecondaryButton label={intl.formatMessage(statusMessages.refresh)} onClick={() => void refetch()} isDisabled={loading} />
        </Spacings.Inline>
      </Spacings.Inline>
      {error ? <PageError error={error} /> : null}
      {loading && !data ? <LoadingSpinner>{intl.formatMessage(statusMessages.loading)}</LoadingSpinner> : null}
      {data && data.connections.length === 0 ? <Text.Body>{intl.formatMessage(statusMessages.noConnections)}</Text.Body> : null}
      {data?.connections.map((connection) => (
        <ConnectionCard key={connection.connection} connection={connection} failuresUrl={`${baseUrl}/failures`} crmLabel={labelOf(connection.crm)} />
      ))}
    </Spacings.Stack>
  );
}
