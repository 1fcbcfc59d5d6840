import Stamp from '@commercetools-uikit/stamp';
import type { FailureState, ReplayOutcome } from '../../../../core/src/api/contract';

const tones: Record<FailureState, 'critical' | 'warning' | 'positive' | 'secondary'> = {
  open: 'critical',
  retrying: 'warning',
  resolved: 'positive',
  dismissed: 'secondary',
};

/** The record's state, plus the outcome of the last replay/dismiss done from this page. */
export function StateStamp({ state, outcome }: { state: FailureState; outcome?: ReplayOutcome | 'dismissed' }) {
  const label = outcome === 'failed' && state !== 'resolved' ? `${state} (replay failed)` : state;
  return <Stamp tone={tones[state]} label={label} isCondensed />;
}
