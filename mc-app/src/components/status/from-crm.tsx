import { useMemo } from 'react';
import { useIntl } from 'react-intl';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { useServiceQuery } from '../../api/hooks';
import { serviceApi, type ConnectionStatus } from '../../../../core/src/api/contract';
import { formatDateTime } from '../shared/format';
import { fromCrmMessages } from './messages';

/** Entries shown, newest first. */
const shown = 10;
const dayMs = 24 * 3600_000;

/**
 * The CRM → commercetools direction of a connection: changes applied and not
 * applied in the last 24 hours (from the status), and the latest of them
 * from the sync log with their correlation IDs, to follow one in the logs.
 */
export function FromCrm({ connection, crmLabel }: { connection: ConnectionStatus; crmLabel: string }) {
  const intl = useIntl();
  const since = useMemo(() => new Date(Date.now() - dayMs).toISOString(), []);
  const { data } = useServiceQuery(serviceApi.log.list, { query: { direction: 'crm-to-ct', since, limit: 500 } });
  const written = connection.processed.reduce((sum, hour) => sum + (hour.inboundWritten ?? 0), 0);
  const failed = connection.processed.reduce((sum, hour) => sum + (hour.inboundFailed ?? 0), 0);
  const latest = [...(data?.items ?? [])].reverse().slice(0, shown);
  return (
    <Spacings.Stack scale="xs">
      <Text.Subheadline as="h4">{intl.formatMessage(fromCrmMessages.title, { crm: crmLabel })}</Text.Subheadline>
      <Text.Detail>{intl.formatMessage(fromCrmMessages.counts, { written, failed })}</Text.Detail>
      {latest.length === 0 ? (
        <Text.Detail tone="secondary">{intl.formatMessage(fromCrmMessages.none, { crm: crmLabel })}</Text.Detail>
      ) : (
        <ul aria-label={intl.formatMessage(fromCrmMessages.latest, { crm: crmLabel })} style={{ margin: 0, paddingLeft: 16 }}>
          {latest.map((entry) => (
            <li key={entry.id}>
              <Text.Detail tone={entry.outcome === 'failed' ? 'critical' : undefined}>
                {intl.formatMessage(fromCrmMessages.entry, {
                  at: formatDateTime(entry.at),
                  entity: entry.entity,
                  crmId: entry.crmId ?? '—',
                  sourceId: entry.sourceId,
                  outcome: entry.outcome,
                  correlationId: entry.correlationId,
                })}
              </Text.Detail>
            </li>
          ))}
        </ul>
      )}
    </Spacings.Stack>
  );
}
