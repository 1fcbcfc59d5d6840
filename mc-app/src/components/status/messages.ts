import { defineMessages } from 'react-intl';

export const statusMessages = defineMessages({
  title: { id: 'CrmSync.Status.title', defaultMessage: 'CRM sync status' },
  refresh: { id: 'CrmSync.Status.refresh', defaultMessage: 'Refresh' },
  operations: { id: 'CrmSync.Status.operations', defaultMessage: 'Backfill, re-sync and reconciliation' },
  loading: { id: 'CrmSync.Status.loading', defaultMessage: 'Loading status' },
  noConnections: { id: 'CrmSync.Status.noConnections', defaultMessage: 'No CRM connections are configured.' },
  connection: { id: 'CrmSync.Status.connection', defaultMessage: 'Connection {name}' },
  crm: { id: 'CrmSync.Status.crm', defaultMessage: 'CRM: {label}' },
  lastSuccess: { id: 'CrmSync.Status.lastSuccess', defaultMessage: 'Last success' },
  lastError: { id: 'CrmSync.Status.lastError', defaultMessage: 'Last error' },
  lastErrorUnknown: { id: 'CrmSync.Status.lastErrorUnknown', defaultMessage: 'No message was kept for it.' },
  lastJobRun: { id: 'CrmSync.Status.lastJobRun', defaultMessage: 'Last job run' },
  jobRun: { id: 'CrmSync.Status.jobRun', defaultMessage: '{at} — {outcome}' },
  checkpointLag: { id: 'CrmSync.Status.checkpointLag', defaultMessage: 'Newest change the job has passed' },
  checkpointLagValue: { id: 'CrmSync.Status.checkpointLagValue', defaultMessage: '{duration} ago' },
  processed: { id: 'CrmSync.Status.processed', defaultMessage: 'Records processed, last 24 hours' },
  openFailures: { id: 'CrmSync.Status.openFailures', defaultMessage: 'Open failures: {count}' },
  openFailuresByClass: { id: 'CrmSync.Status.openFailuresByClass', defaultMessage: 'Open failures of {name} by class' },
  classCount: { id: 'CrmSync.Status.classCount', defaultMessage: '{label}: {count}' },
  none: { id: 'CrmSync.Status.none', defaultMessage: 'None' },
  needsAttention: { id: 'CrmSync.Status.needsAttention', defaultMessage: 'What needs attention' },
  healthOf: { id: 'CrmSync.Status.healthOf', defaultMessage: 'Health of {name}' },
  allGood: { id: 'CrmSync.Status.allGood', defaultMessage: 'Records are written, nothing waits for review and the job keeps up.' },
  idle: { id: 'CrmSync.Status.idle', defaultMessage: 'Nothing has been synced in the last 24 hours.' },
});

export const jobOutcomeMessages = defineMessages({
  running: { id: 'CrmSync.Status.jobRunning', defaultMessage: 'running' },
  succeeded: { id: 'CrmSync.Status.jobSucceeded', defaultMessage: 'succeeded' },
  failed: { id: 'CrmSync.Status.jobFailed', defaultMessage: 'failed' },
  partial: { id: 'CrmSync.Status.jobPartial', defaultMessage: 'partly done' },
});

export const healthMessages = defineMessages({
  healthy: { id: 'CrmSync.Health.healthy', defaultMessage: 'Healthy' },
  attention: { id: 'CrmSync.Health.attention', defaultMessage: 'Needs attention' },
  failing: { id: 'CrmSync.Health.failing', defaultMessage: 'Failing' },
  idle: { id: 'CrmSync.Health.idle', defaultMessage: 'No activity yet' },
});

/** Each reason: what it means, and what to do about it (with a link where the app has the place). */
export const reasonMessages = defineMessages({
  writesFailing: {
    id: 'CrmSync.Health.writesFailing',
    defaultMessage: 'Every write since {since} failed ({count} records): the CRM refuses or cannot be reached.',
  },
  writesFailingAction: {
    id: 'CrmSync.Health.writesFailingAction',
    defaultMessage: 'See what the CRM answered',
  },
  openFailures: {
    id: 'CrmSync.Health.openFailures',
    defaultMessage: '{count, plural, one {# failed record waits} other {# failed records wait}} for review or for the next automatic attempt.',
  },
  openFailuresAction: { id: 'CrmSync.Health.openFailuresAction', defaultMessage: 'Review the open failures' },
  throttled: {
    id: 'CrmSync.Health.throttled',
    defaultMessage:
      'The CRM slowed writes down: {lastHour} throttled in the last hour, {waiting} waiting for their next attempt. They are retried by themselves; if it lasts, raise the CRM’s API allowance or lower the connection’s requests per second.',
  },
  throttledAction: { id: 'CrmSync.Health.throttledAction', defaultMessage: 'See the throttled records' },
  staleCheckpoint: {
    id: 'CrmSync.Health.staleCheckpoint',
    defaultMessage:
      'The scheduled job is {duration} behind commercetools changes, so changes a notification missed are not caught up. Check that the job app runs every ten minutes in the Connect deployment and read its logs.',
  },
  jobFailed: {
    id: 'CrmSync.Health.jobFailed',
    defaultMessage: 'The job’s last run ({at}) did not finish cleanly; its records that failed are in the failures list.',
  },
  jobFailedAction: { id: 'CrmSync.Health.jobFailedAction', defaultMessage: 'See the failures' },
});

export const chartMessages = defineMessages({
  written: { id: 'CrmSync.Chart.written', defaultMessage: 'Written' },
  failed: { id: 'CrmSync.Chart.failed', defaultMessage: 'Failed' },
  summary: { id: 'CrmSync.Chart.summary', defaultMessage: '{title}: {written} written, {failed} failed in the last {hours} hours' },
  hour: { id: 'CrmSync.Chart.hour', defaultMessage: '{hour}: {written} written, {failed} failed' },
  legend: { id: 'CrmSync.Chart.legend', defaultMessage: '{label}: {total}' },
});

export const fromCrmMessages = defineMessages({
  title: { id: 'CrmSync.FromCrm.title', defaultMessage: 'Changes from {crm}' },
  counts: {
    id: 'CrmSync.FromCrm.counts',
    defaultMessage: 'Last 24 hours: {written, plural, one {# change applied} other {# changes applied}} to commercetools, {failed, plural, one {# not applied} other {# not applied}}',
  },
  latest: { id: 'CrmSync.FromCrm.latest', defaultMessage: 'Latest changes from {crm}' },
  entry: { id: 'CrmSync.FromCrm.entry', defaultMessage: '{at}: {entity} {crmId} → {sourceId}, {outcome} (correlation ID {correlationId})' },
  none: { id: 'CrmSync.FromCrm.none', defaultMessage: 'No change from {crm} was written or failed in the last 24 hours.' },
});
