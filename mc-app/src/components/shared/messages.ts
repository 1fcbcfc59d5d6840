import { defineMessages } from 'react-intl';

/** Error classes as a merchandiser reads them. */
export const errorClassMessages = defineMessages({
  validation: { id: 'CrmSync.ErrorClass.validation', defaultMessage: 'Validation' },
  not_found: { id: 'CrmSync.ErrorClass.not_found', defaultMessage: 'Not found' },
  conflict: { id: 'CrmSync.ErrorClass.conflict', defaultMessage: 'Conflict' },
  ambiguous_match: { id: 'CrmSync.ErrorClass.ambiguous_match', defaultMessage: 'Ambiguous match' },
  throttled: { id: 'CrmSync.ErrorClass.throttled', defaultMessage: 'Throttled' },
  crm_unavailable: { id: 'CrmSync.ErrorClass.crm_unavailable', defaultMessage: 'CRM unavailable' },
  auth: { id: 'CrmSync.ErrorClass.auth', defaultMessage: 'Authentication' },
  unknown: { id: 'CrmSync.ErrorClass.unknown', defaultMessage: 'Unknown' },
});

export const entityMessages = defineMessages({
  person: { id: 'CrmSync.Entity.person', defaultMessage: 'Person' },
  company: { id: 'CrmSync.Entity.company', defaultMessage: 'Company' },
  order: { id: 'CrmSync.Entity.order', defaultMessage: 'Order' },
  message: { id: 'CrmSync.Entity.message', defaultMessage: 'Message' },
  deal: { id: 'CrmSync.Entity.deal', defaultMessage: 'Deal' },
});

export const directionMessages = defineMessages({
  'ct-to-crm': { id: 'CrmSync.Direction.ctToCrm', defaultMessage: 'commercetools → CRM' },
  'crm-to-ct': { id: 'CrmSync.Direction.crmToCt', defaultMessage: 'CRM → commercetools' },
});

export const stateMessages = defineMessages({
  open: { id: 'CrmSync.FailureState.open', defaultMessage: 'open' },
  retrying: { id: 'CrmSync.FailureState.retrying', defaultMessage: 'retrying' },
  resolved: { id: 'CrmSync.FailureState.resolved', defaultMessage: 'resolved' },
  dismissed: { id: 'CrmSync.FailureState.dismissed', defaultMessage: 'dismissed' },
  replayFailed: { id: 'CrmSync.FailureState.replayFailed', defaultMessage: '{state} (replay failed)' },
});

export const sharedMessages = defineMessages({
  forbidden: {
    id: 'CrmSync.Shared.forbidden',
    defaultMessage: 'The service refused this: you lack the permission for it.',
  },
  any: { id: 'CrmSync.Shared.any', defaultMessage: 'Any' },
});
