import { useIntl, type IntlShape } from 'react-intl';
import Spacings from '@commercetools-uikit/spacings';
import Stamp from '@commercetools-uikit/stamp';
import Text from '@commercetools-uikit/text';
import type { Operation, OperationState } from '../../../../core/src/api/contract';
import { formatDateTime, formatDuration } from '../shared/format';
import { operationEntityMessages, operationKindMessages, operationStateMessages, operationsMessages } from './messages';

const stateTones: Record<OperationState, 'primary' | 'warning' | 'positive' | 'critical'> = {
  queued: 'warning',
  running: 'primary',
  succeeded: 'positive',
  failed: 'critical',
};

/** What the operator asked for, in words: a backfill, a scoped re-sync, a reconciliation with or without repair. */
export function kindOf(intl: IntlShape, request: Operation['request']): string {
  if (request.kind === 'reconcile') {
    return `${intl.formatMessage(operationKindMessages.reconcile)} (${intl.formatMessage(request.repair ? operationsMessages.withRepair : operationsMessages.reportOnly)})`;
  }
  const scoped = request.scope && (request.scope.store || request.scope.idFrom || request.scope.idTo);
  return intl.formatMessage(scoped ? operationKindMessages.resync : operationKindMessages.backfill);
}

function ProgressBar({ label, done, total }: { label: string; done: number; total: number | undefined }) {
  const percent = total ? Math.min(100, Math.round((done / total) * 100)) : undefined;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total ?? undefined}
      aria-valuenow={done}
      style={{ height: 8, borderRadius: 4, background: '#e6e6e6', overflow: 'hidden' }}
    >
      <div style={{ width: `${percent ?? 0}%`, height: '100%', background: '#078cdf' }} />
    </div>
  );
}

function OperationItem({ operation }: { operation: Operation }) {
  const intl = useIntl();
  const kind = kindOf(intl, operation.request);
  const { progress } = operation;
  const who = operation.requestedBy.name ?? operation.requestedBy.userId;
  const counts = Object.entries(operation.counts ?? {});
  return (
    <li style={{ listStyle: 'none' }}>
      <Spacings.Stack scale="xs">
        <Spacings.Inline scale="s" alignItems="center">
          <Stamp tone={stateTones[operation.state]} label={intl.formatMessage(operationStateMessages[operation.state])} />
          <Text.Body isBold>{intl.formatMessage(operationsMessages.operation, { kind, who, at: formatDateTime(operation.requestedAt) })}</Text.Body>
        </Spacings.Inline>
        {operation.state === 'queued' ? (
          <Text.Detail tone="secondary">
            {operation.detail ? intl.formatMessage(operationsMessages.waiting, { detail: operation.detail }) : intl.formatMessage(operationsMessages.waitingForJob)}
          </Text.Detail>
        ) : null}
        {progress && progress.entities.length > 0 && operation.state !== 'queued' ? (
          <Spacings.Stack scale="xs">
            {progress.total !== undefined ? <ProgressBar label={intl.formatMessage(operationsMessages.progress, { kind })} done={progress.done} total={progress.total} /> : null}
            <Text.Detail>
              {[
                progress.total !== undefined
                  ? intl.formatMessage(operationsMessages.done, { done: progress.done, total: progress.total })
                  : intl.formatMessage(operationsMessages.doneNoTotal, { done: progress.done }),
                progress.ratePerSecond !== undefined ? intl.formatMessage(operationsMessages.rate, { rate: progress.ratePerSecond }) : undefined,
                operation.state === 'running' && progress.secondsLeft !== undefined
                  ? intl.formatMessage(operationsMessages.timeLeft, { duration: formatDuration(progress.secondsLeft) })
                  : undefined,
              ]
                .filter(Boolean)
                .join(' · ')}
            </Text.Detail>
            {progress.entities.length > 1 ? (
              <Text.Detail tone="secondary">
                {progress.entities
                  .map((entry) =>
                    intl.formatMessage(operationsMessages.entityDone, {
                      entity: intl.formatMessage(operationEntityMessages[entry.entity]),
                      done: entry.done,
                      total: entry.total ?? '—',
                    })
                  )
                  .join(' · ')}
              </Text.Detail>
            ) : null}
          </Spacings.Stack>
        ) : null}
        {operation.finishedAt ? <Text.Detail tone="secondary">{intl.formatMessage(operationsMessages.finishedAt, { at: formatDateTime(operation.finishedAt) })}</Text.Detail> : null}
        {operation.state === 'failed' && operation.detail ? (
          <Text.Detail tone="critical">{intl.formatMessage(operationsMessages.failedBecause, { detail: operation.detail })}</Text.Detail>
        ) : null}
        {counts.length > 0 ? (
          <details>
            <summary style={{ cursor: 'pointer', fontSize: '0.875rem' }}>{intl.formatMessage(operationsMessages.outcome)}</summary>
            <ul style={{ margin: 0, paddingLeft: 16 }}>
              {counts.map(([name, value]) => (
                <li key={name}>
                  <Text.Detail>{intl.formatMessage(operationsMessages.count, { name, value })}</Text.Detail>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </Spacings.Stack>
    </li>
  );
}

/** The current and recent operations, newest first: state, progress, who asked, outcome. */
export function OperationList({ operations }: { operations: Operation[] }) {
  const intl = useIntl();
  if (operations.length === 0) return <Text.Detail tone="secondary">{intl.formatMessage(operationsMessages.none)}</Text.Detail>;
  return (
    <ul aria-label={intl.formatMessage(operationsMessages.recent)} style={{ margin: 0, padding: 0 }}>
      <Spacings.Stack scale="m">
        {operations.map((operation) => (
          <OperationItem key={operation.id} operation={operation} />
        ))}
      </Spacings.Stack>
    </ul>
  );
}
