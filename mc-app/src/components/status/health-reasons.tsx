import type { ReactNode } from 'react';
import { useIntl } from 'react-intl';
import { Link } from 'react-router-dom';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import type { ConnectionStatus, HealthReason } from '../../../../core/src/api/contract';
import { failuresLink } from '../shared/failures-link';
import { formatDateTime, formatDuration } from '../shared/format';
import { reasonMessages, statusMessages } from './messages';

function Reason({ text, action }: { text: string; action?: { to: string; label: string } }) {
  return (
    <li>
      <Spacings.Inline scale="s" alignItems="center">
        <Text.Detail>{text}</Text.Detail>
        {action ? <Link to={action.to}>{action.label}</Link> : null}
      </Spacings.Inline>
    </li>
  );
}

/** Why the connection's health is what it is, each reason with what to do about it. */
export function HealthReasons({ connection, failuresUrl }: { connection: ConnectionStatus; failuresUrl: string }) {
  const intl = useIntl();
  const open = { crm: connection.crm, state: 'open' };
  const describe = (reason: HealthReason): ReactNode => {
    switch (reason.kind) {
      case 'writes_failing':
        return (
          <Reason
            key={reason.kind}
            text={intl.formatMessage(reasonMessages.writesFailing, { since: formatDateTime(reason.since), count: reason.count })}
            action={{ to: failuresLink(failuresUrl, open), label: intl.formatMessage(reasonMessages.writesFailingAction) }}
          />
        );
      case 'open_failures':
        return (
          <Reason
            key={reason.kind}
            text={intl.formatMessage(reasonMessages.openFailures, { count: reason.count })}
            action={{ to: failuresLink(failuresUrl, open), label: intl.formatMessage(reasonMessages.openFailuresAction) }}
          />
        );
      case 'throttled':
        return (
          <Reason
            key={reason.kind}
            text={intl.formatMessage(reasonMessages.throttled, { lastHour: reason.lastHour, waiting: reason.waiting })}
            action={{
              to: failuresLink(failuresUrl, { crm: connection.crm, errorClass: 'throttled' }),
              label: intl.formatMessage(reasonMessages.throttledAction),
            }}
          />
        );
      case 'stale_checkpoint':
        return <Reason key={reason.kind} text={intl.formatMessage(reasonMessages.staleCheckpoint, { duration: formatDuration(reason.behindSeconds) })} />;
      case 'job_failed':
        return (
          <Reason
            key={reason.kind}
            text={intl.formatMessage(reasonMessages.jobFailed, { at: formatDateTime(reason.at) })}
            action={{ to: failuresLink(failuresUrl, open), label: intl.formatMessage(reasonMessages.jobFailedAction) }}
          />
        );
    }
  };
  return (
    <ul aria-label={intl.formatMessage(statusMessages.healthOf, { name: connection.connection })} style={{ margin: 0, paddingLeft: 16 }}>
      {connection.health.reasons.map(describe)}
    </ul>
  );
}
