import { defineMessages } from 'react-intl';

export const failuresMessages = defineMessages({
  title: { id: 'CrmSync.Failures.title', defaultMessage: 'Failed records' },
  filters: { id: 'CrmSync.Failures.filters', defaultMessage: 'Filters' },
  crm: { id: 'CrmSync.Failures.crm', defaultMessage: 'CRM' },
  direction: { id: 'CrmSync.Failures.direction', defaultMessage: 'Direction' },
  entity: { id: 'CrmSync.Failures.entity', defaultMessage: 'Entity' },
  errorClass: { id: 'CrmSync.Failures.errorClass', defaultMessage: 'Error class' },
  state: { id: 'CrmSync.Failures.state', defaultMessage: 'State' },
  from: { id: 'CrmSync.Failures.from', defaultMessage: 'From' },
  to: { id: 'CrmSync.Failures.to', defaultMessage: 'To' },
  lastFailed: { id: 'CrmSync.Failures.lastFailed', defaultMessage: 'Last failed' },
  subject: { id: 'CrmSync.Failures.subject', defaultMessage: 'Who or what' },
  message: { id: 'CrmSync.Failures.message', defaultMessage: 'Message' },
  attempts: { id: 'CrmSync.Failures.attempts', defaultMessage: 'Attempts' },
  actions: { id: 'CrmSync.Failures.actions', defaultMessage: 'Actions' },
  selectAll: { id: 'CrmSync.Failures.selectAll', defaultMessage: 'Select all' },
  select: { id: 'CrmSync.Failures.select', defaultMessage: 'Select {name}' },
  toCrm: { id: 'CrmSync.Failures.toCrm', defaultMessage: 'commercetools → {crm}' },
  fromCrm: { id: 'CrmSync.Failures.fromCrm', defaultMessage: '{crm} → commercetools' },
  review: { id: 'CrmSync.Failures.review', defaultMessage: 'Decide' },
  replay: { id: 'CrmSync.Failures.replay', defaultMessage: 'Replay' },
  dismiss: { id: 'CrmSync.Failures.dismiss', defaultMessage: 'Dismiss' },
  replaySelected: { id: 'CrmSync.Failures.replaySelected', defaultMessage: 'Replay selected ({count})' },
  dismissSelected: { id: 'CrmSync.Failures.dismissSelected', defaultMessage: 'Dismiss selected ({count})' },
  viewOnly: {
    id: 'CrmSync.Failures.viewOnly',
    defaultMessage: 'You can look at failures; replaying or dismissing needs the Manage permission.',
  },
  replayed: {
    id: 'CrmSync.Failures.replayed',
    defaultMessage: 'Replayed {count}: {resolved} resolved, {failed} still failing.',
  },
  replayDetail: { id: 'CrmSync.Failures.replayDetail', defaultMessage: '{id}: {outcome}' },
  dismissed: { id: 'CrmSync.Failures.dismissed', defaultMessage: 'Dismissed {count}.' },
  loading: { id: 'CrmSync.Failures.loading', defaultMessage: 'Loading failures' },
  empty: { id: 'CrmSync.Failures.empty', defaultMessage: 'No failed records match these filters.' },
  previousPage: { id: 'CrmSync.Failures.previousPage', defaultMessage: 'Previous page' },
  nextPage: { id: 'CrmSync.Failures.nextPage', defaultMessage: 'Next page' },
  page: { id: 'CrmSync.Failures.page', defaultMessage: 'Page {page}' },
  perPage: { id: 'CrmSync.Failures.perPage', defaultMessage: 'Per page' },
  confirmReplayTitle: { id: 'CrmSync.Failures.confirmReplayTitle', defaultMessage: 'Replay {count, plural, one {# record} other {# records}}?' },
  confirmReplayBody: {
    id: 'CrmSync.Failures.confirmReplayBody',
    defaultMessage:
      'Each record is read again from commercetools and written to {crm} now, as it is today (not as it was when it failed). Records that still fail stay in the list with one more attempt.',
  },
  confirmDismissTitle: { id: 'CrmSync.Failures.confirmDismissTitle', defaultMessage: 'Dismiss {count, plural, one {# record} other {# records}}?' },
  confirmDismissBody: {
    id: 'CrmSync.Failures.confirmDismissBody',
    defaultMessage: 'They leave the open failures and are not retried; nothing is written to {crm}. A later change of a record syncs it again.',
  },
});

/** Who or what a failure is about, as the list and the detail name it. */
export const subjectMessages = defineMessages({
  order: { id: 'CrmSync.Subject.order', defaultMessage: 'Order {orderNumber}' },
  unnamed: { id: 'CrmSync.Subject.unnamed', defaultMessage: '{entity} {id}' },
  guest: { id: 'CrmSync.Subject.guest', defaultMessage: 'Guest (known by the order only)' },
  message: { id: 'CrmSync.Subject.message', defaultMessage: 'A message that could not be read' },
  gone: { id: 'CrmSync.Subject.gone', defaultMessage: '{entity} no longer in commercetools ({id})' },
});

