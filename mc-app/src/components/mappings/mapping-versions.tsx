import { useIntl } from 'react-intl';
import FlatButton from '@commercetools-uikit/flat-button';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import type { MappingsAnswer } from '../../../../core/src/api/contract';
import { formatDateTime } from '../shared/format';
import { versionMessages } from './messages';

type Entry = { version: number; text: string; userId?: string };

/**
 * Saved versions, newest first, with who saved them (their name; the user ID
 * the session proved on hover), and version 0, the CRM's default the service
 * falls back to before anything is saved. Rolling back asks first
 * (`onRollback` opens the confirmation); it saves the chosen content again as
 * a new version.
 */
export function MappingVersions(props: {
  history: MappingsAnswer['history'];
  current: number;
  canManage: boolean;
  isDisabled: boolean;
  onRollback: (version: number) => void;
}) {
  const intl = useIntl();
  const entries: Entry[] = [
    ...[...props.history]
      .sort((a, b) => b.version - a.version)
      .map((entry) => ({
        version: entry.version,
        text: intl.formatMessage(versionMessages.saved, {
          version: entry.version,
          at: formatDateTime(entry.savedAt),
          hasBy: entry.savedByName ?? entry.savedBy ? 'yes' : 'no',
          by: entry.savedByName ?? entry.savedBy ?? '',
        }),
        ...(entry.savedBy ? { userId: entry.savedBy } : {}),
      })),
    { version: 0, text: intl.formatMessage(versionMessages.initial) },
  ];
  return (
    <ul aria-label={intl.formatMessage(versionMessages.list)} style={{ margin: 0, paddingLeft: 16 }}>
      {entries.map((entry) => (
        <li key={entry.version}>
          <Spacings.Inline scale="m" alignItems="center">
            <span title={entry.userId}>
              <Text.Detail>{entry.version === props.current ? intl.formatMessage(versionMessages.current, { entry: entry.text }) : entry.text}</Text.Detail>
            </span>
            {props.canManage && entry.version !== props.current ? (
              <FlatButton
                label={intl.formatMessage(versionMessages.rollback, { version: entry.version })}
                onClick={() => props.onRollback(entry.version)}
                isDisabled={props.isDisabled}
              />
            ) : null}
          </Spacings.Inline>
        </li>
      ))}
    </ul>
  );
}
