import { defineMessages } from 'react-intl';

export const operationsMessages = defineMessages({
  title: { id: 'CrmSync.Operations.title', defaultMessage: 'Operations' },
  refresh: { id: 'CrmSync.Operations.refresh', defaultMessage: 'Refresh' },
  loading: { id: 'CrmSync.Operations.loading', defaultMessage: 'Loading operations' },
  intro: {
    id: 'CrmSync.Operations.intro',
    defaultMessage:
      'Operations run in the scheduled job, one at a time: a backfill writes records to {crm} again, a reconciliation compares both systems. Start one here and watch it; it goes on if you leave the page.',
  },
  viewOnly: { id: 'CrmSync.Operations.viewOnly', defaultMessage: 'Starting an operation needs the Manage permission; you can watch them.' },
  startBackfill: { id: 'CrmSync.Operations.startBackfill', defaultMessage: 'Backfill or scoped re-sync' },
  backfillHint: {
    id: 'CrmSync.Operations.backfillHint',
    defaultMessage: 'Leave the scope empty for every record; a store key or an ID range re-syncs only those.',
  },
  entities: { id: 'CrmSync.Operations.entities', defaultMessage: 'Records' },
  store: { id: 'CrmSync.Operations.store', defaultMessage: 'Store key' },
  idFrom: { id: 'CrmSync.Operations.idFrom', defaultMessage: 'From ID' },
  idTo: { id: 'CrmSync.Operations.idTo', defaultMessage: 'To ID' },
  backfillButton: { id: 'CrmSync.Operations.backfillButton', defaultMessage: 'Start backfill' },
  startReconcile: { id: 'CrmSync.Operations.startReconcile', defaultMessage: 'Reconciliation' },
  repair: { id: 'CrmSync.Operations.repair', defaultMessage: 'Repair what differs' },
  reconcileButton: { id: 'CrmSync.Operations.reconcileButton', defaultMessage: 'Start reconciliation' },
  confirmBackfillTitle: { id: 'CrmSync.Operations.confirmBackfillTitle', defaultMessage: 'Start a backfill?' },
  confirmBackfillBody: {
    id: 'CrmSync.Operations.confirmBackfillBody',
    defaultMessage:
      'The job reads {what} from commercetools and writes them to {crm}, a page at a time within {crm}’s API limits: unchanged records cost nothing, nothing is deleted, and fields {crm} owns stay as they are. It can take a while and uses part of {crm}’s API allowance.',
  },
  confirmReconcileTitle: { id: 'CrmSync.Operations.confirmReconcileTitle', defaultMessage: 'Start a reconciliation?' },
  confirmReconcileRepair: {
    id: 'CrmSync.Operations.confirmReconcileRepair',
    defaultMessage:
      'The job compares the synced records with {crm} and repairs what differs: missing and outdated records are written again under the fields’ ownership rules. Records only in {crm} are reported, not deleted.',
  },
  confirmReconcileReport: {
    id: 'CrmSync.Operations.confirmReconcileReport',
    defaultMessage: 'The job compares the synced records with {crm} and only reports what differs; nothing is written.',
  },
  start: { id: 'CrmSync.Operations.start', defaultMessage: 'Start' },
  started: { id: 'CrmSync.Operations.started', defaultMessage: 'The {kind} is queued; the job starts it now or on its next scheduled run.' },
  everything: { id: 'CrmSync.Operations.everything', defaultMessage: 'every record ({entities})' },
  scoped: { id: 'CrmSync.Operations.scoped', defaultMessage: '{entities} {scope}' },
  scopeStore: { id: 'CrmSync.Operations.scopeStore', defaultMessage: 'of store {store}' },
  scopeRange: { id: 'CrmSync.Operations.scopeRange', defaultMessage: 'with IDs from {from} to {to}' },
  scopeAny: { id: 'CrmSync.Operations.scopeAny', defaultMessage: 'any' },
  recent: { id: 'CrmSync.Operations.recent', defaultMessage: 'Current and recent operations' },
  none: { id: 'CrmSync.Operations.none', defaultMessage: 'No operation has been started yet.' },
  operation: { id: 'CrmSync.Operations.operation', defaultMessage: '{kind}, started by {who} at {at}' },
  withRepair: { id: 'CrmSync.Operations.withRepair', defaultMessage: 'with repair' },
  reportOnly: { id: 'CrmSync.Operations.reportOnly', defaultMessage: 'report only' },
  progress: { id: 'CrmSync.Operations.progress', defaultMessage: 'Progress of {kind}' },
  done: { id: 'CrmSync.Operations.done', defaultMessage: '{done} of {total} records' },
  doneNoTotal: { id: 'CrmSync.Operations.doneNoTotal', defaultMessage: '{done} records' },
  entityDone: { id: 'CrmSync.Operations.entityDone', defaultMessage: '{entity}: {done} of {total}' },
  rate: { id: 'CrmSync.Operations.rate', defaultMessage: '{rate} records a second' },
  timeLeft: { id: 'CrmSync.Operations.timeLeft', defaultMessage: 'about {duration} left' },
  finishedAt: { id: 'CrmSync.Operations.finishedAt', defaultMessage: 'Finished at {at}' },
  waiting: { id: 'CrmSync.Operations.waiting', defaultMessage: 'Waiting for the job: {detail}' },
  waitingForJob: { id: 'CrmSync.Operations.waitingForJob', defaultMessage: 'Waiting for the job to start it.' },
  failedBecause: { id: 'CrmSync.Operations.failedBecause', defaultMessage: 'Failed: {detail}' },
  outcome: { id: 'CrmSync.Operations.outcome', defaultMessage: 'Outcome' },
  count: { id: 'CrmSync.Operations.count', defaultMessage: '{name}: {value}' },
});

