import { ContentNotification } from '@commercetools-uikit/notifications';
import Text from '@commercetools-uikit/text';
import { ServiceError } from '../../api/client';

export function PageError({ error }: { error: Error }) {
  const forbidden = error instanceof ServiceError && error.status === 403;
  return (
    <ContentNotification type="error">
      <Text.Detail>
        {forbidden ? 'The service refused this: you lack the permission for it. ' : ''}
        {error.message}
      </Text.Detail>
    </ContentNotification>
  );
}
