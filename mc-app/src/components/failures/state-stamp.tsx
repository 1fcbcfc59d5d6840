import { useIntl } from 'react-intl';
import Stamp from '@commercetools-uikit/stamp';
import type { FailureState, ReplayOutcome } from '../../../../core/src/api/contract';
import { stateMessages } from '../shared/messages';

const tones: Record<FailureState, 'critical' | 'warning' | 'positive' | 'secondary'> = {
  open: 'critical',
  retrying: 'warning',
  resolved: 'positive',
  dismissed: 'secondary',
};

/** The record's state, plus the outcome of the last replay/dismiss done from this page. */
export function StateStamp({ state, outcome }: { state: FailureState; outcome?: ReplayOutcome | 'dismissed' }) {
  const intl = useIntl();
  const name = intl.formatMessage(stateMessages[state]);
  const label = outcome === 'failed' && state !== 'resolved' ? intl.formatMessage(stateMessages.replayFailed, { state: name }) : name;
  return <Stamp tone={tones[state]} label={label} isCondensed />;
}
