import { useIntl } from 'react-intl';
import { ContentNotification } from '@commercetools-uikit/notifications';
import Text from '@commercetools-uikit/text';
import { ServiceError } from '../../api/client';
import { sharedMessages } from './messages';

export function PageError({ error }: { error: Error }) {
  const intl = useIntl();
  const forbidden = error instanceof ServiceError && error.status === 403;
  return (
    <ContentNotification type="error">
      <Text.Detail>
        {forbidden ? `${intl.formatMessage(sharedMessages.forbidden)} ` : ''}
        {error.message}
      </Text.Detail>
    </ContentNotification>
  );
}
