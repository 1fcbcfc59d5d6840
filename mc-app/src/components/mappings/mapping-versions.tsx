import FlatButton from '@commercetools-uikit/flat-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import type { Mappings } from '../../api/schemas';
import { formatDateTime } from '../shared/format';

/** Saved versions, newest first; rolling back saves the chosen one again as a new version. */
export function MappingVersions(props: {
  history: Mappings['history'];
  current: number;
  canManage: boolean;
  isDisabled: boolean;
  onRollback: (version: number) => void;
}) {
  const newestFirst = [...props.history].sort((a, b) => b.version - a.version);
  if (newestFirst.length === 0) return <Text.Detail tone="secondary">Nothing saved yet: version 0 is the CRM’s default.</Text.Detail>;
  return (
    <ul aria-label="Versions" style={{ margin: 0, paddingLeft: 16 }}>
      {newestFirst.map((entry) => (
        <li key={entry.version}>
          <Spacings.Inline scale="m" alignItems="center">
            <Text.Detail>
              {`v${entry.version} · ${formatDateTime(entry.savedAt)}${entry.savedBy ? ` · ${entry.savedBy}` : ''}${
                entry.version === props.current ? ' (current)' : ''
              }`}
            </Text.Detail>
            {props.canManage && entry.version !== props.current ? (
              <FlatButton label={`Roll back to v${entry.version}`} onClick={() => props.onRollback(entry.version)} isDisabled={props.isDisabled} />
            ) : null}
          </Spacings.Inline>
        </li>
      ))}
    </ul>
  );
}