export const operationKindMessages = defineMessages({
  backfill: { id: 'CrmSync.Operations.kindBackfill', defaultMessage: 'backfill' },
  resync: { id: 'CrmSync.Operations.kindResync', defaultMessage: 'scoped re-sync' },
  reconcile: { id: 'CrmSync.Operations.kindReconcile', defaultMessage: 'reconciliation' },
});

export const operationStateMessages = defineMessages({
  queued: { id: 'CrmSync.Operations.stateQueued', defaultMessage: 'queued' },
  running: { id: 'CrmSync.Operations.stateRunning', defaultMessage: 'running' },
  succeeded: { id: 'CrmSync.Operations.stateSucceeded', defaultMessage: 'succeeded' },
  failed: { id: 'CrmSync.Operations.stateFailed', defaultMessage: 'failed' },
});

export const operationEntityMessages = defineMessages({
  'business-unit': { id: 'CrmSync.Operations.entityBusinessUnit', defaultMessage: 'companies' },
  customer: { id: 'CrmSync.Operations.entityCustomer', defaultMessage: 'customers' },
  order: { id: 'CrmSync.Operations.entityOrder', defaultMessage: 'orders' },
});

export const reportMessages = defineMessages({
  title: { id: 'CrmSync.Report.title', defaultMessage: 'Latest reconciliation' },
  none: { id: 'CrmSync.Report.none', defaultMessage: 'No reconciliation has run yet.' },
  summary: {
    id: 'CrmSync.Report.summary',
    defaultMessage: '{from} to {to}, {mode}: {commercetools} records in commercetools, {crm} in {crmLabel}, {inSync} in sync.',
  },
  repairMode: { id: 'CrmSync.Report.repairMode', defaultMessage: 'with repair' },
  reportMode: { id: 'CrmSync.Report.reportMode', defaultMessage: 'report only' },
  countsLabel: { id: 'CrmSync.Report.countsLabel', defaultMessage: 'Drift by kind' },
  repaired: { id: 'CrmSync.Report.repaired', defaultMessage: 'Repaired: {repaired}, repair failed: {repairFailed}' },
  items: { id: 'CrmSync.Report.items', defaultMessage: 'Drifted records' },
  truncated: { id: 'CrmSync.Report.truncated', defaultMessage: 'Only the first {count} drifted records are listed; the counts are complete.' },
  kind: { id: 'CrmSync.Report.kind', defaultMessage: 'Drift' },
  entity: { id: 'CrmSync.Report.entity', defaultMessage: 'Record' },
  sourceId: { id: 'CrmSync.Report.sourceId', defaultMessage: 'commercetools ID' },
  crmId: { id: 'CrmSync.Report.crmId', defaultMessage: 'CRM ID' },
  fields: { id: 'CrmSync.Report.fields', defaultMessage: 'Fields' },
  result: { id: 'CrmSync.Report.result', defaultMessage: 'Repair' },
  wasRepaired: { id: 'CrmSync.Report.wasRepaired', defaultMessage: 'repaired' },
  notRepaired: { id: 'CrmSync.Report.notRepaired', defaultMessage: 'not repaired' },
  notRepairedBecause: { id: 'CrmSync.Report.notRepairedBecause', defaultMessage: 'not repaired: {error}' },
  current: { id: 'CrmSync.Report.current', defaultMessage: 'Rolling reconciliation in progress' },
  byEntity: { id: 'CrmSync.Report.byEntity', defaultMessage: 'By record type' },
  entityCounts: { id: 'CrmSync.Report.entityCounts', defaultMessage: '{entity}: {commercetools} in commercetools, {inSync} in sync, {drifted} drifted, {repaired} repaired' },
  orphansDeleted: { id: 'CrmSync.Report.orphansDeleted', defaultMessage: 'Records only in the CRM were deleted (the connection is set to delete them).' },
  orphansReported: { id: 'CrmSync.Report.orphansReported', defaultMessage: 'Records only in the CRM are reported, not deleted.' },
  pass: { id: 'CrmSync.Report.pass', defaultMessage: 'Scheduled runs compare a slice each, the whole population every {periodHours} hours: {slices} slices so far, {steppedBack} left to live changes.' },
  compared: { id: 'CrmSync.Report.compared', defaultMessage: 'Compared in this pass' },
  comparedEntity: { id: 'CrmSync.Report.comparedEntity', defaultMessage: '{entity}: {done} of {total}' },
  crmListed: { id: 'CrmSync.Report.crmListed', defaultMessage: '{count} CRM records checked for orphans{done, select, true {, all of them} other {, more to come}}.' },
  periodAtRisk: { id: 'CrmSync.Report.periodAtRisk', defaultMessage: 'At the share of the CRM’s API the reconciliation may use, the whole population cannot be compared within {periodHours} hours: raise RECONCILE_CRM_SHARE or RECONCILE_PERIOD_HOURS.' },
});

export const driftKindMessages = defineMessages({
  missing_in_crm: { id: 'CrmSync.Drift.missing', defaultMessage: 'Missing in the CRM' },
  stale_in_crm: { id: 'CrmSync.Drift.stale', defaultMessage: 'Outdated in the CRM' },
  orphaned_in_crm: { id: 'CrmSync.Drift.orphaned', defaultMessage: 'Only in the CRM' },
  ownership_violation: { id: 'CrmSync.Drift.ownership', defaultMessage: 'Changed against its owner' },
});
