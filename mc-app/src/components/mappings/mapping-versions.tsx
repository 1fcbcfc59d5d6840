import FlatButton from '@commercetools-uikit/flat-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import type { MappingsAnswer } from '../../../../core/src/api/contract';
import { formatDateTime } from '../shared/format';

type Entry = { version: number; text: string };

/**
 * Saved versions, newest first, and version 0, the CRM's default the service
 * falls back to before anything is saved. Rolling back saves the chosen
 * content again as a new version.
 */
export function MappingVersions(props: {
  history: MappingsAnswer['history'];
  current: number;
  canManage: boolean;
  isDisabled: boolean;
  onRollback: (version: number) => void;
}) {
  const entries: Entry[] = [
    ...[...props.history]
      .sort((a, b) => b.version - a.version)
      .map((entry) => ({
        version: entry.version,
        text: `v${entry.version} · ${formatDateTime(entry.savedAt)}${entry.savedBy ? ` · ${entry.savedBy}` : ''}`,
      })),
    { version: 0, text: 'v0 · the CRM’s default' },
  ];
  return (
    <ul aria-label="Versions" style={{ margin: 0, paddingLeft: 16 }}>
      {entries.map((entry) => (
        <li key={entry.version}>
          <Spacings.Inline scale="m" alignItems="center">
            <Text.Detail>{`${entry.text}${entry.version === props.current ? ' (current)' : ''}`}</Text.Detail>
            {props.canManage && entry.version !== props.current ? (
              <FlatButton label={`Roll back to v${entry.version}`} onClick={() => props.onRollback(entry.version)} isDisabled={props.isDisabled} />
            ) : null}
          </Spacings.Inline>
        </li>
      ))}
    </ul>
  );
}