export const detailMessages = defineMessages({
  back: { id: 'CrmSync.FailureDetail.back', defaultMessage: '← All failures' },
  loading: { id: 'CrmSync.FailureDetail.loading', defaultMessage: 'Loading failure' },
  replay: { id: 'CrmSync.FailureDetail.replay', defaultMessage: 'Replay' },
  dismiss: { id: 'CrmSync.FailureDetail.dismiss', defaultMessage: 'Dismiss' },
  replayed: { id: 'CrmSync.FailureDetail.replayed', defaultMessage: 'Replayed: the record is in sync now.' },
  replayFailed: { id: 'CrmSync.FailureDetail.replayFailed', defaultMessage: 'Replay failed again: {message}' },
  dismissed: { id: 'CrmSync.FailureDetail.dismissed', defaultMessage: 'Dismissed.' },
  whatWentWrong: { id: 'CrmSync.FailureDetail.whatWentWrong', defaultMessage: 'What went wrong' },
  errorClass: { id: 'CrmSync.FailureDetail.errorClass', defaultMessage: 'Error class' },
  status: { id: 'CrmSync.FailureDetail.status', defaultMessage: 'HTTP status' },
  code: { id: 'CrmSync.FailureDetail.code', defaultMessage: 'Code' },
  attempts: { id: 'CrmSync.FailureDetail.attempts', defaultMessage: 'Attempts' },
  connection: { id: 'CrmSync.FailureDetail.connection', defaultMessage: 'Connection' },
  connectionValue: { id: 'CrmSync.FailureDetail.connectionValue', defaultMessage: '{connection} ({crm})' },
  direction: { id: 'CrmSync.FailureDetail.direction', defaultMessage: 'Direction' },
  record: { id: 'CrmSync.FailureDetail.record', defaultMessage: 'Record ID' },
  correlationId: { id: 'CrmSync.FailureDetail.correlationId', defaultMessage: 'Correlation ID' },
  firstFailed: { id: 'CrmSync.FailureDetail.firstFailed', defaultMessage: 'First failed' },
  lastFailed: { id: 'CrmSync.FailureDetail.lastFailed', defaultMessage: 'Last failed' },
  nextAttempt: { id: 'CrmSync.FailureDetail.nextAttempt', defaultMessage: 'Next attempt' },
  resolved: { id: 'CrmSync.FailureDetail.resolved', defaultMessage: 'Resolved' },
  fields: { id: 'CrmSync.FailureDetail.fields', defaultMessage: 'Fields' },
  payload: { id: 'CrmSync.FailureDetail.payload', defaultMessage: 'What was sent (personal data removed)' },
  payloadNone: { id: 'CrmSync.FailureDetail.payloadNone', defaultMessage: '(none kept)' },
  waitingFor: {
    id: 'CrmSync.FailureDetail.waitingFor',
    defaultMessage: 'Nothing was sent: this record waits for its {dependsOn}, which could not be synced.',
  },
  history: { id: 'CrmSync.FailureDetail.history', defaultMessage: 'Attempts' },
  attempt: { id: 'CrmSync.FailureDetail.attempt', defaultMessage: '{at} — {errorClass}{status}: {message} · {correlationId}' },
});

export const matchMessages = defineMessages({
  title: { id: 'CrmSync.Match.title', defaultMessage: 'Who placed this order?' },
  explanation: {
    id: 'CrmSync.Match.explanation',
    defaultMessage:
      'The order was placed as a guest with {email}, and {count} synced customers have that email. Nothing was written to {crm}: choose the customer it belongs to, or give the guest a record of its own.',
  },
  name: { id: 'CrmSync.Match.name', defaultMessage: 'Name' },
  email: { id: 'CrmSync.Match.email', defaultMessage: 'Email' },
  stores: { id: 'CrmSync.Match.stores', defaultMessage: 'Stores' },
  allStores: { id: 'CrmSync.Match.allStores', defaultMessage: 'all stores' },
  lastOrder: { id: 'CrmSync.Match.lastOrder', defaultMessage: 'Last order' },
  lastOrderValue: { id: 'CrmSync.Match.lastOrderValue', defaultMessage: '{orderNumber} on {at}, {total}' },
  noOrders: { id: 'CrmSync.Match.noOrders', defaultMessage: 'no orders yet' },
  crmRecord: { id: 'CrmSync.Match.crmRecord', defaultMessage: 'Record in {crm}' },
  choose: { id: 'CrmSync.Match.choose', defaultMessage: 'Link to {name}' },
  separate: { id: 'CrmSync.Match.separate', defaultMessage: 'Create a separate record' },
  candidates: { id: 'CrmSync.Match.candidates', defaultMessage: 'Candidates' },
  noLonger: {
    id: 'CrmSync.Match.noLonger',
    defaultMessage: 'The email no longer matches several customers. Replay the order to sync it as it is now.',
  },
  unnamed: { id: 'CrmSync.Match.unnamed', defaultMessage: 'Customer {id}' },
  confirmPersonTitle: { id: 'CrmSync.Match.confirmPersonTitle', defaultMessage: 'Link the order to {name}?' },
  confirmPersonBody: {
    id: 'CrmSync.Match.confirmPersonBody',
    defaultMessage:
      'The order is written to {crm} now, linked to {name}’s record. Later guest orders placed with {email} are linked to {name} too.',
  },
  confirmSeparateTitle: { id: 'CrmSync.Match.confirmSeparateTitle', defaultMessage: 'Create a separate record for the guest?' },
  confirmSeparateBody: {
    id: 'CrmSync.Match.confirmSeparateBody',
    defaultMessage:
      'A new record for the guest {email} is created in {crm} and the order is linked to it. Later guest orders with this email are linked to that record, not to the customers above.',
  },
  confirm: { id: 'CrmSync.Match.confirm', defaultMessage: 'Link and write' },
  resolved: { id: 'CrmSync.Match.resolved', defaultMessage: 'Decided and written: the order is in {crm} now.' },
  stillFailing: { id: 'CrmSync.Match.stillFailing', defaultMessage: 'Decided, but writing the order failed: {message}' },
  decidedPerson: {
    id: 'CrmSync.Match.decidedPerson',
    defaultMessage: '{by} decided on {at} that guest orders with this email belong to {name}.',
  },
  decidedSeparate: {
    id: 'CrmSync.Match.decidedSeparate',
    defaultMessage: '{by} decided on {at} that the guest with this email gets a record of its own.',
  },
});
